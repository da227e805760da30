"""The node's custody log as a service: record events, sequence them, serve proofs.

Events stay in the node's database with their salts; the public log holds only
the commitments ``SHA-256(salt || canonical event)`` (DESIGN: leaves reveal nothing).

Two kinds of proof: :meth:`CustodyLog.proof_for` proves an entry against the latest
checkpoint with whatever cosignatures it has (for the node's own pages and API);
:meth:`CustodyLog.witnessed_proof` proves it against the latest checkpoint that enough
witnesses of other States cosigned, and is what every proof leaving the node uses
(packages, exports for court; ADR 0022). Waiting for such a checkpoint is
:mod:`hanoi.custody.quorum`'s business, not this module's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from hanoi.clock import Clock
from hanoi.custody.errors import VerificationError
from hanoi.custody.events import (
    CustodyEvent,
    commitment_of,
    new_salt,
    parse_event,
)
from hanoi.custody.merkle import consistency_proof, inclusion_proof
from hanoi.custody.note import NoteSigner
from hanoi.custody.policy import CheckpointPolicy
from hanoi.custody.sequencer import (
    DEFAULT_BATCH,
    Entry,
    LogStore,
    Sequencer,
    TileWriter,
    tile_reader,
)
from hanoi.custody.succession import Predecessor
from hanoi.custody.tiles import TileHashReader
from hanoi.custody.tlogproof import TlogProof
from hanoi.errors import InvalidInput, NotFound, PeerError

COSIGNED_SIZES_LOOKED_AT = 32
"""How many of the latest cosigned checkpoints a witnessed proof looks through."""


class StoredEvent(Entry, Protocol):
    @property
    def event(self) -> bytes: ...

    @property
    def salt(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class NewEvent:
    commitment: bytes
    event: bytes
    salt: bytes
    subject: str


class CustodyStore(LogStore, Protocol):
    def enqueue(self, entries: Sequence[NewEvent], *, now: datetime) -> None: ...

    def entry(self, index: int) -> StoredEvent | None: ...

    def entries_for_subject(self, subject: str) -> Sequence[StoredEvent]: ...

    def checkpoint_at(self, size: int) -> str | None: ...

    def cosignature_lines(self, size: int) -> list[str]: ...

    def cosigned_sizes(self, *, from_size: int, limit: int) -> list[int]:
        """Sizes of at least ``from_size`` whose checkpoints have cosignatures, largest first."""
        ...


class QuorumNotReached(PeerError):
    """No checkpoint that includes the entries carries the cosignatures of enough witnesses
    of other States (yet): their nodes have not answered. A package waits; it never leaves
    on a weaker proof."""

    def __init__(
        self,
        detail: str,
        *,
        required: int,
        size: int,
        witnesses: tuple[str, ...] = (),
        cosigned: tuple[str, ...] = (),
    ) -> None:
        super().__init__(detail)
        self.required = required
        self.size = size
        self.witnesses = witnesses
        """The names of the witness keys whose cosignatures count."""
        self.cosigned = cosigned
        """Those of them that cosigned the latest checkpoint (fewer than required)."""


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    index: int
    event: CustodyEvent
    salt: bytes
    commitment: bytes


def subject_of(event: CustodyEvent) -> str:
    """What an event is looked up by: the evidence digest, else the request."""
    return (
        f"sha256:{event.evidence_sha256}"
        if event.evidence_sha256
        else f"request:{event.request_id}"
    )


class CustodyLog:
    def __init__(
        self,
        *,
        origin: str,
        signer: NoteSigner,
        store: CustodyStore,
        tiles: TileWriter,
        clock: Clock,
        batch: int = DEFAULT_BATCH,
        hold: Callable[[], None] | None = None,
        predecessors: Sequence[Predecessor] = (),
    ) -> None:
        self.origin = origin
        self._hold = hold
        """Raises while this log must not sign (a restored node not yet checked against its
        witnesses, :mod:`hanoi.custody.rollback`); None: never held."""
        self._store = store
        self._tiles = tiles
        self._clock = clock
        self.sequencer = Sequencer(
            origin=origin,
            signer=signer,
            store=store,
            tiles=tiles,
            clock=clock,
            batch=batch,
            predecessors=predecessors,
        )
        self.appended = threading.Event()  # wakes the background sequencer
        self._sequencing = threading.Lock()  # one sequencer per process; the store guards the rest
        self._proofs = threading.Lock()  # the cached tile reader is not thread-safe
        self._readers: dict[int, TileHashReader] = {}

    def record(self, events: Sequence[CustodyEvent]) -> list[NewEvent]:
        """Durably queue custody events; the log includes them at its next sequencing."""
        new = self.prepare(events)
        self._store.enqueue(new, now=self._clock.now())
        self.appended.set()
        return new

    @staticmethod
    def prepare(events: Sequence[CustodyEvent]) -> list[NewEvent]:
        """Salt and commit to events, for a caller that queues them in its own transaction
        (then calls :meth:`notify`)."""
        new = []
        for event in events:
            salt, canonical = new_salt(), event.canonical()  # canonicalised once for both
            new.append(NewEvent(commitment_of(canonical, salt), canonical, salt, subject_of(event)))
        return new

    def notify(self) -> None:
        """Wake the sequencer: events were queued by another repository's transaction."""
        self.appended.set()

    def sequence(self) -> int:
        """Publish everything queued; returns the new tree size. Raises the hold's error
        (and signs nothing) while the log is held."""
        if self._hold is not None:
            self._hold()
        with self._sequencing:
            return self.sequencer.run_until_idle()

    def size(self) -> int:
        state = self._store.state()
        return state.size if state else 0

    def checkpoint(self, size: int | None = None) -> bytes:
        """The signed checkpoint (latest, or at ``size``), with the cosignatures collected."""
        if size is None:
            state = self._store.state()
            if state is None:
                raise NotFound("the custody log has no checkpoint yet")
            note, size = state.checkpoint, state.size
        else:
            found = self._store.checkpoint_at(size)
            if found is None:
                raise NotFound(f"this log never published a checkpoint of size {size}")
            note = found
        return (note + "".join(self._store.cosignature_lines(size))).encode()

    def read_tile(self, path: str) -> bytes:
        """A tile or entry bundle, for serving. Tiles written just before their checkpoint
        (sequencer steps 5 and 6) are harmless: their bytes are fixed by the entries' indexes."""
        return self._tiles.read(path)

    def checkpoint_note(self, size: int) -> bytes:
        """The checkpoint at ``size`` as this log signed it, without cosignatures."""
        note = self._store.checkpoint_at(size)
        if note is None:
            raise NotFound(f"this log never published a checkpoint of size {size}")
        return note.encode()

    def _reader(self, size: int) -> TileHashReader:
        """A tile reader for the tree of ``size``, kept while that size is the latest asked
        for, so that its tile cache serves many proofs. Call with ``self._proofs`` held."""
        reader = self._readers.get(size)
        if reader is None:
            self._readers = {size: tile_reader(self._tiles, size)}
            reader = self._readers[size]
        return reader

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size():
            raise InvalidInput(f"size {size} is beyond the published tree size {self.size()}")

    def inclusion_proof(self, *, index: int, size: int) -> list[bytes]:
        self._check_size(size)
        if not 0 <= index < size:
            raise InvalidInput(f"index {index} is not in a tree of size {size}")
        with self._proofs:
            return inclusion_proof(index=index, size=size, reader=self._reader(size))

    def consistency_proof(self, *, old_size: int, new_size: int) -> list[bytes]:
        self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise InvalidInput(f"old size {old_size} must be between 0 and {new_size}")
        with self._proofs:
            return consistency_proof(
                old_size=old_size, new_size=new_size, reader=self._reader(new_size)
            )

    def proof_for(self, index: int) -> TlogProof:
        """A C2SP tlog-proof for entry ``index`` against the latest checkpoint, with whatever
        cosignatures it has (none, often: it is new). Proofs that leave the node use
        :meth:`witnessed_proof`."""
        size = self.size()
        return TlogProof(
            index=index,
            inclusion_proof=tuple(self.inclusion_proof(index=index, size=size)),
            checkpoint=self.checkpoint(size),
        )

    def witnessed_size(self, *, at_least: int, policy: CheckpointPolicy) -> int | None:
        """The largest tree size of at least ``at_least`` whose checkpoint, with the
        cosignatures stored for it, satisfies ``policy`` (this log's key and the quorum of
        witnesses); None if there is none yet."""
        if policy.min_witnesses == 0:
            size = self.size()
            return size if size >= at_least and size > 0 else None
        for size in self._store.cosigned_sizes(
            from_size=max(at_least, 1), limit=COSIGNED_SIZES_LOOKED_AT
        ):
            try:
                policy.verify(self.checkpoint(size))
            except VerificationError:  # too few cosignatures, or a witness key since rotated
                continue
            return size
        return None

    def witnessed_proof(self, index: int, *, policy: CheckpointPolicy) -> TlogProof:
        """A C2SP tlog-proof for entry ``index`` against the latest checkpoint that includes
        it and satisfies ``policy``; :class:`QuorumNotReached` if no checkpoint does yet."""
        size = self.witnessed_size(at_least=index + 1, policy=policy)
        if size is None:
            raise self.not_witnessed(policy, size=max(self.size(), index + 1))
        return TlogProof(
            index=index,
            inclusion_proof=tuple(self.inclusion_proof(index=index, size=size)),
            checkpoint=self.checkpoint(size),
        )

    def latest_cosigners(self, policy: CheckpointPolicy) -> tuple[str, ...]:
        """The names of ``policy``'s witnesses whose cosignatures of the latest checkpoint
        verify (whatever the quorum)."""
        if not self.size():
            return ()
        try:
            opened = replace(policy, min_witnesses=0).verify(self.checkpoint())
        except VerificationError:
            return ()
        return tuple(label.split("+", 1)[0] for label in opened.witnesses)

    def not_witnessed(self, policy: CheckpointPolicy, *, size: int) -> QuorumNotReached:
        """The error for a log whose checkpoints from ``size`` on lack the quorum: who must
        cosign, and who cosigned the latest checkpoint."""
        cosigned = self.latest_cosigners(policy)
        return QuorumNotReached(
            f"no checkpoint of {self.origin} from size {size} on is cosigned by "
            f"{policy.min_witnesses} witness(es) of other States yet "
            f"(the latest, size {self.size()}, by {len(cosigned)})",
            required=policy.min_witnesses,
            size=size,
            witnesses=tuple(dict.fromkeys(k.name for k in policy.witness_keys)),
            cosigned=cosigned,
        )

    def witnessed(self, policy: CheckpointPolicy) -> WitnessedCustody:
        """This log as a packer's custody source whose proofs satisfy ``policy``."""
        return WitnessedCustody(self, policy)

    def events_for(self, subject: str) -> list[LoggedEvent]:
        """Sequenced events about ``subject``, with their salts, oldest first."""
        return [
            LoggedEvent(e.index, parse_event(e.event), e.salt, e.commitment)
            for e in self._store.entries_for_subject(subject)
        ]


class WitnessedCustody:
    """A custody source for packing (``hanoi.evidence.custody_bundle.CustodySource``)
    whose every proof rests on a checkpoint with the quorum: packing fails with
    :class:`QuorumNotReached` rather than carry a weaker proof."""

    def __init__(self, log: CustodyLog, policy: CheckpointPolicy) -> None:
        self.log = log
        self.policy = policy
        self.origin = log.origin

    def events_for(self, subject: str) -> list[LoggedEvent]:
        return self.log.events_for(subject)

    def proof_for(self, index: int) -> TlogProof:
        return self.log.witnessed_proof(index, policy=self.policy)
