"""The demo's plumbing: a session with the sandbox that plays each State's officers
through the same JSON API the web UI uses (and the ``hanoi`` command where an officer
would use it), prints each step as it happens and keeps what the case has produced."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from hanoi.clock import Clock
from hanoi.cooperation.samples import sample_contents
from hanoi.errors import HanoiError
from hanoi.sandbox.nodes import Sandbox, SandboxNode, write_json

WAIT_SECONDS = 60.0


class StepFailed(Exception):
    pass


@dataclass
class Session:
    """What the demo's cases share: the sandbox, the clock, where the steps are printed,
    the steps played so far and what they produced (files, the cases' ids)."""

    sandbox: Sandbox
    clock: Clock
    out: Callable[[str], None] = print
    steps: list[dict[str, Any]] = field(default_factory=list)
    exported: Path | None = None
    letter: Path | None = None
    """The signed letter of request to the State without a node."""
    answer: Path | None = None
    """EGY's signed answer to that State's request received on paper: the refusal."""
    ids: dict[str, str] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    """The evidence items VNM sends back to EGY: the provider's deliveries."""
    statistics_folder: Path | None = None
    """Each State's signed statistics and their sum (``hanoi stats``)."""

    @property
    def egy(self) -> SandboxNode:
        return self.sandbox.nodes["EGY"]

    @property
    def vnm(self) -> SandboxNode:
        return self.sandbox.nodes["VNM"]

    def call(self, node: SandboxNode, who: str, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(
            method, f"{node.url}{path}", json=body, headers=node.headers(who), timeout=60
        )
        if response.status_code >= 400:
            raise StepFailed(
                f"{node.state} {method} {path}: {response.status_code} {response.text[:300]}"
            )
        return response.json() if response.content else None

    def take(self, node: SandboxNode, who: str, request_id: str, step: str, **body: Any) -> None:
        self.call(node, who, "POST", f"/api/v1/requests/{request_id}/steps", {"step": step, **body})
        self.out(f"      {node.state} {who}: {step}")

    def wait(self, what: str, check: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                found = check()
            except StepFailed:
                found = None
            if found:
                return found
            time.sleep(0.05)
        raise StepFailed(f"timed out waiting for {what}")

    def status(self, node: SandboxNode, who: str, request_id: str) -> str | None:
        response = httpx.get(
            f"{node.url}/api/v1/requests/{request_id}", headers=node.headers(who), timeout=30
        )
        return response.json()["status"] if response.status_code == 200 else None

    def until_status(self, node: SandboxNode, who: str, request_id: str, status: str) -> None:
        self.wait(
            f"{request_id} to be {status} at {node.state}",
            lambda: self.status(node, who, request_id) == status,
        )
        self.out(f"      {node.state} sees {request_id}: {status}")

    def upload(self, node: SandboxNode, who: str, data: bytes) -> str:
        """Upload ``data`` with tus in one PATCH, as the UI does; the completed upload's id."""
        digest = hashlib.sha256(data).hexdigest()
        headers = {**node.headers(who), "Tus-Resumable": "1.0.0"}
        created = httpx.post(
            f"{node.url}/api/v1/uploads",
            headers={
                **headers,
                "Upload-Length": str(len(data)),
                "Upload-Metadata": "sha256 " + base64.b64encode(digest.encode()).decode(),
            },
            timeout=30,
        )
        if created.status_code != 201:
            raise StepFailed(f"upload: {created.status_code} {created.text[:200]}")
        location = created.headers["location"]
        patched = httpx.patch(
            f"{node.url}{location}" if location.startswith("/") else location,
            content=data,
            timeout=60,
            headers={
                **headers,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        if patched.status_code != 204:
            raise StepFailed(f"upload: {patched.status_code} {patched.text[:200]}")
        upload_id: str = location.rsplit("/", 1)[1]
        return upload_id

    def draft(self, node: SandboxNode, who: str, kind: str, to: str, **extra: Any) -> str:
        contents = sample_contents(kind, today=self.clock.now().date(), **extra.pop("contents", {}))
        created = self.call(
            node,
            who,
            "POST",
            "/api/v1/requests",
            {"kind": kind, "requested_state": to, "contents": contents, **extra},
        )
        request_id: str = created["id"]
        self.out(f"      {node.state} {who}: drafted {request_id} ({kind})")
        return request_id

    def approve_and_send(self, node: SandboxNode, who: str, request_id: str) -> None:
        for step in ("approve", "send"):
            self.call(node, who, "POST", f"/api/v1/requests/{request_id}/{step}")
            self.out(f"      {node.state} {who}: {step}")

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.out(f"[{len(self.steps) + 1}] {name}")
        started = time.monotonic()
        try:
            yield
        except (StepFailed, HanoiError, httpx.HTTPError, OSError, KeyError) as exc:
            self.steps.append({"name": name, "ok": False, "error": str(exc)[:500]})
            self.out(f"    FAILED: {exc}")
            raise
        self.steps.append(
            {"name": name, "ok": True, "seconds": round(time.monotonic() - started, 2)}
        )

    def trust_file(self) -> Path:
        """``trust.json``: every node as ``hanoi node show`` prints it, quorum 1: what a
        court (or a State without a node) is given to check logs and witnesses."""
        path = self.sandbox.root / "trust.json"
        if not path.exists():
            shows = [
                json.loads(self._hanoi("node", "show", "--dir", str(n.node_dir)))
                for n in self.sandbox.nodes.values()
            ]
            write_json(path, {"nodes": shows, "min_witnesses": 1})
        return path

    def _hanoi(self, *args: str) -> str:
        with self._running(*args) as process:
            return self._output(process, args)

    @contextmanager
    def _running(self, *args: str) -> Iterator[subprocess.Popen[str]]:
        """``hanoi ARGS`` in a process of its own while the block runs; killed if the
        block fails or is interrupted (Ctrl-C, SIGTERM: ``KeyboardInterrupt``)."""
        hanoi = str(Path(sys.executable).with_name("hanoi"))
        command = [hanoi, *args]
        pipe = subprocess.PIPE
        with subprocess.Popen(command, stdout=pipe, stderr=pipe, text=True) as process:  # noqa: S603
            try:
                yield process
            except BaseException:
                process.kill()
                raise

    def _output(self, process: subprocess.Popen[str], args: tuple[str, ...]) -> str:
        """The command's output once it has exited; ``StepFailed`` if it did not exit 0."""
        stdout, stderr = process.communicate()
        if process.returncode != 0:
            raise StepFailed(f"hanoi {args[0]} {args[1]}: {stderr.strip()[:300]}")
        return stdout
