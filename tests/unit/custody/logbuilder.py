"""Test helpers: an in-memory tiled log, a tile source over it, and input mutations."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

from hanoi.custody.checkpoint import Checkpoint, sign_checkpoint
from hanoi.custody.merkle import MemoryHashStore, leaf_hash, tree_hash
from hanoi.custody.note import Ed25519Signer
from hanoi.custody.tiles import (
    encode_entry_bundle,
    entry_bundles_for_size,
    read_tile_data,
    tiles_for_size,
)
from hanoi.errors import NotFound


@dataclass
class MemoryLog:
    """Entries, their stored hashes, and the tlog-tiles resources a log would serve."""

    signer: Ed25519Signer
    entries: list[bytes] = field(default_factory=list)
    store: MemoryHashStore = field(default_factory=MemoryHashStore)

    @property
    def origin(self) -> str:
        return self.signer.name

    def extend(self, entries: Iterable[bytes]) -> MemoryLog:
        for entry in entries:
            self.entries.append(entry)
            self.store.append(leaf_hash(entry))
        return self

    def checkpoint(self, size: int | None = None) -> Checkpoint:
        size = len(self.entries) if size is None else size
        return Checkpoint(self.origin, size, tree_hash(size, self.store))

    def checkpoint_note(self, size: int | None = None) -> bytes:
        return sign_checkpoint(self.checkpoint(size), [self.signer])

    def resources(self, size: int | None = None) -> dict[str, bytes]:
        size = len(self.entries) if size is None else size
        files = {"checkpoint": self.checkpoint_note(size)}
        for tile in tiles_for_size(size):
            files[tile.path()] = read_tile_data(tile, self.store)
        for bundle in entry_bundles_for_size(size):
            first = bundle.index * 256
            files[bundle.path()] = encode_entry_bundle(self.entries[first : first + bundle.width])
        return files

    def write(self, folder: Path, size: int | None = None) -> Path:
        for path, data in self.resources(size).items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return folder


class MemorySource:
    """A :class:`hanoi.custody.audit.TileSource` over a dict of resources."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.fetched: list[str] = []

    def fetch(self, path: str, *, max_bytes: int) -> bytes:
        self.fetched.append(path)
        if path not in self.files:
            raise NotFound(f"{path}: not found")
        return self.files[path][: max_bytes + 1]


def entries(count: int, *, tag: str = "e") -> list[bytes]:
    return [f'{{"{tag}":{i}}}'.encode() for i in range(count)]


_INTERESTING = (
    b"\n",
    b"\n\n",
    b" ",
    b"+",
    b"=",
    b"0",
    b"x",
    b"/",
    b".p/",
    "\u2014 ".encode(),
    b"\x00",
)


def mutate(data: bytes, seed: int) -> bytes:
    """One to four edits chosen by ``seed``: flip, insert, delete or duplicate a run."""
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(out))
        kind = rng.randint(0, 3)
        if kind == 0 and out:
            out[min(at, len(out) - 1)] ^= 1 << rng.randint(0, 7)
        elif kind == 1:
            chunk = (
                rng.choice(_INTERESTING) if rng.random() < 0.5 else rng.randbytes(rng.randint(1, 8))
            )
            out[at:at] = chunk
        elif kind == 2:
            del out[at : at + rng.randint(1, 8)]
        else:
            out[at:at] = out[at : at + rng.randint(1, 8)]
    return bytes(out)


def mutants(*valid: bytes) -> st.SearchStrategy[bytes]:
    """Valid inputs with a few random edits (replayable by seed), or junk."""
    return st.one_of(
        st.builds(mutate, st.sampled_from(valid), st.integers(0, (1 << 64) - 1)),
        st.binary(max_size=300),
    )
