"""The provider orders section of a request's page (``_request_provider_orders.html``): the
orders this node sent to service providers for the request, with each one's status, the
provider's reason and what became of its deliveries. Read-only: orders are issued with the
API or ``hanoi requests order-provider`` (``docs/providers.md``).

Values only; the rules and the access check are :mod:`hanoi.providers.ordering`'s. Shown to
the requested State's case team with ``order-providers``; to no one else (no refusal is
recorded for a reader who may not order: the section is simply absent).
"""

from __future__ import annotations

from typing import Any

from hanoi.accounts.model import Action, User
from hanoi.cooperation.service import RequestView
from hanoi.cooperation.statuses import Side
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.messages import N_, Message
from hanoi.providers.hi1 import OrderKind
from hanoi.providers.orders import DeliveryOutcome, OrderStatus
from hanoi.wiring import Node

ORDER_STATUS_LABELS: dict[OrderStatus, Message] = {
    OrderStatus.AWAITING: N_("Awaiting the provider"),
    OrderStatus.PRESERVED: N_("Preserved"),
    OrderStatus.DISCLOSED: N_("Disclosed"),
    OrderStatus.NOT_AVAILABLE: N_("No such data"),
    OrderStatus.REJECTED: N_("Rejected by the provider"),
    OrderStatus.CANCELLED: N_("Cancelled"),
    OrderStatus.EXPIRED: N_("Expired"),
    OrderStatus.ERROR: N_("Error at the provider"),
    OrderStatus.INVALID: N_("Invalid for the provider"),
    OrderStatus.FAILED: N_("Not delivered to the provider"),
}
ORDER_KIND_LABELS: dict[OrderKind, Message] = {
    OrderKind.PRESERVATION: N_("Preservation"),
    OrderKind.DISCLOSURE: N_("Disclosure"),
}


def provider_orders_section(
    node: Node, user: User, view: RequestView, fmt: LocaleFormat
) -> dict[str, Any]:
    """``provider_orders``: the rows, or None when the section is not shown."""
    if view.side is not Side.REQUESTED or not user.may(Action.ORDER_PROVIDERS):
        return {"provider_orders": None}
    service = node.provider_orders
    rows = []
    for order in service.orders(user, view.request.id):
        deliveries = service.show(user, view.request.id, order.id).deliveries
        rows.append(
            {
                "id": order.id,
                "provider": order.provider_id,
                "kind": ORDER_KIND_LABELS[order.kind],
                "status": ORDER_STATUS_LABELS[order.status],
                "issued": fmt.moment(order.issued_at),
                "reference": order.domestic_reference,
                "error": order.error,
                "ingested": sum(d.outcome is DeliveryOutcome.INGESTED for d in deliveries),
                "refused": sum(d.outcome is DeliveryOutcome.REFUSED for d in deliveries),
            }
        )
    return {"provider_orders": rows}
