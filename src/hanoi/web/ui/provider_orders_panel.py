"""The provider orders section of a request's page (``_request_provider_orders.html``): the
orders this node sent to service providers for the request, with each one's status, the
provider's reason, its notifications and what became of its deliveries; and, while the
request may be ordered for (:meth:`~hanoi.providers.ordering.ProviderOrders.orderable`),
the form that orders a provider (posted to :mod:`hanoi.web.ui.provider_order_pages`).
Orders are also issued with the API or ``hanoi requests order-provider``
(``docs/providers.md``).

Values only; the rules and the access check are :mod:`hanoi.providers.ordering`'s. Shown to
the requested State's case team with ``order-providers``; to no one else (no refusal is
recorded for a reader who may not order: the section is simply absent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hanoi.accounts.model import Action, User
from hanoi.convention import Catalogue
from hanoi.cooperation.service import RequestView
from hanoi.cooperation.statuses import Side
from hanoi.errors import NotFound
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.messages import N_, Message
from hanoi.providers.hi1 import OrderKind
from hanoi.providers.hi1.messages import PROFILE_OWNER
from hanoi.providers.hi1.request_messages import IDENTIFIER_FORMATS
from hanoi.providers.hi1.vocabulary import REFUSAL_GROUND, etsi_dictionaries
from hanoi.providers.orders import DeliveryOutcome, OrderStatus, ReceivedNotification
from hanoi.web.ui.site import request_url
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

MAX_ORDER_BYTES = 512 * 1024
"""The signed domestic order sent from the form (the form's whole body stays under the
node's default body limit of 1 MiB)."""
FIELD_LIMITS = {
    "provider_id": 128,
    "identifiers": 10_000,
    "request_type": 64,
    "window_start": 32,
    "window_end": 32,
    "deadline": 32,
    "domestic_reference": 500,
    "legal_basis": 2_000,
}
MAX_IDENTIFIERS = 100
DEFAULT_REQUEST_TYPE = {
    OrderKind.PRESERVATION: "TrafficData",
    OrderKind.DISCLOSURE: "SubscriberData",
}
"""As :func:`hanoi.providers.orders.order_spec` chooses when none is given."""

PROVIDER_MISSING = N_("Choose the provider to order.")
IDENTIFIERS_MISSING = N_("Give at least one identifier, one TYPE=VALUE per line.")
IDENTIFIERS_BAD = N_(
    "Write each identifier as TYPE=VALUE with a format name listed above, for example "
    "EmailAddress=someone@example.org."
)
IDENTIFIERS_TOO_MANY = N_("An order names at most 100 identifiers.")
REQUEST_TYPE_BAD = N_("Choose the kind of data requested.")
DATE_BAD = N_("Enter a date as YYYY-MM-DD, for example 2026-03-01.")
DEADLINE_MISSING = N_("Give the deadline as a date.")
WINDOW_ORDER = N_("The window ends before it starts.")
REFERENCE_MISSING = N_("Give the reference of the domestic order.")
LEGAL_BASIS_MISSING = N_("Give the legal basis of the domestic order.")
FILE_MISSING = N_("Choose the signed domestic order (a file).")
FILE_TOO_LARGE = N_("The signed order is at most %(size)s. Choose a smaller file.")
FIELD_BAD = N_("Check this field.")
NOT_SENT = N_("The order was not accepted. Check what you entered.")
NOT_ALLOWED = N_("Providers can no longer be ordered for this request.")
UNREACHABLE = N_(
    "The provider could not be reached, or its answer could not be read. The order is "
    "kept as not delivered: order again later."
)
SENT = N_("Order sent to %(provider)s: %(status)s.")
REFUSED = N_("%(provider)s did not accept the order (%(status)s): %(reason)s")
REFUSALS = frozenset({OrderStatus.REJECTED, OrderStatus.ERROR, OrderStatus.INVALID})
"""What a provider answers an order it does not take; said in the flash, with its reason."""


@dataclass(frozen=True, slots=True)
class OrderForm:
    """The form that orders a provider, with what was entered and what was wrong."""

    action: str
    kind: Message
    providers: tuple[tuple[str, str], ...]
    """(id, name) of the providers the officer may order."""
    request_types: tuple[str, ...]
    identifier_formats: tuple[str, ...]
    values: Mapping[str, str]
    errors: Mapping[str, Message]
    problem: str | None
    """The node's or the provider's own words (English), for a refusal without a sentence."""
    max_size_text: str


def order_form(
    node: Node,
    user: User,
    view: RequestView,
    fmt: LocaleFormat,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, Message] | None = None,
    problem: str | None = None,
) -> OrderForm | None:
    """The form, if ``user`` may order a provider for the request now (the service says)."""
    kind = node.provider_orders.orderable(user, view.request.id)
    if kind is None:
        return None
    shown = dict.fromkeys(FIELD_LIMITS, "")
    shown["request_type"] = DEFAULT_REQUEST_TYPE[kind]
    shown.update(values or {})
    return OrderForm(
        action=f"{request_url(view.request.id)}/provider-orders",
        kind=ORDER_KIND_LABELS[kind],
        providers=tuple((p.id, p.name) for p in node.providers.enabled(user)),
        request_types=tuple(sorted(etsi_dictionaries()["RequestType"])),
        identifier_formats=IDENTIFIER_FORMATS,
        values=shown,
        errors=errors or {},
        problem=problem,
        max_size_text=fmt.bytes(MAX_ORDER_BYTES),
    )


def provider_orders_section(
    node: Node,
    user: User,
    view: RequestView,
    fmt: LocaleFormat,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, Message] | None = None,
    problem: str | None = None,
) -> dict[str, Any]:
    """``provider_orders``: the rows, or None when the section is not shown;
    ``provider_order_form``: the form, or None."""
    if view.side is not Side.REQUESTED or not user.may(Action.ORDER_PROVIDERS):
        return {"provider_orders": None, "provider_order_form": None}
    service = node.provider_orders
    catalogue = node.cooperation.catalogue
    rows = []
    for order in service.orders(user, view.request.id):
        shown = service.show(user, view.request.id, order.id)
        deliveries = shown.deliveries
        rows.append(
            {
                "id": order.id,
                "provider": order.provider_id,
                "kind": ORDER_KIND_LABELS[order.kind],
                "status": ORDER_STATUS_LABELS[order.status],
                "issued": fmt.moment(order.issued_at),
                "reference": order.domestic_reference,
                "error": order.error,
                "error_code": order.error_code,
                "ingested": sum(d.outcome is DeliveryOutcome.INGESTED for d in deliveries),
                "refused": sum(d.outcome is DeliveryOutcome.REFUSED for d in deliveries),
                "notifications": [
                    {
                        "received": fmt.moment(n.received_at),
                        "kind": notification_kind(n, catalogue, fmt),
                        "details": n.details,
                    }
                    for n in shown.notifications
                ],
            }
        )
    form = order_form(node, user, view, fmt, values=values, errors=errors, problem=problem)
    return {"provider_orders": rows, "provider_order_form": form}


def notification_kind(
    note: ReceivedNotification, catalogue: Catalogue, fmt: LocaleFormat
) -> str | None:
    """What kind of notification it is, for a reader: a ground for refusal of the
    Convention by its label (the profile's ``UN`` ``RefusalGround``); the value of another
    dictionary as the provider wrote it; nothing for ETSI's ``General``, which says
    nothing more than that something changed."""
    if note.type is None:
        return None
    owner, name, value = note.type
    if (owner, name) == (PROFILE_OWNER, REFUSAL_GROUND):
        try:
            return fmt.label(catalogue.refusal_ground(value).label_key)
        except NotFound:
            return value
    if (owner, name, value) == ("ETSI", "NotificationType", "General"):
        return None
    return value
