"""Three States' nodes as real processes on loopback: a request travels from EGY to VNM and
its decisions come back, with signed receipts and custody events on both sides; the outbox
survives a node being down; replayed, forged and misaddressed messages are refused."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import free_port_run
from hanoi.clock import SystemClock
from hanoi.convention import default_catalogue
from hanoi.sandbox.nodes import (
    Sandbox,
    SandboxNode,
    build_sandbox,
    start_node,
    stop_node,
    wait_ready,
)
from unit.cooperation.builders import complete_contents

pytestmark = pytest.mark.slow
CATALOGUE = default_catalogue()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    root = tmp_path_factory.mktemp("federation") / "sandbox"
    built = build_sandbox(
        root, ["EGY", "VNM", "FRA"], base_port=free_port_run(3), clock=SystemClock()
    )
    built.start()
    yield built
    built.stop()


def until(check: Callable[[], Any], *, timeout: float = 30, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def api(node: SandboxNode, who: str, method: str, path: str, body: Any = None) -> httpx.Response:
    return httpx.request(
        method, f"{node.url}{path}", json=body, headers=node.headers(who), timeout=30
    )


def sent_request(egy: SandboxNode, kind: str = "mla-stored-data") -> str:
    created = api(egy, "supervisor", "POST", "/api/v1/requests", {
        "kind": kind, "requested_state": "VNM", "contents": complete_contents(CATALOGUE.kind(kind)),
    })  # fmt: skip
    assert created.status_code == 201, created.text
    request_id: str = created.json()["id"]
    for step in ("approve", "send"):
        assert (
            api(egy, "supervisor", "POST", f"/api/v1/requests/{request_id}/{step}").status_code
            == 200
        )
    return request_id


def status_on(node: SandboxNode, who: str, request_id: str) -> str | None:
    response = api(node, who, "GET", f"/api/v1/requests/{request_id}")
    return response.json()["status"] if response.status_code == 200 else None


def test_a_request_and_its_decisions_travel_between_states(sandbox: Sandbox) -> None:
    egy, vnm = sandbox.nodes["EGY"], sandbox.nodes["VNM"]
    request_id = sent_request(egy)
    until(lambda: status_on(vnm, "supervisor", request_id) == "received", what="delivery to VNM")
    steps = f"/api/v1/requests/{request_id}/steps"
    assert api(vnm, "supervisor", "POST", steps, {"step": "acknowledge"}).status_code == 200
    assert api(vnm, "supervisor", "POST", steps, {"step": "accept"}).status_code == 200
    until(
        lambda: status_on(egy, "supervisor", request_id) == "in-execution",
        what="decision back at EGY",
    )
    shown = api(egy, "supervisor", "GET", f"/api/v1/requests/{request_id}").json()
    assert [(r["transition"], r["state"]) for r in shown["timeline"]] == [
        ("approve", "EGY"),
        ("send", "EGY"),
        ("receive", "VNM"),
        ("acknowledge", "VNM"),
        ("accept", "VNM"),
    ]
    # Both outboxes hold delivered messages with the peers' signed receipts.
    for node, count in ((egy, 1), (vnm, 2)):
        outbox = api(node, "auditor", "GET", "/api/v1/federation/outbox").json()
        mine = [m for m in outbox if m["request_id"] == request_id]
        assert len(mine) == count
        assert {m["status"] for m in mine} == {"delivered"}
    # FRA is not a party: it never saw the request.
    assert status_on(sandbox.nodes["FRA"], "supervisor", request_id) is None


def test_the_outbox_delivers_once_a_node_that_was_down_returns(sandbox: Sandbox) -> None:
    egy, vnm = sandbox.nodes["EGY"], sandbox.nodes["VNM"]
    stop_node(vnm)
    try:
        request_id = sent_request(egy)
        time.sleep(3)
        [pending] = [m for m in api(egy, "auditor", "GET", "/api/v1/federation/outbox").json()
                     if m["request_id"] == request_id]  # fmt: skip
        assert pending["status"] == "pending"
        assert pending["attempts"] >= 1
        assert pending["last_error"]
    finally:
        start_node(vnm)
        wait_ready(vnm, timeout=60)
    until(lambda: status_on(vnm, "supervisor", request_id) == "received", timeout=60,
          what="delivery after VNM returned")  # fmt: skip


def test_forged_replayed_and_misaddressed_messages_are_refused(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    from hanoi.federation.envelope import seal
    from hanoi.federation.messages import Message, MessageType, new_message_id
    from hanoi.node.folder import load_keys
    from hanoi.settings import load_settings

    egy, vnm, fra = sandbox.nodes["EGY"], sandbox.nodes["VNM"], sandbox.nodes["FRA"]
    egy_keys = load_keys(load_settings(egy.node_dir))
    vnm_age = load_keys(load_settings(vnm.node_dir)).age.recipient()
    inbox = f"{vnm.url}/federation/v1/inbox"
    from datetime import UTC, datetime

    def message(**overrides: Any) -> Message:
        values: dict[str, Any] = {
            "id": new_message_id(), "type": MessageType.STEP, "sender": "EGY", "recipient": "VNM",
            "sent_at": datetime.now(UTC), "request_id": "EGY-2026-00000000",
            "body": {"transition": "withdraw", "record": {}, "document": {}},
        }  # fmt: skip
        values.update(overrides)
        return Message(**values)

    # Signed by a key the directory does not list for EGY (a State outside the directory).
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged = httpx.post(
        inbox, content=seal(message(), signing_key=Ed25519PrivateKey.generate(), recipient=vnm_age)
    )
    assert forged.status_code == 403
    assert forged.headers["content-type"] == "application/problem+json"
    # Addressed to FRA, sealed to VNM.
    elsewhere = httpx.post(
        inbox,
        content=seal(message(recipient="FRA"), signing_key=egy_keys.signing, recipient=vnm_age),
    )
    assert elsewhere.status_code == 422
    # Stale.
    old = message(sent_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert (
        httpx.post(
            inbox, content=seal(old, signing_key=egy_keys.signing, recipient=vnm_age)
        ).status_code
        == 422
    )
    # Garbage and oversize: the inbox reads up to a document's envelope (ADR 0024), and
    # refuses any other message above the ordinary 1 MiB once it is read.
    from hanoi.federation.envelope import DEFAULT_LIMITS

    assert httpx.post(inbox, content=b"not age").status_code == 400
    assert httpx.post(inbox, content=b"x" * (2 * 1024 * 1024)).status_code == 400
    largest = DEFAULT_LIMITS.max_inbox_bytes
    assert httpx.post(inbox, content=b"x" * (largest + 1), timeout=60).status_code == 413
    padded = message(body={"transition": "withdraw", "record": {}, "pad": "x" * 1024 * 1024})
    sealed = seal(padded, signing_key=egy_keys.signing, recipient=vnm_age)
    too_large = httpx.post(inbox, content=sealed)
    assert too_large.status_code == 413
    assert "a step message is at most" in too_large.json()["detail"]
    # A real message, delivered twice: acknowledged as a duplicate, applied once.
    request_id = sent_request(egy)
    until(lambda: status_on(vnm, "supervisor", request_id) == "received", what="delivery")
    from hanoi.cooperation.codec import request_json
    from hanoi.wiring import open_node

    opened = open_node(load_settings(egy.node_dir))
    try:
        supervisor = opened.accounts.named("egy-supervisor")
        document = request_json(opened.cooperation.show(supervisor, request_id).request)
    finally:
        opened.engine.dispose()
    real = message(type=MessageType.REQUEST, request_id=request_id, body={"document": document})
    envelope = seal(real, signing_key=egy_keys.signing, recipient=vnm_age)
    outcomes = []
    for _ in range(2):
        answer = httpx.post(inbox, content=envelope)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/jose"
        payload = answer.content.split(b".")[1]
        outcomes.append(
            json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))["outcome"]
        )
    assert outcomes == ["accepted", "duplicate"]
    # The same id with other content is a replay.
    other = message(id=real.id, type=MessageType.REQUEST, request_id=request_id,
                    body={"document": {**document, "kind": "mla-general"}})  # fmt: skip
    replay = httpx.post(inbox, content=seal(other, signing_key=egy_keys.signing, recipient=vnm_age))
    assert replay.status_code == 409
    timeline = api(vnm, "supervisor", "GET", f"/api/v1/requests/{request_id}").json()["timeline"]
    assert [r["transition"] for r in timeline].count("receive") == 1
    refusals = api(vnm, "auditor", "GET", "/api/v1/federation/refusals").json()
    assert {r["status"] for r in refusals} >= {400, 403, 409, 413, 422}
    assert fra.url


def test_a_log_that_shows_two_histories_to_two_witnesses_is_caught(sandbox: Sandbox) -> None:
    """EGY's node, turned malicious, signs two different trees of the same size and shows
    one to VNM's witness and the other to FRA's. Each cosigns what it saw, and the witnesses'
    comparison of their views raises a split-view alert."""
    from hanoi.custody.checkpoint import Checkpoint, sign_checkpoint
    from hanoi.custody.encoding import b64
    from hanoi.custody.merkle import MemoryHashStore, consistency_proof, leaf_hash, tree_hash
    from hanoi.custody.note import Ed25519Signer
    from hanoi.node.folder import load_keys
    from hanoi.settings import load_settings
    from hanoi.storage.custody_repo import CustodyRepository
    from hanoi.storage.db import make_engine

    egy, vnm, fra = sandbox.nodes["EGY"], sandbox.nodes["VNM"], sandbox.nodes["FRA"]
    settings = load_settings(egy.node_dir)

    def witnessed_size(node: SandboxNode) -> int | None:
        answer = httpx.get(f"{node.url}/witness/view", params={"origin": settings.log_origin})
        return int(answer.text.splitlines()[1]) if answer.status_code == 200 else None

    def settled() -> int | None:  # both witnesses hold EGY's latest checkpoint
        size = int(httpx.get(f"{egy.url}/log/checkpoint").text.splitlines()[1])
        return size if witnessed_size(vnm) == witnessed_size(fra) == size else None

    size = until(settled, timeout=60, what="both witnesses to cosign EGY's latest checkpoint")
    engine = make_engine(settings.resolved_database_url)
    try:
        leaves = CustodyRepository(engine).commitments(0, size)
    finally:
        engine.dispose()
    signer = Ed25519Signer(settings.log_origin, load_keys(settings).log_signing)
    for witness, forged_entry in ((vnm, b"history A"), (fra, b"history B")):
        store = MemoryHashStore()
        for leaf in [*leaves, forged_entry]:
            store.append(leaf_hash(leaf))
        root = tree_hash(size + 1, store)
        note = sign_checkpoint(Checkpoint(settings.log_origin, size + 1, root), [signer])
        proof = consistency_proof(old_size=size, new_size=size + 1, reader=store)
        body = f"old {size}\n{''.join(b64(h) + chr(10) for h in proof)}\n".encode() + note
        answer = httpx.post(f"{witness.url}/witness/add-checkpoint", content=body)
        assert answer.status_code == 200, answer.text  # each witness alone sees nothing wrong

    def split_view_alerts(node: SandboxNode) -> list[Any]:
        alerts = api(node, "auditor", "GET", "/api/v1/alerts").json()
        return [
            a for a in alerts if a["kind"] == "split-view" and a["origin"] == settings.log_origin
        ]

    for node in (vnm, fra):
        [alert] = until(lambda n=node: split_view_alerts(n), timeout=60, what="a split-view alert")
        assert f"size {size + 1}" in alert["detail"]
