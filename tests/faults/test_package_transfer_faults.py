"""Kill the receiving node in the middle of a package transfer, restart it, and the transfer
completes once.

The receiving node (EGY) is a real ``hanoi serve`` process: its background job pulls the
package. The sending node (VNM) runs in this process behind a uvicorn server, wrapped in
an ASGI layer that slows the package down and records every ``Range`` asked for and every
byte sent, so the test sees exactly what the restarted receiver fetched.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from conftest import free_port_run
from hanoi.clock import SystemClock
from hanoi.convention import default_catalogue
from hanoi.custody.events import CustodyAction
from hanoi.errors import NotFound
from hanoi.evidence.items import Acquisition, SourceKind
from hanoi.federation.scratch import ScratchSpace
from hanoi.leases import LEASE_SECONDS
from hanoi.sandbox.nodes import (
    Sandbox,
    SandboxNode,
    build_sandbox,
    start_node,
    stop_node,
    wait_ready,
)
from hanoi.settings import load_settings
from hanoi.storage.db import make_engine
from hanoi.storage.leases_repo import SqlLeases
from hanoi.web.app import create_app
from hanoi.wiring import Node, open_node
from support_hosts import until
from unit.cooperation.builders import complete_contents

pytestmark = pytest.mark.slow

PACKAGES = "/federation/v1/packages/"
SIZE = 12 * 1024 * 1024  # evidence bytes; the package is a little larger
DELAY = 0.02  # seconds per 64 KiB sent: about 3 MB/s, so a kill lands mid-transfer

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class Fetch:
    """One GET of a package, as the sender saw it."""

    started: float
    range: str | None
    sent: int = 0

    @property
    def start(self) -> int:
        assert self.range is not None
        assert self.range.startswith("bytes=")
        return int(self.range.removeprefix("bytes=").split("-")[0])


class Throttled:
    """ASGI wrapper: package downloads are slowed down and recorded; the rest passes."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.fetches: list[Fetch] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(PACKAGES):
            await self.app(scope, receive, send)
            return
        asked = dict(scope["headers"]).get(b"range")
        fetch = Fetch(time.monotonic(), asked.decode() if asked else None)
        self.fetches.append(fetch)

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.body":
                fetch.sent += len(message.get("body", b""))
                await asyncio.sleep(DELAY)
            await send(message)

        await self.app(scope, receive, counted)


@dataclass
class Setup:
    sandbox: Sandbox
    egy: SandboxNode  # a real process, the receiver
    vnm: Node  # in this process, the sender
    served: Throttled


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    base = free_port_run(2)
    sandbox = build_sandbox(tmp_path / "fed", ["EGY", "VNM"], base_port=base, clock=SystemClock())
    vnm = open_node(load_settings(sandbox.nodes["VNM"].node_dir), clock=SystemClock())
    served = Throttled(create_app(vnm, background=False))  # type: ignore[arg-type]
    config = uvicorn.Config(served, host="127.0.0.1", port=base + 1, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    egy = sandbox.nodes["EGY"]
    try:
        until(lambda: server.started, what="the VNM server")
        start_node(egy)
        wait_ready(egy, timeout=60)
        yield Setup(sandbox, egy, vnm, served)
    finally:
        stop_node(egy, kill=True)
        server.should_exit = True
        thread.join(timeout=20)
        vnm.engine.dispose()


def egy_api(s: Setup, method: str, path: str, body: Any = None) -> httpx.Response:
    url = f"{s.egy.url}/api/v1{path}"
    return httpx.request(method, url, json=body, headers=s.egy.headers("supervisor"), timeout=30)


def request_held_by_both(s: Setup) -> str:
    kind = "mla-stored-data"
    contents = complete_contents(default_catalogue().kind(kind))
    created = egy_api(s, "POST", "/requests", {"kind": kind, "requested_state": "VNM",
                                               "contents": contents})  # fmt: skip
    assert created.status_code == 201, created.text
    request_id: str = created.json()["id"]
    for step in ("approve", "send"):
        assert egy_api(s, "POST", f"/requests/{request_id}/{step}").status_code == 200
    lan = s.vnm.accounts.named("vnm-supervisor")

    def held() -> bool:
        try:
            return s.vnm.cooperation.show(lan, request_id).request.id == request_id
        except NotFound:
            return False

    until(held, what="the request delivered to VNM by EGY's outbox")
    return request_id


def packages_of(s: Setup, request_id: str) -> list[dict[str, Any]]:
    response = egy_api(s, "GET", f"/requests/{request_id}/evidence-packages")
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()
    return listed


def test_a_receiver_killed_mid_transfer_resumes_and_accepts_once(setup: Setup) -> None:
    s = setup
    request_id = request_held_by_both(s)
    lan = s.vnm.accounts.named("vnm-supervisor")
    evidence = os.urandom(SIZE)
    item = s.vnm.evidence.ingest(
        lan,
        io.BytesIO(evidence),
        Acquisition(
            original_name="disk-image.raw",
            media_type="application/octet-stream",
            source_kind=SourceKind.DEVICE,
            source="seized laptop, serial 0042",
            method="forensic image (write blocker)",
            acquired_at=s.vnm.clock.now(),
            officer="vnm-supervisor",
            request_ref=request_id,
            article="Art. 28",
        ),
    ).item
    offer = s.vnm.transfers.offer(lan, request_id, [item.id])
    scratch = ScratchSpace(s.egy.node_dir)  # EGY's download in progress, on its host
    part, final = scratch.part(offer.id), scratch.downloaded(offer.id)
    assert s.vnm.federation.deliver_due() >= 1  # the evidence-offer, into EGY's inbox

    # EGY's background job starts pulling; kill it with a good part of the package on disk.
    def midway() -> bool:
        have = part.stat().st_size if part.exists() else 0
        return 3 * 1024 * 1024 <= have <= offer.size - 3 * 1024 * 1024

    until(midway, what="the package half-way down")
    stop_node(s.egy, kill=True)
    killed_at = time.monotonic()
    leases = SqlLeases(make_engine(load_settings(s.egy.node_dir).resolved_database_url))
    dead = leases.holder(f"package:incoming:{offer.id}", now=SystemClock().now())
    assert dead is not None  # the killed process's lease, far from its end
    kept = part.stat().st_size
    assert 0 < kept < offer.size
    assert not final.exists()
    before = [f for f in s.served.fetches if f.started < killed_at]
    assert before
    assert before[0].start == 0

    start_node(s.egy)
    wait_ready(s.egy, timeout=60)
    [package] = until(
        lambda: [p for p in packages_of(s, request_id) if p["status"] == "accepted"],
        what="the package accepted after the restart",
    )
    assert package["id"] == offer.id
    assert package["error"] is None
    assert [(i["sha256"], i["size"]) for i in package["items"]] == [
        (hashlib.sha256(evidence).hexdigest(), SIZE)
    ]

    # The restarted receiver resumed where the part file stopped: it asked for the rest only.
    after = [f for f in s.served.fetches if f.started > killed_at]
    assert after, "the restarted node fetched nothing"
    assert after[0].start == kept
    assert sum(f.sent for f in after) == offer.size - kept < offer.size
    assert not part.exists()
    assert not final.exists()  # in the blob store now, by the offer's digest
    assert after[0].started - killed_at < LEASE_SECONDS  # taken over: its holder was dead
    # The lease goes when the job's round ends, just after the acceptance it made.
    until(
        lambda: leases.holder(f"package:incoming:{offer.id}", now=SystemClock().now()) is None,
        what="the package's lease released",
    )
    leases.engine.dispose()

    # Another restart changes nothing: no more fetching, still one item.
    stop_node(s.egy)
    fetched = len(s.served.fetches)
    start_node(s.egy)
    wait_ready(s.egy, timeout=60)
    time.sleep(2)  # four rounds of the background job
    assert len(s.served.fetches) == fetched
    [package] = packages_of(s, request_id)
    assert package["status"] == "accepted"
    assert len(package["items"]) == 1
    stop_node(s.egy)

    egy = open_node(load_settings(s.egy.node_dir), clock=SystemClock())
    try:
        [received] = egy.evidence.held_for_request(request_id)
        egy.custody.sequence()
        actions = [e.event.action for e in egy.evidence.held_custody(received)]
        assert actions == [CustodyAction.RECEIVED]
        with egy.blobs.open(received.sha256) as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == item.sha256
        with egy.blobs.open(offer.sha256) as package, s.vnm.blobs.open(offer.sha256) as sent:
            assert package.read() == sent.read()  # the package too, as the sender holds it
    finally:
        egy.engine.dispose()
