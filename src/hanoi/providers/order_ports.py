"""What the ordering of providers needs from the rest of the node: ports.

- :class:`OrderStore`: the orders, and the deliveries and notifications received, each
  written with its custody events in one transaction (``storage.provider_orders_repo``
  implements it);
- :class:`OrderCases`: the request and who may act on it (the cooperation service);
- :class:`DeliveredEvidence`: where a checked delivery becomes an evidence item (the
  evidence service).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import BinaryIO, Protocol

from hanoi.accounts.model import Action, User
from hanoi.cooperation.model import CooperationRequest
from hanoi.cooperation.statuses import Side
from hanoi.custody.events import CustodyEvent
from hanoi.custody.service import NewEvent
from hanoi.evidence.items import Acquisition, EvidenceItem
from hanoi.evidence.service import Recorded
from hanoi.providers.orders import ProviderOrder, ReceivedDelivery, ReceivedNotification


class OrderStore(Protocol):
    def add(self, order: ProviderOrder, custody: Sequence[NewEvent]) -> None:
        """Store a new order with its custody events."""
        ...

    def replace(
        self, order: ProviderOrder, *, expected_version: int, custody: Sequence[NewEvent]
    ) -> bool:
        """Store ``order`` (its ``version`` one more than ``expected_version``) if the stored
        one is still at ``expected_version``; False (nothing written) otherwise."""
        ...

    def get(self, order_id: str) -> ProviderOrder | None: ...

    def for_request(self, request_id: str) -> list[ProviderOrder]:
        """The request's orders, oldest first."""
        ...

    def due(self, *, polled_before: datetime, limit: int) -> list[ProviderOrder]:
        """Open orders not polled since ``polled_before`` (never polled first)."""
        ...

    def add_delivery(self, delivery: ReceivedDelivery, custody: Sequence[NewEvent]) -> bool:
        """Record a delivery with its custody events; False if that delivery (order, object
        identifier) is recorded already (nothing written)."""
        ...

    def deliveries(self, order_id: str) -> list[ReceivedDelivery]: ...

    def known_deliveries(self, object_ids: Sequence[str]) -> set[str]:
        """Which of ``object_ids`` are recorded for any order."""
        ...

    def add_notification(
        self, notification: ReceivedNotification, custody: Sequence[NewEvent]
    ) -> bool:
        """Record a notification with its custody events; False if it (order, object
        identifier) is recorded already (nothing written)."""
        ...

    def notifications(self, order_id: str) -> list[ReceivedNotification]:
        """The order's notifications, in the order they were received."""
        ...

    def known_notifications(self, object_ids: Sequence[str]) -> set[str]:
        """Which of ``object_ids`` are recorded for any order."""
        ...


class OrderCases(Protocol):
    def check_case(
        self, user: User, request_id: str, action: Action, what: str
    ) -> CooperationRequest: ...

    def held(self, request_id: str) -> CooperationRequest: ...

    def side_of(self, request: CooperationRequest) -> Side: ...


class DeliveredEvidence(Protocol):
    def record_collected(
        self,
        stream: BinaryIO,
        *,
        acquisition: Acquisition,
        handed_over: Sequence[CustodyEvent] = (),
    ) -> Recorded: ...

    def held_for_request(self, request_id: str) -> list[EvidenceItem]:
        """Every item recorded for the request (no case check: the node's own work)."""
        ...
