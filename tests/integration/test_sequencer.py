"""The sequencer on SQLite and PostgreSQL: our log passes our auditor, and proofs verify."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from hanoi.clock import FixedClock
from hanoi.custody.audit import audit_log
from hanoi.custody.checkpoint import Checkpoint, sign_checkpoint
from hanoi.custody.errors import SplitViewError
from hanoi.custody.merkle import (
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
    verify_inclusion,
)
from hanoi.custody.note import Ed25519Signer
from hanoi.custody.policy import CheckpointPolicy
from hanoi.custody.sequencer import Sequencer, tile_reader
from hanoi.custody.succession import LogMovedOn, Predecessor, open_succession
from hanoi.errors import InvalidInput
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.db import make_engine
from hanoi.storage.tile_stores import MemoryTileStore
from support_custody import (
    NOW,
    ORIGIN,
    POLICY,
    SIGNER,
    StoreSource,
    audit,
    commitments,
    make_sequencer,
)
from support_databases import Clones

NEW_ORIGIN = "test.hanoi/egy/custody/r2"


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


def rotated_sequencer(
    repo: CustodyRepository, tiles: MemoryTileStore, signer: Ed25519Signer, *, retired: bool = True
) -> Sequencer:
    """A sequencer for :data:`NEW_ORIGIN` after a log key rotation: with the retired key of
    :data:`ORIGIN` (to sign the succession), or without it."""
    predecessors = [Predecessor(SIGNER, str(signer.verifier().key))] if retired else []
    return Sequencer(
        origin=NEW_ORIGIN,
        signer=signer,
        store=repo,
        tiles=tiles,
        clock=FixedClock(NOW),
        predecessors=predecessors,
    )


def test_a_rotated_log_key_continues_the_tree_under_a_new_origin(engine: Engine) -> None:
    """ADR 0051: the first checkpoint of the new origin comes with the succession that ends
    the old one, signed by both keys; a process still signing for the old origin stops."""
    repo, tiles = CustodyRepository(engine), MemoryTileStore()
    appended = commitments(0, 30)
    repo.enqueue(appended[:20], now=NOW)
    old = make_sequencer(repo, tiles)
    assert old.run_until_idle() == 20
    last_old = repo.state()
    assert last_old is not None
    new_signer = Ed25519Signer(NEW_ORIGIN, Ed25519PrivateKey.generate())
    new_key = str(new_signer.verifier().key)

    repo.enqueue(appended[20:], now=NOW)
    without_old_key = rotated_sequencer(repo, tiles, new_signer, retired=False)
    with pytest.raises(LogMovedOn, match="copy keys/retired/"):
        without_old_key.run_once()
    assert repo.state() == last_old  # nothing published
    new = rotated_sequencer(repo, tiles, new_signer)
    assert new.run_until_idle() == 30

    [(ended, note)] = repo.successions().items()
    assert ended == ORIGIN
    succession = open_succession(note.encode(), old_key=SIGNER.verifier())
    assert (succession.old_origin, succession.size, succession.root) == (
        ORIGIN,
        20,
        last_old.root,
    )
    assert (succession.new_origin, succession.new_verifier_key) == (NEW_ORIGIN, new_key)
    # The same tree: the new origin's checkpoint covers every entry, and audits from its
    # first entry with the new key alone.
    policy = CheckpointPolicy(log_keys=(new_signer.verifier(),), origin=NEW_ORIGIN)
    report = audit_log(StoreSource(repo, tiles), policy=policy)
    assert (report.checkpoint.origin, report.checkpoint.size) == (NEW_ORIGIN, 30)
    assert report.checkpoint.root_hash == root_from_leaf_hashes(
        [leaf_hash(e.commitment) for e in appended]
    )
    # An auditor who recorded the old origin's last checkpoint follows the succession.
    followed = audit_log(
        StoreSource(repo, tiles),
        policy=policy,
        previous=last_old.checkpoint.encode(),
        former=POLICY,
        successions=[succession],
    )
    assert followed.previous is not None
    assert (followed.previous.origin, followed.previous.size) == (ORIGIN, 20)
    with pytest.raises(InvalidInput, match="no succession given leads"):
        audit_log(
            StoreSource(repo, tiles), policy=policy, previous=last_old.checkpoint.encode(),
            former=POLICY,
        )  # fmt: skip
    # The old key, once retired, cannot vouch for more of its origin than the succession.
    forged = sign_checkpoint(Checkpoint(ORIGIN, 25, os.urandom(32)), [SIGNER])
    with pytest.raises(SplitViewError, match="beyond the size 20"):
        audit_log(
            StoreSource(repo, tiles), policy=policy, previous=forged, former=POLICY,
            successions=[succession],
        )  # fmt: skip

    # The process that still signs for the old origin refuses to go on.
    repo.enqueue(commitments(30, 1), now=NOW)
    with pytest.raises(LogMovedOn, match="restart it"):
        old.run_once()
    assert new.run_until_idle() == 31
    assert len(repo.successions()) == 1


def test_a_log_rotated_before_its_first_checkpoint_ends_its_old_origin_at_size_0(
    engine: Engine,
) -> None:
    repo, tiles = CustodyRepository(engine), MemoryTileStore()
    repo.enqueue(commitments(0, 3), now=NOW)
    new = rotated_sequencer(repo, tiles, Ed25519Signer(NEW_ORIGIN, Ed25519PrivateKey.generate()))
    assert new.run_until_idle() == 3
    [(ended, note)] = repo.successions().items()
    succession = open_succession(note.encode(), old_key=SIGNER.verifier())
    assert (ended, succession.size, succession.new_origin) == (ORIGIN, 0, NEW_ORIGIN)
