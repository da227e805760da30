"""Requests imported from HI-1 messages, on SQLite and PostgreSQL: the message's
TransactionIdentifier is the request's id, so a message is imported once, and a request
received as a message is registered without a scan (``hanoi requests import-hi1``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hanoi.accounts.model import Role, User
from hanoi.clock import FixedClock
from hanoi.cooperation import Status
from hanoi.cooperation.offline import Registration
from hanoi.cooperation.routes import ChannelRecord, Route
from hanoi.cooperation.service import DraftInput
from hanoi.errors import Conflict, InvalidInput
from hanoi.wiring import Node
from support_cooperation import add_user
from support_nodes import T0, build_node

TRANSACTION = "8f3d51a0-2d4c-4c7a-9d0e-0a1b2c3d4e5f"


@pytest.fixture
def vnm(migrated_url: str, tmp_path: Path) -> Iterator[tuple[Node, User]]:
    node = build_node(tmp_path / "vnm", "VNM", migrated_url, FixedClock(T0))
    try:
        yield node, add_user(node, "linh", Role.SUPERVISOR)
    finally:
        node.close()


def _registration(transaction: str) -> Registration:
    return Registration(
        kind="expedited-preservation",
        requesting_state="EGY",
        requesting_authority="Central Authority of Egypt",
        via=ChannelRecord(channel=Route.OTHER, on=T0.date(), reference="EGY-2026-AB12CD34"),
        contents={"data-identifiers": ["+84912345678"]},
        scan=None,
        imported_from=transaction,
    )


def test_a_message_is_registered_once_and_without_a_scan(vnm: tuple[Node, User]) -> None:
    node, linh = vnm
    view = node.cooperation.register(linh, _registration(TRANSACTION))
    request = view.request
    assert request.id == f"VNM-HI1-{TRANSACTION}"
    assert request.status is Status.RECEIVED
    assert request.attachments == ()
    via = request.history[0].via
    assert via is not None
    assert (via.channel, via.reference, via.document) == (Route.OTHER, "EGY-2026-AB12CD34", None)
    with pytest.raises(Conflict, match="imported already"):
        node.cooperation.register(linh, _registration(TRANSACTION))


def test_a_domestic_message_is_drafted_once(vnm: tuple[Node, User]) -> None:
    node, linh = vnm
    spec = DraftInput(
        kind="mla-stored-data", requested_state="EGY", contents={}, imported_from=TRANSACTION
    )
    assert node.cooperation.draft(linh, spec).request.id == f"VNM-HI1-{TRANSACTION}"
    with pytest.raises(Conflict):
        node.cooperation.draft(linh, spec)
    other = DraftInput(
        kind="mla-stored-data", requested_state="EGY", contents={}, imported_from=str(uuid.uuid4())
    )
    assert node.cooperation.draft(linh, other).request.id != f"VNM-HI1-{TRANSACTION}"


@pytest.mark.parametrize("transaction", [TRANSACTION.upper(), "not-a-uuid", ""])
def test_an_import_id_is_a_lower_case_uuid(vnm: tuple[Node, User], transaction: str) -> None:
    node, linh = vnm
    with pytest.raises(InvalidInput, match="lower-case UUID"):
        node.cooperation.register(linh, _registration(transaction))
