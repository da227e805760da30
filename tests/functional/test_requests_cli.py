"""``hanoi requests``: draft, validate, list, show, step and overdue from a terminal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import run_hanoi
from hanoi.convention import default_catalogue
from unit.cooperation.builders import complete_contents


def test_an_officer_drafts_validates_and_follows_a_request_from_the_terminal(
    node_dir: Path, tmp_path: Path
) -> None:
    node = tmp_path / "egy"
    shutil.copytree(node_dir, node)
    for name, role in (("amira", "officer"), ("samir", "supervisor")):
        assert run_hanoi("user", "add", name, "--role", role, "--dir", str(node)).returncode == 0
    me = ["--dir", str(node), "--user", "amira"]

    incomplete = tmp_path / "incomplete.json"
    incomplete.write_text(json.dumps({"kind": "mla-stored-data", "contents": {}}))
    checked = run_hanoi("requests", "validate", str(incomplete))
    assert checked.returncode == 5
    assert "contents.summary-of-facts" in checked.stdout
    assert "Art. 40(15)(c)" in checked.stdout
    assert checked.stderr.count("\n") == 1  # one line on standard error

    contents = tmp_path / "contents.json"
    contents.write_text(json.dumps(complete_contents(default_catalogue().kind("mla-stored-data"))))
    drafted = run_hanoi(
        "requests", "draft", *me, "--kind", "mla-stored-data", "--to", "VNM",
        "--contents", str(contents), "--json",
    )  # fmt: skip
    assert drafted.returncode == 0, drafted.stderr
    request = json.loads(drafted.stdout)
    assert request["problems"] == []
    assert run_hanoi("requests", "validate", "--request", request["id"], *me).returncode == 0

    refused = run_hanoi("requests", "step", request["id"], "approve", *me)
    assert refused.returncode == 7  # an officer does not approve
    assert "needs 'approve'" in refused.stderr

    listed = json.loads(run_hanoi("requests", "list", *me, "--json", "--status", "draft").stdout)
    assert [i["id"] for i in listed["items"]] == [request["id"]]
    shown = run_hanoi("requests", "show", request["id"], *me)
    assert "status: draft" in shown.stdout
    assert "next: submit, abandon" in shown.stdout  # an officer submits; a supervisor approves
    # The sample's suggested deadline (1 March 2026) has passed: the drafting State must act.
    [late] = json.loads(run_hanoi("requests", "overdue", *me, "--json").stdout)
    assert (late["request_id"], late["rule"], late["state"], late["side"]) == (
        request["id"], "suggested-deadline", "overdue", "requesting",
    )  # fmt: skip

    # samir is not on the case yet: the request does not exist for him.
    hidden = run_hanoi("requests", "show", request["id"], "--dir", str(node), "--user", "samir")
    assert hidden.returncode == 3
    nobody = run_hanoi("requests", "list", "--dir", str(node), "--user", "ghost")
    assert nobody.returncode == 3
    assert "no user named 'ghost'" in nobody.stderr
