"""One suite for every order store (memory, SQLite, PostgreSQL): the contract of
:class:`hanoi.providers.order_ports.OrderStore`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hanoi.custody.events import CustodyEvent
from hanoi.custody.service import CustodyLog
from hanoi.providers.hi1 import OrderKind
from hanoi.providers.history import ChangeKind, change_of
from hanoi.providers.model import ProviderFields, new_provider
from hanoi.providers.order_memory import MemoryOrderStore
from hanoi.providers.order_ports import OrderStore
from hanoi.providers.orders import (
    DeliveryOutcome,
    OrderStatus,
    ProviderOrder,
    ReceivedDelivery,
    ReceivedNotification,
    order_event,
)
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.db import make_engine
from hanoi.storage.provider_orders_repo import ProviderOrdersRepository
from hanoi.storage.providers_repo import ProvidersRepository
from support_databases import Clones

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_databases: Clones
) -> Iterator[OrderStore]:
    if request.param == "memory":
        yield MemoryOrderStore()
        return
    engine = make_engine(migrated_databases.url(request.param, tmp_path))
    try:
        checked = new_provider(
            "vnm-sim",
            ProviderFields(
                name="Simulator",
                endpoint="http://127.0.0.1:8999/hi1",
                country_code="VN",
                unique_identifier="sim",
            ),
            by="root",
            now=T0,
        )
        ProvidersRepository(engine).add(
            checked.provider,
            change_of(checked.provider, ChangeKind.CREATED, checked.changed, by="root", at=T0),
        )
        yield ProviderOrdersRepository(engine, CustodyRepository(engine))
    finally:
        engine.dispose()


def an_order(number: int = 1, **changes: object) -> ProviderOrder:
    order = ProviderOrder(
        id=f"{number:032x}", request_id="EGY-2026-1", provider_id="vnm-sim",
        kind=OrderKind.DISCLOSURE, status=OrderStatus.AWAITING, officer="lan",
        issued_at=T0 + timedelta(minutes=number), domestic_reference="VNM-PO-1",
        legal_basis="Code", order_sha256="a" * 64,
        transaction_id=f"00000000-0000-4000-8000-{number:012x}",
        task_id=f"10000000-0000-4000-8000-{number:012x}",
        authorisation_id=f"20000000-0000-4000-8000-{number:012x}",
        document_id=f"30000000-0000-4000-8000-{number:012x}", task_reference="VN-X-VNM-PO-1",
    )  # fmt: skip
    return replace(order, **changes)  # type: ignore[arg-type]


def events(order: ProviderOrder, step: str) -> list[object]:
    event: CustodyEvent = order_event(
        order, step=step, node="VNM", officer="lan", article="Art. 44", at=T0
    )
    return list(CustodyLog.prepare([event]))


def test_an_order_is_stored_read_and_listed(store: OrderStore) -> None:
    first, second = an_order(1), an_order(2, request_id="EGY-2026-2")
    store.add(first, events(first, "issued"))  # type: ignore[arg-type]
    store.add(second, [])
    assert store.get(first.id) == first
    assert store.get("f" * 32) is None
    assert store.for_request("EGY-2026-1") == [first]


def test_a_change_is_made_from_the_version_it_read(store: OrderStore) -> None:
    order = an_order()
    store.add(order, [])
    later = replace(order, status=OrderStatus.DISCLOSED, provider_status="Disclosed", version=2)
    assert store.replace(later, expected_version=1, custody=events(later, "status"))  # type: ignore[arg-type]
    assert not store.replace(replace(later, version=3, error="x"), expected_version=1, custody=[])
    assert store.get(order.id) == later


def test_due_orders_are_open_and_not_polled_lately(store: OrderStore) -> None:
    fresh = an_order(1)
    polled = an_order(2, last_polled_at=T0 + timedelta(hours=1))
    stale = an_order(3, last_polled_at=T0)
    done = an_order(4, status=OrderStatus.DISCLOSED, complete=True)
    rejected = an_order(5, status=OrderStatus.REJECTED)
    for order in (fresh, polled, stale, done, rejected):
        store.add(order, [])
    due = store.due(polled_before=T0 + timedelta(minutes=30), limit=10)
    assert [o.id for o in due] == [fresh.id, stale.id]
    assert len(store.due(polled_before=T0 + timedelta(minutes=30), limit=1)) == 1


def test_a_delivery_is_recorded_once(store: OrderStore) -> None:
    order = an_order()
    store.add(order, [])
    delivery = ReceivedDelivery(
        order_id=order.id, object_id="d1", sequence_number=1, last_sequence=False,
        received_at=T0, outcome=DeliveryOutcome.INGESTED, sha256="b" * 64, size=10,
        evidence_item_id="c" * 32,
    )  # fmt: skip
    assert store.add_delivery(delivery, [])
    assert not store.add_delivery(replace(delivery, outcome=DeliveryOutcome.REFUSED), [])
    refused = replace(delivery, object_id="d2", outcome=DeliveryOutcome.REFUSED, problem="bad")
    assert store.add_delivery(refused, [])
    assert store.deliveries(order.id) == [delivery, refused]
    assert store.known_deliveries(["d1", "d2", "d3"]) == {"d1", "d2"}
    assert store.known_deliveries([]) == set()


def test_a_notification_is_recorded_once_with_what_it_says(store: OrderStore) -> None:
    order = an_order()
    store.add(order, [])
    first = ReceivedNotification(
        order_id=order.id, object_id="n1", received_at=T0 + timedelta(minutes=1),
        type=("UN", "RefusalGround", "essential-interests"), details="رسالة · 通知",
        provider_time="2026-12-07T09:01:00Z",
        statuses=((order.task_id, "Rejected", "closed"), (order.document_id, "Valid", None)),
    )  # fmt: skip
    bare = ReceivedNotification(
        order_id=order.id, object_id="n0", received_at=T0, type=None, details=None,
        provider_time=None,
    )  # fmt: skip
    assert store.add_notification(first, events(order, "notification"))  # type: ignore[arg-type]
    assert not store.add_notification(replace(first, details="again"), [])
    assert store.add_notification(bare, [])
    assert store.notifications(order.id) == [bare, first]
    assert store.notifications("f" * 32) == []
    assert store.known_notifications(["n1", "n0", "n9"]) == {"n0", "n1"}
    assert store.known_notifications([]) == set()
