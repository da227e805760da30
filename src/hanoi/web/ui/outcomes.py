"""What the top of a request page says: the decision that shaped the case, who must act
next, how long the data stay preserved, and the confirmation after a step.

Pure presentation: each function reads the request (its history, replayed by the
cooperation core) and returns labels from the catalogues; no rule is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from hanoi.convention import Catalogue, RequestKind
from hanoi.cooperation import Side, Status, TransitionName, allowed_transitions
from hanoi.cooperation.model import CooperationRequest, TransitionRecord
from hanoi.cooperation.statuses import BEFORE_HANDOVER
from hanoi.cooperation.table import expected_step
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.messages import N_, Message

T = TransitionName

DECISIONS: dict[TransitionName, Message] = {
    T.REFUSE: N_("Refused"),
    T.POSTPONE: N_("Postponed"),
    T.EXECUTE_PARTIALLY: N_("Partially executed"),
    T.CONFIRM_WITHDRAWAL: N_("Withdrawn"),
    T.RELEASE_PRESERVATION: N_("Preserved data released"),
    T.ACCEPT: N_("Accepted on conditions"),
}
"""Decisions shown first on the request page, while they stand (the latest decision)."""

LATER_DECISIONS = frozenset(
    {*DECISIONS, T.COMPLETE, T.RESUME_EXECUTION, T.ORDER_PRESERVATION, T.PRESERVE}
)

WAITING_FOR_SUPERVISOR = N_("Waiting for a supervisor of the authority to approve it.")
WAITING_FOR_OTHER = N_("Waiting for %(state)s to take the next step.")
NOT_YOUR_ROLE = N_("Your role takes no step on this request now.")
CLOSED = N_("The request is closed: no step remains.")
NOTHING_NOW = N_("This State has no step to take now.")

DESIRED_EXPLAINED: dict[Status, Message] = {
    Status.ADDITIONAL_INFORMATION_PROVIDED: N_(
        "The requesting State has provided the additional information; the requested "
        "State has yet to record it."
    ),
    Status.IN_EXECUTION: N_(
        "The requesting State has agreed to the conditions; the requested State has yet "
        "to accept the request on them."
    ),
    Status.WITHDRAWN: N_(
        "The requesting State has withdrawn the request; the requested State has yet to "
        "confirm the withdrawal."
    ),
    Status.CONSULTATION: N_(
        "The requesting State has proposed other terms; the requested State has yet to answer them."
    ),
}
"""What a desired status means, in a sentence (``asked for: ...`` told nobody anything)."""

DONE: dict[TransitionName, Message] = {
    T.SUBMIT: N_(
        "Submitted for approval. The supervisors of the authority now find it among "
        "the drafts awaiting their approval."
    ),
    T.APPROVE: N_("Approved. The next step is to send it."),
    T.RETURN_TO_DRAFT: N_("Returned to draft, with your comments for the officer."),
    T.SEND: N_("Sent to %(state)s."),
}
STEP_DONE = N_("Step taken: %(step)s. The request is now: %(status)s.")
COLLEAGUE_ADDED = N_("%(name)s is now on the case team.")


@dataclass(frozen=True, slots=True)
class Outcome:
    """The decision at the top of the page: what, when, by which State, on which
    grounds (each with its article) and for which reasons."""

    label: Message
    record: TransitionRecord
    grounds: tuple[tuple[str, str], ...]
    """(label, citation) of each ground for refusal, in the reader's language."""


def outcome(
    request: CooperationRequest, kind: RequestKind, catalogue: Catalogue, fmt: LocaleFormat
) -> Outcome | None:
    """The latest decision, if it is one the reader must see first: a refusal, a
    postponement, a partial execution, a withdrawal, a release, or an acceptance on
    conditions set by the requested State."""
    latest = next((r for r in reversed(request.history) if r.transition in LATER_DECISIONS), None)
    if latest is None or latest.transition not in DECISIONS:
        return None
    if latest.transition is T.ACCEPT and not any(
        c.imposed_by is Side.REQUESTED for c in request.conditions
    ):
        return None
    sources = {applied.key: applied.source for applied in kind.refusal_grounds}
    grounds = tuple(
        (
            fmt.label(catalogue.refusal_ground(key).label_key),
            catalogue.cite(sources[key], fmt.language) if key in sources else "",
        )
        for key in latest.grounds
    )
    return Outcome(label=DECISIONS[latest.transition], record=latest, grounds=grounds)


def waiting(request: CooperationRequest, side: Side, catalogue: Catalogue) -> Message:
    """Who must act, for a reader who has no expected step to take (shown above any
    other step they may take, such as withdrawing)."""
    if request.status is Status.CLOSED:
        return CLOSED
    if request.status is Status.SUBMITTED and side is Side.REQUESTING:
        return WAITING_FOR_SUPERVISOR
    if _expected_for(request, side, catalogue):
        return NOT_YOUR_ROLE
    if request.status not in BEFORE_HANDOVER and _expected_for(request, side.other, catalogue):
        return WAITING_FOR_OTHER
    return NOTHING_NOW


def _expected_for(request: CooperationRequest, side: Side, catalogue: Catalogue) -> bool:
    possible = allowed_transitions(request, side=side, catalogue=catalogue)
    return expected_step(request.status, possible) is not None


def last_day(moment: datetime) -> date:
    """The day a deadline entered as a day falls on. Such deadlines are kept as the end
    of the day (midnight UTC after it), so they read as the day that was entered, in
    every time zone: 15 January, not "16 January, 00:00"."""
    utc = moment.astimezone(UTC)
    if utc.time() == time():
        return (utc - timedelta(days=1)).date()
    return utc.date()


@dataclass(frozen=True, slots=True)
class Preservation:
    """How long the data of a preservation request stay preserved (Art. 42(8)-(9))."""

    until: date | None
    """The last day of the period; None while extended pending the follow-up request."""
    left: timedelta | None
    ended: bool


PRESERVING = frozenset({Status.ORDERED, Status.ACTIVE, Status.EXTENDED})


def preservation(request: CooperationRequest, now: datetime) -> Preservation | None:
    """The period of a request whose data are (or were) preserved; None for others."""
    end = request.preserved_until
    if request.status not in PRESERVING and end is None:
        return None
    if request.status is Status.EXTENDED:
        return Preservation(until=None, left=None, ended=False)
    if end is None:
        return None
    return Preservation(until=last_day(end), left=end - now, ended=request.status not in PRESERVING)
