"""Sustained custody-log append rate, batched, on SQLite and PostgreSQL.

Queues N commitments in batches and lets the sequencer publish them (entry bundles,
hash tiles on disk, a signed checkpoint per batch). The baseline, measured in the
same run, is plain ``hashlib.sha256`` over the same leaves: the floor any log must pay.

    HANOI_BENCH_ENTRIES=1000000 .venv/bin/python bench/bench_log_append.py
    HANOI_BENCH_POSTGRES=postgresql://postgres@127.0.0.1:5432/test   (default; "" skips it)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).parent))
from common import env_int, machine

from hanoi.clock import SystemClock
from hanoi.custody.note import Ed25519Signer
from hanoi.custody.sequencer import Sequencer
from hanoi.custody.service import NewEvent
from hanoi.storage import migrate
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.db import make_engine
from hanoi.storage.tile_stores import DiskTileStore

BATCH = 10_000
NOW = datetime(2026, 11, 28, tzinfo=UTC)


def leaves(count: int) -> list[bytes]:
    return [hashlib.sha256(b"event %d" % n).digest() for n in range(count)]


def baseline(commitments: list[bytes]) -> float:
    start = time.perf_counter()
    for c in commitments:
        hashlib.sha256(b"\x00" + c).digest()
    return time.perf_counter() - start


def run(url: str, work: Path, commitments: list[bytes]) -> float:
    engine = make_engine(url)
    migrate.upgrade(engine)
    repo = CustodyRepository(engine)
    sequencer = Sequencer(
        origin="bench.hanoi/log",
        signer=Ed25519Signer("bench.hanoi/log", Ed25519PrivateKey.generate()),
        store=repo,
        tiles=DiskTileStore(work / "tiles"),
        clock=SystemClock(),
        batch=BATCH,
    )
    salt = bytes(32)
    start = time.perf_counter()
    for at in range(0, len(commitments), BATCH):
        chunk = commitments[at : at + BATCH]
        repo.enqueue([NewEvent(c, b"{}", salt, "bench") for c in chunk], now=NOW)
        sequencer.run_until_idle()
    elapsed = time.perf_counter() - start
    state = repo.state()
    assert state is not None
    assert state.size == len(commitments)
    engine.dispose()
    return elapsed


def report(name: str, count: int, seconds: float, base: float) -> None:
    print(
        f"{name + ':':<12}{count / seconds:>10,.0f} entries/s  ({seconds:.1f} s; "
        f"the hashing baseline is {seconds / base:.0f}x faster)"
    )


def main() -> None:
    count = env_int("HANOI_BENCH_ENTRIES", 1_000_000)
    pg_admin = os.environ.get("HANOI_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    commitments = leaves(count)
    base = baseline(commitments)
    print(f"machine: {machine()}")
    print(f"entries: {count}, batches of {BATCH}")
    print(f"baseline hashlib.sha256 over the leaves: {count / base:,.0f} entries/s")
    work = Path(tempfile.mkdtemp(prefix="hanoi-bench-log-"))
    try:
        sqlite = run(f"sqlite:///{work / 'log.db'}", work / "sqlite", commitments)
        report("SQLite", count, sqlite, base)
        if pg_admin:
            import psycopg

            name = f"hanoi_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(pg_admin, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            try:
                url = pg_admin.rsplit("/", 1)[0] + f"/{name}"
                pg = run(url, work / "pg", commitments)
                report("PostgreSQL", count, pg, base)
            finally:
                with psycopg.connect(pg_admin, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
