"""The report for court (``hanoi evidence report``) against an offline verification of the
same evidence (``hanoi evidence verify``), in the same run.

``hanoi demo --exit`` plays a whole case through three real nodes and leaves them on
disk: Egypt holds the mutual legal assistance request, the evidence package Viet Nam
sent back, and an export of that evidence for a court. The report re-verifies the
package (decrypting every file), reads the request, its timeline and custody events,
and renders a PDF with WeasyPrint; the baseline is the court's own offline check of
the exported package. Both are whole CLI processes (imports included), so the ratio
is what making the PDF adds to a verification. The report is timed in English and in
Arabic (right-to-left shaping, Noto Sans Arabic).

    .venv/bin/python bench/bench_report.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from common import env_int, machine, measure

HANOI = str(Path(sys.executable).with_name("hanoi"))


def as_egy_supervisor(root: Path, *command: str) -> list[str]:
    """``hanoi COMMAND`` acting as Egypt's supervisor on Egypt's node of the demo."""
    return [HANOI, *command, "--dir", str(root / "egy"), "--user", "egy-supervisor"]


def free_port_run(count: int, start: int = 20_000) -> int:
    """A base port with ``count`` free ports from it, below the ephemeral range (where an
    outgoing connection could take a port between this check and the node's bind)."""
    for base in range(start, 30_000, count):
        try:
            for offset in range(count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
    raise SystemExit("no run of free ports")


def play_demo(root: Path) -> str:
    """Play the demo case; return the id of Egypt's request for stored data."""
    subprocess.run(
        [HANOI, "demo", "--exit", "--dir", str(root), "--base-port", str(free_port_run(3))],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    listed = subprocess.run(
        [*as_egy_supervisor(root, "requests", "list"), "--kind", "mla-stored-data", "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    [found] = json.loads(listed.stdout)["items"]
    return str(found["id"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=env_int("HANOI_BENCH_RUNS", 5))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hanoi-bench-report-") as folder:
        root = Path(folder) / "demo"
        request_id = play_demo(root)
        verify = measure(
            "hanoi evidence verify (baseline)",
            [
                *(HANOI, "evidence", "verify", str(root / "court-export.tar")),
                *("--trust", str(root / "trust.json")),
                *("--identity", str(root / "court-identity.txt")),
            ],
            runs=args.runs,
        )
        reports = [
            measure(
                f"hanoi evidence report ({language})",
                [
                    *as_egy_supervisor(root, "evidence", "report", request_id),
                    *("--language", language, "--force"),
                    *("--out", str(Path(folder) / f"report-{language}.pdf")),
                ],
                runs=args.runs,
            )
            for language in ("en", "ar")
        ]
        pages = {
            language: (Path(folder) / f"report-{language}.pdf").stat().st_size
            for language in ("en", "ar")
        }
    print(f"machine: {machine()}")
    print(f"request {request_id}; {args.runs} runs each after one warm-up")
    print(f"{'what':<40} {'median s':>9} {'min-max s':>13} {'peak RSS MiB':>13} {'ratio':>7}")
    for figure in [verify, *reports]:
        low, high = figure.spread
        ratio = figure.median / verify.median
        print(
            f"{figure.name:<40} {figure.median:>9.3f} {low:>6.2f}-{high:<6.2f} "
            f"{figure.peak_rss_mib:>13.1f} {ratio:>7.2f}"
        )
    print("PDF sizes: " + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in pages.items()))


if __name__ == "__main__":
    main()
