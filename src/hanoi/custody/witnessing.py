"""Witnessing in practice: this node cosigns other States' logs, and collects cosignatures
for its own.

- :class:`WitnessService` answers C2SP tlog-witness ``add-checkpoint`` requests with the
  pure :class:`~hanoi.custody.tlog_witness.Witness`, records the latest cosigned checkpoint
  per log by compare-and-swap, and raises an alert on a split view (two checkpoints of
  one log that are not consistent), keeping both notes as evidence.
- :class:`CosignatureCollector` asks each configured witness to cosign this node's
  latest checkpoint (with a consistency proof from the size it cosigned last), all of
  them at once, checks the cosignature against the witness's key, and stores it with
  the checkpoint, so that exported evidence carries witnessed checkpoints.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Protocol

from hanoi.clock import Clock
from hanoi.custody.checkpoint import open_checkpoint, parse_checkpoint
from hanoi.custody.cosignature import Cosigner, CosignerKey
from hanoi.custody.encoding import b64
from hanoi.custody.errors import SplitViewError, StaleCheckpointError
from hanoi.custody.note import Ed25519Verifier, parse_note, parse_signature_lines
from hanoi.custody.service import CustodyLog
from hanoi.custody.succession import Succession
from hanoi.custody.tlog_witness import Witness, WitnessState, parse_add_checkpoint
from hanoi.errors import HanoiError, PeerError

log = logging.getLogger("hanoi.custody.witness")

MAX_RESPONSE_BYTES = 64 * 1024
MAX_PARALLEL_WITNESSES = 16


@dataclass(frozen=True, slots=True)
class WitnessedLog:
    origin: str
    size: int
    root: bytes
    checkpoint: str


class WitnessStore(Protocol):
    def witnessed(self, origin: str) -> WitnessedLog | None: ...

    def advance_witnessed(
        self, *, old_size: int | None, new: WitnessedLog, now: datetime
    ) -> bool: ...

    def raise_alert(
        self, *, origin: str, kind: str, detail: str, evidence: str, now: datetime
    ) -> None: ...

    def add_cosignature(self, *, size: int, witness: str, line: str, now: datetime) -> None: ...

    def alerts(self) -> list[dict[str, object]]: ...


class Peer(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def url(self) -> str: ...

    @property
    def cosigner_key(self) -> str: ...

    @property
    def cosigned_size(self) -> int: ...


class TrustedLogs(Protocol):
    def trusted(self) -> dict[str, str]: ...

    def peers(self) -> Sequence[Peer]: ...

    def peer_result(self, name: str, *, cosigned_size: int | None, error: str | None) -> None: ...


class WitnessTransport(Protocol):
    def add_checkpoint(self, url: str, body: bytes) -> tuple[int, bytes]:
        """POST ``body`` to ``<url>/add-checkpoint``; return the status and body."""
        ...


class WitnessService:
    def __init__(
        self, *, cosigner: Cosigner, store: WitnessStore, trust: TrustedLogs, clock: Clock
    ) -> None:
        self._cosigner = cosigner
        self._store = store
        self._trust = trust
        self._clock = clock

    def alerts(self) -> list[dict[str, object]]:
        return self._store.alerts()

    def view(self, origin: str) -> str | None:
        """The checkpoint of ``origin`` this witness cosigned last (for other witnesses)."""
        recorded = self._store.witnessed(origin)
        return recorded.checkpoint if recorded is not None else None

    def compare(self, note: bytes, *, peer: str) -> bool:
        """Compare another witness's view of a log with this one's. Two checkpoints of the
        same size with different roots, both signed by the log, prove that the log showed
        two histories (a split view): raise an alert (once). Returns True if it did."""
        trusted = self._trust.trusted()
        checkpoint = parse_checkpoint(parse_note(note).text)
        key = trusted.get(checkpoint.origin)
        if key is None:
            return False
        opened = open_checkpoint(note, [Ed25519Verifier.parse(key)], origin=checkpoint.origin)
        theirs = opened.checkpoint
        recorded = self._store.witnessed(theirs.origin)
        if recorded is None or recorded.size != theirs.size or recorded.root == theirs.root_hash:
            return False
        detail = (
            f"{theirs.origin} signed two different trees of size {theirs.size}: "
            f"the witness of {peer} cosigned root {b64(theirs.root_hash)}, "
            f"this node cosigned {b64(recorded.root)}"
        )
        if any(alert.get("detail") == detail for alert in self._store.alerts()):
            return False
        self._store.raise_alert(
            origin=theirs.origin,
            kind="split-view",
            detail=detail,
            evidence=recorded.checkpoint + "\n" + note.decode("utf-8", "replace"),
            now=self._clock.now(),
        )
        log.error("split view of log %s: %s", theirs.origin, detail)
        return True

    def continue_log(self, succession: Succession) -> bool:
        """A log this witness cosigned went on under a new origin (a key rotation, ADR
        0051; ``succession`` already verified): the new origin starts from what this
        witness last cosigned of the old one, so its first checkpoint must be proven
        consistent with it, as any other. A recorded size beyond where the old origin
        ended, or another root at that size, is a split view: alerted, not continued.
        Returns True if it started the new origin here."""
        old = self._store.witnessed(succession.old_origin)
        if old is None or self._store.witnessed(succession.new_origin) is not None:
            return False
        now = self._clock.now()
        if old.size > succession.size or (
            old.size == succession.size and old.root != succession.root
        ):
            detail = (
                f"{succession.old_origin} ended at size {succession.size} (root "
                f"{b64(succession.root)}) when it became {succession.new_origin}, but this "
                f"witness cosigned size {old.size} (root {b64(old.root)})"
            )
            if not any(alert.get("detail") == detail for alert in self._store.alerts()):
                self._store.raise_alert(
                    origin=succession.old_origin,
                    kind="split-view",
                    detail=detail,
                    evidence=old.checkpoint + "\n" + succession.text(),
                    now=now,
                )
                log.error("split view of log %s: %s", succession.old_origin, detail)
            return False
        started = WitnessedLog(succession.new_origin, old.size, old.root, old.checkpoint)
        return self._store.advance_witnessed(old_size=None, new=started, now=now)

    def add_checkpoint(self, body: bytes) -> bytes:
        """Cosign the checkpoint in a tlog-witness request, or raise why not."""
        request = parse_add_checkpoint(body)
        origin = request.checkpoint.origin
        logs = {o: [Ed25519Verifier.parse(k)] for o, k in self._trust.trusted().items()}
        witness = Witness(cosigners=[self._cosigner], logs=logs)
        recorded = self._store.witnessed(origin)
        latest = (
            WitnessState(origin, recorded.size, recorded.root, recorded.checkpoint.encode())
            if recorded is not None
            else None
        )
        now = self._clock.now()
        try:
            cosigned = witness.add_checkpoint(request, latest=latest, now=int(now.timestamp()))
        except SplitViewError as exc:
            evidence = (
                (recorded.checkpoint if recorded else "") + "\n" + body.decode("utf-8", "replace")
            )
            self._store.raise_alert(
                origin=origin, kind="split-view", detail=exc.detail, evidence=evidence, now=now
            )
            log.error("split view of log %s: %s", origin, exc.detail)
            raise
        new = WitnessedLog(
            origin, cosigned.state.size, cosigned.state.root_hash, cosigned.state.note.decode()
        )
        if not self._store.advance_witnessed(
            old_size=recorded.size if recorded else None, new=new, now=now
        ):
            current = self._store.witnessed(origin)
            size = current.size if current else 0
            raise StaleCheckpointError(
                f"another request advanced {origin} to size {size} first", recorded_size=size
            )
        return cosigned.response_body()


class CosignatureCollector:
    def __init__(
        self,
        *,
        custody: CustodyLog,
        store: WitnessStore,
        trust: TrustedLogs,
        transport: WitnessTransport,
        clock: Clock,
    ) -> None:
        self._custody = custody
        self._store = store
        self._trust = trust
        self._transport = transport
        self._clock = clock

    def collect(self) -> int:
        """Ask every witness that is behind; returns how many cosigned the latest checkpoint.

        The witnesses are asked at once, each in a thread of its own, so that one that
        never answers delays only itself: the others' cosignatures are stored as they
        arrive, and a package waiting for a quorum sees them (ADR 0022)."""
        size = self._custody.size()
        if size == 0:
            return 0
        note = self._custody.checkpoint_note(size)
        peers = list(self._trust.peers())
        behind = [peer for peer in peers if peer.cosigned_size != size]
        if not behind:
            return len(peers)
        ask = partial(self._ask_one, size=size, note=note)
        if len(behind) == 1:
            return len(peers) - 1 + ask(behind[0])
        with ThreadPoolExecutor(
            max_workers=min(len(behind), MAX_PARALLEL_WITNESSES), thread_name_prefix="witness"
        ) as pool:
            answered = sum(pool.map(ask, behind))
        return len(peers) - len(behind) + answered

    def _ask_one(self, peer: Peer, *, size: int, note: bytes) -> int:
        try:
            self._ask(peer, size=size, note=note)
        except HanoiError as exc:
            log.warning("witness %s did not cosign size %d: %s", peer.name, size, exc)
            self._trust.peer_result(peer.name, cosigned_size=None, error=exc.diagnostics())
            return 0
        self._trust.peer_result(peer.name, cosigned_size=size, error=None)
        return 1

    def _ask(self, peer: Peer, *, size: int, note: bytes) -> None:
        key = CosignerKey.parse(peer.cosigner_key)
        old = peer.cosigned_size if 0 <= peer.cosigned_size <= size else 0
        for _ in range(2):  # a 409 tells us the size the witness really holds; retry once
            proof = self._custody.consistency_proof(old_size=old, new_size=size) if old else []
            body = f"old {old}\n{''.join(b64(h) + chr(10) for h in proof)}\n".encode() + note
            status, answer = self._transport.add_checkpoint(peer.url, body)
            if status == 409:
                old = _recorded_size(answer, maximum=size)
                continue
            if status != 200:
                raise PeerError(f"witness {peer.name} answered {status}: {answer[:200]!r}")
            self._store_cosignature(peer, key, size=size, note=note, answer=answer)
            return
        raise PeerError(f"witness {peer.name} kept refusing the old size")

    def _store_cosignature(
        self, peer: Peer, key: CosignerKey, *, size: int, note: bytes, answer: bytes
    ) -> None:
        if len(answer) > MAX_RESPONSE_BYTES:
            raise PeerError(f"witness {peer.name} sent an oversized answer")
        text = parse_note(note).text
        try:
            signatures = parse_signature_lines(answer.decode("utf-8"))
        except (HanoiError, UnicodeDecodeError) as exc:
            raise PeerError(f"witness {peer.name} sent a malformed cosignature: {exc}") from None
        for signature in signatures:
            if (signature.name, signature.key_id) == (key.name, key.key_id):
                key.verify_signature(signature, text)
                self._store.add_cosignature(
                    size=size, witness=peer.name, line=signature.line(), now=self._clock.now()
                )
                return
        raise PeerError(f"witness {peer.name} did not cosign with its key {key}")


def _recorded_size(answer: bytes, *, maximum: int) -> int:
    text = answer.decode("ascii", "replace").strip()
    if not text.isdigit() or int(text) > maximum:
        raise PeerError(f"a witness answered 409 with an unusable size {text[:20]!r}")
    return int(text)
