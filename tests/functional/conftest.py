"""Fixtures shared by several functional test files.

``federated`` asks for the ``pair`` fixture of integration/test_package_transfer.py, which
is not a conftest fixture (yet): a test file that uses ``federated`` imports ``pair`` too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hanoi.accounts.model import Role
from support_evidence_desk import Federated
from support_transfers import (
    Pair,
    pair,  # noqa: F401 - two nodes exchanging packages, a fixture
    sent_and_received,
)
from support_ui import PASSWORD, signed_in


@pytest.fixture
def federated(pair: Pair) -> Iterator[Federated]:  # noqa: F811 - the fixture imported above
    """EGY asks VNM (two nodes served on loopback, a signed directory); the request has
    reached VNM, where hoa is assigned on arrival; nour is on EGY's case team."""
    p = pair
    p.vnm.accounts.add_user(name="hoa", role=Role.SUPERVISOR, password=PASSWORD)
    p.egy.accounts.add_user(name="nour", role=Role.SUPERVISOR, password=PASSWORD)
    p.egy.accounts.add_user(name="karim", role=Role.OFFICER, password=PASSWORD)
    request_id = sent_and_received(p)
    p.egy.cooperation.assign(p.amira, request_id, "nour")
    clients = [signed_in(p.vnm, "hoa"), signed_in(p.egy, "nour"), signed_in(p.egy, "karim")]
    yield Federated(p, request_id, *clients)
    for client in clients:
        client.__exit__(None, None, None)
