"""Helpers shared by the benchmarks: timing whole processes, medians, test files.

Every benchmark times whole commands (our code in a child Python process, and
a public tool as the baseline) on the same file in the same run, and prints the
median of several runs and the ratio between them.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024
GNU_TIME = "/usr/bin/time"  # scripts/system-deps installs the Debian package "time"


@dataclass(frozen=True)
class Sample:
    seconds: float
    max_rss_kib: int


@dataclass(frozen=True)
class Figure:
    name: str
    samples: tuple[Sample, ...]

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def spread(self) -> tuple[float, float]:
        times = [s.seconds for s in self.samples]
        return min(times), max(times)

    @property
    def peak_rss_mib(self) -> float:
        return max(s.max_rss_kib for s in self.samples) / 1024


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def run_once(command: Sequence[str], *, before: Sequence[str] | None = None) -> Sample:
    """Run ``command`` (after the untimed ``before``); return wall time and peak RSS.

    GNU time (Debian package ``time``) reports the peak RSS of the command alone;
    measuring it from this Python process would count the forking parent's memory.
    """
    if before:
        subprocess.run(before, check=True)
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        result = subprocess.run(
            [GNU_TIME, "-q", "-f", "%M", "-o", rss.name, *command],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            raise SystemExit(f"benchmark command failed ({result.returncode}): {' '.join(command)}")
        return Sample(elapsed, int(rss.read().split()[-1]))


def measure(
    name: str, command: Sequence[str], *, runs: int, before: Sequence[str] | None = None
) -> Figure:
    run_once(command, before=before)  # warm-up: page cache and imports
    return Figure(name, tuple(run_once(command, before=before) for _ in range(runs)))


def python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def make_file(path: Path, size: int) -> Path:
    """A file of random bytes (incompressible, like encrypted or compressed evidence)."""
    if path.exists() and path.stat().st_size == size:
        return path
    with path.open("wb") as out:
        remaining = size
        while remaining:
            n = min(remaining, 16 * MIB)
            out.write(os.urandom(n))
            remaining -= n
    return path


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def report(figures: Sequence[Figure], *, size: int) -> None:
    print(f"{'what':<44} {'median s':>9} {'min-max s':>13} {'MB/s':>8} {'peak RSS MiB':>13}")
    for f in figures:
        low, high = f.spread
        rate = size / MIB / f.median if f.median else float("inf")
        print(
            f"{f.name:<44} {f.median:>9.3f} {low:>6.2f}-{high:<6.2f} {rate:>8.0f} "
            f"{f.peak_rss_mib:>13.1f}"
        )
