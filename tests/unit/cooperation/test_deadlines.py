"""Deadlines fire at the right times: the preservation period, its reminder, the 24/7 levels."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hanoi.cooperation import (
    Due,
    DueRule,
    DueState,
    KindTrait,
    ServiceLevels,
    Side,
    Status,
    Urgency,
    UrgencyLevel,
    due,
    traits,
)
from hanoi.cooperation.kinds import is_point_of_contact
from hanoi.errors import InvalidInput
from unit.cooperation.builders import (
    CATALOGUE,
    KINDS,
    T0,
    N,
    Walk,
    acknowledged,
    complete_contents,
    draft,
    follow_up_for,
    preservation_days,
)

SECOND = timedelta(seconds=1)
LEVELS = ServiceLevels()
PRESERVATION = next(k for k in KINDS if KindTrait.PRESERVATION in traits(CATALOGUE.kind(k)))
POINT_OF_CONTACT_KIND = next(k for k in KINDS if is_point_of_contact(CATALOGUE.kind(k).channel))
CENTRAL_AUTHORITY_MLA = "mla-stored-data"


def of_rule(found: list[Due], rule: DueRule) -> list[Due]:
    return [d for d in found if d.rule is rule]


def preserved() -> tuple[Walk, datetime]:
    walk = acknowledged(PRESERVATION).take(N.ORDER_PRESERVATION)
    order = walk.at
    walk.take(N.PRESERVE, until=order + preservation_days(PRESERVATION))
    return walk, order


def test_the_preservation_period_ends_exactly_on_its_last_moment() -> None:
    walk, order = preserved()
    end = order + preservation_days(PRESERVATION)
    assert due([walk.request], now=end - LEVELS.preservation_reminder - SECOND) == []
    [soon] = due([walk.request], now=end - SECOND)
    assert soon.rule is DueRule.PRESERVATION_PERIOD
    assert soon.state is DueState.DUE_SOON
    assert soon.time_left == SECOND
    assert soon.side is Side.REQUESTING
    assert soon.article == "Art. 42(8)"
    [over] = due([walk.request], now=end)
    assert over.state is DueState.OVERDUE
    assert over.time_left == timedelta(0)
    assert due([walk.request], now=end + timedelta(days=3))[0].time_left == -timedelta(days=3)


def test_a_running_period_is_listed_only_when_asked_for_counting_down() -> None:
    walk, order = preserved()
    end = order + preservation_days(PRESERVATION)
    day_one = order + timedelta(days=1)
    assert due([walk.request], now=day_one) == []
    [running] = due([walk.request], now=day_one, running=True)
    assert running.state is DueState.RUNNING
    assert running.time_left == end - day_one
    assert running.rule is DueRule.PRESERVATION_PERIOD
    [soon] = due([walk.request], now=end - SECOND, running=True)
    assert soon.state is DueState.DUE_SOON


@pytest.mark.parametrize("lead", [timedelta(days=1), timedelta(days=14), timedelta(days=30)])
def test_the_reminder_comes_the_configured_lead_time_before_the_end(lead: timedelta) -> None:
    walk, order = preserved()
    end = order + preservation_days(PRESERVATION)
    levels = ServiceLevels(preservation_reminder=lead)
    assert due([walk.request], now=end - lead - SECOND, levels=levels) == []
    [reminder] = due([walk.request], now=end - lead, levels=levels)
    assert reminder.state is DueState.DUE_SOON
    assert reminder.due_at == end
    assert reminder.time_left == lead


def test_an_ordered_preservation_runs_from_the_order() -> None:
    walk = acknowledged(PRESERVATION).take(N.ORDER_PRESERVATION)
    end = walk.at + preservation_days(PRESERVATION)
    [over] = due([walk.request], now=end)
    assert over.due_at == end
    assert over.state is DueState.OVERDUE


def test_the_period_stops_when_the_follow_up_is_received() -> None:
    walk, order = preserved()
    end = order + preservation_days(PRESERVATION)
    mla = follow_up_for(walk.request, at=walk.at)
    found = due([walk.request, mla.request], now=end)
    assert of_rule(found, DueRule.PRESERVATION_PERIOD) == []
    sent = Walk(draft("mla-stored-data", id="sent-only", links=mla.request.links, at=walk.at))
    sent.at = walk.at
    sent.steps(N.APPROVE, N.SEND)
    assert of_rule(due([walk.request, sent.request], now=end), DueRule.PRESERVATION_PERIOD)
    walk.take(N.CONTINUE_PRESERVATION, follow_up=mla.request, at=mla.at)
    assert walk.status is Status.EXTENDED
    assert due([walk.request], now=end + timedelta(days=365)) == []


def test_a_24_7_request_is_acknowledged_within_the_hour() -> None:
    walk = Walk(draft(POINT_OF_CONTACT_KIND)).steps(N.APPROVE, N.SEND, N.RECEIVE)
    received = walk.at
    limit = received + LEVELS.acknowledge_point_of_contact
    warn = limit - LEVELS.acknowledgement_warning
    assert (
        of_rule(due([walk.request], now=warn - SECOND), DueRule.ACKNOWLEDGE_POINT_OF_CONTACT) == []
    )
    [soon] = due([walk.request], now=warn)
    assert soon.rule is DueRule.ACKNOWLEDGE_POINT_OF_CONTACT
    assert soon.state is DueState.DUE_SOON
    assert soon.side is Side.REQUESTED
    assert soon.article == "Art. 41(1)"
    assert soon.due_at == received + timedelta(hours=1)
    [over] = due([walk.request], now=limit)
    assert over.state is DueState.OVERDUE
    walk.take(N.ACKNOWLEDGE, at=limit + SECOND)
    assert due([walk.request], now=limit + timedelta(hours=5)) == []


def test_a_sent_24_7_request_counts_from_sending() -> None:
    walk = Walk(draft(POINT_OF_CONTACT_KIND)).steps(N.APPROVE, N.SEND)
    [over] = due([walk.request], now=walk.at + timedelta(hours=1))
    assert over.due_at == walk.at + timedelta(hours=1)


def test_a_central_authority_request_has_no_acknowledgement_level() -> None:
    walk = Walk(draft(CENTRAL_AUTHORITY_MLA)).steps(N.APPROVE, N.SEND, N.RECEIVE)
    found = due([walk.request], now=walk.at + timedelta(days=30))
    assert [d.rule for d in found] == [DueRule.SUGGESTED_DEADLINE]


def test_an_emergency_is_acknowledged_within_the_node_s_level() -> None:
    emergency = Urgency(level=UrgencyLevel.EMERGENCY, reasons="a child is at risk")
    walk = Walk(draft(CENTRAL_AUTHORITY_MLA, urgency=emergency)).steps(N.APPROVE, N.SEND, N.RECEIVE)
    levels = ServiceLevels(
        acknowledge_emergency=timedelta(minutes=20), acknowledgement_warning=timedelta(minutes=5)
    )
    received, rule = walk.at, DueRule.ACKNOWLEDGE_EMERGENCY
    early = due([walk.request], now=received + timedelta(minutes=15) - SECOND, levels=levels)
    assert of_rule(early, rule) == []
    [soon] = of_rule(due([walk.request], now=received + timedelta(minutes=15), levels=levels), rule)
    assert soon.state is DueState.DUE_SOON
    assert soon.article == "Art. 41(3)(e)"
    [over] = of_rule(due([walk.request], now=received + timedelta(minutes=20), levels=levels), rule)
    assert over.state is DueState.OVERDUE


def test_an_emergency_over_the_24_7_channel_has_both_levels() -> None:
    emergency = Urgency(level=UrgencyLevel.EMERGENCY, reasons="imminent risk to life")
    walk = Walk(draft(POINT_OF_CONTACT_KIND, urgency=emergency)).steps(N.APPROVE, N.SEND)
    found = due([walk.request], now=walk.at + timedelta(hours=1))
    assert {d.rule for d in found} == {
        DueRule.ACKNOWLEDGE_POINT_OF_CONTACT,
        DueRule.ACKNOWLEDGE_EMERGENCY,
    }


def test_the_suggested_deadline_is_the_end_of_its_day() -> None:
    contents = complete_contents(CATALOGUE.kind(CENTRAL_AUTHORITY_MLA))
    contents["suggested-deadline"] = "2026-04-10"
    contents["deadline-reasons"] = "trial opens on 12 April"
    walk = Walk(draft(CENTRAL_AUTHORITY_MLA, contents=contents))
    deadline = walk.request.suggested_deadline
    assert deadline is not None
    assert deadline.by == date(2026, 4, 10)
    [before_sending] = due([walk.request], now=deadline.due_at - SECOND)
    assert before_sending.side is Side.REQUESTING
    walk.steps(N.APPROVE, N.SEND, N.RECEIVE, N.ACKNOWLEDGE, N.ACCEPT)
    lead = LEVELS.suggested_deadline_warning
    assert due([walk.request], now=deadline.due_at - lead - SECOND) == []
    [soon] = due([walk.request], now=deadline.due_at - lead)
    assert (soon.rule, soon.side, soon.article) == (
        DueRule.SUGGESTED_DEADLINE,
        Side.REQUESTED,
        "Art. 40(25)",
    )
    [over] = due([walk.request], now=deadline.due_at)
    assert over.state is DueState.OVERDUE
    walk.take(N.COMPLETE)
    assert due([walk.request], now=deadline.due_at) == []


def test_due_lists_the_soonest_first() -> None:
    late, _ = preserved()
    urgent = Walk(draft(POINT_OF_CONTACT_KIND, id="urgent-one")).steps(N.APPROVE, N.SEND)
    found = due([late.request, urgent.request], now=T0 + timedelta(days=365))
    assert [d.due_at for d in found] == sorted(d.due_at for d in found)
    assert found[0].request_id == "urgent-one"


@pytest.mark.parametrize(
    "changes",
    [
        {"acknowledge_point_of_contact": timedelta(0)},
        {"acknowledge_emergency": -timedelta(minutes=1)},
        {"preservation_reminder": timedelta(0)},
    ],
)
def test_service_levels_are_positive(changes: dict[str, timedelta]) -> None:
    with pytest.raises(InvalidInput):
        ServiceLevels(**changes)


def test_now_is_timezone_aware() -> None:
    with pytest.raises(InvalidInput):
        due([], now=T0.replace(tzinfo=None))


PRESERVED, ORDER = preserved()


@settings(max_examples=300, deadline=None)
@given(
    seconds_before_end=st.integers(min_value=-(10**7), max_value=10**7),
    lead_hours=st.integers(min_value=1, max_value=24 * 60),
)
def test_the_state_follows_the_time_left(seconds_before_end: int, lead_hours: int) -> None:
    end = ORDER + preservation_days(PRESERVATION)
    lead = timedelta(hours=lead_hours)
    now = end - timedelta(seconds=seconds_before_end)
    found = due([PRESERVED.request], now=now, levels=ServiceLevels(preservation_reminder=lead))
    left = end - now
    if left > lead:
        assert found == []
        return
    [item] = found
    assert item.time_left == left
    assert item.state is (DueState.OVERDUE if left <= timedelta(0) else DueState.DUE_SOON)
