"""Ordering providers for a request in execution, and taking in their answers.

:class:`ProviderOrders` is the door (``Node.provider_orders``). Its steps, in this order:

**Issue** (:meth:`ProviderOrders.issue`):

1. the user must be on the request's case with ``order-providers``, the request must be an
   incoming one in execution (:data:`~hanoi.providers.orders.EXECUTING`), the provider an
   enabled entry;
2. the order is built from the request and the officer's input, signed with the node's
   key, and validated against ETSI's schemas (a builder bug never leaves the node);
3. it is recorded with its ``issued`` custody event *before* it is sent, so that an order
   the provider may hold is never one the node forgot;
4. it is sent, and the provider's synchronous answer read: accepted (``awaiting``), the
   task refused (``rejected``, with the provider's ``ErrorInformation``), the message
   refused (``error``), or no usable answer (``failed``, and the typed error is raised);
   each change is stored with a ``status`` or ``provider-error`` custody event.

**Poll** (:meth:`ProviderOrders.poll`, and :meth:`ProviderOrders.poll_due` for the
background worker, one order at a time under a lease): GET the task and LIST the
notifications and deliveries; a new task status is stored with a ``status`` event; each
notification the node has not recorded is fetched (at most :data:`NOTIFICATIONS_PER_POLL`
a poll, in one message) and, when it is about the order (its task, authorisation or
document), recorded with a ``notification`` event; each delivery the node has
not recorded is fetched (inline, or its URL with the same client), checked against its
checksums and size (:func:`~hanoi.providers.hi1.check_delivery`) and recorded as an
evidence item of the request with its acquisition filled in (provider, order, time of
delivery); a delivery that fails is recorded as refused with a ``delivery-refused`` event,
and nothing is ingested. A delivery already recorded is never taken twice. A provider that
cannot be reached, hangs or answers garbage gets a ``provider-error`` event (once per
distinct error) and the typed error.
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.accounts.model import Action, User
from hanoi.clock import Clock
from hanoi.convention import Catalogue, default_catalogue
from hanoi.cooperation.model import CooperationRequest
from hanoi.cooperation.statuses import Side
from hanoi.custody.events import CustodyEvent
from hanoi.custody.service import CustodyLog
from hanoi.errors import HanoiError, IntegrityError, InvalidInput, NotFound, PeerError
from hanoi.evidence.items import Acquisition, EvidenceItem
from hanoi.leases import Leases
from hanoi.providers.errors import OrderNotAllowed
from hanoi.providers.hi1 import (
    Answer,
    Delivery,
    Endpoint,
    OrderKind,
    build_order,
    build_status_request,
    check_delivery,
    sign_message,
    validate_message,
)
from hanoi.providers.hi1.deliveries import MAX_DELIVERY_BYTES
from hanoi.providers.hi1.jsontext import MAX_MESSAGE_BYTES
from hanoi.providers.history import NODE
from hanoi.providers.http_binding import exchange
from hanoi.providers.intake import (
    answer_bytes,
    answer_time,
    belongs_to,
    delivery_acquisition,
    delivery_data,
)
from hanoi.providers.model import Provider
from hanoi.providers.order_ports import DeliveredEvidence, OrderCases, OrderStore
from hanoi.providers.orders import (
    EXECUTING,
    DeliveryOutcome,
    OrderInput,
    OrderStatus,
    ProviderOrder,
    ReceivedDelivery,
    ReceivedNotification,
    answered,
    delivered_event,
    is_about,
    order_event,
    order_kind,
    order_spec,
    received_notification,
    short,
    status_of,
)
from hanoi.providers.service import ProviderService

log = logging.getLogger("hanoi.providers.orders")

WHAT = "order service providers"
NO_SUCH_ORDER = "no such provider order for this request"
NOTIFICATIONS_PER_POLL = 20
"""New notifications fetched in one poll (one message of GETs); the rest wait for the next."""


@dataclass(frozen=True, slots=True)
class OrderView:
    order: ProviderOrder
    deliveries: tuple[ReceivedDelivery, ...]
    notifications: tuple[ReceivedNotification, ...] = ()


class ProviderOrders:
    def __init__(
        self,
        *,
        node_state: str,
        sender: Endpoint | None,
        signing_key: Ed25519PrivateKey,
        store: OrderStore,
        cases: OrderCases,
        providers: ProviderService,
        evidence: DeliveredEvidence,
        custody: CustodyLog,
        clock: Clock,
        leases: Leases | None = None,
        catalogue: Catalogue | None = None,
        max_delivery_bytes: int = MAX_DELIVERY_BYTES,
        poll_seconds: float = 60.0,
    ) -> None:
        """``sender``: the node's HI-1 ``EndpointID`` (None when its State has no ISO
        alpha-2 code: nothing can be ordered). ``poll_seconds``: how long an open order
        waits between two polls by the background worker."""
        self._node = node_state
        self._sender = sender
        self._key = signing_key
        self._store = store
        self._cases = cases
        self._providers = providers
        self._evidence = evidence
        self._custody = custody
        self._clock = clock
        self._leases = leases
        self._catalogue = catalogue or default_catalogue()
        self.max_delivery_bytes = max_delivery_bytes
        self.poll_seconds = poll_seconds

    # --- for a user ---------------------------------------------------------------------

    def issue(self, user: User, request_id: str, order: OrderInput) -> ProviderOrder:
        """Order ``order.provider_id`` for the request (steps 1-4 of the module's docstring);
        the order as stored. A provider that could not be talked to raises its typed error
        after the order is recorded as ``failed``."""
        request = self._cases.check_case(user, request_id, Action.ORDER_PROVIDERS, WHAT)
        self._check_executing(request)
        provider = self._providers.get(user, order.provider_id)
        if not provider.enabled:
            raise NotFound(f"no provider {order.provider_id[:64]!r}")
        sender = self._sender_endpoint()
        spec = order_spec(request, provider, order, sender=sender, catalogue=self._catalogue)
        now = self._clock.now()
        built = build_order(spec, timestamp=now)
        signed = sign_message(built.message, self._key)
        validate_message(signed)
        issued = ProviderOrder(
            id=uuid.uuid4().hex,
            request_id=request.id,
            provider_id=provider.id,
            kind=spec.kind,
            status=OrderStatus.AWAITING,
            officer=user.name,
            issued_at=now,
            domestic_reference=spec.domestic_reference,
            legal_basis=spec.legal_basis,
            order_sha256=hashlib.sha256(spec.order_document).hexdigest(),
            transaction_id=built.transaction_id,
            task_id=built.task_id,
            authorisation_id=built.authorisation_id,
            document_id=built.document_id,
            task_reference=built.task_reference,
        )
        article = self._article(request)
        event = order_event(
            issued,
            step="issued",
            node=self._node,
            officer=user.name,
            article=article,
            at=now,
            order_sha256=issued.order_sha256,
            domestic_reference=short(spec.domestic_reference),
        )
        self._store.add(issued, self._custody.prepare([event]))
        self._custody.notify()
        try:
            with self._providers.open_client(provider.id) as client:
                answer = exchange(
                    client, signed, transaction_id=built.transaction_id, provider_id=provider.id
                )
        except HanoiError as exc:
            self._failed(issued, exc, officer=user.name, article=article, never_answered=True)
            raise
        status, error = answered(answer)
        after = replace(
            issued,
            status=status,
            error_code=error.code if error else None,
            error=short(error.description) if error else None,
        )
        if after != issued:
            step = "status" if status is not issued.status else "provider-error"
            self._save(issued, after, step=step, officer=user.name, article=article)
        return self._current(issued.id)

    def orderable(self, user: User, request_id: str) -> OrderKind | None:
        """The kind of order ``user`` may issue for the request now, by the rules
        :meth:`issue` applies (case, role, side, status, kind, the node's HI-1 sender); None
        when an order would be refused for the request or the node. A user off the case
        gets :meth:`issue`'s refusal (``NotFound``, ``PermissionDenied``)."""
        request = self._cases.check_case(user, request_id, Action.ORDER_PROVIDERS, WHAT)
        try:
            self._check_executing(request)
            self._sender_endpoint()
            return order_kind(request.kind)
        except OrderNotAllowed:
            return None

    def orders(self, user: User, request_id: str) -> list[ProviderOrder]:
        """The request's provider orders, oldest first."""
        self._cases.check_case(user, request_id, Action.ORDER_PROVIDERS, WHAT)
        return self._store.for_request(request_id)

    def show(self, user: User, request_id: str, order_id: str) -> OrderView:
        """One order of the request and the deliveries received for it."""
        self._cases.check_case(user, request_id, Action.ORDER_PROVIDERS, WHAT)
        order = self._store.get(order_id) if _plausible(order_id) else None
        if order is None or order.request_id != request_id:
            raise NotFound(NO_SUCH_ORDER)
        return OrderView(
            order,
            tuple(self._store.deliveries(order.id)),
            tuple(self._store.notifications(order.id)),
        )

    def poll(self, user: User, request_id: str, order_id: str) -> OrderView:
        """Ask the provider now about one order of the request (see the module)."""
        view = self.show(user, request_id, order_id)
        self._poll(view.order, officer=user.name)
        return self.show(user, request_id, order_id)

    # --- the node's own work ------------------------------------------------------------

    def poll_due(self, *, limit: int = 20) -> int:
        """Poll the open orders not polled for ``poll_seconds``; how many were polled. A
        provider's failure is recorded with its order and logged, never raised."""
        before = self._clock.now() - timedelta(seconds=self.poll_seconds)
        done = 0
        for order in self._store.due(polled_before=before, limit=limit):
            try:
                self._poll(order, officer=NODE)
                done += 1
            except HanoiError as exc:
                log.warning("provider order %s not polled: %s", order.id, exc.diagnostics())
        return done

    def poll_order(self, order_id: str) -> ProviderOrder:
        """Poll one order for the node itself (no user); the order as stored after."""
        order = self._store.get(order_id) if _plausible(order_id) else None
        if order is None:
            raise NotFound(NO_SUCH_ORDER)
        self._poll(order, officer=NODE)
        return self._current(order_id)

    # --- steps --------------------------------------------------------------------------

    def _poll(self, order: ProviderOrder, *, officer: str) -> None:
        if self._leases is None:
            self._poll_held(order, officer=officer)
            return
        with self._leases.held(f"provider-order:{order.id}") as lease:
            if lease is None:
                return  # another process polls it now
            self._poll_held(self._current(order.id), officer=officer)

    def _poll_held(self, order: ProviderOrder, *, officer: str) -> None:
        request = self._cases.held(order.request_id)
        article = self._article(request)
        provider = self._providers.provider(order.provider_id)
        self._sender_endpoint()  # refused before anything is asked or recorded
        now = self._clock.now()
        lists = ["Notification"]
        if order.kind is OrderKind.DISCLOSURE:
            lists.append("Delivery")
        try:
            with self._providers.open_client(provider.id) as client:
                answer = self._ask(client, provider, [order.task_id], list_types=lists)
                order = self._task_answer(order, answer, officer=officer, article=article)
                news = self._new_objects(answer, "Notification")[:NOTIFICATIONS_PER_POLL]
                if news:
                    self._notifications(
                        client, provider, order, news, officer=officer, article=article
                    )
                for object_id in self._new_objects(answer, "Delivery"):
                    delivery, at = self._get_delivery(client, provider, object_id)
                    if delivery is not None and belongs_to(delivery, order):
                        order = self._take(
                            client, provider, order, delivery, at, officer=officer, article=article
                        )
        except HanoiError as exc:
            self._failed(self._current(order.id), exc, officer=officer, article=article)
            raise
        current = self._current(order.id)
        self._save(
            current,
            replace(current, last_polled_at=now),
            step=None,
            officer=officer,
            article=article,
        )

    def _task_answer(
        self, order: ProviderOrder, answer: Answer, *, officer: str, article: str
    ) -> ProviderOrder:
        error = answer.error or next((r.error for r in answer.results if r.error), None)
        task = next((o for o in answer.objects if o.object_id == order.task_id), None)
        current = self._current(order.id)
        if task is None:
            if error is None:
                return current
            after = replace(current, error_code=error.code, error=short(error.description))
            if after.error == current.error:
                return current
            self._save(current, after, step="provider-error", officer=officer, article=article)
            return self._current(order.id)
        status = status_of(task) or current.status
        reason = task.reason
        after = replace(
            current,
            status=status,
            provider_status=task.status.value if task.status else current.provider_status,
            error_code=reason.code if reason else current.error_code,
            error=short(reason.description) if reason else current.error,
        )
        if after != current:
            step = "status" if after.status is not current.status else None
            self._save(current, after, step=step, officer=officer, article=article)
            return self._current(order.id)
        return current

    def _new_objects(self, answer: Answer, object_type: str) -> list[str]:
        """The identifiers of ``object_type`` (``Delivery``, ``Notification``) the answer
        lists and the node has not recorded yet, in the order listed."""
        listed = [
            record.object_id
            for result in answer.results
            for record in result.records
            if record.object_type.value == object_type
        ]
        if not listed:
            return []
        if object_type == "Delivery":
            known = self._store.known_deliveries(listed)
        else:
            known = self._store.known_notifications(listed)
        return [object_id for object_id in dict.fromkeys(listed) if object_id not in known]

    def _notifications(
        self,
        client: httpx.Client,
        provider: Provider,
        order: ProviderOrder,
        object_ids: Sequence[str],
        *,
        officer: str,
        article: str,
    ) -> None:
        """GET the new notifications in one message and record those about ``order``, each
        with a ``notification`` custody event. One the provider does not give, or about
        another order, is left for that order's poll."""
        answer = self._ask(client, provider, object_ids)
        now = self._clock.now()
        for notification in answer.notifications:
            if notification.object_id not in object_ids or not is_about(notification, order):
                continue
            kept = received_notification(notification, order, at=now)
            event = order_event(
                order,
                step="notification",
                node=self._node,
                officer=officer,
                article=article,
                at=now,
                notification=kept.object_id,
                notification_type="/".join(kept.type) if kept.type else None,
                details=short(kept.details) if kept.details else None,
            )
            if self._store.add_notification(kept, self._custody.prepare([event])):
                self._custody.notify()

    def _get_delivery(
        self, client: httpx.Client, provider: Provider, object_id: str
    ) -> tuple[Delivery | None, datetime]:
        answer = self._ask(
            client, provider, [object_id], max_bytes=answer_bytes(self.max_delivery_bytes)
        )
        found = next((d for d in answer.deliveries if d.object_id == object_id), None)
        return found, answer_time(answer.header.timestamp) or self._clock.now()

    def _ask(
        self,
        client: httpx.Client,
        provider: Provider,
        object_ids: Sequence[str],
        *,
        list_types: Sequence[str] = (),
        max_bytes: int = MAX_MESSAGE_BYTES,
    ) -> Answer:
        """One signed status request to the provider (GET ``object_ids``, LIST
        ``list_types``) and its answer, read and checked (:func:`exchange`)."""
        query = build_status_request(
            sender=self._sender_endpoint(),
            receiver=Endpoint(provider.hi1.country_code, provider.hi1.unique_identifier),
            object_ids=object_ids,
            list_types=list_types,
            timestamp=self._clock.now(),
        )
        return exchange(
            client,
            sign_message(query.message, self._key),
            transaction_id=query.transaction_id,
            provider_id=provider.id,
            max_bytes=max_bytes,
        )

    def _take(
        self,
        client: httpx.Client,
        provider: Provider,
        order: ProviderOrder,
        delivery: Delivery,
        at: datetime,
        *,
        officer: str,
        article: str,
    ) -> ProviderOrder:
        """Check one delivery and record it: an evidence item, or refused with its event."""
        now = self._clock.now()
        try:
            data = delivery_data(
                client, delivery, provider_id=provider.id, max_bytes=self.max_delivery_bytes
            )
            check_delivery(delivery, data, max_bytes=self.max_delivery_bytes)
        except (IntegrityError, PeerError, InvalidInput) as exc:
            problem = short(exc.diagnostics())
            refused = ReceivedDelivery(
                order_id=order.id,
                object_id=delivery.object_id,
                sequence_number=delivery.sequence_number,
                last_sequence=bool(delivery.last_sequence),
                received_at=now,
                outcome=DeliveryOutcome.REFUSED,
                sha256=None,
                size=None,
                evidence_item_id=None,
                problem=problem,
            )
            current = self._current(order.id)
            after = replace(current, error=problem, error_code=None, version=current.version + 1)
            event = order_event(
                after,
                step="delivery-refused",
                node=self._node,
                officer=officer,
                article=article,
                at=now,
                delivery=delivery.object_id,
                problem=problem,
            )
            if self._store.add_delivery(refused, self._custody.prepare([event])):
                self._store.replace(after, expected_version=current.version, custody=[])
                self._custody.notify()
            return self._current(order.id)
        acquisition = delivery_acquisition(
            order,
            delivery,
            provider_name=provider.name,
            at=at,
            article=article,
            authority=self._sender.identifier if self._sender else None,
        )
        digest = hashlib.sha256(data).hexdigest()
        item = self._ingested_before(acquisition, digest)
        if item is None:
            delivered = delivered_event(
                order,
                delivery,
                provider_name=provider.name,
                sha256=digest,
                node=self._node,
                article=article,
                delivered_at=at,
                at=now,
            )
            item = self._evidence.record_collected(
                io.BytesIO(data), acquisition=acquisition, handed_over=[delivered]
            ).item
        received = ReceivedDelivery(
            order_id=order.id,
            object_id=delivery.object_id,
            sequence_number=delivery.sequence_number,
            last_sequence=bool(delivery.last_sequence),
            received_at=now,
            outcome=DeliveryOutcome.INGESTED,
            sha256=item.sha256,
            size=item.size,
            evidence_item_id=item.id,
        )
        self._store.add_delivery(received, [])
        current = self._current(order.id)
        if delivery.last_sequence or delivery.sequence_number is None:
            after = replace(current, complete=True, version=current.version + 1)
            self._store.replace(after, expected_version=current.version, custody=[])
        return self._current(order.id)

    def _ingested_before(self, acquisition: Acquisition, sha256: str) -> EvidenceItem | None:
        """The item a previous poll recorded for these bytes of this order, if it stopped
        before it recorded the delivery (a crash between the two): linked, not ingested
        again."""
        for item in self._evidence.held_for_request(acquisition.request_ref):
            a = item.acquisition
            if (item.sha256, a.method, a.source, a.source_kind) == (
                sha256,
                acquisition.method,
                acquisition.source,
                acquisition.source_kind,
            ):
                return item
        return None

    def _failed(
        self,
        order: ProviderOrder,
        exc: HanoiError,
        *,
        officer: str,
        article: str,
        never_answered: bool = False,
    ) -> None:
        """Keep what went wrong with the order; a ``provider-error`` event when it is new.
        An order the provider never answered is ``failed``."""
        problem = short(exc.diagnostics())
        after = replace(
            order,
            status=OrderStatus.FAILED if never_answered else order.status,
            error=problem,
            error_code=None,
            last_polled_at=self._clock.now(),
        )
        step = "provider-error" if problem != order.error else None
        self._save(order, after, step=step, officer=officer, article=article)

    def _save(
        self,
        before: ProviderOrder,
        after: ProviderOrder,
        *,
        step: str | None,
        officer: str,
        article: str,
    ) -> None:
        after = replace(after, version=before.version + 1)
        events: list[CustodyEvent] = []
        if step is not None:
            events.append(
                order_event(
                    after,
                    step=step,
                    node=self._node,
                    officer=officer,
                    article=article,
                    at=self._clock.now(),
                    previous_status=before.status.value if step == "status" else None,
                    provider_status=after.provider_status,
                    error_code=after.error_code,
                    error=after.error,
                )
            )
        if not self._store.replace(
            after, expected_version=before.version, custody=self._custody.prepare(events)
        ):
            log.info("provider order %s changed meanwhile; kept the other change", before.id)
            return
        if events:
            self._custody.notify()

    def _current(self, order_id: str) -> ProviderOrder:
        found = self._store.get(order_id)
        if found is None:
            raise NotFound(NO_SUCH_ORDER)
        return found

    def _check_executing(self, request: CooperationRequest) -> None:
        if self._cases.side_of(request) is not Side.REQUESTED:
            raise OrderNotAllowed(
                "providers are ordered by the requested State: this node sent the request"
            )
        if request.status not in EXECUTING:
            allowed = ", ".join(sorted(s.value for s in EXECUTING))
            raise OrderNotAllowed(
                f"the request is {request.status.value}; providers are ordered for a request "
                f"in execution ({allowed})"
            )

    def _sender_endpoint(self) -> Endpoint:
        if self._sender is None:
            raise OrderNotAllowed(
                f"the node's State {self._node} has no ISO 3166-1 alpha-2 code for HI-1"
            )
        return self._sender

    def _article(self, request: CooperationRequest) -> str:
        return self._catalogue.kind(request.kind).source.citation()


def _plausible(order_id: str) -> bool:
    return len(order_id) == 32 and all(c in "0123456789abcdef" for c in order_id)


__all__: Sequence[str] = ("OrderView", "ProviderOrders")
