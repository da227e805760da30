"""`hanoi demo --exit`, many times in a row, while other processes keep every core busy.

The sandbox must pass every time, also on a busy machine (DESIGN, journey 6; issue 14: 20
runs in a row with both cores busy, with the witness quorum). This runs the demo a few
times on the quiet machine (the baseline), then ``RUNS`` times while one ``yes > /dev/null``
per core competes for the processor, and prints each run, the failures with the step that
failed, and the ratio of the loaded median to the quiet one. Exit 1 if any run failed.

    HANOI_STRESS_RUNS=20 HANOI_STRESS_QUIET=3 .venv/bin/python bench/stress_demo.py
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import env_int, machine

HANOI = str(Path(sys.executable).with_name("hanoi"))


def free_base(count: int = 3) -> int:
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        try:
            for offset in range(count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
    raise SystemExit("no run of free ports")


def one_run(work: Path, number: int) -> tuple[bool, float, str]:
    """One `hanoi demo --exit`: passed, wall seconds, and what failed."""
    folder = work / f"run-{number:02d}"
    started = time.perf_counter()
    done = subprocess.run(
        [HANOI, "demo", "--exit", "--dir", str(folder), "--base-port", str(free_base())],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    seconds = time.perf_counter() - started
    why = ""
    if done.returncode != 0:
        try:
            steps = json.loads((folder / "demo.json").read_text())["steps"]
            failed = [s for s in steps if not s.get("ok")]
            why = "; ".join(f"{s.get('name')}: {s.get('error', '')}"[:300] for s in failed)
        except (OSError, ValueError, KeyError, TypeError):
            why = (done.stderr or done.stdout)[-300:].strip()
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return done.returncode == 0, seconds, why


def main() -> None:
    runs = env_int("HANOI_STRESS_RUNS", 20)
    quiet_runs = env_int("HANOI_STRESS_QUIET", 3)
    cores = os.cpu_count() or 2
    print(machine())
    work = Path(tempfile.mkdtemp(prefix="hanoi-stress-"))
    failures: list[str] = []
    quiet: list[float] = []
    for n in range(quiet_runs):
        ok, seconds, why = one_run(work, n)
        quiet.append(seconds)
        print(f"quiet  run {n + 1:2d}: {'passed' if ok else 'FAILED'} in {seconds:6.2f} s {why}")
        if not ok:
            failures.append(f"quiet run {n + 1}: {why}")
    busy = [
        subprocess.Popen(["sh", "-c", "exec yes > /dev/null"]) for _ in range(cores)
    ]  # one per core, for the whole loaded series
    loaded: list[float] = []
    try:
        for n in range(runs):
            ok, seconds, why = one_run(work, quiet_runs + n)
            loaded.append(seconds)
            print(
                f"loaded run {n + 1:2d}: {'passed' if ok else 'FAILED'} in {seconds:6.2f} s {why}"
            )
            if not ok:
                failures.append(f"loaded run {n + 1}: {why}")
    finally:
        for process in busy:
            process.kill()
            process.wait()
    passed = runs - sum(1 for f in failures if f.startswith("loaded"))
    print(f"\n{passed} of {runs} loaded runs passed ({cores} busy processes, one per core)")
    for label, times in (("quiet: ", quiet), ("loaded:", loaded)):
        if times:
            median, low, high = statistics.median(times), min(times), max(times)
            print(f"{label} median {median:.2f} s (min {low:.2f}, max {high:.2f})")
    if quiet and loaded:
        print(f"ratio loaded / quiet = {statistics.median(loaded) / statistics.median(quiet):.2f}")
    if failures:
        print("failures:\n  " + "\n  ".join(failures))
        print(f"their folders are kept under {work}")
        raise SystemExit(1)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
