"""One State's node on several hosts in tests: a folder pointed at a shared PostgreSQL
database and S3 bucket, what another host's copy of it leaves out, and a wait for the
hosts' background work (ADR 0035; issue 21)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import S3Server
from hanoi.clock import SystemClock
from hanoi.node.folder import format_config, load_keys
from hanoi.settings import load_settings, read_config_file
from hanoi.wiring import prepare_new_node

LOCAL_ONLY = shutil.ignore_patterns("blobs", "hanoi.db*", "scratch", "processes", "log", "uploads")
"""What a node folder keeps for its host alone: another host's folder starts without it."""


def until(check: Callable[[], Any], *, what: str, timeout: float = 60) -> Any:
    """``check()``'s first true value, asked every 20 ms; fails after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def on_shared_storage(folder: Path, *, database_url: str, s3: S3Server, bucket: str) -> None:
    """Point a node folder at a PostgreSQL database and an S3 bucket, and prepare them."""
    shared = {
        "database_url": database_url,
        "blob_store": "s3",
        "s3_endpoint_url": s3.endpoint_url,
        "s3_bucket": bucket,
        "s3_access_key_id": s3.access_key_id,
        "s3_secret_access_key": s3.secret_access_key,
    }
    config = folder / "hanoi.toml"
    config.write_text(format_config({**read_config_file(folder), **shared}), encoding="utf-8")
    settings = load_settings(folder)
    prepare_new_node(settings, load_keys(settings), SystemClock())
