"""`hanoi log audit` of a large log served on loopback: entries verified per second.

Builds a log of N entries with the real sequencer (SQLite, tiles on disk), serves
the folder with Python's static HTTP server on 127.0.0.1, and times the whole
`hanoi log audit URL --key K` command. The baseline, in the same run, fetches the
same tiles and entry bundles over the same server with a plain HTTP client and no
checks, so the ratio is the cost of verification.

    HANOI_BENCH_ENTRIES=1000000 HANOI_BENCH_RUNS=3 .venv/bin/python bench/bench_log_audit.py
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).parent))
from common import env_int, machine, measure, python

from hanoi.clock import SystemClock
from hanoi.custody.note import Ed25519Signer
from hanoi.custody.sequencer import Sequencer
from hanoi.custody.service import NewEvent
from hanoi.custody.tiles import entry_bundles_for_size, tiles_for_size
from hanoi.storage import migrate
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.db import make_engine
from hanoi.storage.tile_stores import DiskTileStore

ORIGIN = "bench.hanoi/audit"
BATCH = 20_000

FETCH_ALL = """
import sys, httpx
base, paths = sys.argv[1], open(sys.argv[2]).read().split()
with httpx.Client() as client:
    for path in paths:
        client.get(base + path).raise_for_status()
"""


def build_log(folder: Path, count: int) -> str:
    engine = make_engine(f"sqlite:///{folder / 'log.db'}")
    migrate.upgrade(engine)
    repo = CustodyRepository(engine)
    signer = Ed25519Signer(ORIGIN, Ed25519PrivateKey.generate())
    sequencer = Sequencer(
        origin=ORIGIN,
        signer=signer,
        store=repo,
        tiles=DiskTileStore(folder / "www"),
        clock=SystemClock(),
        batch=BATCH,
    )
    now = datetime.now(UTC)
    for at in range(0, count, BATCH):
        repo.enqueue(
            [
                NewEvent(hashlib.sha256(b"%d" % n).digest(), b"{}", bytes(32), "bench")
                for n in range(at, min(count, at + BATCH))
            ],
            now=now,
        )
        sequencer.run_until_idle()
    state = repo.state()
    assert state is not None
    (folder / "www" / "checkpoint").write_text(state.checkpoint)
    engine.dispose()
    return str(signer.verifier().key)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    count = env_int("HANOI_BENCH_ENTRIES", 1_000_000)
    runs = env_int("HANOI_BENCH_RUNS", 3)
    work = Path(tempfile.mkdtemp(prefix="hanoi-bench-audit-"))
    server = None
    try:
        started = time.perf_counter()
        key = build_log(work, count)
        print(f"machine: {machine()}")
        print(f"built a log of {count} entries in {time.perf_counter() - started:.1f} s")
        paths = ["checkpoint"] + [t.path() for t in tiles_for_size(count)]
        paths += [t.path() for t in entry_bundles_for_size(count)]
        (work / "paths.txt").write_text("\n".join(paths))
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            cwd=work / "www",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1)
        url = f"http://127.0.0.1:{port}/"
        hanoi = str(Path(sys.executable).with_name("hanoi"))
        audit = measure("hanoi log audit", [hanoi, "log", "audit", url, "--key", key], runs=runs)
        fetch = measure(
            "fetch the same files, no checks",
            python(FETCH_ALL, url, str(work / "paths.txt")),
            runs=runs,
        )
        print(f"{len(paths)} files, {runs} runs each, medians")
        rate = count / audit.median
        print(f"hanoi log audit: {audit.median:.2f} s = {rate:,.0f} entries verified/s")
        print(f"plain fetch:     {fetch.median:.2f} s")
        print(f"ratio audit / plain fetch = {audit.median / fetch.median:.2f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
