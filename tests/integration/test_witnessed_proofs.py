"""Proofs that leave a node rest on a checkpoint cosigned by the quorum of witnesses of
other States, and the wait for one is bounded (ADR 0022). On SQLite and PostgreSQL.

The log is a real ``CustodyLog`` over the database; the witnesses are keys in the test,
whose cosignatures are stored as the collector stores them.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from hanoi.clock import FixedClock, SystemClock
from hanoi.custody.cosignature import Cosigner
from hanoi.custody.errors import InsufficientCosignatures
from hanoi.custody.events import parse_event, verify_event_logged
from hanoi.custody.note import parse_note
from hanoi.custody.policy import CheckpointPolicy
from hanoi.custody.quorum import QuorumNotReached, QuorumWait, WitnessRounds
from hanoi.custody.service import CustodyLog
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.tile_stores import MemoryTileStore
from support_custody import NOW, ORIGIN, SIGNER, events


def _witness(name: str) -> Cosigner:
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(name.encode()).digest())
    return Cosigner(f"test.hanoi/{name}/witness", key)


VNM, FRA, ELSEWHERE = _witness("vnm"), _witness("fra"), _witness("not-in-the-policy")


def policy(quorum: int) -> CheckpointPolicy:
    return CheckpointPolicy(
        log_keys=(SIGNER.verifier(),),
        witness_keys=(VNM.key, FRA.key),
        min_witnesses=quorum,
        origin=ORIGIN,
    )


class Log:
    def __init__(self, engine: Engine) -> None:
        self.repo = CustodyRepository(engine)
        self.custody = CustodyLog(
            origin=ORIGIN,
            signer=SIGNER,
            store=self.repo,
            tiles=MemoryTileStore(),
            clock=FixedClock(NOW),
        )
        self.logged = 0

    def record(self, count: int) -> int:
        self.custody.record(events(count, start=self.logged))
        self.logged += count
        return self.custody.sequence()

    def cosign(self, witness: Cosigner, size: int | None = None) -> None:
        size = size or self.custody.size()
        text = parse_note(self.custody.checkpoint_note(size)).text
        line = witness.cosign(text, timestamp=int(NOW.timestamp())).line()
        self.repo.add_cosignature(size=size, witness=witness.name, line=line, now=NOW)

    def proves(self, index: int, quorum: int) -> int:
        """The size of the checkpoint the witnessed proof of ``index`` rests on, checked as
        a court checks it."""
        proof = self.custody.witnessed_proof(index, policy=policy(quorum))
        stored = self.repo.entry(index)
        assert stored is not None
        verify_event_logged(
            event=parse_event(stored.event), salt=stored.salt, proof=proof, policy=policy(quorum)
        )
        return policy(quorum).verify(proof.checkpoint).signed.checkpoint.size


def test_a_proof_rests_on_the_latest_checkpoint_with_the_quorum(engine: Engine) -> None:
    log = Log(engine)
    assert log.record(3) == 3
    log.cosign(VNM)
    assert log.record(2) == 5  # a newer checkpoint nobody cosigned yet

    assert log.proves(1, quorum=1) == 3
    unwitnessed = log.custody.proof_for(1)  # the node's own view: the latest, as it is
    with pytest.raises(InsufficientCosignatures):
        policy(1).verify(unwitnessed.checkpoint)
    with pytest.raises(QuorumNotReached) as caught:  # entry 4 is in no witnessed tree yet
        log.custody.witnessed_proof(4, policy=policy(1))
    assert (caught.value.required, caught.value.cosigned) == (1, ())
    assert set(caught.value.witnesses) == {VNM.name, FRA.name}
    with pytest.raises(QuorumNotReached):  # two witnesses wanted, one cosigned size 3
        log.custody.witnessed_proof(1, policy=policy(2))

    log.cosign(FRA)
    assert log.custody.latest_cosigners(policy(2)) == (FRA.name,)
    log.cosign(VNM)
    assert log.proves(4, quorum=2) == 5
    assert log.proves(1, quorum=2) == 5  # the latest with the quorum, not the first
    assert log.proves(1, quorum=1) == 5


def test_cosignatures_that_do_not_count_are_ignored(engine: Engine) -> None:
    log = Log(engine)
    log.record(2)
    log.cosign(ELSEWHERE)  # a witness the policy does not know
    with pytest.raises(QuorumNotReached):
        log.custody.witnessed_proof(0, policy=policy(1))
    # A line stored for another size does not verify on this checkpoint: skipped, not fatal.
    log.record(1)
    text = parse_note(log.custody.checkpoint_note(2)).text
    stale = VNM.cosign(text, timestamp=int(NOW.timestamp())).line()
    log.repo.add_cosignature(size=3, witness=VNM.name, line=stale, now=NOW)
    log.cosign(VNM, size=2)
    assert log.proves(0, quorum=1) == 2
    with pytest.raises(QuorumNotReached):
        log.custody.witnessed_proof(2, policy=policy(1))


def test_without_a_quorum_the_latest_checkpoint_serves(engine: Engine) -> None:
    log = Log(engine)
    log.record(4)
    witnessed = log.custody.witnessed_proof(2, policy=policy(0))
    assert witnessed == log.custody.proof_for(2)
    source = log.custody.witnessed(policy(0))
    assert source.origin == ORIGIN
    assert [e.index for e in source.events_for("request:EGY-2026-00002")] == [2]


def _wait(log: Log, collect: object, *, quorum: int = 1) -> QuorumWait:
    return QuorumWait(
        custody=log.custody,
        rounds=WitnessRounds(collect, gap=0.05),  # type: ignore[arg-type]
        policy=lambda: policy(quorum),
        clock=SystemClock(),
    )


def test_the_wait_asks_the_witnesses_and_returns_once_they_cosign(engine: Engine) -> None:
    log = Log(engine)
    log.record(2)
    asked: list[int] = []

    def collect() -> None:  # VNM's witness cosigns on the second round
        asked.append(log.custody.size())
        if len(asked) == 2:
            log.cosign(VNM)

    log.custody.record(events(1, start=50))  # queued, not sequenced: the wait sequences it
    started = time.monotonic()
    source = _wait(log, collect).witnessed(seconds=10)
    assert time.monotonic() - started < 8  # long before the 10 s it could wait
    assert asked == [3, 3]
    assert source.proof_for(2).checkpoint == log.custody.checkpoint(3)


def test_the_wait_is_bounded_and_asks_with_pauses(engine: Engine) -> None:
    log = Log(engine)
    log.record(2)
    rounds: list[float] = []
    started = time.monotonic()
    with pytest.raises(QuorumNotReached):
        _wait(log, lambda: rounds.append(time.monotonic())).witnessed(seconds=0.6)
    took = time.monotonic() - started
    assert 0.6 <= took < 5  # bounded: it gives up after the wait, never hangs
    assert 2 <= len(rounds) <= 12  # asked again and again, never in a tight loop
    # Without time to wait, it looks once and asks for the next attempt.
    rounds.clear()
    wait = _wait(log, lambda: rounds.append(time.monotonic()))
    with pytest.raises(QuorumNotReached):
        wait.witnessed(seconds=0)
    time.sleep(0.1)
    assert len(rounds) == 1


def test_a_witness_that_never_answers_holds_up_nobody(engine: Engine) -> None:
    log = Log(engine)
    log.record(2)
    hung = threading.Event()
    rounds = WitnessRounds(hung.wait)  # a round that never ends (until the test ends it)
    wait = QuorumWait(
        custody=log.custody, rounds=rounds, policy=lambda: policy(1), clock=SystemClock()
    )
    started = time.monotonic()
    with pytest.raises(QuorumNotReached):
        wait.witnessed(seconds=0.4)
    assert time.monotonic() - started < 1.5
    assert not rounds.idle.is_set()
    assert not rounds.ask()  # one round at a time
    log.cosign(FRA)  # another witness answered meanwhile (its own thread in the collector)
    assert wait.witnessed(seconds=0).proof_for(0).checkpoint == log.custody.checkpoint(2)
    hung.set()
    assert rounds.idle.wait(5)


def test_an_empty_log_needs_no_witness(engine: Engine) -> None:
    log = Log(engine)
    source = _wait(log, lambda: None, quorum=2).witnessed(seconds=0)
    assert source.policy == replace(policy(2))
