"""The facts a request's figures read, derived from its steps: when it was made, received,
decided and executed, the outcome each step leaves it under, its refusal grounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hanoi.convention import default_catalogue
from hanoi.cooperation.statuses import Side
from hanoi.cooperation.table import TransitionName
from hanoi.statistics.facts import RequestFacts, StepFact, grounds, milestones, request_facts
from hanoi.statistics.figures import Direction, Outcome

N = TransitionName
T = datetime(2026, 3, 2, 9, tzinfo=UTC)
H = timedelta(hours=1)


def steps(*names: TransitionName, grounds_: tuple[str, ...] = ()) -> list[StepFact]:
    return [
        StepFact(i, name, T + i * H, grounds_ if name is N.REFUSE else ())
        for i, name in enumerate(names, start=1)
    ]


def facts(side: Side, found: list[StepFact]) -> RequestFacts:
    return request_facts(
        request_id="R",
        side=side,
        kind="mla-stored-data",
        other_state="VNM",
        channel="hanoi",
        urgency="routine",
        preservation=False,
        steps=found,
    )


def test_a_draft_never_sent_is_never_made() -> None:
    found = facts(Side.REQUESTING, steps(N.SUBMIT, N.APPROVE, N.ABANDON))
    assert found.made_at is None
    assert found.outcome is Outcome.OPEN


def test_made_when_sent_outgoing_and_when_received_incoming() -> None:
    history = steps(N.APPROVE, N.SEND, N.RECEIVE, N.ACKNOWLEDGE, N.ACCEPT, N.COMPLETE, N.CLOSE)
    outgoing, incoming = facts(Side.REQUESTING, history), facts(Side.REQUESTED, history)
    assert outgoing.direction is Direction.OUTGOING
    assert incoming.direction is Direction.INCOMING
    assert outgoing.made_at == T + 2 * H
    assert incoming.made_at == outgoing.received_at == incoming.received_at == T + 3 * H
    assert outgoing.decided_at == T + 5 * H  # acknowledging is no decision
    assert outgoing.executed_at == T + 6 * H
    assert (outgoing.outcome, outgoing.outcome_at) == (
        Outcome.EXECUTED,
        T + 6 * H,
    )  # close keeps it


def test_an_outgoing_request_whose_receipt_is_unknown_is_timed_from_its_sending() -> None:
    found = facts(Side.REQUESTING, steps(N.APPROVE, N.DISPATCH, N.ACKNOWLEDGE, N.ACCEPT))
    assert found.received_at == found.made_at == T + 2 * H


def test_a_postponed_request_taken_up_again_is_open_then_executed() -> None:
    history = steps(N.RECEIVE, N.ACKNOWLEDGE, N.CONSULT, N.POSTPONE, N.ACCEPT, N.COMPLETE)
    marks = [(m.sequence, m.mark.value) for m in milestones(history)]
    assert marks == [(4, "postponed"), (5, "open"), (6, "executed")]


def test_refusal_grounds_with_their_own_articles() -> None:
    history = steps(N.RECEIVE, N.ACKNOWLEDGE, N.CONSULT, N.REFUSE,
                    grounds_=("essential-interests", "absence-of-dual-criminality"))  # fmt: skip
    found = grounds(history, default_catalogue())
    assert [(g.ground, g.article) for g in found] == [
        ("essential-interests", "40(21)(b)"),
        ("absence-of-dual-criminality", found[1].article),
    ]
    assert found[1].article[:2].isdigit()
    assert facts(Side.REQUESTED, history).outcome is Outcome.REFUSED


def test_a_preservation_renewed_then_continued() -> None:
    until, later = T + timedelta(days=90), T + timedelta(days=120)
    history = [
        StepFact(1, N.RECEIVE, T),
        StepFact(2, N.ACKNOWLEDGE, T + H),
        StepFact(3, N.ORDER_PRESERVATION, T + 2 * H),
        StepFact(4, N.PRESERVE, T + 3 * H, until=until),
        StepFact(5, N.RENEW_PRESERVATION, T + timedelta(days=80), until=later),
        StepFact(6, N.CONTINUE_PRESERVATION, T + timedelta(days=100)),
    ]
    found = facts(Side.REQUESTED, history)
    assert (found.preserved_at, found.preserved_until) == (T + 3 * H, later)
    assert found.continued_at == T + timedelta(days=100)
    assert found.decided_at == T + 2 * H
    assert [m.mark.value for m in milestones(history)] == ["executed", "extension", "extension"]
    assert found.outcome is Outcome.EXECUTED
