"""The node's gauges (ADR 0047): the database's counts as ``/metrics`` shows them, on SQLite
and PostgreSQL, read through :class:`NodeCollector` and parsed back from the exposition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, insert

from hanoi.observability.metrics import NodeCollector
from hanoi.storage.gauges_repo import NodeCounts, NodeGauges
from hanoi.storage.tables import (
    checkpoints,
    cooperation_requests,
    cosignatures,
    custody_pending,
    deadline_alerts,
    log_state,
    outbox,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _request(request_id: str, *, side: str, status: str, updated: datetime) -> dict[str, object]:
    return {
        "id": request_id, "kind": "mla-stored-data", "channel": "hanoi",
        "requesting_state": "EGY", "requested_state": "VNM", "side": side, "status": status,
        "urgency": "normal", "steps": 1, "document": "{}", "created_at": T0 - timedelta(days=3),
        "updated_at": updated,
    }  # fmt: skip


def _message(message_id: str, *, status: str, created: datetime) -> dict[str, object]:
    return {
        "id": message_id, "recipient": "VNM", "type": "request", "message": "{}",
        "status": status, "attempts": 3, "next_attempt_at": T0, "created_at": created,
    }  # fmt: skip


def _populate(engine: Engine) -> None:
    with engine.begin() as db:
        db.execute(
            insert(cooperation_requests),
            [
                _request("EGY-2026-00001", side="requesting", status="draft", updated=T0),
                _request("EGY-2026-00002", side="requesting", status="draft", updated=T0),
                _request(
                    "FRA-2026-00007",
                    side="requested",
                    status="received",
                    updated=T0 - timedelta(hours=2),
                ),
            ],
        )
        db.execute(
            insert(outbox),
            [
                _message("m1", status="pending", created=T0 - timedelta(seconds=300)),
                _message("m2", status="pending", created=T0 - timedelta(seconds=60)),
                _message("m3", status="delivered", created=T0 - timedelta(seconds=9000)),
            ],
        )
        db.execute(
            insert(log_state).values(id=1, size=10, root=b"\0" * 32, checkpoint="c", updated_at=T0)
        )
        db.execute(
            insert(checkpoints),
            [{"size": s, "root": b"\0" * 32, "note": "n", "created_at": T0} for s in (4, 8)],
        )
        late = T0 - timedelta(minutes=20)
        db.execute(
            insert(cosignatures),
            [
                {"size": 4, "witness": "w1", "signature_line": "s", "received_at": late},
                {"size": 4, "witness": "w2", "signature_line": "s", "received_at": late},
                {"size": 8, "witness": "w1", "signature_line": "s", "received_at": late},
            ],
        )
        db.execute(
            insert(custody_pending),
            [
                {
                    "commitment": b"\1" * 32,
                    "event": b"e",
                    "salt": b"\2" * 32,
                    "subject": "EGY-2026-00001",
                    "enqueued_at": T0,
                }
                for _ in range(3)
            ],
        )
        alert = {"side": "requested", "article": "Art. 42(3)", "due_at": T0}
        db.execute(
            insert(deadline_alerts),
            [
                # raised after the request's last step: unanswered
                {**alert, "request_id": "FRA-2026-00007", "rule": "acknowledge-emergency",
                 "state": "due-soon", "raised_at": T0 - timedelta(hours=1)},
                # raised before its last step: answered since
                {**alert, "request_id": "EGY-2026-00001", "rule": "suggested-deadline",
                 "state": "overdue", "raised_at": T0 - timedelta(hours=1)},
            ],
        )  # fmt: skip


def _scrape(collector: NodeCollector) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    registry = CollectorRegistry()
    registry.register(collector)
    text = generate_latest(registry).decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_the_database_counts_as_metrics(engine: Engine) -> None:
    _populate(engine)
    values = _scrape(NodeCollector(NodeGauges(engine, min_witnesses=2).read, now=lambda: T0))
    draft = (("side", "requesting"), ("status", "draft"))
    received = (("side", "requested"), ("status", "received"))
    assert values[("hanoi_requests", draft)] == 2
    assert values[("hanoi_requests", received)] == 1
    assert values[("hanoi_outbox_pending_messages", ())] == 2
    assert values[("hanoi_outbox_oldest_pending_age_seconds", ())] == 300
    assert values[("hanoi_log_size_entries", ())] == 10
    assert values[("hanoi_log_cosigned_size_entries", ())] == 4  # two witnesses required
    assert values[("hanoi_witness_lag_entries", ())] == 6
    assert (
        values[("hanoi_witness_last_cosignature_timestamp_seconds", ())]
        == (T0 - timedelta(minutes=20)).timestamp()
    )
    assert values[("hanoi_custody_pending_events", ())] == 3
    unanswered = (("rule", "acknowledge-emergency"), ("state", "due-soon"))
    assert values[("hanoi_deadline_alerts_unanswered", unanswered)] == 1
    answered = (("rule", "suggested-deadline"), ("state", "overdue"))
    assert ("hanoi_deadline_alerts_unanswered", answered) not in values
    assert values[("hanoi_node_scrape_ok", ())] == 1
    # One witness required: the larger checkpoint counts.
    one = _scrape(NodeCollector(NodeGauges(engine, min_witnesses=1).read, now=lambda: T0))
    assert one[("hanoi_witness_lag_entries", ())] == 2


def test_an_empty_node_reports_zeros(engine: Engine) -> None:
    values = _scrape(NodeCollector(NodeGauges(engine, min_witnesses=1).read, now=lambda: T0))
    assert values[("hanoi_outbox_pending_messages", ())] == 0
    assert values[("hanoi_outbox_oldest_pending_age_seconds", ())] == 0
    assert values[("hanoi_witness_lag_entries", ())] == 0
    assert values[("hanoi_witness_last_cosignature_timestamp_seconds", ())] == 0
    assert not any(name == "hanoi_requests" for name, _ in values)


def test_a_failed_read_is_reported_not_raised() -> None:
    def down() -> NodeCounts:
        raise ConnectionError("database down")

    values = _scrape(NodeCollector(down, now=lambda: T0))
    assert values[("hanoi_node_scrape_ok", ())] == 0
    assert ("hanoi_outbox_pending_messages", ()) not in values
