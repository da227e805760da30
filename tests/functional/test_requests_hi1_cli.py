"""``hanoi requests export-hi1`` and ``import-hi1`` (issue 20, point 5): a request leaves one
node as an HI-1 message and arrives on another, a domestic system's message becomes a draft,
and bad messages, replays and readers off the case are refused with nothing recorded."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import run_hanoi
from hanoi.convention import default_catalogue
from hanoi.providers.hi1 import validate_message
from hanoi.providers.hi1.request_messages import ExchangedRequest, request_to_hi1
from support_nodes import federate
from unit.cooperation.builders import complete_contents

KIND = "expedited-preservation"
IDENTIFIERS = ["+84912345678", "someone@example.vn"]


@pytest.fixture
def nodes(tmp_path: Path) -> dict[str, list[str]]:
    """Egypt and Viet Nam, each with a signed directory that lists both, and their users."""
    federate(tmp_path / "nodes", ["EGY", "VNM"], base_port=9)  # no server is started
    users = {
        "EGY": (("samir", "supervisor"), ("nour", "officer")),
        "VNM": (("linh", "supervisor"),),
    }
    found = {}
    for state, members in users.items():
        folder = tmp_path / "nodes" / state.lower()
        for name, role in members:
            added = run_hanoi("user", "add", name, "--role", role, "--dir", str(folder))
            assert added.returncode == 0, added.stderr
        found[state] = ["--dir", str(folder)]
    return found


def _drafted(node: list[str], tmp_path: Path) -> str:
    contents = complete_contents(default_catalogue().kind(KIND))
    contents["data-identifiers"] = IDENTIFIERS
    contents["data-categories"] = ["traffic-data", "subscriber-information"]
    path = tmp_path / "contents.json"
    path.write_text(json.dumps(contents))
    drafted = run_hanoi(
        "requests", "draft", *node, "--user", "samir", "--kind", KIND, "--to", "VNM",
        "--contents", str(path), "--urgency", "urgent", "--urgency-reasons", "logs expire",
        "--json",
    )  # fmt: skip
    assert drafted.returncode == 0, drafted.stderr
    request_id: str = json.loads(drafted.stdout)["id"]
    return request_id


def _count(node: list[str], user: str) -> int:
    listed = run_hanoi("requests", "list", *node, "--user", user, "--json")
    assert listed.returncode == 0, listed.stderr
    total: int = json.loads(listed.stdout)["total"]
    return total


def test_a_request_exported_by_one_node_is_registered_by_the_other(
    nodes: dict[str, list[str]], tmp_path: Path
) -> None:
    egy, vnm = nodes["EGY"], nodes["VNM"]
    request_id = _drafted(egy, tmp_path)
    out = tmp_path / "request.json"
    exported = run_hanoi("requests", "export-hi1", request_id, *egy, "--user", "samir",
                         "--out", str(out))  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert "2 task(s)" in exported.stdout
    message = json.loads(out.read_text())
    validate_message(message)
    assert message["Header"]["SenderIdentifier"]["CountryCode"] == "EG"
    assert message["Header"]["ReceiverIdentifier"]["CountryCode"] == "VN"

    imported = run_hanoi("requests", "import-hi1", str(out), *vnm, "--user", "linh", "--json")
    assert imported.returncode == 0, imported.stderr
    result = json.loads(imported.stdout)
    transaction = message["Header"]["TransactionIdentifier"]
    assert result["imported_as"] == "registered"
    assert result["id"] == f"VNM-HI1-{transaction}"
    shown = run_hanoi("requests", "show", result["id"], *vnm, "--user", "linh", "--json")
    assert shown.returncode == 0, shown.stderr
    view = json.loads(shown.stdout)
    request = view["request"]
    assert view["status"] == "received"
    assert view["route"] == "other"
    assert request["kind"] == KIND
    assert request["requesting"]["state"] == "EGY"
    assert request["requested"]["state"] == "VNM"
    assert request["urgency"] == {"level": "urgent", "reasons": "logs expire"}
    assert request["contents"]["data-identifiers"] == IDENTIFIERS
    assert request["contents"]["data-categories"] == ["traffic-data", "subscriber-information"]
    registered = request["history"][0]
    assert registered["via"]["reference"] == request_id  # the sender's own reference

    again = run_hanoi("requests", "import-hi1", str(out), *vnm, "--user", "linh")
    assert again.returncode == 4
    assert "imported already" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert _count(vnm, "linh") == 1


def test_export_prints_the_message_and_never_replaces_a_file(
    nodes: dict[str, list[str]], tmp_path: Path
) -> None:
    egy = nodes["EGY"]
    request_id = _drafted(egy, tmp_path)
    printed = run_hanoi("requests", "export-hi1", request_id, *egy, "--user", "samir")
    assert printed.returncode == 0, printed.stderr
    validate_message(json.loads(printed.stdout))
    out = tmp_path / "taken.json"
    out.write_text("mine")
    refused = run_hanoi("requests", "export-hi1", request_id, *egy, "--user", "samir",
                        "--out", str(out))  # fmt: skip
    assert refused.returncode == 4
    assert out.read_text() == "mine"


def test_a_user_off_the_case_cannot_export(nodes: dict[str, list[str]], tmp_path: Path) -> None:
    egy = nodes["EGY"]
    request_id = _drafted(egy, tmp_path)
    out = tmp_path / "request.json"
    refused = run_hanoi("requests", "export-hi1", request_id, *egy, "--user", "nour",
                        "--out", str(out))  # fmt: skip
    assert refused.returncode == 3
    assert "among your cases" in refused.stderr
    assert not out.exists()


DOMESTIC = ExchangedRequest(
    reference="CASE-2026-0042",
    kind="mla-stored-data",
    article=44,
    requesting_state="VNM",
    requesting_authority="Supreme People's Procuracy",
    requested_state="EGY",
    requested_authority="Central Authority of Egypt",
    data_categories=("content-data",),
    window_start=date(2026, 3, 1),
    window_end=date(2026, 3, 31),
)
"""What a domestic case system of Viet Nam sends its central authority."""


def _message(tmp_path: Path, **changes: Any) -> Path:
    request = dataclasses.replace(DOMESTIC, **changes)
    export = request_to_hi1(request, timestamp=datetime.now(UTC))
    path = tmp_path / f"{export.transaction_id}.json"
    path.write_text(json.dumps(export.message))
    return path


def test_a_domestic_systems_message_becomes_a_draft(
    nodes: dict[str, list[str]], tmp_path: Path
) -> None:
    vnm = nodes["VNM"]
    imported = run_hanoi("requests", "import-hi1", str(_message(tmp_path)), *vnm,
                         "--user", "linh", "--json")  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    result = json.loads(imported.stdout)
    assert result["imported_as"] == "drafted"
    assert result["status"] == "draft"
    assert result["missing"]  # the message carries the data asked for, not the whole form
    shown = json.loads(
        run_hanoi("requests", "show", result["id"], *vnm, "--user", "linh", "--json").stdout
    )
    assert shown["request"]["requested"]["state"] == "EGY"
    assert shown["request"]["contents"]["data-categories"] == ["content-data"]


def test_bad_messages_are_refused_on_one_line_and_nothing_is_recorded(
    nodes: dict[str, list[str]], tmp_path: Path
) -> None:
    vnm = nodes["VNM"]
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b'{"Header": 1, "Header": 2}')
    noise = tmp_path / "noise.json"
    noise.write_bytes(b"\x00not JSON at all")
    schema = tmp_path / "schema.json"
    message = json.loads(
        _message(tmp_path, requesting_state="EGY", requested_state="VNM").read_text()
    )
    del message["Header"]["TransactionIdentifier"]
    schema.write_text(json.dumps(message))
    unknown = _message(tmp_path, requesting_state="EGY", requested_state="VNM")
    unknown.write_text(unknown.read_text().replace('"mla-stored-data"', '"mla-everything"'))
    cases = [
        (garbage, 2, "appears twice"),
        (noise, 2, "not JSON"),
        (schema, 2, "TransactionIdentifier"),
        (unknown, 2, "mla-everything"),
        (_message(tmp_path, requesting_state="FRA", requested_state="VNM"), 3, "FRA"),
        (_message(tmp_path, requesting_state="FRA", requested_state="EGY"), 2, "neither"),
        (tmp_path / "missing.json", 3, "no such file"),
    ]
    for path, code, words in cases:
        refused = run_hanoi("requests", "import-hi1", str(path), *vnm, "--user", "linh")
        assert refused.returncode == code, (path.name, refused.stderr)
        assert words in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    assert _count(vnm, "linh") == 0
