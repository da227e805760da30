"""Orders to a service provider as the node keeps them, and the rules that build and follow
them. Pure.

An officer executing a request orders a domestic provider (``docs/providers.md``,
"Orders"): :func:`order_spec` turns the request (its reference, kind and article) and the
officer's :class:`OrderInput` (identifiers, window, deadline, the domestic order and its
legal basis) into the HI-1 :class:`~hanoi.providers.hi1.OrderSpec`. The node keeps each
order as a :class:`ProviderOrder` whose :class:`OrderStatus` follows the provider's task
status (:func:`status_of`), each delivery it received as a :class:`ReceivedDelivery`, and
each notification as a :class:`ReceivedNotification` (:func:`received_notification`).

Rules:

1. Only an incoming request that the node executes is ordered from
   (:data:`EXECUTING`): accepted for execution, or a preservation ordered or active.
2. A preservation request gives a preservation order (``LPTaskObject``); the kinds that
   disclose data give a disclosure order (``LDTaskObject``); no other kind is ordered.
3. An order is open (polled) while the provider has not answered for good: awaiting, or
   disclosed with deliveries still to come (:meth:`ProviderOrder.open`).
4. Every order, status change, provider notification, refused delivery and provider error
   is a custody event of the request (:func:`order_event`), in the transaction that
   records it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from hanoi.convention import Catalogue
from hanoi.cooperation.model import CooperationRequest
from hanoi.cooperation.statuses import Status
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.errors import FieldProblem, InvalidInput
from hanoi.providers.errors import OrderNotAllowed
from hanoi.providers.hi1 import (
    Answer,
    Delivery,
    Endpoint,
    ErrorInformation,
    Notification,
    ObjectState,
    OrderKind,
    OrderSpec,
)
from hanoi.providers.hi1.vocabulary import DISCLOSURE_KINDS, PRESERVATION_KINDS
from hanoi.providers.model import Provider
from hanoi.wire import format_time

EXECUTING = frozenset(
    {
        Status.IN_EXECUTION,
        Status.PARTIALLY_EXECUTED,
        Status.ORDERED,
        Status.ACTIVE,
        Status.EXTENDED,
    }
)
"""The statuses in which the requested State executes a request (rule 1)."""

IDENTIFIER_FORMAT = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")
"""An ETSI identifier format name: ``InternationalE164``, ``EmailAddress``..."""
MAX_EVENT_TEXT = 200


class OrderStatus(StrEnum):
    """Where an order stands, as the node last learnt it from the provider."""

    AWAITING = "awaiting"
    """The provider accepted the task and has not preserved or disclosed yet."""
    PRESERVED = "preserved"
    DISCLOSED = "disclosed"
    NOT_AVAILABLE = "not-available"
    """The provider has no such data (``PreservationNotAvailable``,
    ``DisclosureNotAvailable``)."""
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    ERROR = "error"
    """The provider reports an error on the task, or refused the order message."""
    INVALID = "invalid"
    FAILED = "failed"
    """The order never reached the provider (unreachable, garbage answer): the officer
    orders again."""


ETSI_STATUSES: Mapping[str, OrderStatus] = {
    "AwaitingPreservation": OrderStatus.AWAITING,
    "AwaitingApproval": OrderStatus.AWAITING,
    "AwaitingDisclosure": OrderStatus.AWAITING,
    "Preserved": OrderStatus.PRESERVED,
    "Disclosed": OrderStatus.DISCLOSED,
    "PreservationNotAvailable": OrderStatus.NOT_AVAILABLE,
    "DisclosureNotAvailable": OrderStatus.NOT_AVAILABLE,
    "Rejected": OrderStatus.REJECTED,
    "Cancelled": OrderStatus.CANCELLED,
    "Expired": OrderStatus.EXPIRED,
    "Error": OrderStatus.ERROR,
    "Invalid": OrderStatus.INVALID,
}
"""ETSI's ``LPTaskStatus`` and ``LDTaskStatus`` values, read as an order's status."""

TASK_DICTIONARIES = frozenset({"LPTaskStatus", "LDTaskStatus"})


def status_of(task: ObjectState) -> OrderStatus | None:
    """The order status a task's ETSI status means; None when the task carries none, or a
    value this profile does not know (the node keeps its last status, and the raw value)."""
    status = task.status
    if status is None or status.owner != "ETSI" or status.name not in TASK_DICTIONARIES:
        return None
    return ETSI_STATUSES.get(status.value)


def order_kind(request_kind: str) -> OrderKind:
    """Rule 2: the order a request of ``request_kind`` gives."""
    if request_kind in PRESERVATION_KINDS:
        return OrderKind.PRESERVATION
    if request_kind in DISCLOSURE_KINDS:
        return OrderKind.DISCLOSURE
    raise OrderNotAllowed(
        f"a request of kind {request_kind!r} is not executed through a provider's HI-1 order"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderInput:
    """What the executing officer gives for one order."""

    provider_id: str
    identifiers: tuple[tuple[str, str], ...]
    """(ETSI format name, value) pairs."""
    deadline: datetime
    """Disclosure: by when. Preservation: until when."""
    domestic_reference: str
    legal_basis: str
    order_document: bytes = field(repr=False)
    order_media_type: str = "application/pdf"
    order_name: str = "order"
    request_type: str | None = None
    """ETSI ``RequestType``; by default ``TrafficData`` for preservation and
    ``SubscriberData`` for disclosure."""
    window_start: datetime | None = None
    window_end: datetime | None = None
    preservation_reference: str | None = None


def parse_identifier(text: str, *, index: int = 0) -> tuple[str, str]:
    """``TYPE=VALUE`` (``EmailAddress=someone@example.org``) as a pair; ``InvalidInput``."""
    name, sep, value = text.partition("=")
    if not sep or not IDENTIFIER_FORMAT.fullmatch(name.strip()) or not value.strip():
        raise InvalidInput(
            "an identifier is TYPE=VALUE, e.g. EmailAddress=someone@example.org",
            fields=(FieldProblem(f"identifiers/{index}", "TYPE=VALUE"),),
        )
    return name.strip(), value.strip()


def order_spec(
    request: CooperationRequest,
    provider: Provider,
    order: OrderInput,
    *,
    sender: Endpoint,
    catalogue: Catalogue,
) -> OrderSpec:
    """The HI-1 order for ``request`` to ``provider`` (rules 1-2); ``InvalidInput`` names
    every bad field of the officer's input."""
    kind = order_kind(request.kind)
    articles = catalogue.kind(request.kind).articles
    default_type = "TrafficData" if kind is OrderKind.PRESERVATION else "SubscriberData"
    problems = [
        FieldProblem(f"identifiers/{index}", "TYPE=VALUE with an ETSI format name")
        for index, (name, _) in enumerate(order.identifiers)
        if not IDENTIFIER_FORMAT.fullmatch(name)
    ]
    if problems:
        raise InvalidInput("the order cannot be built", fields=tuple(problems))
    receiver = Endpoint(provider.hi1.country_code, provider.hi1.unique_identifier)
    return OrderSpec(
        kind=kind,
        sender=sender,
        receiver=receiver,
        provider_name=provider.name,
        request_kind=request.kind,
        article=int(articles[0]),
        request_type=order.request_type or default_type,
        identifiers=order.identifiers,
        window_start=order.window_start,
        window_end=order.window_end,
        deadline=order.deadline,
        foreign_reference=request.id,
        domestic_reference=order.domestic_reference,
        legal_basis=order.legal_basis,
        order_document=order.order_document,
        order_media_type=order.order_media_type,
        order_name=order.order_name,
        preservation_reference=order.preservation_reference,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderOrder:
    """An order sent (or tried) to a provider for a request, as the node keeps it."""

    id: str
    request_id: str
    provider_id: str
    kind: OrderKind
    status: OrderStatus
    officer: str
    issued_at: datetime
    domestic_reference: str
    legal_basis: str
    order_sha256: str
    """SHA-256 of the signed domestic order document sent with it."""
    transaction_id: str
    task_id: str
    authorisation_id: str
    document_id: str
    task_reference: str | None
    """The LDID of a disclosure task, which deliveries name."""
    provider_status: str | None = None
    """The provider's own status value, as last received (``AwaitingDisclosure``...)."""
    error_code: int | None = None
    error: str | None = None
    """The provider's reason (``ErrorInformation``, a task's ``StatusReason``) or what went
    wrong talking to it, as last seen."""
    last_polled_at: datetime | None = None
    complete: bool = False
    """A disclosure whose last delivery (``LastSequence``) was received."""
    version: int = 1

    @property
    def open(self) -> bool:
        """Rule 3: the node still polls the provider about it."""
        if self.status is OrderStatus.AWAITING:
            return True
        return (
            self.kind is OrderKind.DISCLOSURE
            and self.status is OrderStatus.DISCLOSED
            and not self.complete
        )


class DeliveryOutcome(StrEnum):
    INGESTED = "ingested"
    """Checked and recorded as an evidence item."""
    REFUSED = "refused"
    """Checksum, size or fetch failed: nothing ingested (a custody event says why)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceivedDelivery:
    """A ``DeliveryObject`` the node received for an order, and what became of it."""

    order_id: str
    object_id: str
    sequence_number: int | None
    last_sequence: bool
    received_at: datetime
    outcome: DeliveryOutcome
    sha256: str | None
    size: int | None
    evidence_item_id: str | None
    problem: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceivedNotification:
    """A provider's ``NotificationObject`` about an order, as the node recorded it: what the
    provider wanted the officer to know (a change of the task, a reason it stops), kept
    with the order and shown with it."""

    order_id: str
    object_id: str
    received_at: datetime
    type: tuple[str, str, str] | None
    """``notification:NotificationType`` as (owner, dictionary, value): ETSI
    ``NotificationType`` ``General``, or the profile's ``UN`` ``RefusalGround``..."""
    details: str | None
    provider_time: str | None
    """``notification:NotificationTimestamp`` as the provider wrote it."""
    statuses: tuple[tuple[str, str, str | None], ...] = ()
    """``StatusOfAssociatedObjects``: (object identifier, status value, details)."""


def short(text: str, limit: int = MAX_EVENT_TEXT) -> str:
    """``text`` on one line, printable, cut to ``limit`` characters (custody event members,
    errors kept with an order)."""
    flat = "".join(c if c.isprintable() else " " for c in " ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def order_event(
    order: ProviderOrder,
    *,
    step: str,
    node: str,
    officer: str,
    article: str,
    at: datetime,
    evidence_sha256: str | None = None,
    **members: Any,
) -> CustodyEvent:
    """Rule 4: a ``provider-order`` custody event about ``order`` (``step``: ``issued``,
    ``status``, ``notification``, ``delivery-refused``, ``provider-error``)."""
    extra: dict[str, Any] = {
        "step": step,
        "order": order.id,
        "provider": order.provider_id,
        "kind": order.kind.value,
        "transaction": order.transaction_id,
        "task": order.task_id,
        "status": order.status.value,
    }
    extra.update({k: v for k, v in members.items() if v is not None})
    return CustodyEvent(
        action=CustodyAction.PROVIDER_ORDER,
        time=at,
        node=node,
        officer=officer,
        request_id=order.request_id,
        article=article,
        evidence_sha256=evidence_sha256,
        unknown=extra,
    )


def delivered_event(
    order: ProviderOrder,
    delivery: Delivery,
    *,
    provider_name: str,
    sha256: str,
    node: str,
    article: str,
    delivered_at: datetime,
    at: datetime,
) -> CustodyEvent:
    """The ``delivered`` custody event of a checked delivery of ``order``: the first link of
    the chain of the bytes (``sha256``) it carries, naming the provider, the domestic order's
    reference, the time the provider gave (``delivered_at``) and the checksums it declared.
    Logged at ``at`` (when the node took the delivery in), in the name of the officer who
    ordered."""
    declared = [f"{c.type or 'SHA-256'}:{c.value.strip().lower()}" for c in delivery.checksums]
    return CustodyEvent(
        action=CustodyAction.DELIVERED,
        time=at,
        node=node,
        officer=order.officer,
        request_id=order.request_id,
        article=article,
        evidence_sha256=sha256,
        unknown={
            "provider": order.provider_id,
            "provider_name": short(provider_name, 200),
            "order": order.id,
            "reference": order.domestic_reference,
            "delivery": delivery.object_id,
            "delivered_at": format_time(delivered_at),
            "declared_checksums": [short(c, 200) for c in declared],
        },
    )


def answered(answer: Answer) -> tuple[OrderStatus, ErrorInformation | None]:
    """The order's status from the provider's synchronous answer to it: the message refused
    (``error``), the task refused (action 2, ``rejected``), or taken (``awaiting``)."""
    if answer.error is not None:
        return OrderStatus.ERROR, answer.error
    task_result = next((r for r in answer.results if r.action_id == 2), None)
    if task_result is not None and task_result.error is not None:
        return OrderStatus.REJECTED, task_result.error
    other = next((r.error for r in answer.results if r.error is not None), None)
    if other is not None:
        return OrderStatus.ERROR, other
    if task_result is None:
        return OrderStatus.ERROR, ErrorInformation(0, "the provider did not answer the task")
    return OrderStatus.AWAITING, None


MAX_NOTIFICATION_TEXT = 2000
MAX_NOTIFICATION_STATUSES = 20


def received_notification(
    notification: Notification, order: ProviderOrder, *, at: datetime
) -> ReceivedNotification:
    """``notification`` as the node keeps it for ``order``: texts on one line and cut,
    at most :data:`MAX_NOTIFICATION_STATUSES` statuses."""
    kind = notification.type
    return ReceivedNotification(
        order_id=order.id,
        object_id=notification.object_id,
        received_at=at,
        type=(short(kind.owner, 64), short(kind.name, 64), short(kind.value, 200))
        if kind
        else None,
        details=short(notification.details, MAX_NOTIFICATION_TEXT)
        if notification.details
        else None,
        provider_time=short(notification.timestamp, 64) if notification.timestamp else None,
        statuses=tuple(
            (
                s.object_id,
                short(s.status.value, 64),
                short(s.details, MAX_EVENT_TEXT) if s.details else None,
            )
            for s in notification.statuses[:MAX_NOTIFICATION_STATUSES]
        ),
    )


def is_about(notification: Notification, order: ProviderOrder) -> bool:
    """Whether the notification concerns the order: it is associated with, or reports the
    status of, the order's task, authorisation or document."""
    ours = {order.task_id, order.authorisation_id, order.document_id}
    named = set(notification.associated) | {s.object_id for s in notification.statuses}
    return not ours.isdisjoint(named)
