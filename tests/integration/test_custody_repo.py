"""The custody log's SQL on SQLite and PostgreSQL: queue, indexes once, compare-and-swap."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from hanoi.custody.sequencer import PublishedState
from hanoi.custody.service import NewEvent
from hanoi.custody.witnessing import WitnessedLog
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.db import make_engine

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def entry(n: int) -> NewEvent:
    return NewEvent(
        commitment=n.to_bytes(32, "big"),
        event=b'{"n":%d}' % n,
        salt=os.urandom(32),
        subject=f"s{n % 3}",
    )


def test_indexes_are_assigned_once_in_queue_order(engine: Engine) -> None:
    repo = CustodyRepository(engine)
    repo.enqueue([entry(n) for n in range(5)], now=NOW)
    assert repo.pending_count() == 5
    first = repo.assign_indexes(start=0, limit=3)
    assert [e.index for e in first] == [0, 1, 2]
    assert [e.event for e in first] == [b'{"n":0}', b'{"n":1}', b'{"n":2}']
    second = repo.assign_indexes(start=3, limit=10)
    assert [e.index for e in second] == [3, 4]
    assert repo.assign_indexes(start=5, limit=10) == []
    assert repo.pending_count() == 0
    assert [e.index for e in repo.entries_from(2)] == [2, 3, 4]
    assert repo.entry(4) == second[1]
    assert repo.entry(9) is None
    assert [e.index for e in repo.entries_for_subject("s1")] == [1, 4]


def test_index_collision_is_refused_by_the_database(engine: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    repo = CustodyRepository(engine)
    repo.enqueue([entry(1), entry(2)], now=NOW)
    repo.assign_indexes(start=0, limit=1)
    with pytest.raises(IntegrityError):
        repo.assign_indexes(start=0, limit=1)
    assert repo.pending_count() == 1  # the failed transaction changed nothing


def test_publish_is_compare_and_swap(engine: Engine) -> None:
    repo = CustodyRepository(engine)
    assert repo.state() is None
    one = PublishedState(1, b"\x01" * 32, "checkpoint 1\n")
    assert repo.publish(old_size=None, new=one, now=NOW)
    assert not repo.publish(old_size=None, new=one, now=NOW)
    two = PublishedState(2, b"\x02" * 32, "checkpoint 2\n")
    assert not repo.publish(old_size=0, new=two, now=NOW)
    assert repo.publish(old_size=1, new=two, now=NOW)
    assert repo.state() == two
    assert repo.checkpoint_at(1) == "checkpoint 1\n"
    assert repo.checkpoint_at(3) is None


def test_cosignatures_are_kept_per_witness(engine: Engine) -> None:
    repo = CustodyRepository(engine)
    repo.publish(old_size=None, new=PublishedState(1, b"\x01" * 32, "c\n"), now=NOW)
    repo.add_cosignature(size=1, witness="fra", line="— fra AAAA", now=NOW)
    repo.add_cosignature(size=1, witness="fra", line="— fra BBBB", now=NOW)
    repo.add_cosignature(size=1, witness="vnm", line="— vnm CCCC", now=NOW)
    assert repo.cosignature_lines(1) == ["— fra BBBB", "— vnm CCCC"]


def test_witness_state_is_compare_and_swap(engine: Engine) -> None:
    repo = CustodyRepository(engine)
    first = WitnessedLog("example/egy", 10, b"\x0a" * 32, "c10\n")
    assert repo.advance_witnessed(old_size=None, new=first, now=NOW)
    assert not repo.advance_witnessed(old_size=None, new=first, now=NOW)
    later = WitnessedLog("example/egy", 20, b"\x14" * 32, "c20\n")
    assert not repo.advance_witnessed(old_size=11, new=later, now=NOW)
    assert repo.advance_witnessed(old_size=10, new=later, now=NOW)
    assert repo.witnessed("example/egy") == later
    assert repo.witnessed("other") is None


def test_alerts(engine: Engine) -> None:
    repo = CustodyRepository(engine)
    repo.raise_alert(origin="o", kind="split-view", detail="d", evidence="e", now=NOW)
    [alert] = repo.alerts()
    assert alert["kind"] == "split-view"
    assert alert["origin"] == "o"


@pytest.mark.postgres
def test_only_one_sequencer_holds_the_lock_on_postgresql(fresh_postgres_url: str) -> None:
    engine_a, engine_b = make_engine(fresh_postgres_url), make_engine(fresh_postgres_url)
    try:
        with (
            CustodyRepository(engine_a).sequencer_lock() as got_a,
            CustodyRepository(engine_b).sequencer_lock() as got_b,
        ):
            assert got_a
            assert not got_b
        with CustodyRepository(engine_b).sequencer_lock() as got_b_again:
            assert got_b_again
    finally:
        engine_a.dispose()
        engine_b.dispose()
