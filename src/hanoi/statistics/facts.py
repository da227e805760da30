"""What the statistics read of a request, derived from its steps when they are stored. Pure.

The figures are computed by the database (:mod:`hanoi.statistics.ports`), and some of what
they need is only inside a step's JSON record (the refusal grounds, the end of a
preservation period) or would be slow to derive again from 5-12 steps per request at every
query. So each time a request is stored, the same transaction stores its facts (ADR 0036):

- one :class:`RequestFacts` row: the direction and what the figures group by (kind, other
  State, channel, urgency), and the times each figure starts or ends on;
- one :class:`Milestone` per step that changes the outcome a request would be counted
  under (executed, partly executed, refused, postponed, withdrawn, open again), or that
  extends a preservation; so that the outcome *as of the end of a period* is the last
  milestone before it;
- one :class:`GroundFact` per ground of a refusal, with the article that provides for it.

The rules (``docs/statistics.md`` says them to readers):

- A request counts in a period by the day it was *made*: outgoing, the day it was sent
  (``send``, or ``dispatch`` off the network); incoming, the day it was received
  (``receive``, or ``register`` off the network). A draft never sent is never made and
  counts nowhere.
- Response times start on receipt by the requested State (``receive``/``register``); where
  a node never learnt of the receipt of its outgoing request (off the network, an answer
  that did not say), they start on its sending, the nearest time it knows.
- The first decision is the first ``accept``, ``consult``, ``postpone``, ``refuse``,
  ``request-additional-information`` or ``order-preservation`` (Art. 40(16), (17), (24),
  (26), (27), 42(4)); execution is ``complete`` (Art. 40(25)) or, for a preservation,
  ``preserve`` (Art. 42(8)).
- A preservation is *confirmed* when the requesting State's follow-up MLA request was
  received and the preservation continued (``continue-preservation``, Art. 42(8)) no later
  than the end of the period of preservation as last set (``preserve`` or
  ``renew-preservation``, Art. 42(8)-(9)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from hanoi.convention import Catalogue
from hanoi.convention.sources import format_citation
from hanoi.cooperation.kinds import KindTrait, traits
from hanoi.cooperation.model import CooperationRequest, TransitionRecord, UrgencyLevel
from hanoi.cooperation.statuses import Side
from hanoi.cooperation.table import TransitionName
from hanoi.errors import NotFound
from hanoi.statistics.figures import Direction, Outcome

N = TransitionName


class Mark(StrEnum):
    """What a milestone records: an outcome (the values of :class:`Outcome`) or an
    extension of a preservation period (Art. 42(8)-(9))."""

    EXECUTED = Outcome.EXECUTED.value
    PARTIALLY_EXECUTED = Outcome.PARTIALLY_EXECUTED.value
    REFUSED = Outcome.REFUSED.value
    POSTPONED = Outcome.POSTPONED.value
    WITHDRAWN = Outcome.WITHDRAWN.value
    OPEN = Outcome.OPEN.value
    EXTENSION = "extension"


MARKS: Mapping[TransitionName, Mark] = MappingProxyType(
    {
        N.COMPLETE: Mark.EXECUTED,  # Art. 40(25)
        N.PRESERVE: Mark.EXECUTED,  # Art. 42(8): a preservation carried out
        N.EXECUTE_PARTIALLY: Mark.PARTIALLY_EXECUTED,  # Art. 40(25)
        N.RESUME_EXECUTION: Mark.OPEN,
        N.ACCEPT: Mark.OPEN,  # a postponed request taken up again (Art. 40(26))
        N.REFUSE: Mark.REFUSED,  # Art. 40(24)
        N.POSTPONE: Mark.POSTPONED,  # Art. 40(26)
        N.WITHDRAW: Mark.WITHDRAWN,  # Art. 40(25): the requesting State's own act
        N.CONFIRM_WITHDRAWAL: Mark.WITHDRAWN,
        N.RENEW_PRESERVATION: Mark.EXTENSION,  # Art. 42(9)
        N.CONTINUE_PRESERVATION: Mark.EXTENSION,  # Art. 42(8)
    }
)
"""The steps that change the outcome a request counts under, or extend a preservation. Any
other step (``close`` among them) leaves the outcome as it was."""

MADE = {
    Direction.OUTGOING: frozenset({N.SEND, N.DISPATCH}),
    Direction.INCOMING: frozenset({N.RECEIVE, N.REGISTER}),
}
RECEIPT = frozenset({N.RECEIVE, N.REGISTER})
FIRST_DECISION = frozenset(
    {
        N.ACCEPT,
        N.CONSULT,
        N.POSTPONE,
        N.REFUSE,
        N.REQUEST_ADDITIONAL_INFORMATION,
        N.ORDER_PRESERVATION,
    }
)
EXECUTION = frozenset({N.COMPLETE, N.PRESERVE})
PERIOD_SET = frozenset({N.PRESERVE, N.RENEW_PRESERVATION})
URGENT = frozenset({UrgencyLevel.URGENT.value, UrgencyLevel.EMERGENCY.value})
"""The urgency levels whose response times are also given in hours (Art. 40(14), 41)."""


@dataclass(frozen=True, slots=True)
class StepFact:
    """The members of a step the statistics read (from a record, or its stored JSON)."""

    sequence: int
    transition: TransitionName
    at: datetime
    grounds: tuple[str, ...] = ()
    until: datetime | None = None

    @classmethod
    def of(cls, record: TransitionRecord) -> StepFact:
        return cls(record.sequence, record.transition, record.at, record.grounds, record.until)


@dataclass(frozen=True, slots=True)
class Milestone:
    sequence: int
    at: datetime
    mark: Mark


@dataclass(frozen=True, slots=True)
class GroundFact:
    """One ground of a refusal: its catalogue key and the article providing for it."""

    sequence: int
    at: datetime
    ground: str
    article: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestFacts:
    request_id: str
    direction: Direction
    kind: str
    other_state: str
    channel: str
    urgency: str
    preservation: bool
    made_at: datetime | None
    received_at: datetime | None
    decided_at: datetime | None
    executed_at: datetime | None
    preserved_at: datetime | None
    preserved_until: datetime | None
    continued_at: datetime | None
    outcome: Outcome
    """The outcome now: that of the last milestone (open if none)."""
    outcome_at: datetime | None
    """When the outcome was last changed: before a period's end, it is the outcome then."""


def direction_of(side: Side) -> Direction:
    return Direction.OUTGOING if side is Side.REQUESTING else Direction.INCOMING


def _first(steps: Iterable[StepFact], names: frozenset[TransitionName]) -> datetime | None:
    return next((s.at for s in steps if s.transition in names), None)


def milestones(steps: Iterable[StepFact]) -> list[Milestone]:
    return [
        Milestone(s.sequence, s.at, MARKS[s.transition]) for s in steps if s.transition in MARKS
    ]


def ground_article(catalogue: Catalogue, ground: str) -> str:
    """The ground's own provision, e.g. ``40(21)(b)``: one article per ground, whatever the
    kind refused, so that the grounds of all States add up under the same key."""
    try:
        source = catalogue.refusal_ground(ground).source
    except NotFound:
        return "unknown"
    return format_citation(source, template="{article}{paragraph}")


def grounds(steps: Iterable[StepFact], catalogue: Catalogue) -> list[GroundFact]:
    return [
        GroundFact(s.sequence, s.at, ground, ground_article(catalogue, ground))
        for s in steps
        if s.transition is N.REFUSE
        for ground in dict.fromkeys(s.grounds)
    ]


def is_preservation(catalogue: Catalogue, kind: str) -> bool:
    try:
        return KindTrait.PRESERVATION in traits(catalogue.kind(kind))
    except NotFound:
        return False


def request_facts(
    *,
    request_id: str,
    side: Side,
    kind: str,
    other_state: str,
    channel: str,
    urgency: str,
    preservation: bool,
    steps: Sequence[StepFact],
) -> RequestFacts:
    """The facts of a request with ``steps`` (in sequence)."""
    direction = direction_of(side)
    made_at = _first(steps, MADE[direction])
    marks = [m for m in milestones(steps) if m.mark is not Mark.EXTENSION]
    set_until = [s.until for s in steps if s.transition in PERIOD_SET and s.until is not None]
    return RequestFacts(
        request_id=request_id,
        direction=direction,
        kind=kind,
        other_state=other_state,
        channel=channel,
        urgency=urgency,
        preservation=preservation,
        made_at=made_at,
        received_at=_first(steps, RECEIPT) or made_at,
        decided_at=_first(steps, FIRST_DECISION),
        executed_at=_first(steps, EXECUTION),
        preserved_at=_first(steps, frozenset({N.PRESERVE})),
        preserved_until=set_until[-1] if set_until else None,
        continued_at=_first(steps, frozenset({N.CONTINUE_PRESERVATION})),
        outcome=Outcome(marks[-1].mark.value) if marks else Outcome.OPEN,
        outcome_at=marks[-1].at if marks else None,
    )


def facts_of(request: CooperationRequest, side: Side, catalogue: Catalogue) -> RequestFacts:
    """The facts of a request as this node holds it (``side`` is this node's)."""
    return request_facts(
        request_id=request.id,
        side=side,
        kind=request.kind,
        other_state=request.party(side.other).state,
        channel=request.route.value,
        urgency=request.urgency.level.value,
        preservation=is_preservation(catalogue, request.kind),
        steps=[StepFact.of(r) for r in request.history],
    )
