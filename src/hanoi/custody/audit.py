"""Audit a whole C2SP tlog-tiles log: every tile, every entry, and its history.

:func:`audit_log` reads through a :class:`TileSource` (HTTP, a folder, memory)
and checks, in this order:

1. the checkpoint verifies under the policy (the log's key, any witnesses);
2. walking down from the partial tile of each level (the only tiles with no
   parent), every full tile hashes to its hash in the tile above, and every
   entry bundle's entries hash to their level-0 tile's hashes;
3. the partial tiles, now bound to every entry below them, hash to the
   checkpoint's root;
4. with a previously recorded checkpoint, the root of the tree at the old size,
   recomputed from the tiles just authenticated, is the recorded root (else the
   log forked its history). A checkpoint recorded under an origin the log has since
   left (a log key rotation, ADR 0051) is checked with that origin's key and must be
   linked to the current origin by successions (:mod:`hanoi.custody.succession`), no
   larger than the size its origin ended at: the tree is the same.

Nothing is trusted until step 3 passes; the order only makes the error name
the first tile that disagrees with the rest. The walk keeps one tile per level
in memory, so a log of any size fits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from hanoi.custody.checkpoint import Checkpoint
from hanoi.custody.encoding import b64
from hanoi.custody.errors import (
    RootMismatch,
    SplitViewError,
    StaleCheckpointError,
    TileMismatch,
    VerificationError,
)
from hanoi.custody.limits import DEFAULT_LIMITS, TILE_WIDTH, Limits
from hanoi.custody.merkle import leaf_hash, root_from_subtrees, tree_hash, tree_hash_indexes
from hanoi.custody.policy import CheckpointPolicy, WitnessedCheckpoint
from hanoi.custody.succession import Succession
from hanoi.custody.tiles import (
    Tile,
    TileHashReader,
    entry_bundles_for_size,
    locate_stored_hash,
    parse_entry_bundle,
    subtree_hash,
    tile_hashes,
    tiles_for_size,
)
from hanoi.errors import InvalidInput

CHECKPOINT_PATH = "checkpoint"
Progress = Callable[[int, int], None]


class TileSource(Protocol):
    def fetch(self, path: str, *, max_bytes: int) -> bytes:
        """The resource at ``path`` under the log's prefix, at most ``max_bytes`` long."""
        ...


@dataclass(frozen=True, slots=True)
class AuditReport:
    witnessed: WitnessedCheckpoint
    tiles: int
    entries: int
    previous: Checkpoint | None

    @property
    def checkpoint(self) -> Checkpoint:
        return self.witnessed.signed.checkpoint

    def summary(self) -> str:
        cp = self.checkpoint
        return f"{cp.origin} size {cp.size} root {b64(cp.root_hash)}"


class _Walk:
    """Fetches and authenticates tiles top-down; collects the hashes the history check needs."""

    def __init__(
        self,
        source: TileSource,
        *,
        size: int,
        wanted: list[int],
        progress: Progress | None,
        limits: Limits,
    ) -> None:
        self.source, self.size, self.limits, self.progress = source, size, limits, progress
        self.total = len(tiles_for_size(size)) + len(entry_bundles_for_size(size))
        self.done = 0
        self.tiles = 0
        self.entries = 0
        self.wanted: dict[Tile, list[tuple[int, int, int]]] = defaultdict(list)
        for slot, index in enumerate(wanted):
            tile, start, end = locate_stored_hash(index, size)
            self.wanted[tile].append((slot, start, end))
        self.found: dict[int, bytes] = {}

    def _fetch(self, tile: Tile, max_bytes: int) -> bytes:
        data = self.source.fetch(tile.path(), max_bytes=max_bytes)
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)
        return data

    def fetch_hashes(self, tile: Tile) -> list[bytes]:
        self.tiles += 1
        return tile_hashes(tile, self._fetch(tile, tile.data_size))

    def visit(self, tile: Tile, hashes: list[bytes]) -> None:
        """Check everything below an authenticated tile, then keep the hashes wanted from it."""
        for slot, start, end in self.wanted.get(tile, ()):
            self.found[slot] = subtree_hash(hashes[start:end])
        if tile.level == 0:
            self._check_entries(tile, hashes)
            return
        for position, expected in enumerate(hashes):
            child = Tile(tile.level - 1, tile.index * TILE_WIDTH + position)
            child_hashes = self.fetch_hashes(child)
            if subtree_hash(child_hashes) != expected:
                raise TileMismatch(
                    f"tile mismatch: {child.path()} does not hash to hash {position} "
                    f"of {tile.path()}"
                )
            self.visit(child, child_hashes)

    def _check_entries(self, tile: Tile, hashes: list[bytes]) -> None:
        bundle = tile.entries()
        data = self._fetch(bundle, self.limits.max_entry_bundle_bytes)
        entries = parse_entry_bundle(data, width=tile.width, limits=self.limits)
        for position, (entry, expected) in enumerate(zip(entries, hashes, strict=True)):
            if leaf_hash(entry) != expected:
                index = tile.index * TILE_WIDTH + position
                raise TileMismatch(
                    f"tile mismatch: entry {index} in {bundle.path()} does not hash to "
                    f"its leaf hash in {tile.path()}"
                )
        self.entries += len(entries)


def _recorded(note: bytes, *, policy: CheckpointPolicy, limits: Limits) -> Checkpoint:
    """The previously recorded checkpoint, which must still verify under the policy."""
    try:
        return policy.verify(note, limits=limits).signed.checkpoint
    except VerificationError as exc:  # these families keep HanoiError's constructor
        raise type(exc)(f"the recorded checkpoint does not verify: {exc.detail}") from None
    except InvalidInput as exc:
        raise type(exc)(f"the recorded checkpoint is malformed: {exc.detail}") from None


def _followed(previous: Checkpoint, current: str, successions: Sequence[Succession]) -> None:
    """The successions lead from ``previous``'s origin to ``current``, and ``previous`` is
    no larger than where its origin ended; else :class:`InvalidInput`."""
    by_origin = {s.old_origin: s for s in successions}
    origin, first = previous.origin, by_origin.get(previous.origin)
    while origin != current:
        step = by_origin.get(origin)
        if step is None:
            raise InvalidInput(
                f"the recorded checkpoint is for log {previous.origin!r}, not {current!r}, "
                "and no succession given leads from one to the other"
            )
        origin = step.new_origin
        del by_origin[step.old_origin]
    if first is not None and previous.size > first.size:
        raise SplitViewError(
            f"fork: the recorded checkpoint of {previous.origin} has size {previous.size}, "
            f"beyond the size {first.size} at which that origin ended"
        )


def _check_previous(
    previous: Checkpoint, current: Checkpoint, successions: Sequence[Succession] = ()
) -> None:
    if previous.origin != current.origin:
        _followed(previous, current.origin, successions)
    if previous.size > current.size:
        raise StaleCheckpointError(
            f"rollback: the log serves size {current.size}, older than the recorded "
            f"size {previous.size}",
            recorded_size=previous.size,
        )
    if previous.size == current.size and previous.root_hash != current.root_hash:
        raise SplitViewError(
            f"fork: the log's checkpoint has another root for the recorded size {current.size}"
        )


def audit_log(
    source: TileSource,
    *,
    policy: CheckpointPolicy,
    previous: bytes | None = None,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    former: CheckpointPolicy | None = None,
    successions: Sequence[Succession] = (),
) -> AuditReport:
    """Audit the log behind ``source``; ``previous`` is a checkpoint note recorded before,
    under the log's current origin, or under a former one whose key ``former`` holds and
    that ``successions`` (already verified) link to it."""
    note = source.fetch(CHECKPOINT_PATH, max_bytes=limits.max_note_bytes)
    witnessed = policy.verify(note, limits=limits)
    checkpoint = witnessed.signed.checkpoint
    old = None
    if previous is not None:
        old = _recorded(previous, policy=policy if former is None else former, limits=limits)
        _check_previous(old, checkpoint, successions)
    size = checkpoint.size
    wanted = tree_hash_indexes(old.size) if old is not None and old.size < size else []
    walk = _Walk(source, size=size, wanted=wanted, progress=progress, limits=limits)

    partial = {t: walk.fetch_hashes(t) for t in tiles_for_size(size) if not t.is_full}
    for tile in sorted(partial, key=lambda t: -t.level):
        walk.visit(tile, partial[tile])
    rows = {t: b"".join(hashes) for t, hashes in partial.items()}
    root = tree_hash(size, TileHashReader(size, rows.__getitem__))
    if root != checkpoint.root_hash:
        raise RootMismatch(
            f"root mismatch: the tiles give root {b64(root)} for size {size}, "
            f"the checkpoint says {b64(checkpoint.root_hash)}"
        )

    if old is not None and wanted:
        old_root = root_from_subtrees([walk.found[slot] for slot in range(len(wanted))])
        if old_root != old.root_hash:
            raise SplitViewError(
                f"fork: the log's tree at the recorded size {old.size} has root "
                f"{b64(old_root)}, the recorded checkpoint says {b64(old.root_hash)}"
            )
    return AuditReport(witnessed, walk.tiles, walk.entries, old)
