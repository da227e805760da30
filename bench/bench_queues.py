"""What the work queues of issue 15 cost a page, against pages of the same server in the
same run.

A node on SQLite holds N requests in a supervisor's cases (a third submitted for
approval, a third approved, a third sent), then ``hanoi serve`` (one worker) answers, one
call at a time on loopback:

1. baseline: ``GET /api/v1/me`` (the token check alone);
2. ``GET /api/v1/requests?limit=100`` (one page of the supervisor's cases);
3. ``GET /api/v1/queue`` (every queue of the supervisor: drafts awaiting approval,
   requests to acknowledge, deadlines, packages of each open case, alerts);
4. ``GET /ui/`` (the home page with the queues, signed in).

It prints the median latency of each (CALLS calls, RUNS runs) and the ratios queue/me,
queue/list and home/list.

    HANOI_BENCH_REQUESTS=300 HANOI_BENCH_CALLS=200 HANOI_BENCH_RUNS=5 \\
        .venv/bin/python bench/bench_queues.py
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from common import env_int, machine

from hanoi.accounts.model import Role
from hanoi.cooperation.samples import sample_contents
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.settings import load_settings
from hanoi.wiring import open_node

REQUESTS = env_int("HANOI_BENCH_REQUESTS", 300)
CALLS = env_int("HANOI_BENCH_CALLS", 200)
RUNS = env_int("HANOI_BENCH_RUNS", 5)
HANOI = str(Path(sys.executable).with_name("hanoi"))
PASSWORD = "bench passphrase, long enough"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def populate(folder: Path) -> str:
    """N requests in the cases of ``samir``, who approves; returns samir's API token."""
    node = open_node(load_settings(folder))
    try:
        officer = node.accounts.add_user(name="amira", role=Role.OFFICER).user
        created = node.accounts.add_user(
            name="samir", role=Role.SUPERVISOR, with_token=True, password=PASSWORD
        )
        service = node.cooperation
        contents = sample_contents("mla-stored-data", today=node.clock.now().date())
        for index in range(REQUESTS):
            draft = DraftInput(kind="mla-stored-data", requested_state="VNM", contents=contents)
            request_id = service.draft(officer, draft).request.id
            service.take(officer, request_id, StepInput(transition="submit"))
            for step in ("approve", "send")[: index % 3]:
                service.take(created.user, request_id, StepInput(transition=step))
        assert created.token is not None
        return created.token
    finally:
        node.engine.dispose()


def timed(client: httpx.Client, path: str, headers: dict[str, str]) -> float:
    """The median latency of CALLS sequential GETs of ``path``, in milliseconds."""
    times = []
    for _ in range(CALLS):
        start = time.perf_counter()
        answer = client.get(path, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"GET {path}: {answer.status_code}")
    return statistics.median(times)


def signed_in(client: httpx.Client) -> None:
    token = CSRF.search(client.get("/ui/login").text)
    assert token is not None
    answer = client.post(
        "/ui/login", data={"csrf_token": token.group(1), "name": "samir", "password": PASSWORD}
    )
    if answer.status_code != 303:
        raise SystemExit(f"sign-in failed: {answer.status_code}")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="hanoi-bench-queues-"))
    folder = work / "egy"
    subprocess.run(
        [HANOI, "node", "init", "--dir", str(folder), "--state", "EGY", "--name", "Bench"],
        check=True, capture_output=True,
    )  # fmt: skip
    started = time.perf_counter()
    token = populate(folder)
    print(machine())
    built = time.perf_counter() - started
    print(f"{REQUESTS} requests in the supervisor's cases, built in {built:.1f} s")
    print(f"{CALLS} calls x {RUNS} runs, SQLite, 1 worker")
    port = free_port()
    server = subprocess.Popen(
        [HANOI, "serve", "--dir", str(folder), "--port", str(port)],
        env={**os.environ, "HANOI_LOG_LEVEL": "warning"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        api = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, timeout=30) as client:
            queue = client.get("/api/v1/queue", headers=api).json()
            waiting = {q["kind"]: q["count"] for q in queue}
            print("queue counts:", json.dumps(waiting))
            signed_in(client)
            figures: dict[str, list[float]] = {"me": [], "list": [], "queue": [], "home": []}
            for _ in range(RUNS):
                figures["me"].append(timed(client, "/api/v1/me", api))
                figures["list"].append(timed(client, "/api/v1/requests?limit=100", api))
                figures["queue"].append(timed(client, "/api/v1/queue", api))
                figures["home"].append(timed(client, "/ui/", {}))
        medians = {name: statistics.median(values) for name, values in figures.items()}
        for name, label in (
            ("me", "GET /api/v1/me (baseline)"),
            ("list", "GET /api/v1/requests?limit=100"),
            ("queue", "GET /api/v1/queue"),
            ("home", "GET /ui/ (home with queues)"),
        ):
            low, high = min(figures[name]), max(figures[name])
            print(f"{label:<34} median {medians[name]:7.2f} ms  (runs {low:.2f}-{high:.2f})")
        print(f"ratio queue/me = {medians['queue'] / medians['me']:.2f}")
        print(f"ratio queue/list = {medians['queue'] / medians['list']:.2f}")
        print(f"ratio home/list = {medians['home'] / medians['list']:.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
