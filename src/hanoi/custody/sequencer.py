"""The sequencer: turns acknowledged appends into published tiles and a signed checkpoint.

An append is acknowledged once it is committed to the pending queue. One run of
:meth:`Sequencer.run_once` then takes these steps, in this order, and never another:

1. **lock**: one sequencer at a time (a PostgreSQL advisory lock; on SQLite the
   compare-and-swap of step 6 is the guard).
2. **read state**: the published checkpoint gives the tree size ``N`` (0 for a new log).
3. **assign**: entries already holding indexes ``N, N+1, ...`` (left by a run that
   crashed after this step) are taken as they are; otherwise up to ``batch`` pending
   entries receive indexes ``N ..`` in one database transaction. An entry gets its
   index once, and an index is never reassigned.
4. **hash**: the stored hashes of the new leaves, reading older hashes from the tiles
   published at size ``N``.
5. **write tiles**: entry bundles, then hash tiles, for the new size. Full tiles are
   immutable and partial tiles are replaced. The bytes follow only from the entries
   of step 3, so a run replayed after a crash writes the same bytes again.
6. **publish**: sign the checkpoint for the new size and compare-and-swap it into the
   database. Until this step, readers see the old checkpoint and old tiles, which
   are all still in place. After a log key rotation (ADR 0051) the published
   checkpoint is the old origin's: the first checkpoint of the new origin is published
   with the succession that ends the old one, signed by both keys, in the same
   transaction; a process that still signs for the old origin refuses to publish.

A crash between any two steps loses no acknowledged append and cannot fork the
tree: the next run resumes at step 3 with the same entries (``tests/faults/``
proves it by failing the sequencer between every pair of steps).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hanoi.clock import Clock
from hanoi.custody.checkpoint import Checkpoint, sign_checkpoint
from hanoi.custody.limits import TILE_WIDTH
from hanoi.custody.merkle import (
    EMPTY_ROOT,
    HashReader,
    leaf_hash,
    stored_hash_count,
    stored_hashes_for_leaf,
    tree_hash,
)
from hanoi.custody.note import NoteSigner
from hanoi.custody.succession import (
    LogMovedOn,
    Predecessor,
    SignedSuccession,
    Succession,
    sign_succession,
)
from hanoi.custody.tiles import (
    Tile,
    TileHashReader,
    encode_entry_bundle,
    new_tiles,
    read_tile_data,
)
from hanoi.errors import IntegrityError

DEFAULT_BATCH = 4096


class Entry(Protocol):
    @property
    def index(self) -> int: ...

    @property
    def commitment(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class PublishedState:
    size: int
    root: bytes
    checkpoint: str


class LogStore(Protocol):
    """The database side (``hanoi.storage.custody_repo.CustodyRepository``)."""

    def state(self) -> PublishedState | None: ...

    def entries_from(self, start: int, *, limit: int | None = None) -> Sequence[Entry]: ...

    def assign_indexes(self, *, start: int, limit: int) -> Sequence[Entry]: ...

    def commitments(self, start: int, count: int) -> list[bytes]: ...

    def publish(
        self,
        *,
        old_size: int | None,
        new: PublishedState,
        now: datetime,
        succession: SignedSuccession | None = None,
    ) -> bool: ...

    def sequencer_lock(self) -> contextlib.AbstractContextManager[bool]: ...


class TileWriter(Protocol):
    """The tile side (``hanoi.storage.tile_stores``)."""

    def write(self, path: str, data: bytes, *, final: bool) -> None: ...

    def read(self, path: str) -> bytes: ...


@dataclass(frozen=True, slots=True)
class RunResult:
    old_size: int
    new_size: int
    published: bool


class _Overlay:
    """Stored hashes: the new ones in memory, older ones from the published tiles."""

    def __init__(self, old: HashReader, first_new: int) -> None:
        self._old = old
        self._first_new = first_new
        self.new: list[bytes] = []

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        old = [i for i in indexes if i < self._first_new]
        found = dict(zip(old, self._old.read_hashes(old), strict=True)) if old else {}
        return [found[i] if i < self._first_new else self.new[i - self._first_new] for i in indexes]


def tile_reader(tiles: TileWriter, size: int) -> TileHashReader:
    """Stored hashes of a published tree, read from its tiles (the reader keeps a bounded
    cache of the tiles it has split)."""
    return TileHashReader(size, lambda tile: tiles.read(tile.path()))


class Sequencer:
    def __init__(
        self,
        *,
        origin: str,
        signer: NoteSigner,
        store: LogStore,
        tiles: TileWriter,
        clock: Clock,
        batch: int = DEFAULT_BATCH,
        fault: Callable[[str], None] | None = None,
        predecessors: Sequence[Predecessor] = (),
    ) -> None:
        self.origin = origin
        self._signer = signer
        self._predecessors = {p.signer.name: p for p in predecessors}
        self._store = store
        self._tiles = tiles
        self._clock = clock
        self._batch = batch
        self._fault = fault or (lambda _step: None)

    def run_once(self) -> RunResult:
        """Sequence and publish up to one batch. Safe to call from several processes."""
        with self._store.sequencer_lock() as locked:  # step 1
            if not locked:
                return RunResult(0, 0, published=False)
            self._fault("locked")
            return self._run()

    def run_until_idle(self) -> int:
        """Run batches until nothing is pending; returns the published size."""
        while True:
            result = self.run_once()
            if not result.published or result.new_size == result.old_size:
                state = self._store.state()
                return state.size if state else 0

    def _run(self) -> RunResult:
        state = self._store.state()  # step 2
        size = state.size if state else 0
        self._fault("read-state")

        entries = list(self._store.entries_from(size))  # step 3
        if not entries:
            entries = list(self._store.assign_indexes(start=size, limit=self._batch))
        if state is not None and not entries:
            return RunResult(size, size, published=True)
        if [e.index for e in entries] != list(range(size, size + len(entries))):
            raise IntegrityError(f"custody entries after index {size} are not contiguous")
        self._fault("assigned")

        new_size = size + len(entries)  # step 4
        overlay = _Overlay(tile_reader(self._tiles, size), stored_hash_count(size))
        for entry in entries:
            overlay.new.extend(
                stored_hashes_for_leaf(entry.index, leaf_hash(entry.commitment), overlay)
            )
        self._fault("hashed")

        self._write_entry_bundles(size, new_size)  # step 5
        self._fault("wrote-entries")
        for tile in new_tiles(size, new_size):
            self._tiles.write(tile.path(), read_tile_data(tile, overlay), final=tile.is_full)
        self._fault("wrote-tiles")

        root = tree_hash(new_size, overlay) if new_size else EMPTY_ROOT  # step 6
        succession = self._succession(state) if state is not None else self._first_succession()
        note = sign_checkpoint(Checkpoint(self.origin, new_size, root), [self._signer])
        published = self._store.publish(
            old_size=state.size if state else None,
            new=PublishedState(new_size, root, note.decode()),
            now=self._clock.now(),
            succession=succession,
        )
        self._fault("published")
        return RunResult(size, new_size, published=published)

    def _first_succession(self) -> SignedSuccession | None:
        """A log whose key was rotated before it published anything: its old origin ends
        at size 0, so the retired key can vouch for nothing of it."""
        if len(self._predecessors) != 1:
            return None  # none; or several rotations before any checkpoint, left unlinked
        [predecessor] = self._predecessors.values()
        return self._signed(
            Succession(
                predecessor.signer.name, 0, EMPTY_ROOT, self.origin, predecessor.new_verifier_key
            ),
            predecessor,
        )

    def _signed(self, succession: Succession, predecessor: Predecessor) -> SignedSuccession:
        note = sign_succession(succession, old=predecessor.signer, new=self._signer)
        return SignedSuccession(succession, note.decode())

    def _succession(self, state: PublishedState) -> SignedSuccession | None:
        """None when the published checkpoint is this log's; after a rotation, the
        succession from the old origin (whose retired key this process holds)."""
        origin = state.checkpoint.split("\n", 1)[0]
        if origin == self.origin:
            return None
        predecessor = self._predecessors.get(origin)
        if predecessor is None:
            raise LogMovedOn(
                f"the log's latest checkpoint is signed for {origin[:200]}, and this process "
                f"signs for {self.origin}: it started before a log key rotation (restart it), "
                "or lacks the retired log key (copy keys/retired/ from the host that rotated it)"
            )
        succession = Succession(
            origin, state.size, state.root, self.origin, predecessor.new_verifier_key
        )
        return self._signed(succession, predecessor)

    def _write_entry_bundles(self, old_size: int, new_size: int) -> None:
        first = old_size // TILE_WIDTH
        last = (new_size - 1) // TILE_WIDTH if new_size else -1
        for index in range(first, last + 1):
            start = index * TILE_WIDTH
            width = min(TILE_WIDTH, new_size - start)
            bundle = self._store.commitments(start, width)
            if len(bundle) != width:
                raise IntegrityError(f"entries {start}..{start + width - 1} are missing")
            tile = Tile(0, index, width).entries()
            data = encode_entry_bundle(bundle)
            self._tiles.write(tile.path(), data, final=tile.is_full)
