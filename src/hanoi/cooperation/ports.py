"""What the cooperation service needs from storage, as a Protocol, and the records it
exchanges with it. Pure: the SQL implementation is ``hanoi.storage.cooperation_repo``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hanoi.accounts.model import User
from hanoi.cooperation.model import CooperationRequest, TransitionRecord
from hanoi.cooperation.routes import Route
from hanoi.cooperation.statuses import Side, Status
from hanoi.custody.service import NewEvent
from hanoi.errors import InvalidInput

MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class StoredRequest:
    request: CooperationRequest
    side: Side
    """This node's side of the request."""
    assigned: bool = False
    """Whether the user the request was loaded for is assigned to its case."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestSummary:
    id: str
    kind: str
    channel: str
    requesting_state: str
    requested_state: str
    side: Side
    status: Status
    desired_status: Status | None
    urgency: str
    created_at: datetime
    updated_at: datetime
    route: Route = Route.HANOI
    """How the request travels: the network, or the channel it went or came by."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ListQuery:
    user_id: int
    statuses: tuple[Status, ...] = ()
    kind: str | None = None
    side: Side | None = None
    other_state: str | None = None
    urgency: str | None = None
    route: Route | None = None
    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidInput(f"limit is between 1 and {MAX_PAGE}")
        if self.offset < 0:
            raise InvalidInput("offset is zero or more")


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    user: str
    role: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRefusal:
    at: datetime
    user: str
    role: str
    action: str
    request_id: str | None
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineAlert:
    request_id: str
    rule: str
    state: str
    due_at: datetime
    side: str
    article: str
    raised_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Consent:
    """The State that sent data agrees that it goes on to a third State (Art. 36(3))."""

    request_id: str
    third_state: str
    consenting_state: str
    written: bool
    reference: str
    scope: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Outgoing:
    """A message to another State, stored in the outbox with the change it announces."""

    id: str
    recipient: str
    type: str
    request_id: str | None
    message: str
    """The message as canonical JSON (its ``sent_at`` is renewed on each delivery attempt)."""
    created_at: datetime


class Announcer(Protocol):
    """What the other State must be told of a step (implemented by ``hanoi.federation``)."""

    def announce(
        self, request: CooperationRequest, record: TransitionRecord
    ) -> Sequence[Outgoing]: ...

    def notify(self) -> None:
        """Called once what was announced is committed: deliver it now."""
        ...


class CooperationStore(Protocol):
    def create(
        self,
        request: CooperationRequest,
        *,
        side: Side,
        assignees: Sequence[int],
        assigned_by: str,
        custody: Sequence[NewEvent],
        now: datetime,
        outbox: Sequence[Outgoing] = (),
    ) -> None: ...

    def load(self, request_id: str, *, user_id: int | None = None) -> StoredRequest | None: ...

    def save(
        self,
        request: CooperationRequest,
        *,
        new_steps: Sequence[TransitionRecord] = (),
        custody: Sequence[NewEvent] = (),
        now: datetime,
        outbox: Sequence[Outgoing] = (),
        assignees: Sequence[int] = (),
        assigned_by: str = "",
    ) -> None: ...

    def summaries(self, query: ListQuery) -> tuple[list[RequestSummary], int]: ...

    def open_requests(self) -> list[CooperationRequest]: ...

    def is_assigned(self, request_id: str, user_id: int) -> bool: ...

    def cases_of(self, user_id: int) -> set[str]: ...

    def assign(self, request_id: str, user_id: int, *, by: str, now: datetime) -> bool: ...

    def assignments(self, request_id: str) -> list[Assignment]: ...

    def record_refusal(self, refusal: AccessRefusal) -> None: ...

    def refusals(self, *, limit: int) -> list[AccessRefusal]: ...

    def raise_alert(self, alert: DeadlineAlert) -> bool: ...

    def alerts(self, *, user_id: int, limit: int) -> list[DeadlineAlert]: ...

    def add_consent(self, consent: Consent) -> None: ...

    def consents(self, request_id: str) -> list[Consent]: ...

    def retention_due(self, now: datetime) -> list[str]: ...

    def live_evidence(self, request_id: str) -> list[tuple[str, str]]: ...

    def mark_deleted(
        self, items: Sequence[tuple[str, NewEvent]], *, now: datetime
    ) -> list[str]: ...

    def digest_in_use(self, sha256: str) -> bool: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldFile:
    """A stored file a user may attach: its digest, length and declared media type."""

    sha256: str
    size: int
    media_type: str | None = None
    """As its uploader declared it; None when unknown or not a well-formed media type."""


class AttachableFiles(Protocol):
    """Which stored files a user may attach to a request (``hanoi.evidence.attachable``)."""

    def digest_of(
        self, user: User, request_id: str, *, upload_id: str | None, sha256: str | None
    ) -> str:
        """The SHA-256 of the file to attach: ``user``'s own completed upload, or a file
        already held for that request. ``NotFound`` otherwise, whether or not the node holds
        those bytes for another case, so that attaching reveals nothing of other cases."""
        ...

    def file_of(
        self, user: User, request_id: str, *, upload_id: str | None, sha256: str | None
    ) -> HeldFile:
        """What :meth:`digest_of` names, with its length and media type."""
        ...

    def take(self, user: User, upload_id: str) -> None:
        """Hand ``user``'s completed upload over once: a second attempt (a form sent twice,
        two tabs) is ``NotFound``."""
        ...
