"""Helpers shared by the custody-log tests: a sequencer over real storage, audits, and a
split view a node's witness catches."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.clock import FixedClock
from hanoi.custody.audit import AuditReport, audit_log
from hanoi.custody.checkpoint import Checkpoint, sign_checkpoint
from hanoi.custody.errors import SplitViewError
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.custody.note import Ed25519Signer
from hanoi.custody.policy import CheckpointPolicy
from hanoi.custody.sequencer import Sequencer
from hanoi.custody.service import NewEvent
from hanoi.node.folder import load_keys
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.tile_stores import TileStore

if TYPE_CHECKING:
    from hanoi.wiring import Node

ORIGIN = "test.hanoi/egy/custody"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SIGNING_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"test log key").digest())
SIGNER = Ed25519Signer(ORIGIN, SIGNING_KEY)
POLICY = CheckpointPolicy(log_keys=(SIGNER.verifier(),), origin=ORIGIN)


def commitments(start: int, count: int) -> list[NewEvent]:
    return [
        NewEvent(
            commitment=hashlib.sha256(b"event %d" % n).digest(),
            event=b'{"n":%d}' % n,
            salt=os.urandom(32),
            subject=f"request-{n % 7}",
        )
        for n in range(start, start + count)
    ]


def make_sequencer(
    repo: CustodyRepository, tiles: TileStore, *, batch: int = 300, fault=None
) -> Sequencer:  # type: ignore[no-untyped-def]
    return Sequencer(
        origin=ORIGIN,
        signer=SIGNER,
        store=repo,
        tiles=tiles,
        clock=FixedClock(NOW),
        batch=batch,
        fault=fault,
    )


@dataclass
class StoreSource:
    """Serves a node's tiles and its published checkpoint, as /log/ would."""

    repo: CustodyRepository
    tiles: TileStore

    def fetch(self, path: str, *, max_bytes: int) -> bytes:
        if path == "checkpoint":
            state = self.repo.state()
            assert state is not None
            return state.checkpoint.encode()
        return self.tiles.read(path)


def audit(repo: CustodyRepository, tiles: TileStore, previous: bytes | None = None) -> AuditReport:
    return audit_log(StoreSource(repo, tiles), policy=POLICY, previous=previous)


def events(count: int, *, start: int = 0) -> list[CustodyEvent]:
    return [
        CustodyEvent(
            action=CustodyAction.CREATED,
            time=datetime(2026, 11, 28, 12, 0, n % 60, tzinfo=UTC),
            node="EGY",
            officer="amira",
            request_id=f"EGY-2026-{n:05d}",
            article="Art. 42",
        )
        for n in range(start, start + count)
    ]


def split_view(log: Node, witness: Node) -> None:
    """The log's key signs two different trees of one size; the witness sees both."""
    origin = log.identity.log_origin
    witness.witnesses.trust(
        origin=origin, verifier_key=log.identity.log_verifier_key, now=witness.clock.now()
    )
    log.custody.record(events(5))
    log.custody.sequence()
    size = log.custody.size()
    witness.witness.add_checkpoint(b"old 0\n\n" + log.custody.checkpoint_note(size))
    signer = Ed25519Signer(origin, load_keys(log.settings).log_signing)
    forged = sign_checkpoint(Checkpoint(origin, size, b"\x07" * 32), [signer])
    with pytest.raises(SplitViewError):
        witness.witness.add_checkpoint(b"old %d\n\n" % size + forged)
