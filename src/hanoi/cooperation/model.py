"""A cooperation request and its history, as frozen typed classes. Pure.

A request's ``status`` and ``desired_status`` are not stored: they are replayed
from its history of :class:`TransitionRecord` s, and a history that does not
follow the transition table is refused. The only way to a new status is
therefore a new record, and the only maker of records is
:func:`hanoi.cooperation.apply`.

The model maps onto ETSI TS 103 120 (the handover interface for lawful
interception and retained data), so that a later adapter can speak it:

| ETSI TS 103 120 | Hanoi |
|---|---|
| Authorisation | :class:`CooperationRequest`: approved (``approve``), then decided by the |
| | requested State (``accept``, ``refuse``, ``postpone``) |
| Task | execution: ``status`` (``in-execution`` to ``executed``; for preservation |
| | ``ordered`` to ``released``) and ``desired_status`` (the requesting State's) |
| Document | :class:`Attachment`: a document or evidence, by id and SHA-256 digest |
| Notification | :class:`TransitionRecord`: each step, sent to the other State |
| associations | :class:`Link`: preservation and follow-up; a disclosure naming a third State |
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from hanoi.accounts.model import Role
from hanoi.convention import Channel
from hanoi.cooperation.errors import InconsistentHistory
from hanoi.cooperation.routes import ChannelRecord, Route
from hanoi.cooperation.statuses import FINAL, INITIAL, Side, Status, StatusField
from hanoi.cooperation.table import ROWS, TransitionName
from hanoi.errors import InvalidInput
from hanoi.jsonvalues import check_json_value, text_problem

STATE_CODE = re.compile(r"^[A-Z]{3}$")
"""ISO 3166-1 alpha-3, checked for form only (the code list is not bundled)."""
REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
MAX_TEXT = 500
MAX_LONG_TEXT = 20_000


def require_text(name: str, value: str | None, *, limit: int = MAX_LONG_TEXT) -> str:
    if value is None or not value.strip():
        raise InvalidInput(f"{name} is required")
    if len(value) > limit:
        raise InvalidInput(f"{name} is at most {limit} characters")
    if (problem := text_problem(value)) is not None:
        raise InvalidInput(f"{name} is text {problem}")
    return value


def require_state(name: str, value: str) -> str:
    if not STATE_CODE.match(value):
        raise InvalidInput(f"{name} {value!r} is not an ISO 3166-1 alpha-3 code")
    return value


def require_aware(name: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Party:
    """One side: its State, the authority acting for it, and the officer responsible."""

    state: str
    authority: str
    """The central authority (Art. 40(13)), point of contact (Art. 41) or competent authority."""
    officer: str | None = None
    """The officer responsible on that side; the requested side assigns one on receipt."""

    def __post_init__(self) -> None:
        require_state("the State", self.state)
        require_text("the authority", self.authority, limit=MAX_TEXT)
        if self.officer is not None:
            require_text("the officer", self.officer, limit=MAX_TEXT)


class AttachmentRole(StrEnum):
    DOCUMENT = "document"
    """A document that is part of the request or of a reply (ETSI Document)."""
    EVIDENCE = "evidence"
    """Electronic evidence returned on execution, held by the evidence store."""


class DocumentKind(StrEnum):
    """What a document of a request is (Art. 40(15)): the order behind it, or what
    supports or translates it."""

    WARRANT = "warrant"
    COURT_ORDER = "court-order"
    SUPPORTING_DOCUMENT = "supporting-document"
    TRANSLATION = "translation"
    """A translation into a language the requested State accepts (Art. 40(14))."""
    LETTER = "letter"
    """A letter or note that crossed the border off the network: the request as received
    on paper, or the other State's answer (its scan), ADR 0028."""


MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")
"""A media type without parameters (RFC 6838 names, lower case), e.g. ``application/pdf``."""
MAX_ATTACHMENT_BYTES = 2**53 - 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    id: str
    sha256: str
    role: AttachmentRole
    added_by: Side
    title: str | None = None
    document_kind: DocumentKind | None = None
    """For a document: a warrant, a court order, a supporting document or a translation.
    Documents attached before kinds existed have none."""
    size: int | None = None
    """The file's length in bytes, when known (every document attached since documents
    travel with the request)."""
    media_type: str | None = None
    """The file's media type as its uploader declared it, when known and well formed."""

    def __post_init__(self) -> None:
        if not REQUEST_ID.match(self.id):
            raise InvalidInput(f"attachment id {self.id!r} is 1-128 letters, digits, . _ : -")
        if not SHA256_HEX.match(self.sha256):
            raise InvalidInput("an attachment's digest is SHA-256 in lowercase hex")
        if self.title is not None:
            require_text("the attachment title", self.title, limit=MAX_TEXT)
        if self.document_kind is not None:
            try:
                object.__setattr__(self, "document_kind", DocumentKind(self.document_kind))
            except ValueError:
                kinds = ", ".join(k.value for k in DocumentKind)
                raise InvalidInput(f"a document kind is one of: {kinds}") from None
            if self.role is not AttachmentRole.DOCUMENT:
                raise InvalidInput("only a document has a document kind")
        if self.size is not None and (
            type(self.size) is not int or not 0 <= self.size <= MAX_ATTACHMENT_BYTES
        ):
            raise InvalidInput("an attachment's size is a whole number of bytes")
        if self.media_type is not None and not MEDIA_TYPE.match(self.media_type):
            raise InvalidInput("an attachment's media type is type/subtype, e.g. application/pdf")


class UrgencyLevel(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    """Urgent circumstances (Art. 40(14)); data vulnerable to loss (Art. 44(3))."""
    EMERGENCY = "emergency"
    """Significant and imminent risk to the life or safety of a person (Art. 2(o), 41(3)(e))."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Urgency:
    level: UrgencyLevel = UrgencyLevel.ROUTINE
    reasons: str | None = None
    """Required unless routine: why the request is urgent (Art. 40(14))."""

    def __post_init__(self) -> None:
        if self.level is not UrgencyLevel.ROUTINE:
            require_text("the reasons for urgency (Art. 40(14))", self.reasons)


ROUTINE = Urgency()


@dataclass(frozen=True, slots=True, kw_only=True)
class SuggestedDeadline:
    """The deadline the requesting State suggests, with its reasons (Art. 40(25))."""

    by: date
    reasons: str

    def __post_init__(self) -> None:
        if isinstance(self.by, datetime):
            raise InvalidInput("a suggested deadline is a date")
        require_text("the reasons for the suggested deadline (Art. 40(25))", self.reasons)

    @property
    def due_at(self) -> datetime:
        """The end of the day ``by``, in UTC: the deadline includes that day."""
        return datetime.combine(self.by + timedelta(days=1), time(), tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """A condition on use, confidentiality or personal data (Arts. 36, 40(19)-(20)).

    ``key`` is a condition of the catalogue that applies to the request's kind.
    """

    key: str
    terms: str
    imposed_by: Side
    retain_until: date | None = None
    """The data received under the request are deleted after this day: a condition
    imposed for data protection (Art. 36(1)(b), (2)). The node deletes the evidence
    blobs then, and logs the deletion in its custody log."""

    def __post_init__(self) -> None:
        if not KEY.match(self.key):
            raise InvalidInput(f"condition key {self.key!r} is not a catalogue key")
        require_text("the terms of the condition", self.terms)
        if isinstance(self.retain_until, datetime):
            raise InvalidInput("a retention period ends on a date")

    @property
    def retention_ends_at(self) -> datetime | None:
        """The end of the day ``retain_until``, in UTC."""
        if self.retain_until is None:
            return None
        return datetime.combine(self.retain_until + timedelta(days=1), time(), tzinfo=UTC)


class Relation(StrEnum):
    FOLLOWS_PRESERVATION = "follows-preservation"
    """This MLA request seeks the data preserved by that request (Arts. 42(1), 44(1))."""
    FOLLOWED_BY = "followed-by"
    """This preservation request is followed by that MLA request (Art. 42(8))."""
    DISCLOSES_FOR = "discloses-for"
    """This disclosure of traffic data concerns that preservation request and names the
    third State where the service provider is (Art. 43(1))."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    relation: Relation
    request_id: str
    third_state: str | None = None

    def __post_init__(self) -> None:
        if not REQUEST_ID.match(self.request_id):
            raise InvalidInput(f"linked request id {self.request_id!r} is malformed")
        if (self.relation is Relation.DISCLOSES_FOR) != (self.third_state is not None):
            raise InvalidInput("a disclosure of traffic data, and only it, names a third State")
        if self.third_state is not None:
            require_state("the third State", self.third_state)


@dataclass(frozen=True, slots=True, kw_only=True)
class TransitionRecord:
    """One step of a request: who took it, when, why, under which article.

    It carries what a custody event needs: ``type`` (the step), ``time``,
    ``node`` (the acting State), ``officer``, ``request_id`` and ``article``.
    """

    sequence: int
    request_id: str
    transition: TransitionName
    sets: StatusField
    from_status: Status
    to_status: Status
    side: Side
    state: str
    officer: str
    role: Role
    at: datetime
    article: str
    """The provision of the step, then those of any refusal grounds, e.g. ``Art. 40(24)``."""
    reasons: str | None = None
    grounds: tuple[str, ...] = ()
    until: datetime | None = None
    """For preservation: the end of the period set by this step."""
    conditions: tuple[str, ...] = ()
    follow_up: str | None = None
    """For preservation: the MLA request whose receipt continued it."""
    via: ChannelRecord | None = None
    """Off the network: how the step crossed the border (the request sent or registered,
    or the other State's answer recorded by hand from its letter), ADR 0028."""

    @property
    def type(self) -> str:
        return self.transition.value


ROUTE_STEPS = frozenset({TransitionName.DISPATCH, TransitionName.REGISTER})
"""The steps whose channel record sets the route of the request."""


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_freeze(element) for element in value)
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(element) for key, element in value.items()})
    return value


def replay(
    request_id: str, created_at: datetime, history: tuple[TransitionRecord, ...]
) -> tuple[Status, Status | None]:
    """The status and desired status a history leads to; raise if it breaks the table.

    A desired status is fulfilled, and cleared, when the status reaches it; closure
    clears it too. A request registered from paper opens with its ``register`` record,
    which starts from no status of the table (ADR 0028).
    """
    status: Status = INITIAL
    desired: Status | None = None
    previous = created_at
    for index, record in enumerate(history, start=1):
        row = ROWS.get(record.transition)
        where = f"history entry {index} ({record.transition})"
        if record.sequence != index or record.request_id != request_id:
            raise InconsistentHistory(f"{where} is out of sequence or of another request")
        if record.at < previous:
            raise InconsistentHistory(f"{where} is earlier than the entry before it")
        opens = record.transition is TransitionName.REGISTER and index == 1
        if (
            row is None
            or record.from_status is not status
            or (status not in row.sources and not opens)
            or record.to_status is not row.target
            or record.side is not row.side
            or record.sets is not row.sets
        ):
            raise InconsistentHistory(f"{where} does not follow the transition table")
        if record.sets is StatusField.STATUS:
            status = record.to_status
            if desired is status or status in FINAL:
                desired = None
        else:
            desired = record.to_status
        previous = record.at
    return status, desired


@dataclass(frozen=True, slots=True, kw_only=True)
class CooperationRequest:
    """A request for cooperation under Chapter V, from one State Party to another."""

    id: str
    kind: str
    """A request kind of the catalogue, e.g. ``mla-stored-data``."""
    channel: Channel
    requesting: Party
    requested: Party
    created_at: datetime
    contents: Mapping[str, Any] = field(default_factory=dict)
    """Item key to value, checked by :func:`hanoi.convention.validate` before approval."""
    attachments: tuple[Attachment, ...] = ()
    urgency: Urgency = ROUTINE
    suggested_deadline: SuggestedDeadline | None = None
    conditions: tuple[Condition, ...] = ()
    links: tuple[Link, ...] = ()
    history: tuple[TransitionRecord, ...] = ()
    status: Status = field(init=False)
    """Replayed from the history: the status of record."""
    desired_status: Status | None = field(init=False)
    """Replayed from the history: what the requesting State has asked for, if anything."""

    def __post_init__(self) -> None:
        if not REQUEST_ID.match(self.id):
            raise InvalidInput(f"request id {self.id!r} is 1-128 letters, digits, . _ : -")
        if not KEY.match(self.kind):
            raise InvalidInput(f"request kind {self.kind!r} is not a catalogue key")
        if self.requesting.state == self.requested.state:
            raise InvalidInput("the requesting and the requested State must differ")
        object.__setattr__(self, "created_at", require_aware("created_at", self.created_at))
        check_json_value(self.contents)  # bounded depth, finite numbers, storable strings
        object.__setattr__(self, "contents", _freeze(self.contents))
        _unique("attachment id", [a.id for a in self.attachments])
        _unique("condition", [(c.key, c.imposed_by) for c in self.conditions])
        _unique("link", [(link.relation, link.request_id) for link in self.links])
        for link in self.links:
            if link.third_state in (self.requesting.state, self.requested.state):
                raise InvalidInput("the third State differs from the two States of the request")
        status, desired = replay(self.id, self.created_at, self.history)
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "desired_status", desired)

    def party(self, side: Side) -> Party:
        return self.requesting if side is Side.REQUESTING else self.requested

    @property
    def requesting_state(self) -> str:
        return self.requesting.state

    @property
    def requested_state(self) -> str:
        return self.requested.state

    @property
    def route(self) -> Route:
        """How the request travels: the channel of the step that sent or registered it,
        else the Hanoi network (every request before it leaves, and every one sent over
        the network)."""
        for record in self.history:
            if record.via is not None and record.transition in ROUTE_STEPS:
                return record.via.channel
        return Route.HANOI

    @property
    def last_at(self) -> datetime:
        return self.history[-1].at if self.history else self.created_at

    def reached(self, status: Status) -> datetime | None:
        """When the status of record last became ``status``, if it ever did."""
        return next(
            (
                r.at
                for r in reversed(self.history)
                if r.sets is StatusField.STATUS and r.to_status is status
            ),
            None,
        )

    @property
    def preserved_until(self) -> datetime | None:
        """The end of the preservation period set last (Art. 42(8)), if any."""
        return next((r.until for r in reversed(self.history) if r.until is not None), None)

    def linked(self, relation: Relation) -> tuple[Link, ...]:
        return tuple(link for link in self.links if link.relation is relation)

    @property
    def retention_ends_at(self) -> datetime | None:
        """When the data received under the request must be deleted: the earliest
        retention period among its conditions, if any."""
        ends = [c.retention_ends_at for c in self.conditions if c.retention_ends_at is not None]
        return min(ends) if ends else None


def _unique(what: str, keys: list[Any]) -> None:
    if len(keys) != len(set(keys)):
        raise InvalidInput(f"each {what} appears once")
