"""The outcome of an evidence package, told to its sender: the message, the bound on its
report, and the rules the sending node applies (with an in-memory store: no I/O)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from hanoi.clock import FixedClock
from hanoi.cooperation.ports import Outgoing
from hanoi.errors import Conflict, IntegrityError, InvalidInput, NotFound, RuleViolation
from hanoi.federation.envelope import VerifiedMessage
from hanoi.federation.errors import MalformedMessage
from hanoi.federation.messages import (
    Message,
    MessageType,
    canonical_json,
    format_time,
    message_from_json,
    new_message_id,
)
from hanoi.federation.outcomes import (
    MAX_REPORT_BYTES,
    PackageOutcomes,
    bounded_report,
    outcome_message,
)
from hanoi.federation.ports import PackageStatus, PeerOutcome
from unit.federation.support import NOW

PACKAGE = "a" * 32
DIGEST = "b" * 64


@dataclass(frozen=True)
class Row:
    id: str
    request_id: str
    direction: str
    peer: str
    sha256: str
    status: str
    report: str | None = None
    error: str | None = None
    peer_report: str | None = None
    peer_outcome_at: datetime | None = None


class MemoryStore:
    """The outcome store's contract, in memory (``TransfersRepository`` in SQL)."""

    def __init__(self, *rows: Row) -> None:
        self.rows = {r.id: r for r in rows}
        self.outbox: list[Outgoing] = []

    def get(self, package_id: str) -> Row | None:
        return self.rows.get(package_id)

    def conclude(
        self,
        package_id: str,
        *,
        status: str,
        received: int,
        error: str | None,
        report: str | None,
        attempts: int | None,
        now: datetime,
        announce: Outgoing,
        reason: object = None,
    ) -> bool:
        row = self.rows[package_id]
        if row.direction != "incoming" or row.status == status:
            return False
        self.rows[package_id] = dataclasses.replace(
            row, status=status, error=error, report=report if report is not None else row.report
        )
        self.outbox.append(announce)
        return True

    def record_peer_outcome(
        self,
        package_id: str,
        *,
        status: str,
        reason: str | None,
        peer_report: str | None,
        at: datetime,
        now: datetime,
    ) -> bool:
        row = self.rows[package_id]
        if row.direction != "outgoing" or row.status != "offered":
            return False
        self.rows[package_id] = dataclasses.replace(
            row, status=status, error=reason, peer_report=peer_report, peer_outcome_at=at
        )
        return True

    def peer_outcomes(self, package_ids: Sequence[str]) -> dict[str, PeerOutcome]:
        return {
            r.id: PeerOutcome(r.status, r.peer_outcome_at, r.error, r.peer_report)
            for r in self.rows.values()
            if r.id in package_ids and r.peer_outcome_at is not None
        }


def outgoing(**changes: Any) -> Row:
    values: dict[str, Any] = {
        "id": PACKAGE,
        "request_id": "EGY-2026-1",
        "direction": "outgoing",
        "peer": "EGY",
        "sha256": DIGEST,
        "status": "offered",
        **changes,
    }
    return Row(**values)


def verified(sender: str = "EGY", request_id: str = "EGY-2026-1", **body: Any) -> VerifiedMessage:
    message = Message(
        id=new_message_id(),
        type=MessageType.EVIDENCE_OUTCOME,
        sender=sender,
        recipient="VNM",
        sent_at=NOW,
        request_id=request_id,
        body={
            "package_id": PACKAGE,
            "package_sha256": DIGEST,
            "outcome": "accepted",
            "decided_at": "2026-12-01T09:59:00Z",
            "report": {"verdict": "verified", "checked": []},
            **body,
        },
    )
    return VerifiedMessage(message, "kid", message.digest(), message.content_digest())


def sender_side(*rows: Row) -> tuple[PackageOutcomes, MemoryStore]:
    store = MemoryStore(*rows)
    return PackageOutcomes(node_state="VNM", store=store, clock=FixedClock(NOW)), store


# --- the message ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"outcome": "maybe"}, "/body/outcome"),
        ({"outcome": "refused"}, "/body/reason"),
        ({"outcome": "expired", "reason": ""}, "/body/reason"),
        ({"reason": "x" * 1001}, "/body/reason"),
        ({"package_sha256": "B" * 64}, "/body/package_sha256"),
        ({"decided_at": "2026-12-01 09:59"}, "/body/decided_at"),
        ({"report": ["not", "an", "object"]}, "/body/report"),
    ],
)
def test_a_malformed_outcome_is_refused_by_the_model(body: dict[str, Any], pointer: str) -> None:
    with pytest.raises(MalformedMessage) as refused:
        verified(**body)
    assert pointer in {f.path for f in refused.value.fields}


def test_the_outcome_message_names_the_package_and_keeps_unknown_members() -> None:
    row = Row(PACKAGE, "EGY-2026-1", "incoming", "VNM", DIGEST, "fetching")
    message = outcome_message(
        sender="EGY",
        package=row,
        outcome=PackageStatus.REFUSED,
        at=NOW,
        reason="the download does not match the SHA-256 of the offer",
        report=json.dumps({"version": 1, "verdict": "not-verified", "checked": []}),
    )
    value = json.loads(message.canonical())
    assert (value["sender"], value["recipient"], value["request_id"]) == (
        "EGY",
        "VNM",
        "EGY-2026-1",
    )
    assert value["body"] == {
        "package_id": PACKAGE,
        "package_sha256": DIGEST,
        "outcome": "refused",
        "decided_at": format_time(NOW),
        "reason": "the download does not match the SHA-256 of the offer",
        "report": {"version": 1, "verdict": "not-verified", "checked": []},
    }
    value["body"]["witnessed_by"] = ["FRA"]  # a newer node's member
    assert message_from_json(value).body["witnessed_by"] == ("FRA",)


def test_a_large_report_travels_cut_to_its_bound() -> None:
    checks = [{"area": "custody", "detail": f"event {i}: " + "x" * 200} for i in range(5000)]
    report = json.dumps({"version": 1, "verdict": "verified", "checked": checks})
    assert len(report) > 4 * MAX_REPORT_BYTES
    sent = bounded_report(report)
    assert sent is not None
    assert sent["truncated"] is True
    assert sent["verdict"] == "verified"
    assert sent["checked"] == checks[: len(sent["checked"])]  # the first ones, unchanged
    assert MAX_REPORT_BYTES // 2 < len(canonical_json(sent)) <= MAX_REPORT_BYTES
    small = json.dumps({"verdict": "verified", "checked": checks[:3]})
    assert bounded_report(small) == json.loads(small)
    assert bounded_report(None) is None
    assert bounded_report("not json") is None
    assert bounded_report(json.dumps({"verdict": "x" * (2 * MAX_REPORT_BYTES)})) is None


# --- the receiving node -----------------------------------------------------------------------


def test_concluding_queues_one_outcome_with_the_status() -> None:
    row = Row(PACKAGE, "EGY-2026-1", "incoming", "VNM", DIGEST, "fetching", report='{"a": 1}')
    store = MemoryStore(row)
    outcomes = PackageOutcomes(node_state="EGY", store=store, clock=FixedClock(NOW))
    assert outcomes.conclude(row, status=PackageStatus.REFUSED, received=0, error="bad bag")
    assert not outcomes.conclude(row, status=PackageStatus.REFUSED, received=0, error="again")
    [queued] = store.outbox
    message = message_from_json(json.loads(queued.message))
    assert (queued.recipient, queued.type, queued.request_id) == (
        "VNM",
        "evidence-outcome",
        "EGY-2026-1",
    )
    assert message.body["reason"] == "bad bag"
    assert message.body["report"] == {"a": 1}  # the report kept before the refusal
    with pytest.raises(InvalidInput):
        outcomes.conclude(outgoing(), status=PackageStatus.ACCEPTED, received=0)
    with pytest.raises(InvalidInput):
        outcomes.conclude(row, status=PackageStatus.FETCHING, received=0)


# --- the sending node --------------------------------------------------------------------------


def test_an_outcome_is_applied_once_and_a_different_one_is_a_conflict() -> None:
    outcomes, store = sender_side(outgoing())
    outcomes.apply(verified())
    applied = store.rows[PACKAGE]
    assert applied.status == "accepted"
    assert applied.peer_outcome_at == NOW - timedelta(minutes=1)  # the receiver's time
    assert json.loads(applied.peer_report or "") == {"verdict": "verified", "checked": []}
    outcomes.apply(verified())  # the same outcome again: acknowledged
    assert store.rows[PACKAGE] == applied
    with pytest.raises(Conflict):
        outcomes.apply(verified(outcome="refused", reason="changed our mind"))
    assert store.rows[PACKAGE] == applied
    assert outcomes.peer_outcomes([PACKAGE]) == {
        PACKAGE: PeerOutcome("accepted", NOW - timedelta(minutes=1), None, applied.peer_report)
    }


@pytest.mark.parametrize(
    ("row", "message", "error", "said"),
    [
        (outgoing(), verified(package_id="c" * 32), NotFound, "no package"),
        (outgoing(direction="incoming", peer="EGY"), verified(), NotFound, "no package"),
        (outgoing(peer="FRA"), verified(), NotFound, "to EGY"),
        (outgoing(), verified(request_id="EGY-2026-2"), InvalidInput, "EGY-2026-2"),
        (outgoing(), verified(package_sha256="0" * 64), IntegrityError, "SHA-256"),
        (outgoing(status="awaiting-witnesses"), verified(), RuleViolation, "not been offered"),
        (outgoing(status="refused"), verified(), Conflict, "already refused"),
    ],
)
def test_an_outcome_that_does_not_fit_changes_nothing(
    row: Row, message: VerifiedMessage, error: type[Exception], said: str
) -> None:
    outcomes, store = sender_side(row)
    with pytest.raises(error) as refused:
        outcomes.apply(message)
    assert said in str(refused.value)
    assert store.rows[PACKAGE] == row
