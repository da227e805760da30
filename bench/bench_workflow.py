"""The cooperation API under load: request creations per second and latency, against a
trivial endpoint of the same app in the same run.

Starts `hanoi serve --workers 2` on a node whose database is the machine's PostgreSQL
(a throwaway database), then runs 50 concurrent clients on loopback:

1. baseline: each client calls GET /api/v1/me (token check only) as fast as it can;
2. workflow: each connection creates complete requests (POST /api/v1/requests), approves
   and sends them (two more POSTs each), driven by wrk with bench/workflow.lua.

It prints throughput and p50/p99 latency of each phase, and the ratio of the trivial
endpoint's throughput to the creations' (each creation also carries its approve and send).

    HANOI_BENCH_SECONDS=20 HANOI_BENCH_RUNS=3 .venv/bin/python bench/bench_workflow.py
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).parent))
from common import env_int, machine

from hanoi.cooperation.samples import sample_contents

ADMIN_URL = os.environ.get("HANOI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
CLIENTS = env_int("HANOI_BENCH_CLIENTS", 50)
SECONDS = env_int("HANOI_BENCH_SECONDS", 20)
RUNS = env_int("HANOI_BENCH_RUNS", 3)
HANOI = str(Path(sys.executable).with_name("hanoi"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def wrk(base: str, script: str, path: str, env: dict[str, str]) -> dict[str, int]:
    """Run wrk (Debian package) with CLIENTS connections for SECONDS; parse its RESULT lines."""
    result = subprocess.run(
        ["wrk", "-t2", f"-c{CLIENTS}", f"-d{SECONDS}s", "--timeout", "10s",
         "-s", str(Path(__file__).with_name(script)), base + path],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    values: dict[str, int] = {}
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            for pair in line.split()[1:]:
                key, _, number = pair.partition("=")
                values[key] = int(number)
    return values


def main() -> None:
    database = f"hanoi_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    env = {**os.environ, "HANOI_DATABASE_URL": ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"}
    work = Path(tempfile.mkdtemp(prefix="hanoi-bench-workflow-"))
    node = work / "egy"
    server = None
    try:
        run = lambda *args: subprocess.run([HANOI, *args], env=env, check=True,  # noqa: E731
                                           capture_output=True, text=True)  # fmt: skip
        run("node", "init", "--dir", str(node), "--state", "EGY", "--name", "Bench")
        run("db", "upgrade", "--dir", str(node))
        tokens = []
        added = run(
            "user", "add", "supervisor-1", "--role", "supervisor", "--dir", str(node), "--token"
        )
        tokens.append(json.loads(added.stdout)["token"])
        port = free_port()
        server = subprocess.Popen(
            [HANOI, "serve", "--dir", str(node), "--port", str(port), "--workers", "2"],
            env={**env, "HANOI_LOG_LEVEL": "warning"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        print(machine())
        print(
            f"{CLIENTS} connections (wrk), {SECONDS} s a phase, {RUNS} runs, PostgreSQL, 2 workers"
        )
        body = json.dumps(
            {
                "kind": "mla-stored-data",
                "requested_state": "VNM",
                "contents": sample_contents("mla-stored-data", today=date.today()),
            }
        )
        wrk_env = {**os.environ, "HANOI_BENCH_TOKEN": tokens[0], "HANOI_BENCH_BODY": body}
        trivial, workflow, creating = [], [], []
        for _ in range(RUNS):
            trivial.append(wrk(base, "trivial.lua", "/api/v1/me", wrk_env))
            workflow.append(wrk(base, "workflow.lua", "/", wrk_env))
            creating.append(wrk(base, "workflow.lua", "/", {**wrk_env, "HANOI_BENCH_ADVANCE": "0"}))
        for run in workflow + creating:
            if run["failures"]:
                raise SystemExit(f"{run['failures']} calls failed")
        me = statistics.median(r["requests"] / SECONDS for r in trivial)
        creations = statistics.median(r["creates"] / SECONDS for r in workflow)
        calls = statistics.median(
            (r["creates"] + r["approves"] + r["sends"]) / SECONDS for r in workflow
        )
        only = statistics.median(r["creates"] / SECONDS for r in creating)
        for label, rows, rate in (
            ("GET /api/v1/me", trivial, me),
            ("create/approve/send", workflow, calls),
            ("create only", creating, only),
        ):
            p50 = statistics.median(r["p50_us"] for r in rows) / 1000
            p99 = statistics.median(r["p99_us"] for r in rows) / 1000
            print(f"{label:<22} {rate:8.1f} calls/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
        print(f"request creations/s {creations:.1f} (target 300), each also approved and sent")
        print(f"request creations/s {only:.1f} when nothing is advanced")
        print(f"ratio trivial calls/s : workflow calls/s = {me / calls:.2f}")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
