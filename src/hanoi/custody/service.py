"""The node's custody log as a service: record events, sequence them, serve proofs.

Events stay in the node's database with their salts; the public log holds only
the commitments ``SHA-256(salt || canonical event)`` (DESIGN: leaves reveal nothing).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hanoi.clock import Clock
from hanoi.custody.events import CustodyEvent, event_commitment, new_salt, parse_event
from hanoi.custody.merkle import consistency_proof, inclusion_proof
from hanoi.custody.note import NoteSigner
from hanoi.custody.sequencer import (
    DEFAULT_BATCH,
    Entry,
    LogStore,
    Sequencer,
    TileWriter,
    tile_reader,
)
from hanoi.custody.tiles import TileHashReader
from hanoi.custody.tlogproof import TlogProof
from hanoi.errors import InvalidInput, NotFound


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
    ) -> None:
        self.origin = origin
        self._store = store
        self._tiles = tiles
        self._clock = clock
        self.sequencer = Sequencer(
            origin=origin, signer=signer, store=store, tiles=tiles, clock=clock, batch=batch
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
            salt = new_salt()
            new.append(
                NewEvent(event_commitment(event, salt), event.canonical(), salt, subject_of(event))
            )
        return new

    def notify(self) -> None:
        """Wake the sequencer: events were queued by another repository's transaction."""
        self.appended.set()

    def sequence(self) -> int:
        """Publish everything queued; returns the new tree size."""
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
        """A C2SP tlog-proof for entry ``index`` against the latest (cosigned) checkpoint."""
        size = self.size()
        return TlogProof(
            index=index,
            inclusion_proof=tuple(self.inclusion_proof(index=index, size=size)),
            checkpoint=self.checkpoint(size),
        )

    def events_for(self, subject: str) -> list[LoggedEvent]:
        """Sequenced events about ``subject``, with their salts, oldest first."""
        return [
            LoggedEvent(e.index, parse_event(e.event), e.salt, e.commitment)
            for e in self._store.entries_for_subject(subject)
        ]
