"""``hanoi user`` and token authentication over HTTP."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from conftest import run_hanoi
from hanoi.settings import load_settings
from hanoi.web.app import create_app
from hanoi.wiring import open_node


def test_user_add_prints_a_token_once_that_authenticates(node_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "node"
    shutil.copytree(node_dir, copy)
    result = run_hanoi(
        "user", "add", "amira.hassan", "--role", "officer", "--dir", str(copy), "--token"
    )
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["role"] == "officer"
    token = created["token"]
    assert token.startswith("hanoi_")
    assert "cannot be shown again" in result.stderr
    listed = json.loads(run_hanoi("user", "list", "--dir", str(copy)).stdout)
    assert [u["name"] for u in listed] == ["amira.hassan"]
    assert token not in run_hanoi("user", "list", "--dir", str(copy)).stdout

    node = open_node(load_settings(copy))
    with TestClient(create_app(node)) as client:
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json() == {
            "name": "amira.hassan",
            "role": "officer",
        }
        refused = client.get("/api/v1/me", headers={"Authorization": "Bearer hanoi_nope"})
        missing = client.get("/api/v1/me")
    node.engine.dispose()
    for response in (refused, missing):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_user_add_bad_role_and_duplicate(node_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "node"
    shutil.copytree(node_dir, copy)
    bad = run_hanoi("user", "add", "x1", "--role", "boss", "--dir", str(copy))
    assert bad.returncode == 2
    assert "choose one of" in bad.stderr
    assert run_hanoi("user", "add", "x1", "--role", "auditor", "--dir", str(copy)).returncode == 0
    again = run_hanoi("user", "add", "x1", "--role", "auditor", "--dir", str(copy))
    assert again.returncode == 4
    assert "exists already" in again.stderr
