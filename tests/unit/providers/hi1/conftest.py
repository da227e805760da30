"""Fixtures for the HI-1 tests: sample orders (helpers are in tests/support_hi1.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from hanoi.providers.hi1 import OrderKind, OrderSpec
from support_hi1 import NODE, PROVIDER


@pytest.fixture
def disclosure() -> OrderSpec:
    return OrderSpec(
        kind=OrderKind.DISCLOSURE,
        sender=NODE,
        receiver=PROVIDER,
        provider_name="Example Mail SAS",
        request_kind="mla-stored-data",
        article=44,
        request_type="SubscriberData",
        identifiers=(("EmailAddress", "someone@example.org"), ("InternationalE164", "33612345678")),
        window_start=datetime(2026, 1, 1, tzinfo=UTC),
        window_end=datetime(2026, 2, 1, tzinfo=UTC),
        deadline=datetime(2027, 1, 7, tzinfo=UTC),
        foreign_reference="BR-MLA-2026-0017",
        domestic_reference="ORD-2026-0005",
        legal_basis="Code de procédure pénale, articles 694 et suivants",
        order_document=b"%PDF-1.7\n% a signed order\n",
        order_media_type="application/pdf",
        order_name="Ordonnance ORD-2026-0005",
    )


@pytest.fixture
def preservation(disclosure: OrderSpec) -> OrderSpec:
    return replace(
        disclosure,
        kind=OrderKind.PRESERVATION,
        request_kind="expedited-preservation",
        article=42,
        request_type="TrafficData",
        deadline=datetime(2027, 3, 7, tzinfo=UTC),
    )
