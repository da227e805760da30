"""Work queues: what waits for a user, by kind, for the home page and ``GET /api/v1/queue``.

An officer should not have to search for work. Each queue names one kind of thing
waiting in the user's cases (every read goes through the services, so case access
and roles are checked as for any other read):

- ``drafts-awaiting-approval``: drafts submitted for approval, for users who approve
  (Art. 40(13));
- ``drafts-returned``: drafts the user drafted that are back in draft, for officers;
- ``requests-to-acknowledge``: requests received and not acknowledged yet;
- ``deadlines``: deadlines overdue or ending within :data:`HORIZON`, preservation
  periods included (Art. 42(8));
- ``packages``: evidence packages waiting for other States' witnesses, or refused;
- ``alerts``: alerts the deadline job raised in the user's cases within :data:`HORIZON`,
  and misbehaviour (split views) of other States' custody logs seen by this node's witness.

A queue that is empty is still listed (count 0), so a client shows "nothing waits".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from hanoi.accounts.model import Action, User
from hanoi.cooperation import Side, Status, TransitionName
from hanoi.cooperation.ports import MAX_PAGE, ListQuery, RequestSummary
from hanoi.federation.ports import PackageStatus
from hanoi.wiring import Node

HORIZON = timedelta(days=7)
"""Deadlines and preservation periods ending within this time are in the queue."""
MAX_ITEMS = 50
"""Items listed per queue; ``count`` is the whole number."""


class QueueKind(StrEnum):
    DRAFTS_AWAITING_APPROVAL = "drafts-awaiting-approval"
    DRAFTS_RETURNED = "drafts-returned"
    REQUESTS_TO_ACKNOWLEDGE = "requests-to-acknowledge"
    DEADLINES = "deadlines"
    PACKAGES = "packages"
    ALERTS = "alerts"


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueItem:
    request_id: str | None
    """The request the item belongs to (None for a split view of another State's log)."""
    status: str
    """The request's status, the package's, or the alert's state."""
    at: datetime | None = None
    """When it is due (deadlines), or when it last changed."""
    package_id: str | None = None
    rule: str | None = None
    """For a deadline or an alert: the rule (``preservation-period``...)."""
    other_state: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Queue:
    kind: QueueKind
    count: int
    items: tuple[QueueItem, ...] = field(default_factory=tuple)


def queues(node: Node, user: User, *, now: datetime | None = None) -> list[Queue]:
    """The queues of ``user``, in a fixed order; only those the user's role works on."""
    user.require(Action.READ)
    moment = now or node.clock.now()
    found: list[Queue] = []
    if user.may(Action.APPROVE):
        found.append(_requests(node, user, QueueKind.DRAFTS_AWAITING_APPROVAL, Status.SUBMITTED))
    if user.may(Action.DRAFT) and not user.may(Action.APPROVE):
        found.append(_returned(node, user))
    if user.may(Action.DECIDE):
        found.append(_requests(node, user, QueueKind.REQUESTS_TO_ACKNOWLEDGE, Status.RECEIVED))
    found.append(_deadlines(node, user, moment))
    if user.may(Action.UPLOAD_EVIDENCE):
        found.append(_packages(node, user))
    found.append(_alerts(node, user, moment))
    return found


def _summaries(node: Node, user: User, status: Status) -> tuple[list[RequestSummary], int]:
    """The user's requests in ``status``: the latest page of them, and how many in all."""
    return node.cooperation.summaries(
        user, ListQuery(user_id=user.id, statuses=(status,), limit=MAX_PAGE)
    )


def _item(row: RequestSummary) -> QueueItem:
    other = row.requesting_state if row.side is Side.REQUESTED else row.requested_state
    return QueueItem(
        request_id=row.id, status=row.status.value, at=row.updated_at, other_state=other
    )


def _queue(kind: QueueKind, items: Sequence[QueueItem], count: int | None = None) -> Queue:
    return Queue(
        kind=kind, count=len(items) if count is None else count, items=tuple(items[:MAX_ITEMS])
    )


def _requests(node: Node, user: User, kind: QueueKind, status: Status) -> Queue:
    rows, total = _summaries(node, user, status)
    return _queue(kind, [_item(row) for row in rows], total)


def _returned(node: Node, user: User) -> Queue:
    """Drafts of this user's cases that a supervisor returned (their last step)."""
    items = []
    rows, _total = _summaries(node, user, Status.DRAFT)
    for row in rows:
        history = node.cooperation.check_case(user, row.id, Action.READ, "read a queue").history
        if history and history[-1].transition is TransitionName.RETURN_TO_DRAFT:
            items.append(_item(row))
    return _queue(QueueKind.DRAFTS_RETURNED, items)


def _deadlines(node: Node, user: User, now: datetime) -> Queue:
    soon = [
        d
        for d in node.cooperation.overdue(user, now=now, running=True)
        if d.due_at <= now + HORIZON
    ]
    items = [
        QueueItem(request_id=d.request_id, status=d.state.value, at=d.due_at, rule=d.rule.value)
        for d in soon
    ]
    return _queue(QueueKind.DEADLINES, items)


WAITING_PACKAGES = frozenset({PackageStatus.AWAITING_WITNESSES, PackageStatus.REFUSED})


def _packages(node: Node, user: User) -> Queue:
    """Packages of the user's cases waiting for witnesses, or refused."""
    items = [
        QueueItem(
            request_id=row.request_id,
            package_id=row.id,
            status=row.status,
            at=row.updated_at,
            other_state=row.peer,
        )
        for row in node.transfers.waiting(user, sorted(WAITING_PACKAGES))
    ]
    return _queue(QueueKind.PACKAGES, items)


def _alerts(node: Node, user: User, now: datetime) -> Queue:
    """Alerts raised by the deadline job within :data:`HORIZON`, and every split view."""
    raised = [
        QueueItem(request_id=a.request_id, status=a.state, at=a.raised_at, rule=a.rule)
        for a in node.cooperation.alerts(user)
        if a.raised_at >= now - HORIZON
    ]
    views = [
        QueueItem(request_id=None, status=str(a.get("kind", "")), other_state=str(a.get("origin")))
        for a in node.witness.alerts()
    ]
    return _queue(QueueKind.ALERTS, [*raised, *views])
