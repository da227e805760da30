"""Merkle proofs on a 10,000,000-entry custody log, served from C2SP tiles.

A sequencer answers proof requests from its tile store, so this benchmark does
the same: the log's tiles are built once (level-0 tiles from synthetic entries,
then every tile above), held in memory as a tile cache would hold them, and
proofs are generated through ``TileHashReader`` and verified.

The baseline, measured in the same run, is the cheapest conceivable proof: one
``hashlib.sha256`` of 64 bytes per hash in the proof. The ratio says how far
proof generation and verification are from that floor.

    HANOI_BENCH_LOG_SIZE=10000000 HANOI_BENCH_PROOFS=300 .venv/bin/python bench/bench_proofs.py
"""

from __future__ import annotations

import random
import resource
import statistics
import time
import timeit

from common import env_int, machine

from hanoi.custody.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)
from hanoi.custody.tiles import Tile, TileHashReader, subtree_hash, tiles_for_size

WIDTH = 256


def entry(index: int) -> bytes:
    return index.to_bytes(8, "big")


def level0_tile(index: int, width: int) -> bytes:
    first = index * WIDTH
    return b"".join(leaf_hash(entry(first + i)) for i in range(width))


def build_upper_tiles(size: int) -> dict[Tile, bytes]:
    """Every tile at level 1 and above, from the level-0 tiles (each built, hashed, dropped)."""
    tiles = tiles_for_size(size)
    rows: dict[int, bytearray] = {}
    for tile in (t for t in tiles if t.level == 0 and t.is_full):
        data = level0_tile(tile.index, WIDTH)
        hashes = [data[i : i + 32] for i in range(0, len(data), 32)]
        rows.setdefault(1, bytearray()).extend(subtree_hash(hashes))
    level = 1
    while level in rows and len(rows[level]) >= WIDTH * 32:
        row = rows[level]
        full = len(row) // (WIDTH * 32)
        for n in range(full):
            chunk = row[n * WIDTH * 32 : (n + 1) * WIDTH * 32]
            hashes = [bytes(chunk[i : i + 32]) for i in range(0, len(chunk), 32)]
            rows.setdefault(level + 1, bytearray()).extend(subtree_hash(hashes))
        level += 1
    upper = {}
    for tile in tiles:
        if tile.level >= 1:
            start = tile.index * WIDTH * 32
            upper[tile] = bytes(rows[tile.level][start : start + tile.data_size])
    return upper


class TileCache:
    """Tiles in memory: the upper levels, and the level-0 tiles the samples touch."""

    def __init__(self, size: int, upper: dict[Tile, bytes]) -> None:
        self.size = size
        self.tiles = dict(upper)

    def warm(self, tiles: list[Tile]) -> None:
        for tile in tiles:
            if tile.level == 0 and tile not in self.tiles:
                self.tiles[tile] = level0_tile(tile.index, tile.width)

    def read(self, tile: Tile) -> bytes:
        return self.tiles[tile]


def main() -> None:
    size = env_int("HANOI_BENCH_LOG_SIZE", 10_000_000)
    count = env_int("HANOI_BENCH_PROOFS", 300)
    rng = random.Random(6962)
    print(f"machine: {machine()}")

    start = time.perf_counter()
    upper = build_upper_tiles(size)
    built = time.perf_counter() - start
    cache = TileCache(size, upper)
    for tile in (t for t in tiles_for_size(size) if t.level == 0 and not t.is_full):
        cache.warm([tile])
    reader = TileHashReader(size, cache.read)
    root = tree_hash(size, reader)
    print(f"log of {size:,} entries: tiles above level 0 built in {built:.1f} s")

    indexes = [rng.randrange(size) for _ in range(count)]
    old_sizes = [rng.randrange(1, size) for _ in range(count)]
    for index in indexes:
        cache.warm([Tile(0, index // WIDTH, min(WIDTH, size - index // WIDTH * WIDTH))])
    for old in old_sizes:
        last = old - 1
        cache.warm([Tile(0, last // WIDTH, min(WIDTH, size - last // WIDTH * WIDTH))])
    old_roots = {old: tree_hash(old, reader) for old in old_sizes}

    inclusion_times, verify_inclusion_times, lengths = [], [], []
    for index in indexes:
        t0 = time.perf_counter()
        proof = inclusion_proof(index=index, size=size, reader=reader)
        t1 = time.perf_counter()
        verify_inclusion(
            leaf_hash=leaf_hash(entry(index)), index=index, size=size, proof=proof, root=root
        )
        t2 = time.perf_counter()
        inclusion_times.append(t1 - t0)
        verify_inclusion_times.append(t2 - t1)
        lengths.append(len(proof))

    consistency_times, verify_consistency_times, consistency_lengths = [], [], []
    for old in old_sizes:
        t0 = time.perf_counter()
        proof = consistency_proof(old_size=old, new_size=size, reader=reader)
        t1 = time.perf_counter()
        verify_consistency(
            old_size=old, new_size=size, old_root=old_roots[old], new_root=root, proof=proof
        )
        t2 = time.perf_counter()
        consistency_times.append(t1 - t0)
        verify_consistency_times.append(t2 - t1)
        consistency_lengths.append(len(proof))

    runs = timeit.repeat(
        "sha256(block).digest()",
        setup="from hashlib import sha256; block = bytes(64)",
        number=100_000,
        repeat=7,
    )
    one_hash = statistics.median(runs) / 100_000
    inclusion_floor = one_hash * statistics.median(lengths)
    consistency_floor = one_hash * statistics.median(consistency_lengths)

    rows = [
        ("inclusion proof, generate (from tiles)", inclusion_times, inclusion_floor),
        ("inclusion proof, verify", verify_inclusion_times, inclusion_floor),
        ("consistency proof, generate (from tiles)", consistency_times, consistency_floor),
        ("consistency proof, verify", verify_consistency_times, consistency_floor),
    ]
    print(
        f"{count} proofs each; median proof length: inclusion {statistics.median(lengths):.0f}, "
        f"consistency {statistics.median(consistency_lengths):.0f} hashes"
    )
    print(f"baseline: one SHA-256 of 64 bytes = {one_hash * 1e6:.3f} us")
    print(f"{'what':<42} {'median us':>10} {'baseline us':>12} {'ratio':>7}")
    for name, times, floor in rows:
        median = statistics.median(times)
        print(f"{name:<42} {median * 1e6:>10.1f} {floor * 1e6:>12.1f} {median / floor:>7.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
