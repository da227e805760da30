"""The rules of expedited preservation between States (Art. 42). Pure.

- The requested State orders preservation (Art. 42(4)) and keeps the data for a
  period at least as long as the catalogue's ``preservation`` period (60 days,
  Art. 42(8)), counted from the order. The number of days comes from the
  catalogue, never from this code.
- Once the MLA request that follows it is received, the data stay preserved
  pending a decision on that request (Art. 42(8)): the preservation is continued
  ("extended"), and its period no longer runs.
- It is released when the period has run out without a follow-up, or once the
  follow-up has been decided.

These functions check the requirements of the preservation rows of the
transition table; :mod:`hanoi.cooperation.deadlines` computes the same period.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hanoi.convention import Catalogue, Period, RequestKind
from hanoi.cooperation.errors import WorkflowViolation
from hanoi.cooperation.kinds import KindTrait, preservation_period, traits
from hanoi.cooperation.model import CooperationRequest, Link, Relation
from hanoi.cooperation.statuses import DECIDED, Status
from hanoi.cooperation.steps import Step
from hanoi.cooperation.table import Requirement


def period_of(kind: RequestKind) -> Period:
    period = preservation_period(kind)
    if period is None:
        raise WorkflowViolation(f"a {kind.key!r} request has no preservation period")
    return period


def earliest_end(request: CooperationRequest, kind: RequestKind) -> datetime | None:
    """The earliest end of the preservation: the order plus the minimum period."""
    ordered = request.reached(Status.ORDERED)
    return None if ordered is None else ordered + timedelta(days=period_of(kind).days)


def period_end(request: CooperationRequest, kind: RequestKind) -> datetime | None:
    """When the preservation ends unless continued: the date set, or the earliest end."""
    return request.preserved_until or earliest_end(request, kind)


def check_end(step: Step) -> None:
    """PRESERVATION_END: a date at least the minimum period after the order (Art. 42(8))."""
    if step.until is None:
        raise step.missing("until", "the date until which the data are preserved")
    earliest = earliest_end(step.request, step.kind)
    days = period_of(step.kind).days
    if earliest is not None and step.until < earliest:
        raise step.missing(
            "until",
            f"an end at least {days} days after the order, on or after {earliest.isoformat()}",
        )
    current = step.request.preserved_until
    if current is not None and step.until <= current:
        raise step.missing("until", f"an end later than the current one, {current.isoformat()}")


def is_follow_up(
    follow_up: CooperationRequest, preservation: CooperationRequest, catalogue: Catalogue
) -> bool:
    """Whether ``follow_up`` is an MLA request between the same States that seeks the
    data ``preservation`` keeps (Art. 42(1))."""
    return (
        follow_up.id != preservation.id
        and KindTrait.MLA in traits(catalogue.kind(follow_up.kind))
        and follow_up.requesting_state == preservation.requesting_state
        and follow_up.requested_state == preservation.requested_state
        and any(
            link.request_id == preservation.id
            for link in follow_up.linked(Relation.FOLLOWS_PRESERVATION)
        )
    )


def follow_up_received(follow_up: CooperationRequest) -> bool:
    return follow_up.reached(Status.RECEIVED) is not None


def check_follow_up(step: Step) -> None:
    """FOLLOW_UP_RECEIVED: the MLA request that follows has been received (Art. 42(8))."""
    follow_up = step.follow_up
    if follow_up is None:
        raise step.missing("follow_up", "the MLA request that follows the preservation")
    if not is_follow_up(follow_up, step.request, step.catalogue):
        raise step.missing(
            "follow_up",
            "an MLA request between the same States that links to this preservation request",
        )
    received = follow_up.reached(Status.RECEIVED)
    if received is None or received > step.at:
        raise step.missing("follow_up", "the follow-up MLA request to have been received")


def check_may_end(step: Step) -> None:
    """PRESERVATION_MAY_END: the period is over with no follow-up, or the follow-up is
    decided (Art. 42(8))."""
    request = step.request
    if request.status is Status.EXTENDED:
        follow_up = step.follow_up
        linked = {link.request_id for link in request.linked(Relation.FOLLOWED_BY)}
        if follow_up is None or follow_up.id not in linked:
            raise step.missing("follow_up", "the follow-up MLA request, to show its decision")
        if follow_up.status not in DECIDED or follow_up.last_at > step.at:
            raise step.missing(
                "follow_up",
                f"a decision on the follow-up MLA request, which is {follow_up.status.value!r}",
            )
        return
    if request.linked(Relation.FOLLOWED_BY):
        raise step.missing("follow_up", "the preservation continued pending the follow-up")
    end = period_end(request, step.kind)
    if end is not None and step.at < end:
        raise step.missing("until", f"the end of the period, {end.isoformat()}")


def links_after(step: Step) -> tuple[Link, ...]:
    """The request's links after the step: continuation records its follow-up."""
    links = step.request.links
    if Requirement.FOLLOW_UP_RECEIVED not in step.row.requires or step.follow_up is None:
        return links
    known = {(link.relation, link.request_id) for link in links}
    if (Relation.FOLLOWED_BY, step.follow_up.id) in known:
        return links
    return (*links, Link(relation=Relation.FOLLOWED_BY, request_id=step.follow_up.id))
