"""The court report as data: its verdict over the packages, and the custody timeline's order."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hanoi.cooperation import CooperationRequest, Side, Status
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.reports.court import (
    Certifier,
    CourtReport,
    Direction,
    ItemEntry,
    LoggedStep,
    Origin,
    Outcome,
    PackageCheck,
    PackageEntry,
    Verdict,
    assemble,
    build_timeline,
    verdict_of,
)
from unit.cooperation.builders import STEP, T0, acknowledged
from unit.cooperation.builders import N as Step

EGY_LOG = "hanoi.node/egy/log"
VNM_LOG = "hanoi.node/vnm/log"
DIGEST = "ab" * 32
CERTIFIER = Certifier(name="samir", title="Prosecutor", authority="Central authority", state="EGY")


def request() -> CooperationRequest:
    return acknowledged("mla-stored-data").request


def event(
    action: CustodyAction,
    at: datetime,
    *,
    node: str = "EGY",
    digest: str | None = DIGEST,
    request_id: str = "EGY-2026-mla-stored-data",
    **unknown: object,
) -> CustodyEvent:
    return CustodyEvent(
        action=action,
        time=at,
        node=node,
        officer="lan",
        request_id=request_id,
        article="Art. 40(17)",
        evidence_sha256=digest,
        unknown=unknown,
    )


def package(
    outcome: Outcome, *, package_id: str = "a" * 32, reason: str | None = None, minutes: int = 0
) -> PackageEntry:
    return PackageEntry(
        id=package_id,
        direction=Direction.RECEIVED,
        peer="VNM",
        sha256="c" * 64,
        size=1000,
        transfer_status="accepted",
        created_at=T0 + timedelta(minutes=minutes),
        items=(ItemEntry(name="mailbox.mbox", size=10, sha256=DIGEST),),
        check=PackageCheck(outcome=outcome, reason=reason),
    )


def report(*packages: PackageEntry, logged: tuple[LoggedStep, ...] = ()) -> CourtReport:
    req = request()
    return assemble(
        request=req,
        side=Side.REQUESTING,
        node_state="EGY",
        generated_at=T0 + timedelta(days=1),
        certifier=CERTIFIER,
        files=[],
        acquisitions={},
        links=[],
        packages=packages,
        logged=logged,
        proven=[],
        checkpoints=[],
    )


# --- the verdict ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "verdict"),
    [
        ((), Verdict.NO_PACKAGES),
        ((Outcome.VERIFIED,), Verdict.VERIFIED),
        ((Outcome.VERIFIED, Outcome.VERIFIED), Verdict.VERIFIED),
        ((Outcome.VERIFIED, Outcome.NOT_RECEIVED), Verdict.INCOMPLETE),
        ((Outcome.VERIFIED, Outcome.FAILED), Verdict.FAILED),
        ((Outcome.NOT_RECEIVED, Outcome.FAILED), Verdict.FAILED),
    ],
)
def test_one_failed_package_fails_the_whole_report(
    outcomes: tuple[Outcome, ...], verdict: Verdict
) -> None:
    assert verdict_of(outcomes) is verdict


def test_the_verdict_line_says_verified_and_counts_the_packages() -> None:
    found = report(package(Outcome.VERIFIED), package(Outcome.VERIFIED, package_id="b" * 32))
    assert found.verdict is Verdict.VERIFIED
    assert found.verdict_text() == "VERIFIED: 2 evidence package(s) verified again"


def test_a_failed_package_gives_a_report_that_says_so_with_the_reason() -> None:
    reason = "data/mailbox.mbox.age: SHA-256 does not match manifest-sha256.txt (altered)"
    found = report(
        package(Outcome.VERIFIED),
        package(Outcome.FAILED, package_id="b" * 32, reason=reason, minutes=5),
    )
    assert found.verdict is Verdict.FAILED
    assert found.verdict_text() == (
        f"VERIFICATION FAILED: 1 of 2 package(s); package {'b' * 32}: {reason}"
    )


def test_a_package_not_received_in_full_makes_the_report_incomplete() -> None:
    found = report(package(Outcome.VERIFIED), package(Outcome.NOT_RECEIVED, package_id="b" * 32))
    assert found.verdict_text() == (
        "INCOMPLETE: 1 of 2 package(s) not received in full; 1 verified again"
    )


def test_a_request_without_packages_says_there_is_nothing_to_verify() -> None:
    assert report().verdict_text().startswith("NO PACKAGES:")


def test_packages_are_listed_oldest_first() -> None:
    late = package(Outcome.VERIFIED, package_id="b" * 32, minutes=10)
    early = package(Outcome.VERIFIED, package_id="c" * 32, minutes=1)
    assert [p.id for p in report(late, early).packages] == ["c" * 32, "b" * 32]


def test_key_dates_are_the_statuses_reached_in_order() -> None:
    dates = report().key_dates
    assert [status for status, _ in dates] == [
        Status.APPROVED,
        Status.SENT,
        Status.RECEIVED,
        Status.ACKNOWLEDGED,
    ]
    assert [at for _, at in dates] == sorted(at for _, at in dates)


# --- the timeline -----------------------------------------------------------------------


def test_the_timeline_is_oldest_first_across_steps_this_log_and_packages() -> None:
    req = request()
    after = req.history[-1].at
    collected = LoggedStep(
        event=event(CustodyAction.COLLECTED, after + STEP, node="VNM"), log_origin=VNM_LOG, index=9
    )
    received = LoggedStep(
        event=event(CustodyAction.RECEIVED, after + 3 * STEP), log_origin=EGY_LOG, index=6
    )
    exported = LoggedStep(
        event=event(CustodyAction.EXPORTED, after + 2 * STEP, node="VNM"),
        log_origin=VNM_LOG,
        index=11,
    )
    timeline = build_timeline(req.history, logged=[received], proven=[exported, collected])
    assert [(e.origin, e.action) for e in timeline] == [
        (Origin.STEP, Step.APPROVE.value),
        (Origin.STEP, Step.SEND.value),
        (Origin.STEP, Step.RECEIVE.value),
        (Origin.STEP, Step.ACKNOWLEDGE.value),
        (Origin.PACKAGE, "collected"),
        (Origin.PACKAGE, "exported"),
        (Origin.LOG, "received"),
    ]
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)


def test_at_the_same_moment_steps_come_first_then_this_log_then_packages() -> None:
    req = request()
    moment = req.history[-1].at
    mine = LoggedStep(event=event(CustodyAction.RECEIVED, moment), log_origin=EGY_LOG, index=4)
    theirs = [
        LoggedStep(
            event=event(CustodyAction.COLLECTED, moment, node="VNM"), log_origin=VNM_LOG, index=i
        )
        for i in (8, 3)
    ]
    timeline = build_timeline(req.history[-1:], logged=[mine], proven=theirs)
    assert [(e.origin, e.log_index) for e in timeline] == [
        (Origin.STEP, None),
        (Origin.LOG, 4),
        (Origin.PACKAGE, 3),
        (Origin.PACKAGE, 8),
    ]


def test_a_logged_step_shows_once_with_its_log_entry() -> None:
    req = request()
    record = req.history[1]
    step_event = event(
        CustodyAction.REQUEST_STEP,
        record.at,
        digest=None,
        node=record.state,
        step=record.transition.value,
        sequence=record.sequence,
    )
    logged = LoggedStep(event=step_event, log_origin=EGY_LOG, index=2)
    timeline = build_timeline(req.history, logged=[logged])
    assert len(timeline) == len(req.history)
    [shown] = [e for e in timeline if e.order == record.sequence]
    assert (shown.origin, shown.log_origin, shown.log_index) == (Origin.STEP, EGY_LOG, 2)
    assert (shown.from_status, shown.to_status) == (record.from_status, record.to_status)
    assert shown.officer == record.officer


def test_an_event_seen_in_this_log_and_in_a_package_counts_once() -> None:
    req = request()
    same = LoggedStep(
        event=event(CustodyAction.COLLECTED, req.history[-1].at + STEP),
        log_origin=EGY_LOG,
        index=5,
    )
    timeline = build_timeline((), logged=[same], proven=[same])
    assert [(e.origin, e.log_index) for e in timeline] == [(Origin.LOG, 5)]


def test_the_nodes_messages_are_not_repeated_beside_the_steps_they_carried() -> None:
    req = request()
    moment = req.history[-1].at
    message = {"message_id": "m" * 32, "message_type": "step", "message_sha256": "d" * 64}
    received = LoggedStep(
        event=event(CustodyAction.RECEIVED, moment, digest=None, **message, sender="VNM"),
        log_origin=EGY_LOG,
        index=6,
    )
    sent = LoggedStep(
        event=event(CustodyAction.SENT, moment, digest=None, **message, recipient="VNM"),
        log_origin=EGY_LOG,
        index=3,
    )
    created = LoggedStep(
        event=event(CustodyAction.CREATED, req.created_at, digest=None), log_origin=EGY_LOG, index=0
    )
    timeline = build_timeline(req.history, logged=[received, sent, created])
    assert [e.log_index for e in timeline if e.origin is Origin.LOG] == [0]
    assert len(timeline) == len(req.history) + 1
