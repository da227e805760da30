"""Orders to providers, their deliveries and notifications as a
:class:`~hanoi.providers.order_ports.OrderStore`, on SQLite and PostgreSQL.

An order, or a delivery, is written with its custody events in one transaction. A change
to an order is an UPDATE conditional on the version it was made from (two polls of one
order in two processes: the second finds nothing to update). A delivery, or a notification,
is recorded once: its primary key is (order, the provider's object identifier).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, insert, or_, select, update
from sqlalchemy.exc import IntegrityError as SQLIntegrityError

from hanoi.custody.service import NewEvent
from hanoi.providers.hi1 import OrderKind
from hanoi.providers.orders import (
    DeliveryOutcome,
    OrderStatus,
    ProviderOrder,
    ReceivedDelivery,
    ReceivedNotification,
)
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.tables import provider_deliveries, provider_notifications, provider_orders

OPEN = (OrderStatus.AWAITING.value, OrderStatus.DISCLOSED.value)


def _columns(order: ProviderOrder) -> dict[str, Any]:
    return {
        "request_id": order.request_id,
        "provider_id": order.provider_id,
        "kind": order.kind.value,
        "status": order.status.value,
        "officer": order.officer,
        "issued_at": order.issued_at,
        "domestic_reference": order.domestic_reference,
        "legal_basis": order.legal_basis,
        "order_sha256": order.order_sha256,
        "transaction_id": order.transaction_id,
        "task_id": order.task_id,
        "authorisation_id": order.authorisation_id,
        "document_id": order.document_id,
        "task_reference": order.task_reference,
        "provider_status": order.provider_status,
        "error_code": order.error_code,
        "error": order.error,
        "last_polled_at": order.last_polled_at,
        "complete": order.complete,
        "version": order.version,
    }


def _order(row: Any) -> ProviderOrder:
    return ProviderOrder(
        id=row.id,
        request_id=row.request_id,
        provider_id=row.provider_id,
        kind=OrderKind(row.kind),
        status=OrderStatus(row.status),
        officer=row.officer,
        issued_at=row.issued_at,
        domestic_reference=row.domestic_reference,
        legal_basis=row.legal_basis,
        order_sha256=row.order_sha256,
        transaction_id=row.transaction_id,
        task_id=row.task_id,
        authorisation_id=row.authorisation_id,
        document_id=row.document_id,
        task_reference=row.task_reference,
        provider_status=row.provider_status,
        error_code=row.error_code,
        error=row.error,
        last_polled_at=row.last_polled_at,
        complete=bool(row.complete),
        version=row.version,
    )


def _delivery(row: Any) -> ReceivedDelivery:
    return ReceivedDelivery(
        order_id=row.order_id,
        object_id=row.object_id,
        sequence_number=row.sequence_number,
        last_sequence=bool(row.last_sequence),
        received_at=row.received_at,
        outcome=DeliveryOutcome(row.outcome),
        sha256=row.sha256,
        size=row.size,
        evidence_item_id=row.evidence_item_id,
        problem=row.problem,
    )


def _notification(row: Any) -> ReceivedNotification:
    kind = (row.type_owner, row.type_name, row.type_value)
    return ReceivedNotification(
        order_id=row.order_id,
        object_id=row.object_id,
        received_at=row.received_at,
        type=kind if all(part is not None for part in kind) else None,
        details=row.details,
        provider_time=row.provider_time,
        statuses=tuple(
            (str(obj), str(status), None if details is None else str(details))
            for obj, status, details in json.loads(row.statuses)
        ),
    )


class ProviderOrdersRepository:
    def __init__(self, engine: Engine, custody: CustodyRepository) -> None:
        self.engine = engine
        self._custody = custody

    def add(self, order: ProviderOrder, custody: Sequence[NewEvent]) -> None:
        with self.engine.begin() as connection:
            self._custody.enqueue_in(connection, custody, now=order.issued_at)
            connection.execute(insert(provider_orders).values(id=order.id, **_columns(order)))

    def replace(
        self, order: ProviderOrder, *, expected_version: int, custody: Sequence[NewEvent]
    ) -> bool:
        with self.engine.begin() as connection:
            done = connection.execute(
                update(provider_orders)
                .where(
                    provider_orders.c.id == order.id,
                    provider_orders.c.version == expected_version,
                )
                .values(**_columns(order))
            )
            if done.rowcount != 1:
                return False
            self._custody.enqueue_in(
                connection, custody, now=order.last_polled_at or order.issued_at
            )
        return True

    def get(self, order_id: str) -> ProviderOrder | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(provider_orders).where(provider_orders.c.id == order_id)
            ).first()
        return _order(row) if row else None

    def for_request(self, request_id: str) -> list[ProviderOrder]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(provider_orders)
                .where(provider_orders.c.request_id == request_id)
                .order_by(provider_orders.c.issued_at, provider_orders.c.id)
            ).all()
        return [_order(row) for row in rows]

    def due(self, *, polled_before: datetime, limit: int) -> list[ProviderOrder]:
        table = provider_orders
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table)
                .where(
                    table.c.status.in_(OPEN),
                    table.c.complete.is_(False),
                    or_(table.c.last_polled_at.is_(None), table.c.last_polled_at < polled_before),
                )
                .order_by(table.c.last_polled_at.is_not(None), table.c.last_polled_at, table.c.id)
                .limit(limit)
            ).all()
        return [order for order in map(_order, rows) if order.open]

    def add_delivery(self, delivery: ReceivedDelivery, custody: Sequence[NewEvent]) -> bool:
        values = {
            "order_id": delivery.order_id,
            "object_id": delivery.object_id,
            "sequence_number": delivery.sequence_number,
            "last_sequence": delivery.last_sequence,
            "received_at": delivery.received_at,
            "outcome": delivery.outcome.value,
            "sha256": delivery.sha256,
            "size": delivery.size,
            "evidence_item_id": delivery.evidence_item_id,
            "problem": delivery.problem,
        }
        return self._insert_once(provider_deliveries, values, custody, delivery.received_at)

    def deliveries(self, order_id: str) -> list[ReceivedDelivery]:
        table = provider_deliveries
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table)
                .where(table.c.order_id == order_id)
                .order_by(table.c.received_at, table.c.sequence_number, table.c.object_id)
            ).all()
        return [_delivery(row) for row in rows]

    def known_deliveries(self, object_ids: Sequence[str]) -> set[str]:
        return self._known(provider_deliveries, object_ids)

    def add_notification(
        self, notification: ReceivedNotification, custody: Sequence[NewEvent]
    ) -> bool:
        owner, name, value = notification.type or (None, None, None)
        values = {
            "order_id": notification.order_id,
            "object_id": notification.object_id,
            "received_at": notification.received_at,
            "type_owner": owner,
            "type_name": name,
            "type_value": value,
            "details": notification.details,
            "provider_time": notification.provider_time,
            "statuses": json.dumps([list(s) for s in notification.statuses]),
        }
        return self._insert_once(provider_notifications, values, custody, notification.received_at)

    def notifications(self, order_id: str) -> list[ReceivedNotification]:
        table = provider_notifications
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table)
                .where(table.c.order_id == order_id)
                .order_by(table.c.received_at, table.c.object_id)
            ).all()
        return [_notification(row) for row in rows]

    def known_notifications(self, object_ids: Sequence[str]) -> set[str]:
        return self._known(provider_notifications, object_ids)

    def _insert_once(
        self,
        table: Table,
        values: dict[str, Any],
        custody: Sequence[NewEvent],
        now: datetime,
    ) -> bool:
        """Insert a row keyed by (order, object id) with its custody events, in one
        transaction; False (nothing written) if the key is there already."""
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(table).values(**values))
                self._custody.enqueue_in(connection, custody, now=now)
        except SQLIntegrityError:
            return False
        return True

    def _known(self, table: Table, object_ids: Sequence[str]) -> set[str]:
        """Which of ``object_ids`` have a row in ``table`` (for any order)."""
        if not object_ids:
            return set()
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.c.object_id).where(table.c.object_id.in_(list(object_ids)))
            ).all()
        return {row.object_id for row in rows}
