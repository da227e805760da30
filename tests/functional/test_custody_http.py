"""A node's custody log over real HTTP: served as C2SP tlog-tiles, audited by `hanoi log audit`."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import run_hanoi, serving
from hanoi.custody.merkle import leaf_hash, verify_consistency, verify_inclusion
from hanoi.settings import load_settings
from hanoi.web.app import create_app
from hanoi.wiring import Node, open_node
from support_custody import events


@pytest.fixture
def log_node(node_dir: Path, tmp_path: Path) -> Iterator[Node]:
    copy = tmp_path / "node"
    shutil.copytree(node_dir, copy)
    node = open_node(load_settings(copy))
    yield node
    node.engine.dispose()


def test_log_endpoints_serve_tiles_checkpoint_and_proofs(log_node: Node) -> None:
    custody = log_node.custody
    recorded = custody.record(events(300))
    custody.sequence()
    with TestClient(create_app(log_node, background=False)) as client:
        checkpoint = client.get("/log/checkpoint")
        assert checkpoint.headers["cache-control"] == "no-store"
        lines = checkpoint.text.splitlines()
        assert lines[0] == log_node.identity.log_origin
        assert lines[1] == "300"
        root = base64.b64decode(lines[2])
        full = client.get("/log/tile/0/000")
        assert full.headers["cache-control"].endswith("immutable")
        assert len(full.content) == 256 * 32
        assert len(client.get("/log/tile/0/001.p/44").content) == 44 * 32
        assert client.get("/log/tile/entries/001.p/44").status_code == 200
        assert client.get("/log/tile/0/002").status_code == 404
        assert client.get("/log/tile/../../hanoi.toml").status_code == 404
        proof = client.get("/api/v1/custody/proof", params={"index": 7, "size": 300}).json()
        verify_inclusion(
            leaf_hash=leaf_hash(recorded[7].commitment),
            index=7,
            size=300,
            proof=[base64.b64decode(h) for h in proof["inclusion_proof"]],
            root=root,
        )
        bad = client.get("/api/v1/custody/proof", params={"index": 7, "size": 301})
        assert bad.status_code == 400
        assert bad.headers["content-type"] == "application/problem+json"
        old_root = root
        custody.record(events(20, start=300))
        custody.sequence()
        new_lines = client.get("/log/checkpoint").text.splitlines()
        consistency = client.get("/api/v1/custody/proof", params={"old": 300, "new": 320}).json()
        verify_consistency(
            old_size=300,
            new_size=320,
            old_root=old_root,
            new_root=base64.b64decode(new_lines[2]),
            proof=[base64.b64decode(h) for h in consistency["consistency_proof"]],
        )


def test_the_leaves_reveal_nothing(log_node: Node) -> None:
    custody = log_node.custody
    custody.record(events(3))
    custody.sequence()
    with TestClient(create_app(log_node, background=False)) as client:
        bundle = client.get("/log/tile/entries/000.p/3").content
    assert b"EGY-2026" not in bundle
    assert b"amira" not in bundle
    assert len(bundle) == 3 * (2 + 32)  # three 32-byte commitments


@pytest.mark.slow
def test_hanoi_log_audit_accepts_a_served_log(log_node: Node, tmp_path: Path) -> None:
    log_node.custody.record(events(600))
    log_node.custody.sequence()
    folder = log_node.settings.node_dir
    identity = json.loads(run_hanoi("node", "show", "--dir", str(folder)).stdout)
    with serving(folder) as server:
        state = tmp_path / "audit-state"
        url = f"{server.url}/log/"
        first = run_hanoi(
            "log", "audit", url, "--key", identity["log_verifier_key"], "--state", str(state)
        )
        assert first.returncode == 0, first.stderr
        assert "600" in first.stdout
        wrong = run_hanoi("log", "audit", url, "--key", "other+00000000+" + "A" * 44)
        assert wrong.returncode != 0
