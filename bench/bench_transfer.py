"""Moving an evidence package between two nodes on loopback, against curl on the same URL.

Builds a two-State sandbox (EGY, VNM), starts VNM's node as a server, puts a package of
N MiB (random bytes) in VNM's blob store as an outgoing package, and times EGY pulling it
with the real transfer code (HTTP range requests of `transfer_chunk_bytes`, served from
the blob store, each fsynced, SHA-256 checked against the offer, then the whole put into
EGY's blob store) in this process. The baseline, in the same run, is `curl -o FILE URL`
of the same package from the same server (no checks, no fsync, no copy into a store).

    HANOI_BENCH_SIZE_MIB=2048 HANOI_BENCH_RUNS=3 .venv/bin/python bench/bench_transfer.py
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import MIB, env_int, machine

from hanoi.clock import SystemClock
from hanoi.federation.ports import PackageRow
from hanoi.sandbox.nodes import build_sandbox, start_node, stop_node, wait_ready
from hanoi.settings import load_settings
from hanoi.storage.transfers_repo import TransfersRepository
from hanoi.wiring import open_node

SIZE_MIB = env_int("HANOI_BENCH_SIZE_MIB", 512)
RUNS = env_int("HANOI_BENCH_RUNS", 3)


def free_base() -> int:
    import socket

    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = int(s.getsockname()[1])
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", base + 1))
            return base
        except OSError:
            continue
    raise SystemExit("no free ports")


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="hanoi-bench-transfer-")) / "sandbox"
    clock = SystemClock()
    sandbox = build_sandbox(root, ["EGY", "VNM"], base_port=free_base(), clock=clock)
    vnm, egy = sandbox.nodes["VNM"], sandbox.nodes["EGY"]
    start_node(vnm)
    wait_ready(vnm, timeout=120)
    try:
        package_id = secrets.token_hex(16)
        source = Path(tempfile.mkdtemp()) / "package.tar"
        with source.open("wb") as out:
            for _ in range(SIZE_MIB):
                out.write(os.urandom(MIB))
        size = SIZE_MIB * MIB
        now = clock.now()
        vnm_node = open_node(load_settings(vnm.node_dir))
        with source.open("rb") as stream:
            digest = vnm_node.blobs.put(stream).digest
        source.unlink()
        TransfersRepository(vnm_node.engine).add(
            PackageRow(
                id=package_id,
                request_id="VNM-BENCH",
                direction="outgoing",
                peer="EGY",
                sha256=digest,
                size=size,
                status="offered",
                received=size,
                error=None,
                created_at=now,
                updated_at=now,
            )
        )
        vnm_node.engine.dispose()
        url = f"{vnm.url}/federation/v1/packages/{package_id}"
        egy_node = open_node(load_settings(egy.node_dir))
        repo = TransfersRepository(egy_node.engine)
        hanoi_times, curl_times = [], []
        for run in range(RUNS + 1):  # the first run warms the page cache
            target = Path(tempfile.mkdtemp()) / "curl.out"
            start = time.perf_counter()
            subprocess.run(["curl", "-s", "-o", str(target), url], check=True)
            curl = time.perf_counter() - start
            target.unlink()
            incoming_id = package_id
            row = PackageRow(
                id=incoming_id,
                request_id="VNM-BENCH",
                direction="incoming",
                peer="VNM",
                sha256=digest,
                size=size,
                status="offered",
                received=0,
                error=None,
                created_at=now,
                updated_at=now,
            )
            if egy_node.blobs.exists(digest):  # the previous run's copy
                egy_node.blobs.delete(digest)
            repo.add(row)
            start = time.perf_counter()
            egy_node.transfers.fetch(row)
            ours = time.perf_counter() - start
            if run:
                hanoi_times.append(ours)
                curl_times.append(curl)
        egy_node.engine.dispose()
        ours, theirs = statistics.median(hanoi_times), statistics.median(curl_times)
        print(machine())
        print(f"package {SIZE_MIB} MiB, {RUNS} runs, loopback, median seconds")
        for label, seconds in (
            ("hanoi transfer (ranges, SHA-256, store)", ours),
            ("curl -o", theirs),
        ):
            print(f"{label:<40} {seconds:8.3f} s  {SIZE_MIB / seconds:8.1f} MiB/s")
        print(f"throughput ratio hanoi / curl = {theirs / ours:.2f} (target >= 0.5)")
    finally:
        stop_node(vnm)


if __name__ == "__main__":
    main()
