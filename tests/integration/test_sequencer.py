"""The sequencer on SQLite and PostgreSQL: our log passes our auditor, and proofs verify."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from hanoi.custody.merkle import (
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
    verify_inclusion,
)
from hanoi.custody.sequencer import tile_reader
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.db import make_engine
from hanoi.storage.tile_stores import MemoryTileStore
from support_custody import NOW, audit, commitments, make_sequencer
from support_databases import Clones


def test_empty_log_publishes_a_checkpoint(engine: Engine) -> None:
    repo, tiles = CustodyRepository(engine), MemoryTileStore()
    assert make_sequencer(repo, tiles).run_until_idle() == 0
    assert audit(repo, tiles).checkpoint.size == 0


def test_batches_publish_a_log_that_our_auditor_accepts(engine: Engine) -> None:
    repo, tiles = CustodyRepository(engine), MemoryTileStore()
    sequencer = make_sequencer(repo, tiles, batch=300)
    appended = commitments(0, 700)
    repo.enqueue(appended[:500], now=NOW)
    assert sequencer.run_until_idle() == 500
    first = repo.state()
    assert first is not None
    repo.enqueue(appended[500:], now=NOW)
    assert sequencer.run_until_idle() == 700
    report = audit(repo, tiles, previous=first.checkpoint.encode())
    assert report.checkpoint.size == 700
    assert report.entries == 700
    expected_root = root_from_leaf_hashes([leaf_hash(e.commitment) for e in appended])
    assert report.checkpoint.root_hash == expected_root
    assert [e.commitment for e in repo.entries_from(0)] == [e.commitment for e in appended]


def test_inclusion_proofs_from_tiles_verify(engine: Engine) -> None:
    repo, tiles = CustodyRepository(engine), MemoryTileStore()
    appended = commitments(0, 520)
    repo.enqueue(appended, now=NOW)
    size = make_sequencer(repo, tiles).run_until_idle()
    state = repo.state()
    assert state is not None
    reader = tile_reader(tiles, size)
    for index in (0, 255, 256, 511, 519):
        proof = inclusion_proof(index=index, size=size, reader=reader)
        verify_inclusion(
            leaf_hash=leaf_hash(appended[index].commitment),
            index=index,
            size=size,
            proof=proof,
            root=state.root,
        )


def test_idle_run_changes_nothing(engine: Engine) -> None:
    repo, tiles = CustodyRepository(engine), MemoryTileStore()
    repo.enqueue(commitments(0, 10), now=NOW)
    sequencer = make_sequencer(repo, tiles)
    sequencer.run_until_idle()
    before = repo.state()
    result = sequencer.run_once()
    assert result.new_size == result.old_size == 10
    assert repo.state() == before


@pytest.mark.postgres
def test_concurrent_appenders_and_sequencers_on_postgresql(migrated_databases: Clones) -> None:
    import threading

    url = migrated_databases.postgres()
    setup = make_engine(url)
    tiles = MemoryTileStore()
    batches = [commitments(1000 * worker, 150) for worker in range(4)]
    errors: list[BaseException] = []

    def worker(entries) -> None:  # type: ignore[no-untyped-def]
        engine = make_engine(url)
        repo = CustodyRepository(engine)
        try:
            for start in range(0, len(entries), 30):
                repo.enqueue(entries[start : start + 30], now=NOW)
                make_sequencer(repo, tiles, batch=50).run_once()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(b,)) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    repo = CustodyRepository(setup)
    make_sequencer(repo, tiles).run_until_idle()
    report = audit(repo, tiles)
    assert report.checkpoint.size == 600
    logged = sorted(e.commitment for e in repo.entries_from(0))
    assert logged == sorted(e.commitment for b in batches for e in b)
    setup.dispose()
