"""C2SP tlog-tiles: paths, which tiles a tree has, tile data and entry bundles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hanoi.custody.errors import MalformedTile
from hanoi.custody.merkle import (
    MemoryHashStore,
    inclusion_proof,
    inclusion_proof_indexes,
    leaf_hash,
    stored_hash_index,
    tree_hash,
    tree_hash_indexes,
)
from hanoi.custody.tiles import (
    ENTRIES_LEVEL,
    Tile,
    TileHashReader,
    encode_entry_bundle,
    encode_tile_index,
    entry_bundles_for_size,
    locate_stored_hash,
    new_tiles,
    parse_entry_bundle,
    parse_tile_path,
    read_tile_data,
    subtree_hash,
    tile_hashes,
    tile_in_tree,
    tiles_for_hashes,
    tiles_for_size,
)
from hanoi.errors import HanoiError, InvalidInput
from unit.custody.logbuilder import mutants


def test_paths_follow_the_specification() -> None:
    assert encode_tile_index(1234067) == "x001/x234/067"
    assert encode_tile_index(0) == "000"
    assert encode_tile_index(1000) == "x001/000"
    assert Tile(0, 1234067).path() == "tile/0/x001/x234/067"
    assert Tile(2, 5, 17).path() == "tile/2/005.p/17"
    assert Tile(ENTRIES_LEVEL, 1234067, 1).path() == "tile/entries/x001/x234/067.p/1"
    assert Tile(0, 3, 232).entries() == Tile(ENTRIES_LEVEL, 3, 232)


@pytest.mark.parametrize(
    "path",
    ["tile/0/000", "tile/63/x001/x234/067.p/255", "tile/entries/999.p/1", "tile/1/x999/999"],
)
def test_valid_paths_round_trip(path: str) -> None:
    assert parse_tile_path(path).path() == path


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/0",
        "tile/00/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/0/x000/001",
        "tile/0/001/002",
        "tile/0/x001",
        "tile/0/000.p/256",
        "tile/0/000.p/0",
        "tile/0/000.p/07",
        "tile/0/000.p",
        "tile/data/000",
        "tiles/0/000",
        "tile/0/000/",
        "tile/0/\u0660\u0660\u0660",
        "tile/0/+01",
        "tile/8/000.p/1 ",
    ],
)
def test_malformed_paths_are_rejected(path: str) -> None:
    with pytest.raises(MalformedTile):
        parse_tile_path(path)


@given(st.integers(-1, 63), st.integers(0, 1 << 50), st.integers(1, 256))
def test_every_tile_path_parses_back(level: int, index: int, width: int) -> None:
    tile = Tile(level, index, width)
    assert parse_tile_path(tile.path()) == tile


@settings(max_examples=2000, deadline=None)
@given(
    mutants(b"tile/0/x001/x234/067.p/12", b"tile/entries/005", b"tile/3/x999/000").map(
        lambda b: b.decode("utf-8", "replace")
    )
)
def test_fuzzed_paths_parse_or_raise_malformed(path: str) -> None:
    try:
        tile = parse_tile_path(path)
    except MalformedTile:
        return
    assert tile.path() == path


def test_tiles_of_the_specification_example() -> None:
    tiles = tiles_for_size(70_000)
    level0 = [t for t in tiles if t.level == 0]
    assert len([t for t in level0 if t.is_full]) == 273
    assert [t for t in level0 if not t.is_full] == [Tile(0, 273, 112)]
    assert [t for t in tiles if t.level == 1] == [Tile(1, 0), Tile(1, 1, 17)]
    assert [t for t in tiles if t.level == 2] == [Tile(2, 0, 1)]
    assert tiles_for_size(256) == [Tile(0, 0), Tile(1, 0, 1)]
    assert tiles_for_size(0) == []
    assert entry_bundles_for_size(257) == [Tile(ENTRIES_LEVEL, 0), Tile(ENTRIES_LEVEL, 1, 1)]


def test_new_tiles_lists_what_changed() -> None:
    assert new_tiles(300, 300) == []
    assert new_tiles(300, 600) == [Tile(0, 1), Tile(0, 2, 88), Tile(1, 0, 2)]
    assert new_tiles(512, 513) == [Tile(0, 2, 1)]
    with pytest.raises(InvalidInput):
        new_tiles(5, 4)


def test_tile_in_tree() -> None:
    assert tile_in_tree(0, 3, size=1000) == Tile(0, 3, 232)
    assert tile_in_tree(0, 4, size=1000) is None
    assert tile_in_tree(1, 0, size=1000) == Tile(1, 0, 3)


@pytest.fixture(scope="module")
def store() -> MemoryHashStore:
    store = MemoryHashStore()
    for i in range(70_000):
        store.append(leaf_hash(i.to_bytes(4, "big")))
    return store


def test_tiles_hold_the_tree(store: MemoryHashStore) -> None:
    size = 70_000
    data = {t: read_tile_data(t, store) for t in tiles_for_size(size)}
    reader = TileHashReader(size, data.__getitem__)
    assert tree_hash(size, reader) == tree_hash(size, store)
    for index in (0, 255, 256, 65_535, 65_536, 69_999):
        assert inclusion_proof(index=index, size=size, reader=reader) == inclusion_proof(
            index=index, size=size, reader=store
        )
    needed = tiles_for_hashes(inclusion_proof_indexes(index=70, size=size), size=size)
    assert {t.level for t in needed} <= {0, 1, 2}
    # A full tile's subtree hash is its entry in the tile above.
    full = Tile(0, 7)
    parent = tile_hashes(Tile(1, 0), data[Tile(1, 0)])
    assert subtree_hash(tile_hashes(full, data[full])) == parent[7]
    assert set(tiles_for_hashes(tree_hash_indexes(size), size=size)) == {
        t for t in data if not t.is_full
    }


def test_locating_a_hash_outside_the_tree_fails() -> None:
    with pytest.raises(InvalidInput):
        locate_stored_hash(stored_hash_index(8, 1), 300)
    tile, start, end = locate_stored_hash(stored_hash_index(3, 33), 300)
    assert (tile, start, end) == (Tile(0, 1, 44), 8, 16)


def test_tile_data_must_have_the_tile_width() -> None:
    with pytest.raises(MalformedTile, match="8191 bytes"):
        tile_hashes(Tile(0, 0), bytes(8191))
    with pytest.raises(MalformedTile):
        tile_hashes(Tile(ENTRIES_LEVEL, 0), bytes(8192))
    with pytest.raises(InvalidInput):
        subtree_hash([bytes(32)] * 3)


def test_entry_bundles_round_trip() -> None:
    entries = [b"", b"a", b"x" * 65_535]
    data = encode_entry_bundle(entries)
    assert data[:2] == b"\x00\x00"
    assert data[2:5] == b"\x00\x01a"
    assert parse_entry_bundle(data, width=3) == entries
    with pytest.raises(MalformedTile, match="expected 4"):
        parse_entry_bundle(data, width=4)
    with pytest.raises(InvalidInput):
        encode_entry_bundle([b"x" * 65_536])
    with pytest.raises(InvalidInput):
        encode_entry_bundle([])
    with pytest.raises(MalformedTile):
        parse_entry_bundle(encode_entry_bundle([b"a"] * 256) + b"\x00\x00")


@settings(max_examples=2000, deadline=None)
@given(mutants(encode_entry_bundle([b"abc", b"", b"{}" * 20]), encode_entry_bundle([b"z"] * 9)))
def test_fuzzed_entry_bundles_parse_or_raise_malformed(data: bytes) -> None:
    try:
        entries = parse_entry_bundle(data)
    except MalformedTile:
        return
    assert encode_entry_bundle(entries) == data


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=300), st.integers(1, 9))
def test_fuzzed_tile_data_splits_or_raises_malformed(data: bytes, width: int) -> None:
    try:
        hashes = tile_hashes(Tile(0, 0, width), data)
    except HanoiError:
        return
    assert b"".join(hashes) == data


def test_the_tile_reader_caches_tiles_and_checks_their_length(store: MemoryHashStore) -> None:
    size = 70_000
    data = {t: read_tile_data(t, store) for t in tiles_for_size(size)}
    reads: list[Tile] = []

    def read(tile: Tile) -> bytes:
        reads.append(tile)
        return data[tile]

    for cached in (1, 64):
        reads.clear()
        reader = TileHashReader(size, read, cached_tiles=cached)
        for index in (5, 300, 5, 69_999, 5):
            assert inclusion_proof(index=index, size=size, reader=reader) == inclusion_proof(
                index=index, size=size, reader=store
            )
        assert len(reads) == len(set(reads)) or cached == 1
    broken = TileHashReader(size, lambda t: data[t][:-1])
    with pytest.raises(MalformedTile, match="8191 bytes"):
        inclusion_proof(index=5, size=size, reader=broken)
