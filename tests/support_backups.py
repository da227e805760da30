"""Backups in tests: an age identity made by the real ``age-keygen``, the node's log as it
serves it, and a wait for a checkpoint its witnesses cosigned."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from conftest import require_tool, run_hanoi


@dataclass(frozen=True)
class BackupKey:
    identity: Path
    recipient: str


def backup_key(folder: Path) -> BackupKey:
    """An identity file from ``age-keygen`` (kept away from the backups), and its recipient."""
    folder.mkdir(parents=True, exist_ok=True)
    identity = folder / "backup-identity.txt"
    subprocess.run(
        [require_tool("age-keygen"), "-o", str(identity)], check=True, capture_output=True
    )
    recipient = subprocess.run(
        [require_tool("age-keygen"), "-y", str(identity)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return BackupKey(identity, recipient)


def log_verifier_key(folder: Path) -> str:
    shown = run_hanoi("node", "show", "--dir", str(folder))
    assert shown.returncode == 0, shown.stderr
    key: str = json.loads(shown.stdout)["log_verifier_key"]
    return key


def served_checkpoint(url: str) -> tuple[int, int]:
    """The served checkpoint's size and how many witnesses cosigned it."""
    note = httpx.get(f"{url}/log/checkpoint", timeout=10)
    if note.status_code != 200:
        return 0, 0
    body, _, signatures = note.text.partition("\n\n")
    lines = [line for line in signatures.splitlines() if line.startswith("\u2014 ")]
    return int(body.splitlines()[1]), len(lines) - 1


def wait_cosigned(url: str, *, at_least: int, witnesses: int, seconds: float = 60) -> int:
    """Wait until the node at ``url`` serves a checkpoint of at least ``at_least`` entries
    cosigned by ``witnesses`` witnesses; its size."""
    deadline = time.monotonic() + seconds
    seen = (0, 0)
    while time.monotonic() < deadline:
        seen = served_checkpoint(url)
        if seen[0] >= at_least and seen[1] >= witnesses:
            return seen[0]
        time.sleep(0.2)
    raise AssertionError(
        f"{url}: checkpoint (size, cosigners) {seen}, wanted {at_least}, {witnesses}"
    )


def draft_requests(folder: Path, count: int, *, env: dict[str, str] | None = None) -> None:
    """``count`` requests drafted from the command line: one custody event each."""
    for _ in range(count):
        drafted = run_hanoi(
            "requests", "draft", "--dir", str(folder), "--user", "amira",
            "--kind", "mla-stored-data", "--to", "VNM", "--json", env=env,
        )  # fmt: skip
        assert drafted.returncode == 0, drafted.stderr


def logged_size(backup_output: str) -> int:
    """The log size ``hanoi backup`` printed."""
    return int(backup_output.split(" size ", 1)[1].split(",", 1)[0])
