"""Deadlines as data: what is overdue and what is due soon. Pure; ``now`` is a parameter.

Each :class:`DeadlineRule` says during which statuses it runs, who must act, the
provision it rests on, how its due time is computed and how early it warns:

| rule | runs while | acts | due | art. |
|---|---|---|---|---|
| acknowledge-point-of-contact | sent, received | R | receipt + node level (1 hour) | 41(1) |
| acknowledge-emergency | sent, received | R | receipt + node level | 41(3)(e) |
| preservation-period | ordered, active | S | end of the period (>= 60 days) | 42(8) |
| suggested-deadline | until an outcome | R | the end of the suggested day | 40(25) |

S is the requesting State, R the requested State. Each rule warns ahead by a node
level of :class:`ServiceLevels`; for the preservation period that is the reminder
to the requesting State to send its MLA request.

The preservation period stops running, automatically, once the follow-up MLA
request is received (Art. 42(8)): :func:`due` looks for it among the requests it
is given, and the ``extended`` status records it. Before a request leaves the
requesting State, that State is the one to act on any of its deadlines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hanoi.convention import Catalogue, RequestKind, Source, default_catalogue
from hanoi.convention.sources import Certainty, Confidence
from hanoi.cooperation import preservation
from hanoi.cooperation.kinds import POINT_OF_CONTACT_SOURCE, KindTrait, is_point_of_contact
from hanoi.cooperation.kinds import traits as kind_traits
from hanoi.cooperation.model import CooperationRequest, Relation, UrgencyLevel, require_aware
from hanoi.cooperation.statuses import BEFORE_HANDOVER, OPEN_AFTER_SENDING, Side, Status
from hanoi.cooperation.table import EXECUTION, PRESERVATION_PERIOD
from hanoi.errors import InvalidInput

EMERGENCY_SOURCE = Source(
    article=41,
    paragraph="3(e)",
    confidence=Confidence.RECALLED,
    certainty=Certainty.MODERATE,
    basis="electronic data to avert an emergency, as defined in Art. 2(o) [C]",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceLevels:
    """A node's service levels, built once at the entry point and passed in.

    The Convention asks for immediate assistance (Art. 41(1)) but sets no number of
    hours: these are node policy. ``acknowledge_emergency`` defaults to the 24/7 level;
    a node sets it shorter if it can.
    """

    acknowledge_point_of_contact: timedelta = timedelta(hours=1)
    acknowledge_emergency: timedelta = timedelta(hours=1)
    acknowledgement_warning: timedelta = timedelta(minutes=15)
    preservation_reminder: timedelta = timedelta(days=14)
    """How long before the preservation period ends the requesting State is reminded."""
    suggested_deadline_warning: timedelta = timedelta(days=7)

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            if getattr(self, name) <= timedelta(0):
                raise InvalidInput(f"the service level {name} must be positive")


class DueRule(StrEnum):
    ACKNOWLEDGE_POINT_OF_CONTACT = "acknowledge-point-of-contact"
    ACKNOWLEDGE_EMERGENCY = "acknowledge-emergency"
    PRESERVATION_PERIOD = "preservation-period"
    SUGGESTED_DEADLINE = "suggested-deadline"


class DueState(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due-soon"
    RUNNING = "running"
    """Not yet within its warning time (listed only when asked for: a countdown)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Due:
    """One deadline that is overdue or close."""

    request_id: str
    rule: DueRule
    state: DueState
    due_at: datetime
    time_left: timedelta
    """Negative once overdue."""
    side: Side
    """The State that must act."""
    article: str
    source: Source


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    request: CooperationRequest
    kind: RequestKind
    catalogue: Catalogue
    levels: ServiceLevels
    follow_ups: Sequence[CooperationRequest]
    """Requests that name this one as the preservation they follow."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineRule:
    rule: DueRule
    source: Source
    side: Side
    statuses: frozenset[Status]
    due_at: Callable[[Context], datetime | None]
    warning: Callable[[ServiceLevels], timedelta]


def _receipt(request: CooperationRequest) -> datetime | None:
    return request.reached(Status.RECEIVED) or request.reached(Status.SENT)


def _acknowledge_point_of_contact(context: Context) -> datetime | None:
    start = _receipt(context.request)
    if start is None or not is_point_of_contact(context.request.channel):
        return None
    return start + context.levels.acknowledge_point_of_contact


def _acknowledge_emergency(context: Context) -> datetime | None:
    start = _receipt(context.request)
    if start is None or context.request.urgency.level is not UrgencyLevel.EMERGENCY:
        return None
    return start + context.levels.acknowledge_emergency


def _preservation_period(context: Context) -> datetime | None:
    if KindTrait.PRESERVATION not in kind_traits(context.kind):
        return None
    request = context.request
    linked = {link.request_id for link in request.linked(Relation.FOLLOWED_BY)}
    for follow_up in context.follow_ups:
        if preservation.follow_up_received(follow_up) and (
            follow_up.id in linked
            or preservation.is_follow_up(follow_up, request, context.catalogue)
        ):
            return None
    return preservation.period_end(request, context.kind)


def _suggested_deadline(context: Context) -> datetime | None:
    deadline = context.request.suggested_deadline
    return None if deadline is None else deadline.due_at


ACKNOWLEDGING = frozenset({Status.SENT, Status.RECEIVED})

RULES: tuple[DeadlineRule, ...] = (
    DeadlineRule(
        rule=DueRule.ACKNOWLEDGE_POINT_OF_CONTACT,
        source=POINT_OF_CONTACT_SOURCE,
        side=Side.REQUESTED,
        statuses=ACKNOWLEDGING,
        due_at=_acknowledge_point_of_contact,
        warning=lambda levels: levels.acknowledgement_warning,
    ),
    DeadlineRule(
        rule=DueRule.ACKNOWLEDGE_EMERGENCY,
        source=EMERGENCY_SOURCE,
        side=Side.REQUESTED,
        statuses=ACKNOWLEDGING,
        due_at=_acknowledge_emergency,
        warning=lambda levels: levels.acknowledgement_warning,
    ),
    DeadlineRule(
        rule=DueRule.PRESERVATION_PERIOD,
        source=PRESERVATION_PERIOD,
        side=Side.REQUESTING,
        statuses=frozenset({Status.ORDERED, Status.ACTIVE}),
        due_at=_preservation_period,
        warning=lambda levels: levels.preservation_reminder,
    ),
    DeadlineRule(
        rule=DueRule.SUGGESTED_DEADLINE,
        source=EXECUTION,
        side=Side.REQUESTED,
        statuses=BEFORE_HANDOVER | OPEN_AFTER_SENDING,
        due_at=_suggested_deadline,
        warning=lambda levels: levels.suggested_deadline_warning,
    ),
)


def due(
    requests: Iterable[CooperationRequest],
    *,
    now: datetime,
    levels: ServiceLevels | None = None,
    catalogue: Catalogue | None = None,
    running: bool = False,
) -> list[Due]:
    """Every deadline that is overdue, or due within its warning time, soonest first;
    with ``running``, the later ones too (a preservation period counting down)."""
    moment = require_aware("now", now)
    cat = catalogue or default_catalogue()
    settings = levels or ServiceLevels()
    pending = list(requests)
    followers = _followers(pending)
    found: list[Due] = []
    for request in pending:
        context = Context(
            request=request,
            kind=cat.kind(request.kind),
            catalogue=cat,
            levels=settings,
            follow_ups=followers.get(request.id, ()),
        )
        found.extend(_due_for(context, moment, running=running))
    return sorted(found, key=lambda d: (d.due_at, d.request_id, d.rule.value))


def _followers(requests: Sequence[CooperationRequest]) -> Mapping[str, list[CooperationRequest]]:
    followers: dict[str, list[CooperationRequest]] = defaultdict(list)
    for request in requests:
        for link in request.linked(Relation.FOLLOWS_PRESERVATION):
            followers[link.request_id].append(request)
    return followers


def _state(left: timedelta, warning: timedelta) -> DueState:
    if left <= timedelta(0):
        return DueState.OVERDUE
    return DueState.DUE_SOON if left <= warning else DueState.RUNNING


def _due_for(context: Context, now: datetime, *, running: bool) -> list[Due]:
    request = context.request
    found = []
    for rule in RULES:
        if request.status not in rule.statuses:
            continue
        due_at = rule.due_at(context)
        if due_at is None:
            continue
        left = due_at - now
        state = _state(left, rule.warning(context.levels))
        if state is DueState.RUNNING and not running:
            continue
        found.append(
            Due(
                request_id=request.id,
                rule=rule.rule,
                state=state,
                due_at=due_at,
                time_left=left,
                side=Side.REQUESTING if request.status in BEFORE_HANDOVER else rule.side,
                article=rule.source.citation(),
                source=rule.source,
            )
        )
    return found
