"""One conformance suite for every tile store: memory, local folder, and real S3 (SeaweedFS)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hanoi.errors import IntegrityError, InvalidInput, NotFound
from hanoi.storage.tile_stores import (
    MAX_TILE_BYTES,
    DiskTileStore,
    MemoryTileStore,
    S3TileStore,
    TileStore,
)


@pytest.fixture(params=["memory", "disk", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> TileStore:
    if request.param == "memory":
        return MemoryTileStore()
    if request.param == "disk":
        return DiskTileStore(tmp_path / "log")
    server = request.getfixturevalue("s3_server")
    bucket = request.getfixturevalue("s3_bucket")
    return S3TileStore(server.location(bucket, prefix="log/"))


def test_full_tile_round_trip(store: TileStore) -> None:
    store.write("tile/0/x001/234", b"\x01" * 8192, final=True)
    assert store.read("tile/0/x001/234") == b"\x01" * 8192
    assert store.exists("tile/0/x001/234")
    assert not store.exists("tile/0/x001/235")


def test_full_tile_is_immutable(store: TileStore) -> None:
    store.write("tile/0/000", b"a" * 32, final=True)
    store.write("tile/0/000", b"a" * 32, final=True)  # the same bytes again: a no-op
    with pytest.raises(IntegrityError, match="full tile"):
        store.write("tile/0/000", b"b" * 32, final=True)
    assert store.read("tile/0/000") == b"a" * 32


def test_partial_tile_is_replaced(store: TileStore) -> None:
    store.write("tile/0/000.p/1", b"a" * 32, final=False)
    store.write("tile/0/000.p/1", b"b" * 32, final=False)
    assert store.read("tile/0/000.p/1") == b"b" * 32


def test_missing_tile(store: TileStore) -> None:
    with pytest.raises(NotFound):
        store.read("tile/entries/000")


@pytest.mark.parametrize(
    "path", ["../etc/passwd", "/abs", "tile//0", "tile/../x", "", "tile/0/ 1", "a" * 300]
)
def test_unsafe_paths_are_refused(store: TileStore, path: str) -> None:
    with pytest.raises(InvalidInput, match="not a tile store path"):
        store.write(path, b"x", final=False)
    with pytest.raises(InvalidInput):
        store.read(path)


def test_oversized_tile_is_refused(store: TileStore) -> None:
    with pytest.raises(InvalidInput, match="at most"):
        store.write("tile/0/000", b"x" * (MAX_TILE_BYTES + 1), final=True)


def test_check(store: TileStore) -> None:
    store.check()


def test_disk_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = DiskTileStore(tmp_path)
    store.write("tile/0/000.p/3", b"x" * 96, final=False)
    store.write("tile/0/000", b"x" * 8192, final=True)
    assert sorted(p.name for p in (tmp_path / "tile" / "0").iterdir()) == ["000", "000.p"]
