"""An :class:`~hanoi.providers.order_ports.OrderStore` in memory: the SQL store's twin, held
to the same contract by ``tests/integration/test_provider_order_store.py``. Custody events
handed with a write are kept in :attr:`MemoryOrderStore.custody`, in order."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

from hanoi.custody.service import NewEvent
from hanoi.providers.orders import ProviderOrder, ReceivedDelivery, ReceivedNotification


class MemoryOrderStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: dict[str, ProviderOrder] = {}
        self._deliveries: dict[tuple[str, str], ReceivedDelivery] = {}
        self._notifications: dict[tuple[str, str], ReceivedNotification] = {}
        self.custody: list[NewEvent] = []

    def add(self, order: ProviderOrder, custody: Sequence[NewEvent]) -> None:
        with self._lock:
            if order.id in self._orders or any(
                o.transaction_id == order.transaction_id for o in self._orders.values()
            ):
                raise ValueError(f"order {order.id} or its transaction exists already")
            self._orders[order.id] = order
            self.custody.extend(custody)

    def replace(
        self, order: ProviderOrder, *, expected_version: int, custody: Sequence[NewEvent]
    ) -> bool:
        with self._lock:
            current = self._orders.get(order.id)
            if current is None or current.version != expected_version:
                return False
            self._orders[order.id] = order
            self.custody.extend(custody)
            return True

    def get(self, order_id: str) -> ProviderOrder | None:
        with self._lock:
            return self._orders.get(order_id)

    def for_request(self, request_id: str) -> list[ProviderOrder]:
        with self._lock:
            found = [o for o in self._orders.values() if o.request_id == request_id]
        return sorted(found, key=lambda o: (o.issued_at, o.id))

    def due(self, *, polled_before: datetime, limit: int) -> list[ProviderOrder]:
        with self._lock:
            found = [
                o
                for o in self._orders.values()
                if o.open and (o.last_polled_at is None or o.last_polled_at < polled_before)
            ]
        found.sort(
            key=lambda o: (o.last_polled_at is not None, o.last_polled_at or o.issued_at, o.id)
        )
        return found[:limit]

    def add_delivery(self, delivery: ReceivedDelivery, custody: Sequence[NewEvent]) -> bool:
        key = (delivery.order_id, delivery.object_id)
        with self._lock:
            if key in self._deliveries:
                return False
            self._deliveries[key] = delivery
            self.custody.extend(custody)
            return True

    def deliveries(self, order_id: str) -> list[ReceivedDelivery]:
        with self._lock:
            found = [d for (o, _), d in self._deliveries.items() if o == order_id]
        return sorted(found, key=lambda d: (d.received_at, d.sequence_number or 0, d.object_id))

    def known_deliveries(self, object_ids: Sequence[str]) -> set[str]:
        wanted = set(object_ids)
        with self._lock:
            return {o for (_, o) in self._deliveries if o in wanted}

    def add_notification(
        self, notification: ReceivedNotification, custody: Sequence[NewEvent]
    ) -> bool:
        key = (notification.order_id, notification.object_id)
        with self._lock:
            if key in self._notifications:
                return False
            self._notifications[key] = notification
            self.custody.extend(custody)
            return True

    def notifications(self, order_id: str) -> list[ReceivedNotification]:
        with self._lock:
            found = [n for (o, _), n in self._notifications.items() if o == order_id]
        return sorted(found, key=lambda n: (n.received_at, n.object_id))

    def known_notifications(self, object_ids: Sequence[str]) -> set[str]:
        wanted = set(object_ids)
        with self._lock:
            return {o for (_, o) in self._notifications if o in wanted}
