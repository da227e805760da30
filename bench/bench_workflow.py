"""The cooperation API under load: request creations per second and latency, against a
trivial endpoint of the same app in the same run.

Starts `hanoi serve --workers 2` on a node whose database is the machine's PostgreSQL
(a throwaway database), then runs 50 concurrent clients on loopback:

1. baseline: each client calls GET /api/v1/me (token check only) as fast as it can;
2. workflow: each client creates a complete request (POST /api/v1/requests), approves
   it and sends it (two more POSTs), again and again.

It prints throughput and p50/p99 latency of each phase, and the ratio of the trivial
endpoint's throughput to the creations' (each creation also carries its approve and send).

    HANOI_BENCH_SECONDS=20 HANOI_BENCH_RUNS=3 .venv/bin/python bench/bench_workflow.py
"""

from __future__ import annotations

import asyncio
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
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from common import env_int, machine

from hanoi.convention import default_catalogue
from unit.cooperation.builders import complete_contents

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


async def phase(base: str, tokens: list[str], work: str) -> tuple[int, list[float]]:
    """Run every client for SECONDS; return the count of units done and their latencies."""
    body = {
        "kind": "mla-stored-data",
        "requested_state": "VNM",
        "contents": complete_contents(default_catalogue().kind("mla-stored-data")),
    }
    latencies: list[float] = []
    done = 0
    deadline = time.perf_counter() + SECONDS
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def call(method: str, path: str, token: str, json: object = None) -> httpx.Response:
            start = time.perf_counter()
            response = await client.request(
                method, path, json=json, headers={"Authorization": f"Bearer {token}"}
            )
            latencies.append(time.perf_counter() - start)
            if response.status_code >= 400:
                raise SystemExit(f"{method} {path}: {response.status_code} {response.text[:300]}")
            return response

        async def client_loop(token: str) -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                if work == "trivial":
                    await call("GET", "/api/v1/me", token)
                else:
                    created = await call("POST", "/api/v1/requests", token, body)
                    request_id = created.json()["id"]
                    await call("POST", f"/api/v1/requests/{request_id}/approve", token)
                    await call("POST", f"/api/v1/requests/{request_id}/send", token)
                done += 1

        await asyncio.gather(*(client_loop(token) for token in tokens))
    return done, latencies


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
        for i in range(CLIENTS):
            added = run("user", "add", f"supervisor-{i}", "--role", "supervisor",
                        "--dir", str(node), "--token")  # fmt: skip
            tokens.append(json.loads(added.stdout)["token"])
        port = free_port()
        server = subprocess.Popen(
            [HANOI, "serve", "--dir", str(node), "--port", str(port), "--workers", "2"],
            env={**env, "HANOI_LOG_LEVEL": "warning"},
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        print(machine())
        print(f"{CLIENTS} clients, {SECONDS} s per phase, {RUNS} runs, PostgreSQL, 2 workers")
        rows = {"trivial": [], "workflow": []}  # type: dict[str, list[tuple[float, float, float]]]
        for _ in range(RUNS):
            for name in ("trivial", "workflow"):
                count, latencies = asyncio.run(phase(base, tokens, name))
                rows[name].append(
                    (count / SECONDS, percentile(latencies, 0.5), percentile(latencies, 0.99))
                )
        for name, label in (("trivial", "GET /api/v1/me"), ("workflow", "create+approve+send")):
            rate = statistics.median(r[0] for r in rows[name])
            p50 = statistics.median(r[1] for r in rows[name]) * 1000
            p99 = statistics.median(r[2] for r in rows[name]) * 1000
            print(f"{label:<22} {rate:9.1f}/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms (per call)")
        creations = statistics.median(r[0] for r in rows["workflow"])
        trivial = statistics.median(r[0] for r in rows["trivial"])
        calls = 3 * creations
        print(f"creations/s {creations:.1f} (each with its approve and send: {calls:.1f} calls/s)")
        print(f"ratio trivial calls/s : workflow calls/s = {trivial / calls:.2f}")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
