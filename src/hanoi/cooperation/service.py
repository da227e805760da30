"""The cooperation service: requests stored, shown and moved on, with case access checked.

Web and CLI call this; it calls the pure core (:func:`hanoi.cooperation.apply`,
:func:`hanoi.cooperation.due`) and its ports. Every call that names a request
checks, in this order: the user's role allows the action, the request exists and
the user is assigned to its case. A refusal is recorded (for auditors) and, for a
request the user may not see, answered exactly like a request that does not
exist, so nothing leaks across cases or States.

Every step is stored with its custody event in one transaction, so the log
holds a step if and only if the step happened.

It holds case access, drafting, the steps (sent, received, recorded from letters off
the network), reading, the case team, attachments and documents, deadlines, alerts and
refusals. The
conditions on the data a request brings (consent to a third State, onward transfer,
deletion under retention; Art. 36) are :mod:`hanoi.cooperation.data_conditions`, which
checks its cases through this service.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hanoi.accounts.model import Action, Role, User
from hanoi.accounts.service import AccountService
from hanoi.blobs import BlobStore
from hanoi.clock import Clock
from hanoi.convention import Catalogue, Channel, Draft, Finding, default_catalogue, validate
from hanoi.convention.state_names import un_short_name
from hanoi.cooperation import custody as custody_events
from hanoi.cooperation.codec import request_json
from hanoi.cooperation.deadlines import Due, ServiceLevels, due
from hanoi.cooperation.documents import (
    MAX_DOCUMENT_BYTES,
    add_document,
    check_document_size,
    document_event,
    documents,
    may_add_letters,
    require_open,
)
from hanoi.cooperation.drafting import KEEP, Keep, attach, new_request, revise
from hanoi.cooperation.model import (
    ROUTINE,
    Attachment,
    AttachmentRole,
    Condition,
    CooperationRequest,
    DocumentKind,
    Link,
    Party,
    SuggestedDeadline,
    TransitionRecord,
    Urgency,
    require_state,
)
from hanoi.cooperation.offline import LetterScan, Registration, add_letter, scan_media_type
from hanoi.cooperation.ports import (
    AccessRefusal,
    Announcer,
    Assignment,
    AttachableFiles,
    Consent,
    CooperationStore,
    DeadlineAlert,
    HeldFile,
    ListQuery,
    RequestSummary,
)
from hanoi.cooperation.routes import ChannelRecord
from hanoi.cooperation.statuses import Side, Status
from hanoi.cooperation.table import Transition, TransitionName, expected_step, row_named
from hanoi.cooperation.transitions import apply, recordable_steps, register, steps_for
from hanoi.custody.events import CustodyEvent
from hanoi.custody.service import CustodyLog, LoggedEvent
from hanoi.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation

log = logging.getLogger("hanoi.cooperation")

AUTHORITY_NAMES: Mapping[Channel, str] = {
    Channel.CENTRAL_AUTHORITY: "central authority",
    Channel.POINT_OF_CONTACT: "24/7 point of contact",
    Channel.COMPETENT_AUTHORITY: "competent authority",
}
INTAKE_ROLES: Mapping[Channel, Role] = {
    Channel.CENTRAL_AUTHORITY: Role.SUPERVISOR,
    Channel.POINT_OF_CONTACT: Role.POINT_OF_CONTACT,
    Channel.COMPETENT_AUTHORITY: Role.SUPERVISOR,
}
"""Who is assigned to an incoming request on arrival, by channel: they assign officers."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftInput:
    kind: str
    requested_state: str
    contents: Mapping[str, Any]
    requested_authority: str | None = None
    authority: str | None = None
    channel: Channel | None = None
    urgency: Urgency = ROUTINE
    suggested_deadline: SuggestedDeadline | None = None
    conditions: tuple[Condition, ...] = ()
    links: tuple[Link, ...] = ()
    imported_from: str | None = None
    """The ``TransactionIdentifier`` of the HI-1 message a domestic system sent it in: the
    draft's id is then derived from it, so the same message is never imported twice."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StepInput:
    transition: str
    reasons: str | None = None
    grounds: tuple[str, ...] = ()
    until: datetime | None = None
    conditions: tuple[Condition, ...] = ()
    follow_up: str | None = None
    via: ChannelRecord | None = None
    """Off the network: how the step crossed the border (ADR 0028)."""
    scan: LetterScan | None = None
    """The scanned letter that carried it, kept as a document of the request."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestView:
    """A request as its case team sees it."""

    request: CooperationRequest
    side: Side
    allowed: tuple[Transition, ...]
    """The steps the reader may take now: this node's side, the reader's role."""
    expected: Transition | None
    """Of those, the one expected next (:data:`hanoi.cooperation.table.EXPECTED`)."""
    assignments: tuple[Assignment, ...]
    consents: tuple[Consent, ...]
    custody: tuple[LoggedEvent, ...]
    """The request's custody events already in the log (sequenced), oldest first."""
    recordable: tuple[Transition, ...] = ()
    """Off the network: the other State's steps the reader may record from its letters."""


class CooperationService:
    def __init__(
        self,
        *,
        node_state: str,
        store: CooperationStore,
        custody: CustodyLog,
        accounts: AccountService,
        blobs: BlobStore,
        clock: Clock,
        levels: ServiceLevels | None = None,
        catalogue: Catalogue | None = None,
        announcer: Announcer | None = None,
        files: AttachableFiles | None = None,
        reachable: Callable[[str], bool] | None = None,
    ) -> None:
        self.node_state = node_state
        self.announcer = announcer
        """Turns steps into messages for the outbox (None: no messages, no federation)."""
        self.files: AttachableFiles | None = files
        """What a user may attach (their uploads, the request's files)."""
        self.reachable = reachable
        """Whether a State runs a node the request can be sent to (the directory's answer).
        None: every State is assumed reachable (ADR 0028)."""
        self._store = store
        self._custody = custody
        self._accounts = accounts
        self._blobs = blobs
        self._clock = clock
        self.levels = levels or ServiceLevels()
        self.catalogue = catalogue or default_catalogue()

    # --- access ------------------------------------------------------------------------

    def _refuse(self, user: User, action: str, request_id: str | None, detail: str) -> None:
        log.warning(
            "refused %s (%s) %s on %s: %s", user.name, user.role.value, action, request_id, detail
        )
        self._store.record_refusal(
            AccessRefusal(
                at=self._clock.now(),
                user=user.name,
                role=user.role.value,
                action=action,
                request_id=request_id,
                detail=detail,
            )
        )

    def _require(self, user: User, action: Action, what: str) -> None:
        if not user.may(action):
            detail = f"a user with role {user.role.value!r} may not {what}"
            self._refuse(user, what, None, detail)
            raise PermissionDenied(detail)

    def _case(self, user: User, request_id: str, action: Action, what: str) -> CooperationRequest:
        """The request, if ``user`` may ``action`` on it; otherwise a refusal, recorded."""
        self._require(user, action, what)
        stored = (
            self._store.load(request_id, user_id=user.id) if _plausible_id(request_id) else None
        )
        if stored is None or not stored.assigned:
            reason = "no such request" if stored is None else "not assigned to the case"
            self._refuse(user, what, request_id[:128], reason)
            raise NotFound(f"no request {request_id[:128]!r} among your cases")
        return stored.request

    def check_case(
        self, user: User, request_id: str, action: Action, what: str
    ) -> CooperationRequest:
        """The request, if ``user``'s role allows ``action`` and ``user`` is on its case.
        Otherwise the refusal is recorded and raised: ``PermissionDenied`` for a role that
        may never ``what``, else the same ``NotFound`` as for a request that does not exist.
        Other domains (evidence, packages, reports) check their cases through this."""
        return self._case(user, request_id, action, what)

    def _side(self, request: CooperationRequest) -> Side:
        return Side.REQUESTING if request.requesting_state == self.node_state else Side.REQUESTED

    def side_of(self, request: CooperationRequest) -> Side:
        """This node's side of the request."""
        return self._side(request)

    def allowed(self, request: CooperationRequest, user: User) -> tuple[Transition, ...]:
        """The steps ``user`` may take now on this node's side of ``request`` (not ``send``
        to a State that runs no node: that request goes by ``dispatch``)."""
        steps = steps_for(request, user, side=self._side(request), catalogue=self.catalogue)
        if self._reachable(request):
            return steps
        return tuple(row for row in steps if row.name is not TransitionName.SEND)

    def _reachable(self, request: CooperationRequest) -> bool:
        other = request.party(self._side(request).other).state
        return self.reachable is None or self.reachable(other)

    def recordable(self, request: CooperationRequest, user: User) -> tuple[Transition, ...]:
        """Off the network, the other State's steps ``user`` may record from its letters."""
        return recordable_steps(request, user, side=self._side(request), catalogue=self.catalogue)

    # --- drafting ----------------------------------------------------------------------

    def draft(self, user: User, spec: DraftInput) -> RequestView:
        """A new outgoing request, as a draft; its author is assigned to the case."""
        self._require(user, Action.DRAFT, "draft a request")
        require_state("the requested State", spec.requested_state)
        if spec.requested_state == self.node_state:
            raise InvalidInput(
                "the requested State is another State Party, not this node's own "
                f"({self.node_state})"
            )
        kind = self.catalogue.kind(spec.kind)
        channel = spec.channel or kind.channel
        now = self._clock.now()
        request = new_request(
            id=self._new_id(f"{self.node_state}-{now.year}", spec.imported_from),
            kind=spec.kind,
            requesting=Party(
                state=self.node_state,
                authority=spec.authority or AUTHORITY_NAMES[channel],
                officer=user.name,
            ),
            requested=Party(
                state=spec.requested_state,
                authority=spec.requested_authority or AUTHORITY_NAMES[channel],
            ),
            created_at=now,
            contents=spec.contents,
            channel=channel,
            urgency=spec.urgency,
            suggested_deadline=spec.suggested_deadline,
            conditions=spec.conditions,
            links=spec.links,
            catalogue=self.catalogue,
        )
        self._check_links(user, request)
        event = custody_events.created_event(request, officer=user.name, catalogue=self.catalogue)
        self._store.create(
            request,
            side=Side.REQUESTING,
            assignees=[user.id],
            assigned_by=user.name,
            custody=self._custody.prepare([event]),
            now=now,
        )
        self._custody.notify()
        allowed = self.allowed(request, user)
        return RequestView(
            request=request,
            side=Side.REQUESTING,
            allowed=allowed,
            expected=expected_step(request.status, allowed),
            assignments=(Assignment(user=user.name, role=user.role.value, by=user.name, at=now),),
            consents=(),
            custody=(),
        )

    def _check_links(self, user: User, request: CooperationRequest) -> None:
        for related in request.links:
            stored = self._store.load(related.request_id, user_id=user.id)
            if stored is None or not stored.assigned:
                raise NotFound(f"no request {related.request_id!r} among your cases to link to")

    def revise(
        self,
        user: User,
        request_id: str,
        *,
        contents: Mapping[str, Any] | Keep = KEEP,
        urgency: Urgency | Keep = KEEP,
        suggested_deadline: SuggestedDeadline | Keep | None = KEEP,
        conditions: Sequence[Condition] | Keep = KEEP,
    ) -> CooperationRequest:
        request = self._case(user, request_id, Action.DRAFT, "revise a draft")
        revised = revise(
            request,
            contents=contents,
            urgency=urgency,
            suggested_deadline=suggested_deadline,
            conditions=conditions,
            catalogue=self.catalogue,
        )
        self._store.save(revised, now=self._clock.now())
        return revised

    def validate(self, kind: str, contents: Mapping[str, Any]) -> list[Finding]:
        """Every finding about a draft's contents, each naming its item and article."""
        return validate(Draft(kind=kind, contents=contents), catalogue=self.catalogue)

    def findings(self, user: User, request_id: str) -> list[Finding]:
        request = self._case(user, request_id, Action.READ, "validate a request")
        return self.validate(request.kind, request.contents)

    # --- steps -------------------------------------------------------------------------

    def take(
        self, user: User, request_id: str, step: StepInput
    ) -> tuple[CooperationRequest, TransitionRecord]:
        """Take a step of the transition table, on this node's side, and log it; off the
        network, also record the other State's step from its letter (ADR 0028)."""
        request = self._case(user, request_id, Action.READ, f"take {step.transition[:40]!r}")
        if step.transition == TransitionName.REGISTER.value:
            raise InvalidInput("'register' creates a request: register it as received")
        if step.transition == TransitionName.SEND.value and not self._reachable(request):
            raise RuleViolation(
                f"{request.requested_state} runs no Hanoi node: send the request by another "
                "channel ('dispatch'), with the channel, the day and the reference"
            )
        follow_up = None
        if step.follow_up is not None:
            follow_up = self._case(user, step.follow_up, Action.READ, "name a follow-up")
        now = max(self._clock.now(), request.last_at)
        via, events = step.via, []
        if step.scan is not None:
            if via is None:
                raise InvalidInput("a scanned letter goes with a channel record")
            request, letter, event = self._letter(user, request, step, now=now)
            via, events = dataclasses.replace(via, document=letter.id), [event]
        try:
            after, record = apply(
                request,
                transition=step.transition,
                actor=user,
                side=self._side(request),
                at=now,
                reasons=step.reasons,
                grounds=step.grounds,
                until=step.until,
                conditions=step.conditions,
                follow_up=follow_up,
                via=via,
                catalogue=self.catalogue,
            )
        except PermissionDenied as exc:
            self._refuse(user, f"take {step.transition[:40]!r}", request_id, exc.detail)
            raise
        self._store.save(
            after,
            new_steps=[record],
            custody=self._custody.prepare([*events, custody_events.step_event(record)]),
            now=record.at,
            outbox=self.announcer.announce(after, record) if self.announcer else (),
            assignees=self._approvers() if record.transition is TransitionName.SUBMIT else (),
            assigned_by=user.name,
        )
        self._custody.notify()
        if self.announcer is not None:
            self.announcer.notify()
        return after, record

    def _letter(
        self, user: User, request: CooperationRequest, step: StepInput, *, now: datetime
    ) -> tuple[CooperationRequest, Attachment, CustodyEvent]:
        """The request with the step's scanned letter stored and attached (the letter is the
        side's whose step it carries), and the letter's custody event."""
        assert step.scan is not None
        try:
            side = row_named(TransitionName(step.transition)).side
        except ValueError:
            raise InvalidInput(f"unknown step {step.transition[:40]!r}") from None
        return self._store_letter(user, request, step.scan, side=side, now=now)

    def _store_letter(
        self,
        user: User,
        request: CooperationRequest,
        scan: LetterScan,
        *,
        side: Side,
        now: datetime,
    ) -> tuple[CooperationRequest, Attachment, CustodyEvent]:
        """Store the scan (checked by its bytes: a PDF or an image) as a letter of
        ``side``; return the request with it, the letter and its custody event. An upload
        is handed over once, after the checks."""
        if scan.data is not None:
            media_type = scan_media_type(scan.data)
            stored = self._blobs.put(io.BytesIO(scan.data), max_size=MAX_DOCUMENT_BYTES)
            digest, size = stored.digest, stored.size
        else:
            if self.files is None:
                raise RuleViolation("this node cannot attach files")
            held = self.files.file_of(user, request.id, upload_id=scan.upload_id, sha256=None)
            check_document_size(held.size)
            with self._blobs.open(held.sha256) as stream:
                media_type = scan_media_type(stream.read(16), size=held.size)
            digest, size = held.sha256, held.size
        letter = Attachment(
            id=secrets.token_hex(8),
            sha256=digest,
            role=AttachmentRole.DOCUMENT,
            added_by=side,
            title=scan.title,
            document_kind=DocumentKind.LETTER,
            size=size,
            media_type=media_type,
        )
        after = add_letter(request, letter)
        if scan.upload_id is not None:
            assert self.files is not None
            self.files.take(user, scan.upload_id)
        event = document_event(after, letter, node=self.node_state, officer=user.name, at=now)
        return after, letter, event

    def register(self, user: User, spec: Registration) -> RequestView:
        """A request received off the network, registered from its letter: stored as
        received (``register``, Art. 40(14)) with its scan, assigned to the user and to the
        channel's intake role. Its contents are checked like a draft's: what is missing is
        listed (``findings``), not refused, since a letter lacking an item is still a
        request received (ADR 0028)."""
        self._require(user, Action.DECIDE, "register a request")
        if spec.requesting_state == self.node_state:
            raise InvalidInput(f"the requesting State is another State, not {self.node_state}")
        if un_short_name(spec.requesting_state, "en") is None:
            raise InvalidInput(
                f"{spec.requesting_state} is not a State the United Nations names "
                "(ISO 3166-1 alpha-3, e.g. FRA)"
            )
        now = self._clock.now()
        spec.check_received(now.date())
        kind = self.catalogue.kind(spec.kind)
        draft = new_request(
            id=self._new_id(f"{self.node_state}-IN-{now.year}", spec.imported_from),
            kind=spec.kind,
            requesting=Party(state=spec.requesting_state, authority=spec.requesting_authority),
            requested=Party(
                state=self.node_state,
                authority=spec.requested_authority or AUTHORITY_NAMES[kind.channel],
                officer=user.name,
            ),
            created_at=now,
            contents=spec.contents,
            urgency=spec.urgency,
            catalogue=self.catalogue,
        )
        events: list[CustodyEvent] = []
        via = spec.via
        if spec.scan is not None:
            draft, letter, event = self._store_letter(
                user, draft, spec.scan, side=Side.REQUESTING, now=now
            )
            events.append(event)
            via = dataclasses.replace(spec.via, document=letter.id)
        received, record = register(draft, actor=user, at=now, via=via, catalogue=self.catalogue)
        intake = INTAKE_ROLES[received.channel]
        team = {user.id} | {
            u.id for u in self._accounts.users() if u.role is intake and not u.disabled
        }
        self._store.create(
            received,
            side=Side.REQUESTED,
            assignees=sorted(team),
            assigned_by=user.name,
            custody=self._custody.prepare([*events, custody_events.step_event(record)]),
            now=now,
        )
        self._custody.notify()
        log.info("request %s registered by %s", received.id, user.name)
        return self.show(user, received.id)

    def _new_id(self, prefix: str, imported_from: str | None) -> str:
        """A new request's id: ``prefix`` and a random part, or, for a request imported from
        an HI-1 message, the message's ``TransactionIdentifier`` (``Conflict`` if a request
        was imported from it already: a message is imported once)."""
        if imported_from is None:
            return f"{prefix}-{secrets.token_hex(4).upper()}"
        try:
            canonical: str | None = str(uuid.UUID(imported_from))
        except (TypeError, ValueError, AttributeError):
            canonical = None
        if canonical != imported_from:
            raise InvalidInput("an HI-1 TransactionIdentifier is a lower-case UUID")
        request_id = f"{self.node_state}-HI1-{imported_from}"
        if self._store.load(request_id) is not None:
            raise Conflict(
                f"the HI-1 message {imported_from} was imported already, as {request_id}"
            )
        return request_id

    def _approvers(self) -> list[int]:
        """Who a submitted draft goes to: every active user of the node whose role approves
        (the supervisors of the authority, Art. 40(13)); any of them may take it up."""
        return [u.id for u in self._accounts.users() if u.may(Action.APPROVE)]

    def receive(self, request: CooperationRequest) -> CooperationRequest:
        """Store a request another State has sent to this node, and take its receipt.

        Called by the federation inbox once the message is verified. The request must
        come from its requesting State's own history (approved and sent); the
        receipt is taken by the node itself, and the case is assigned to the users of
        the channel's intake role.
        """
        if request.requested_state != self.node_state:
            raise InvalidInput(f"the request is addressed to {request.requested_state}")
        if request.status is not Status.SENT:
            raise RuleViolation(f"only a sent request is received; it is {request.status.value!r}")
        held = self._store.load(request.id)
        if held is not None:  # delivered again: the same request is a duplicate, not news
            if held.request.history[: len(request.history)] != request.history:
                raise Conflict(f"another request {request.id!r} is already held here")
            return held.request
        now = max(self._clock.now(), request.last_at)
        intake = INTAKE_ROLES[request.channel]
        node_user = User(
            id=0, name=f"{self.node_state.lower()}-node", role=Role.SUPERVISOR, created_at=now
        )
        received, record = apply(
            request,
            transition="receive",
            actor=node_user,
            side=Side.REQUESTED,
            at=now,
            catalogue=self.catalogue,
        )
        assignees = [u.id for u in self._accounts.users() if u.role is intake and not u.disabled]
        for related in request.links:  # the team of a linked case here follows it
            if self._store.load(related.request_id) is not None:
                team = self._store.assignments(related.request_id)
                assignees += [self._accounts.named(member.user).id for member in team]
        self._store.create(
            received,
            side=Side.REQUESTED,
            assignees=assignees,
            assigned_by=node_user.name,
            custody=self._custody.prepare([custody_events.step_event(record)]),
            now=now,
        )
        self._custody.notify()
        return received

    def apply_remote(self, request: CooperationRequest, *, sender: str) -> bool:
        """Bring this node's copy up to the other State's: ``request`` is its copy after one
        or more steps it took. Only steps of the sender's side may be new, the rest must be
        what this node holds, and the whole history must follow the transition table (it is
        replayed when ``request`` is built). Returns False for a copy already held (a
        duplicate delivery), so a message is never applied twice."""
        stored = self._store.load(request.id)
        if stored is None:
            raise NotFound(f"no request {request.id!r} between these States on this node")
        local = stored.request
        if sender != local.party(stored.side.other).state:
            raise PermissionDenied(f"{sender} is not the other State of request {request.id}")
        held = len(local.history)
        if request.history[:held] != local.history:
            raise RuleViolation(f"{sender}'s copy of {request.id} contradicts this node's history")
        if _fixed(request) != _fixed(local):
            raise RuleViolation(f"{sender}'s copy of {request.id} changes what a step cannot")
        new = request.history[held:]
        if not new:
            return False
        theirs = stored.side.other
        if any(r.side is not theirs or r.state != sender for r in new):
            raise PermissionDenied(f"{sender} sent steps that are not its own to take")
        self._store.save(
            request,
            new_steps=new,
            custody=self._custody.prepare([custody_events.step_event(r) for r in new]),
            now=max(self._clock.now(), request.last_at),
        )
        self._custody.notify()
        return True

    def held(self, request_id: str) -> CooperationRequest:
        """A request held here, whoever's case it is (for the inbox, which acts for no
        user): ``NotFound`` if this node holds none by that id."""
        stored = self._store.load(request_id) if _plausible_id(request_id) else None
        if stored is None:
            raise NotFound(f"no request {request_id[:128]!r} on this node")
        return stored.request

    def parties_of(self, request_id: str) -> tuple[str, str]:
        """The requesting and requested State of a request held here (for the inbox)."""
        request = self.held(request_id)
        return request.requesting_state, request.requested_state

    # --- reading -------------------------------------------------------------------------

    def show(self, user: User, request_id: str) -> RequestView:
        request = self._case(user, request_id, Action.READ, "read a request")
        side = self._side(request)
        allowed = self.allowed(request, user)
        return RequestView(
            request=request,
            side=side,
            allowed=allowed,
            expected=expected_step(request.status, allowed),
            assignments=tuple(self._store.assignments(request_id)),
            consents=tuple(self._store.consents(request_id)),
            custody=self._custody_of(request),
            recordable=self.recordable(request, user),
        )

    def _custody_of(self, request: CooperationRequest) -> tuple[LoggedEvent, ...]:
        """The request's events and those of its documents (logged under their digests),
        only those of this request: the same bytes held for another case stay out."""
        found = {e.index: e for e in self._custody.events_for(f"request:{request.id}")}
        for digest in dict.fromkeys(a.sha256 for a in documents(request)):
            for logged in self._custody.events_for(f"sha256:{digest}"):
                if logged.event.request_id == request.id:
                    found.setdefault(logged.index, logged)
        return tuple(found[index] for index in sorted(found))

    def summaries(self, user: User, query: ListQuery) -> tuple[list[RequestSummary], int]:
        self._require(user, Action.READ, "list requests")
        if query.user_id != user.id:
            raise PermissionDenied("a user lists the requests of their own cases")
        return self._store.summaries(query)

    # --- the case team -----------------------------------------------------------------

    def assign(self, user: User, request_id: str, name: str) -> list[Assignment]:
        """Add a colleague of this node to the case (any member of the case team may)."""
        self._case(
            user,
            request_id,
            Action.DRAFT if user.may(Action.DRAFT) else Action.DECIDE,
            "assign a case",
        )
        colleague = self._accounts.named(name)
        if colleague.disabled:
            raise InvalidInput(f"the user {name!r} is disabled")
        self._store.assign(request_id, colleague.id, by=user.name, now=self._clock.now())
        return self._store.assignments(request_id)

    # --- attachments -----------------------------------------------------------------------

    def attach(
        self,
        user: User,
        request_id: str,
        *,
        role: AttachmentRole,
        title: str | None,
        upload_id: str | None = None,
        sha256: str | None = None,
        attachment_id: str | None = None,
        document_kind: DocumentKind | None = None,
    ) -> CooperationRequest:
        """Attach a document or an evidence file to the request: ``user``'s own completed
        upload (``upload_id``), or a file already held for this request (``sha256``). The
        case is checked first; a file from anywhere else is refused like one never seen.
        A document of the requesting State is one that travels with the request: see
        :meth:`add_document`."""
        action = Action.UPLOAD_EVIDENCE if role is AttachmentRole.EVIDENCE else Action.DRAFT
        request = self._case(user, request_id, action, f"attach {role.value}")
        if self.files is None:
            raise RuleViolation("this node cannot attach files")
        if role is AttachmentRole.DOCUMENT and self._side(request) is Side.REQUESTING:
            return self._add_document(
                user,
                request,
                kind=document_kind or DocumentKind.SUPPORTING_DOCUMENT,
                title=title,
                upload_id=upload_id,
                sha256=sha256,
                attachment_id=attachment_id,
            )
        if document_kind is not None:
            raise InvalidInput("only a document of the requesting State has a document kind")
        if (
            upload_id is None
            and sha256 is not None
            and sha256 in {a.sha256 for a in request.attachments}
        ):
            digest = sha256  # attached already: the same file again, under another title
        else:
            digest = self.files.digest_of(user, request_id, upload_id=upload_id, sha256=sha256)
        attachment = Attachment(
            id=attachment_id or secrets.token_hex(8),
            sha256=digest,
            role=role,
            added_by=self._side(request),
            title=title,
        )
        after = attach(request, attachment)
        self._store.save(after, now=self._clock.now())
        return after

    def add_document(
        self,
        user: User,
        request_id: str,
        *,
        upload_id: str,
        kind: DocumentKind,
        title: str | None,
    ) -> Attachment:
        """Add ``user``'s completed upload to the request as a document (a warrant, an
        order, a supporting document or a translation) that travels with it when it is
        sent: only the requesting State's case team, with a role that drafts, before the
        request is sent, within the limits of :mod:`hanoi.cooperation.documents`. The upload
        is handed over once, and the document stored with its ``collected`` custody event
        in one transaction. Returns the document."""
        request = self._case(user, request_id, Action.DRAFT, "add a document")
        if self.files is None:
            raise RuleViolation("this node cannot attach files")
        if kind is DocumentKind.LETTER:
            return self._add_letter(user, request, upload_id=upload_id, title=title)
        after = self._add_document(
            user, request, kind=kind, title=title, upload_id=upload_id, sha256=None
        )
        return after.attachments[-1]

    def _add_letter(
        self, user: User, request: CooperationRequest, *, upload_id: str, title: str | None
    ) -> Attachment:
        """The other State's letter or note, scanned, on a request off the network."""
        if not may_add_letters(request):
            raise RuleViolation(
                "letters are kept for a request that travels off the network, once it has "
                "left or arrived and until it is closed (ADR 0028)"
            )
        now = self._clock.now()
        after, letter, event = self._store_letter(
            user,
            request,
            LetterScan(upload_id=upload_id, title=title),
            side=self._side(request).other,
            now=now,
        )
        self._store.save(after, custody=self._custody.prepare([event]), now=now)
        self._custody.notify()
        return letter

    def _add_document(
        self,
        user: User,
        request: CooperationRequest,
        *,
        kind: DocumentKind,
        title: str | None,
        upload_id: str | None,
        sha256: str | None,
        attachment_id: str | None = None,
    ) -> CooperationRequest:
        assert self.files is not None
        side = self._side(request)
        require_open(request, side)  # before the upload is looked at
        same = next((a for a in request.attachments if a.sha256 == sha256), None)
        if upload_id is None and sha256 is not None and same is not None:
            held = HeldFile(  # attached already: the same file again, under another title
                sha256=sha256,
                size=same.size if same.size is not None else self._blobs.size(sha256),
                media_type=same.media_type,
            )
        else:
            held = self.files.file_of(user, request.id, upload_id=upload_id, sha256=sha256)
        document = Attachment(
            id=attachment_id or secrets.token_hex(8),
            sha256=held.sha256,
            role=AttachmentRole.DOCUMENT,
            added_by=side,
            title=title,
            document_kind=kind,
            size=held.size,
            media_type=held.media_type,
        )
        after = add_document(request, document, side=side)
        if upload_id is not None:
            self.files.take(user, upload_id)  # once: a form sent twice adds one document
        now = self._clock.now()
        event = document_event(after, document, node=self.node_state, officer=user.name, at=now)
        self._store.save(after, custody=self._custody.prepare([event]), now=now)
        self._custody.notify()
        log.info("document %s added to %s by %s", document.id, request.id, user.name)
        return after

    # --- deadlines -----------------------------------------------------------------------

    def overdue(
        self, user: User, *, now: datetime | None = None, running: bool = False
    ) -> list[Due]:
        """What is overdue or due soon in the user's cases, soonest first; with
        ``running``, every deadline still running too (preservation periods counting down)."""
        self._require(user, Action.READ, "list deadlines")
        found = due(
            self._store.open_requests(),
            now=now or self._clock.now(),
            levels=self.levels,
            catalogue=self.catalogue,
            running=running,
        )
        mine = self._store.cases_of(user.id)
        return [d for d in found if d.request_id in mine]

    def check_deadlines(self, *, now: datetime | None = None) -> list[DeadlineAlert]:
        """Raise an alert for each deadline newly due soon or overdue (the background job)."""
        moment = now or self._clock.now()
        raised = []
        for item in due(
            self._store.open_requests(), now=moment, levels=self.levels, catalogue=self.catalogue
        ):
            alert = DeadlineAlert(
                request_id=item.request_id,
                rule=item.rule.value,
                state=item.state.value,
                due_at=item.due_at,
                side=item.side.value,
                article=item.article,
                raised_at=moment,
            )
            if self._store.raise_alert(alert):
                log.warning(
                    "deadline %s: %s of %s due %s (%s)",
                    alert.state,
                    alert.rule,
                    alert.request_id,
                    alert.due_at.isoformat(),
                    alert.article,
                )
                raised.append(alert)
        return raised

    def alerts(self, user: User, *, limit: int = 100) -> list[DeadlineAlert]:
        self._require(user, Action.READ, "read alerts")
        return self._store.alerts(user_id=user.id, limit=limit)

    def refusals(self, user: User, *, limit: int = 100) -> list[AccessRefusal]:
        self._require(user, Action.AUDIT, "read the refusals")
        return self._store.refusals(limit=limit)


def _fixed(request: CooperationRequest) -> dict[str, Any]:
    """What no step changes: everything but the history, conditions, links, attachments."""
    document = request_json(request, history=False)
    for changing in ("conditions", "links", "attachments"):
        document.pop(changing)
    return document


def _plausible_id(request_id: str) -> bool:
    return 0 < len(request_id) <= 128
