"""One way an order to a provider, its deliveries and notifications are shown (API and CLI,
as JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hanoi.providers.orders import ProviderOrder, ReceivedDelivery, ReceivedNotification
from hanoi.wire import format_time

if TYPE_CHECKING:
    from hanoi.providers.ordering import OrderView


def order_json(order: ProviderOrder) -> dict[str, Any]:
    return {
        "id": order.id,
        "request_id": order.request_id,
        "provider_id": order.provider_id,
        "kind": order.kind.value,
        "status": order.status.value,
        "open": order.open,
        "complete": order.complete,
        "officer": order.officer,
        "issued_at": format_time(order.issued_at),
        "domestic_reference": order.domestic_reference,
        "legal_basis": order.legal_basis,
        "order_sha256": order.order_sha256,
        "transaction_id": order.transaction_id,
        "task_id": order.task_id,
        "task_reference": order.task_reference,
        "provider_status": order.provider_status,
        "error_code": order.error_code,
        "error": order.error,
        "last_polled_at": format_time(order.last_polled_at) if order.last_polled_at else None,
    }


def delivery_json(delivery: ReceivedDelivery) -> dict[str, Any]:
    return {
        "object_id": delivery.object_id,
        "sequence_number": delivery.sequence_number,
        "last_sequence": delivery.last_sequence,
        "received_at": format_time(delivery.received_at),
        "outcome": delivery.outcome.value,
        "sha256": delivery.sha256,
        "size": delivery.size,
        "evidence_item_id": delivery.evidence_item_id,
        "problem": delivery.problem,
    }


def notification_json(notification: ReceivedNotification) -> dict[str, Any]:
    kind = notification.type
    return {
        "object_id": notification.object_id,
        "received_at": format_time(notification.received_at),
        "type": {"owner": kind[0], "name": kind[1], "value": kind[2]} if kind else None,
        "details": notification.details,
        "provider_time": notification.provider_time,
        "statuses": [
            {"object_id": obj, "status": status, "details": details}
            for obj, status, details in notification.statuses
        ],
    }


def view_json(view: OrderView) -> dict[str, Any]:
    """An order with what was received for it."""
    return {
        **order_json(view.order),
        "deliveries": [delivery_json(d) for d in view.deliveries],
        "notifications": [notification_json(n) for n in view.notifications],
    }
