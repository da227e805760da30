"""C2SP tlog-tiles: tile coordinates, paths, tile data and entry bundles.

A tile at level ``L`` holds up to 256 consecutive Merkle tree hashes at tree
level ``8 * L``; a full tile is the bottom row of a subtree of height 8, whose
root is one hash in the tile above. An entry bundle holds the entries behind
one level-0 tile, each as a big-endian uint16 length and its bytes.

Paths are ``tile/<L>/<N>[.p/<W>]`` and ``tile/entries/<N>[.p/<W>]``, with ``N`` in
zero-padded groups of three digits, every group but the last prefixed by ``x``
(1234067 is ``x001/x234/067``).

:class:`TileHashReader` serves :mod:`hanoi.custody.merkle`'s stored hash indexes
from tiles, so a sequencer generates proofs straight from its tile store.
"""

from __future__ import annotations

import hashlib
import struct
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from hanoi.custody.encoding import parse_decimal
from hanoi.custody.errors import MalformedTile, TileMismatch
from hanoi.custody.limits import (
    DEFAULT_LIMITS,
    HASH_SIZE,
    MAX_ENTRY_BYTES,
    TILE_HEIGHT,
    TILE_WIDTH,
    Limits,
)
from hanoi.custody.merkle import HashReader, split_stored_hash_index, stored_hash_index
from hanoi.errors import InvalidInput

ENTRIES_LEVEL = -1
MAX_LEVEL = 63
_LENGTH = struct.Struct(">H")


@dataclass(frozen=True, slots=True, order=True)
class Tile:
    """A hash tile (``level`` 0-63) or an entry bundle (``level`` :data:`ENTRIES_LEVEL`)."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not ENTRIES_LEVEL <= self.level <= MAX_LEVEL:
            raise InvalidInput(f"tile level {self.level} is outside -1..63")
        if self.index < 0 or not 1 <= self.width <= TILE_WIDTH:
            raise InvalidInput(f"tile index {self.index} or width {self.width} is out of range")

    @property
    def is_entries(self) -> bool:
        return self.level == ENTRIES_LEVEL

    @property
    def is_full(self) -> bool:
        return self.width == TILE_WIDTH

    @property
    def data_size(self) -> int:
        """The byte length of a hash tile of this width."""
        return self.width * HASH_SIZE

    def path(self) -> str:
        level = "entries" if self.is_entries else str(self.level)
        partial = "" if self.is_full else f".p/{self.width}"
        return f"tile/{level}/{encode_tile_index(self.index)}{partial}"

    def entries(self) -> Tile:
        """The entry bundle behind this level-0 tile."""
        if self.level != 0:
            raise InvalidInput("only level-0 tiles have entry bundles")
        return Tile(ENTRIES_LEVEL, self.index, self.width)


def encode_tile_index(n: int) -> str:
    groups = [f"{n % 1000:03d}"]
    while n >= 1000:
        n //= 1000
        groups.append(f"x{n % 1000:03d}")
    return "/".join(reversed(groups))


def parse_tile_path(path: str, *, limits: Limits = DEFAULT_LIMITS) -> Tile:
    """Parse a tile or entry bundle path; only the canonical spelling is accepted."""
    if len(path) > limits.max_tile_path_bytes or not path.isascii():
        raise MalformedTile("the tile path is too long or not ASCII")
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise MalformedTile(f"not a tile path: {path!r}")
    width = TILE_WIDTH
    if parts[-2].endswith(".p"):
        width = parse_decimal(parts[-1], error=MalformedTile, what="tile width", maximum=255)
        parts = [*parts[:-2], parts[-2][: -len(".p")]]
    if parts[1] == "entries":
        level = ENTRIES_LEVEL
    else:
        level = parse_decimal(parts[1], error=MalformedTile, what="tile level", maximum=MAX_LEVEL)
    index = 0
    groups = parts[2:]
    for position, group in enumerate(groups):
        digits = group[1:] if position < len(groups) - 1 and group.startswith("x") else group
        if len(digits) != 3 or not digits.isdigit():
            raise MalformedTile(f"bad tile index element {group!r}")
        index = index * 1000 + int(digits)
    if width == 0 or index > limits.max_tree_size >> TILE_HEIGHT:
        raise MalformedTile(f"tile width or index out of range in {path!r}")
    tile = Tile(level, index, width)
    if tile.path() != path:
        raise MalformedTile(f"not the canonical tile path: {path!r}")
    return tile


# --- which tiles a tree has -------------------------------------------------------------


def new_tiles(old_size: int, new_size: int) -> list[Tile]:
    """The hash tiles to publish when a tree grows from ``old_size`` to ``new_size``.

    Listed level by level from level 0, each level left to right. A tile that
    was partial at ``old_size`` is listed again at its new width.
    """
    if not 0 <= old_size <= new_size:
        raise InvalidInput(f"a tree cannot grow from {old_size} to {new_size}")
    tiles = []
    level = 0
    while new_size >> (TILE_HEIGHT * level):
        old_count = old_size >> (TILE_HEIGHT * level)
        new_count = new_size >> (TILE_HEIGHT * level)
        if old_count != new_count:
            for index in range(old_count >> TILE_HEIGHT, new_count >> TILE_HEIGHT):
                tiles.append(Tile(level, index))
            if rest := new_count % TILE_WIDTH:
                tiles.append(Tile(level, new_count >> TILE_HEIGHT, rest))
        level += 1
    return tiles


def tiles_for_size(size: int) -> list[Tile]:
    """Every hash tile of a tree of ``size`` leaves."""
    return new_tiles(0, size)


def entry_bundles_for_size(size: int) -> list[Tile]:
    """Every entry bundle of a log of ``size`` entries."""
    return [t.entries() for t in tiles_for_size(size) if t.level == 0]


def tile_in_tree(level: int, index: int, *, size: int) -> Tile | None:
    """Tile ``index`` at ``level`` as a tree of ``size`` publishes it, or None if it has none."""
    available = (size >> (TILE_HEIGHT * level)) - index * TILE_WIDTH
    if available <= 0:
        return None
    return Tile(level, index, min(available, TILE_WIDTH))


def locate_stored_hash(index: int, size: int) -> tuple[Tile, int, int]:
    """The tile of a tree of ``size`` holding stored hash ``index``, and the span inside it.

    Returns ``(tile, start, end)``: the hash is the subtree hash of the tile's
    hashes ``start`` to ``end`` (exclusive).
    """
    level, n = split_stored_hash_index(index)
    tile_level, height = divmod(level, TILE_HEIGHT)
    first = n << height  # the first covered hash at level 8 * tile_level
    tile = tile_in_tree(tile_level, first >> TILE_HEIGHT, size=size)
    start = first % TILE_WIDTH
    end = start + (1 << height)
    if tile is None or end > tile.width:
        raise InvalidInput(f"stored hash {index} is not in a tree of size {size}")
    return tile, start, end


def tiles_for_hashes(indexes: Iterable[int], *, size: int) -> list[Tile]:
    """The distinct tiles of a tree of ``size`` that hold these stored hashes (to prefetch)."""
    return sorted({locate_stored_hash(i, size)[0] for i in indexes})


# --- tile data --------------------------------------------------------------------------


def tile_hashes(tile: Tile, data: bytes) -> list[bytes]:
    """Split hash tile data into its hashes; the length must match the tile's width."""
    if tile.is_entries or len(data) != tile.data_size:
        raise MalformedTile(f"{tile.path()} has {len(data)} bytes, expected {tile.data_size}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def subtree_hash(hashes: Sequence[bytes]) -> bytes:
    """The hash of the complete subtree whose bottom row is ``hashes`` (a power of two)."""
    row = list(hashes)
    if not row or len(row) & (len(row) - 1):
        raise InvalidInput("a complete subtree has a power-of-two width")
    return _tile_tree(row)[-1][0]


def read_tile_data(tile: Tile, reader: HashReader) -> bytes:
    """Build a hash tile's bytes from stored hashes (what a sequencer publishes)."""
    if tile.is_entries:
        raise InvalidInput("entry bundles hold entries, not hashes")
    level = TILE_HEIGHT * tile.level
    first = tile.index * TILE_WIDTH
    hashes = reader.read_hashes([stored_hash_index(level, first + i) for i in range(tile.width)])
    if len(hashes) != tile.width or any(len(h) != HASH_SIZE for h in hashes):
        raise TileMismatch(f"the hash store returned a bad answer for {tile.path()}")
    return b"".join(hashes)


def _tile_tree(row: list[bytes]) -> list[list[bytes]]:
    """Every complete subtree over ``row``: ``tree[h][k]`` covers ``row[k << h : (k + 1) << h]``."""
    sha256 = hashlib.sha256  # node_hash, inlined: proofs from tiles spend their time here
    tree = [row]
    while len(row) > 1:
        pairs = zip(row[0 : len(row) - 1 : 2], row[1::2], strict=True)
        row = [sha256(b"\x01" + left + right).digest() for left, right in pairs]
        tree.append(row)
    return tree


class TileHashReader:
    """A :class:`~hanoi.custody.merkle.HashReader` over the tiles of a tree of ``size``.

    ``read_tile`` returns a tile's bytes. The reader hashes each tile it reads
    into its subtrees once and keeps the last ``cached_tiles`` of each level (a
    tile never changes: a grown partial tile is another :class:`Tile`), so
    proofs do not rehash the upper tiles they all share. It is not safe to
    share between threads.

    This reader does not authenticate tiles: use it over a store this node
    wrote, or over tiles already checked against a signed root (as
    :mod:`hanoi.custody.audit` does).
    """

    def __init__(
        self, size: int, read_tile: Callable[[Tile], bytes], *, cached_tiles: int = 256
    ) -> None:
        self.size = size
        self._read_tile = read_tile
        self._cached_tiles = cached_tiles
        self._trees: dict[int, OrderedDict[Tile, list[list[bytes]]]] = {}

    def _tree(self, tile: Tile) -> list[list[bytes]]:
        level = self._trees.setdefault(tile.level, OrderedDict())
        tree = level.get(tile)
        if tree is None:
            tree = _tile_tree(tile_hashes(tile, self._read_tile(tile)))
            level[tile] = tree
            if len(level) > self._cached_tiles:
                level.popitem(last=False)
        else:
            level.move_to_end(tile)
        return tree

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        hashes = []
        for index in indexes:
            tile, start, end = locate_stored_hash(index, self.size)
            height = (end - start).bit_length() - 1
            hashes.append(self._tree(tile)[height][start >> height])
        return hashes


# --- entry bundles ----------------------------------------------------------------------


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise InvalidInput("an entry bundle holds 1 to 256 entries")
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_BYTES:
            raise InvalidInput(f"a log entry is at most {MAX_ENTRY_BYTES} bytes")
        out += _LENGTH.pack(len(entry)) + entry
    return bytes(out)


def parse_entry_bundle(
    data: bytes, *, width: int | None = None, limits: Limits = DEFAULT_LIMITS
) -> list[bytes]:
    """Split an entry bundle; with ``width``, it must hold exactly that many entries."""
    if len(data) > limits.max_entry_bundle_bytes:
        raise MalformedTile("the entry bundle is too large")
    entries, at = [], 0
    while at < len(data):
        if at + 2 > len(data):
            raise MalformedTile("the entry bundle ends inside a length prefix")
        (length,) = _LENGTH.unpack_from(data, at)
        at += 2
        if length > limits.max_entry_bytes or at + length > len(data):
            raise MalformedTile("an entry in the bundle is too long or truncated")
        entries.append(data[at : at + length])
        at += length
        if len(entries) > TILE_WIDTH:
            raise MalformedTile("the entry bundle holds more than 256 entries")
    if not entries or (width is not None and len(entries) != width):
        raise MalformedTile(f"the entry bundle holds {len(entries)} entries, expected {width}")
    return entries
