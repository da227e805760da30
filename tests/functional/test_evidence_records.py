"""Recording evidence: from the command line and from a tus upload, with its custody event."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from conftest import open_case, run_hanoi
from hanoi.custody.events import event_commitment
from hanoi.settings import load_settings
from hanoi.web.app import create_app
from hanoi.wiring import open_node

TUS = {"Tus-Resumable": "1.0.0"}


def test_evidence_add_records_the_item_and_its_custody_event(
    node_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "node"
    shutil.copytree(node_dir, copy)
    data = os.urandom(300_000)
    source = tmp_path / "provider-return.bin"
    source.write_bytes(data)
    request_id = open_case(copy, "amira")
    result = run_hanoi(
        "evidence", "add", str(source), "--dir", str(copy), "--request", request_id,
        "--source-kind", "provider", "--source", "Example Mail Ltd", "--method", "production order",
        "--user", "amira", "--article", "Art. 44",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    recorded = json.loads(result.stdout)
    assert recorded["sha256"] == hashlib.sha256(data).hexdigest()
    node = open_node(load_settings(copy))
    try:
        amira = node.accounts.named("amira")
        item = node.evidence.get(amira, recorded["id"])
        assert item.acquisition.source == "Example Mail Ltd"
        assert item.acquisition.officer == "amira"
        [logged] = node.evidence.custody_of(amira, item.id)
        assert logged.event.evidence_sha256 == item.sha256
        assert logged.event.article == "Art. 44"
        assert event_commitment(logged.event, logged.salt) == logged.commitment
        assert node.custody.size() == 2  # the draft's step, then the item
    finally:
        node.engine.dispose()


def test_evidence_add_bad_input_is_one_line(node_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "x.bin"
    source.write_bytes(b"x")
    common = [
        "--dir",
        str(node_dir),
        "--request",
        "R-1",
        "--source",
        "s",
        "--method",
        "m",
        "--officer",
        "o",
    ]
    bad_kind = run_hanoi("evidence", "add", str(source), *common, "--source-kind", "printer")
    assert bad_kind.returncode == 2
    assert "provider, system or device" in bad_kind.stderr
    missing = run_hanoi(
        "evidence", "add", str(tmp_path / "nope"), *common, "--source-kind", "device"
    )
    assert missing.returncode == 2
    assert "not a readable file" in missing.stderr
    copy = tmp_path / "node"
    shutil.copytree(node_dir, copy)
    own = open_case(copy, "omar")
    theirs = open_case(copy, "pierre")
    record = ["evidence", "add", str(source), "--dir", str(copy), "--source", "s",
              "--method", "m", "--user", "omar", "--source-kind", "device"]  # fmt: skip
    bad_ref = run_hanoi(*record, "--request", "no spaces allowed")
    assert bad_ref.returncode == 2
    assert "request_ref" in bad_ref.stderr
    # A request that does not exist, and another officer's case, are refused alike.
    nowhere = run_hanoi(*record, "--request", "EGY-2026-99999")
    elsewhere = run_hanoi(*record, "--request", theirs)
    assert nowhere.returncode == elsewhere.returncode == 3
    said = nowhere.stderr.splitlines()[-1].replace("EGY-2026-99999", theirs)
    assert said == elsewhere.stderr.splitlines()[-1]
    assert said == f"hanoi: not found: no request {theirs!r} among your cases"
    assert run_hanoi(*record, "--request", own).returncode == 0


def test_completed_upload_becomes_evidence_over_the_api(node_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "node"
    shutil.copytree(node_dir, copy)
    token = json.loads(
        run_hanoi(
            "user", "add", "officer1", "--role", "officer", "--dir", str(copy), "--token"
        ).stdout
    )["token"]
    request_id = open_case(copy, "officer1")
    node = open_node(load_settings(copy))
    data = os.urandom(70_000)
    digest = hashlib.sha256(data).hexdigest()
    with TestClient(
        create_app(node, background=False), headers={"Authorization": f"Bearer {token}"}
    ) as client:
        created = client.post(
            "/api/v1/uploads",
            headers={
                **TUS,
                "Upload-Length": str(len(data)),
                "Upload-Metadata": "sha256 " + base64.b64encode(digest.encode()).decode(),
            },
        )
        location = created.headers["location"]
        client.patch(
            location,
            content=data,
            headers={
                **TUS,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        body = {
            "upload_id": location.rsplit("/", 1)[1],
            "original_name": "mailbox.mbox",
            "media_type": "application/mbox",
            "source_kind": "provider",
            "source": "Example Mail Ltd",
            "method": "production order",
            "acquired_at": "2026-11-28T09:30:00+00:00",
            "request_ref": request_id,
            "article": "Art. 44",
        }
        # Received off the network: the State, the channel and the reference, all or none.
        half = client.post("/api/v1/evidence", json={**body, "received_from": "VNM"})
        assert half.status_code == 400
        pointers = [e["pointer"] for e in half.json()["errors"]]
        assert pointers == ["channel", "channel_reference"]
        on_network = {"received_from": "VNM", "channel": "hanoi", "channel_reference": "N 1"}
        refused = client.post("/api/v1/evidence", json={**body, **on_network})
        assert refused.status_code == 400
        assert [e["pointer"] for e in refused.json()["errors"]] == ["channel"]
        receipt = {"received_from": "VNM", "channel": "courier", "channel_reference": "AWB 1"}
        response = client.post("/api/v1/evidence", json={**body, **receipt})
        assert response.status_code == 201, response.text
        item = response.json()
        assert item["sha256"] == digest
        assert item["officer"] == "officer1"
        assert {name: item[name] for name in receipt} == receipt
        assert client.get(f"/api/v1/evidence/{item['id']}").json()["channel"] == "courier"
        node.custody.sequence()
        custody = client.get(f"/api/v1/evidence/{item['id']}/custody").json()
        assert [e["event"]["type"] for e in custody] == ["collected"]
        incomplete = client.post(
            "/api/v1/evidence", json={**body, "original_name": "../etc/passwd"}
        )
        assert incomplete.status_code == 400
        assert incomplete.json()["errors"][0]["pointer"] == "original_name"
        # An upload becomes one item: sent again, it is gone.
        again = client.post("/api/v1/evidence", json=body)
        assert again.status_code == 404
        assert again.json()["detail"] == "no such upload"
        assert client.get("/api/v1/evidence/nope").status_code == 404
    node.engine.dispose()
