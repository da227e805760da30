"""``hanoi requests`` off the network (ADR 0028): dispatch by note, the answers recorded
with their scans, and a request received on paper registered, from a terminal."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from conftest import run_hanoi
from hanoi.convention import default_catalogue
from unit.cooperation.builders import complete_contents

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _node(node_dir: Path, tmp_path: Path) -> list[str]:
    node = tmp_path / "egy"
    shutil.copytree(node_dir, node)
    for name, role in (("amira", "officer"), ("samir", "supervisor")):
        assert run_hanoi("user", "add", name, "--role", role, "--dir", str(node)).returncode == 0
    return ["--dir", str(node)]


def test_a_request_goes_by_note_and_its_answers_are_recorded(
    node_dir: Path, tmp_path: Path
) -> None:
    node = _node(node_dir, tmp_path)
    contents = tmp_path / "contents.json"
    contents.write_text(json.dumps(complete_contents(default_catalogue().kind("mla-stored-data"))))
    drafted = run_hanoi(
        "requests", "draft", *node, "--user", "samir", "--kind", "mla-stored-data",
        "--to", "VNM", "--contents", str(contents), "--json",
    )  # fmt: skip
    request_id = json.loads(drafted.stdout)["id"]
    assert run_hanoi("requests", "step", request_id, "approve", *node, "--user", "samir")
    scan = tmp_path / "note.pdf"
    scan.write_bytes(PDF)
    today = datetime.now(UTC).date().isoformat()
    via = ["--channel", "diplomatic", "--on", today, "--reference", "Note 14/2026"]
    half = run_hanoi("requests", "step", request_id, "dispatch", *node, "--user", "samir",
                     "--channel", "diplomatic")  # fmt: skip
    assert half.returncode == 2
    assert "--channel, --on and --reference together" in half.stderr
    sent = run_hanoi(
        "requests", "step", request_id, "dispatch", *node, "--user", "samir", *via,
        "--scan", str(scan),
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    assert "approved -> sent" in sent.stdout
    received = run_hanoi("requests", "step", request_id, "receive", *node, "--user", "samir", *via)
    assert received.returncode == 0, received.stderr
    bad = tmp_path / "page.html"
    bad.write_text("<html></html>")
    refused = run_hanoi(
        "requests", "step", request_id, "acknowledge", *node, "--user", "samir", *via,
        "--scan", str(bad),
    )  # fmt: skip
    assert refused.returncode == 2
    assert "not a PDF or an image" in refused.stderr
    shown = json.loads(
        run_hanoi("requests", "show", request_id, *node, "--user", "samir", "--json").stdout
    )
    assert shown["status"] == "received"


def test_a_paper_request_is_registered_from_the_terminal(node_dir: Path, tmp_path: Path) -> None:
    node = _node(node_dir, tmp_path)
    scan = tmp_path / "letter.pdf"
    scan.write_bytes(PDF)
    contents = tmp_path / "contents.json"
    contents.write_text(json.dumps({"summary-of-facts": "phishing"}))
    today = datetime.now(UTC).date().isoformat()
    args = [
        "requests", "register", *node, "--user", "samir", "--from", "FRA",
        "--channel", "diplomatic", "--received-at", today, "--reference", "Note 117",
        "--scan", str(scan), "--contents", str(contents),
    ]  # fmt: skip
    registered = run_hanoi(*args)
    assert registered.returncode == 0, registered.stderr
    request_id = registered.stdout.splitlines()[0]
    assert request_id.startswith("EGY-IN-")
    assert "Art. 40(15)" in registered.stdout  # what the letter lacks, with its article
    shown = json.loads(
        run_hanoi("requests", "show", request_id, *node, "--user", "samir", "--json").stdout
    )
    assert shown["status"] == "received"
    assert shown["route"] == "diplomatic"
    future = run_hanoi(*[a if a != today else "2999-01-01" for a in args])
    assert future.returncode == 2
    assert "in the future" in future.stderr
    unknown = run_hanoi(*[a if a != "FRA" else "fr" for a in args])
    assert unknown.returncode == 2
    listed = json.loads(run_hanoi("requests", "list", *node, "--user", "samir", "--json").stdout)
    assert [item["id"] for item in listed["items"]] == [request_id]
