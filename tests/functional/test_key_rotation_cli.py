"""``hanoi node rotate-key`` as an operator runs it, then the entry that publishes the new
key, accepted by a node that held the old one (ADR 0051)."""

from __future__ import annotations

import json
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

from conftest import run_hanoi
from hanoi.clock import SystemClock
from hanoi.crypto.agekeys import read_identity_file
from hanoi.directory.codec import load_signed_entry
from hanoi.directory.model import parse_time
from hanoi.directory.store import load_held

AUTHORITY = "kind=central-authority; name=Ministry of Justice; languages=en; contact=x@y.example"


def ok(*args: str) -> str:
    result = run_hanoi(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_rotating_every_key_keeps_the_old_ones_and_publishes_the_new(tmp_path: Path) -> None:
    authority, node = tmp_path / "authority", tmp_path / "vnm"
    ok("directory", "authority-init", "--out", str(authority))
    ok("node", "init", "--dir", str(node), "--state", "VNM", "--name", "CA of Viet Nam")
    before = json.loads(ok("node", "show", "--dir", str(node)))
    assert "former_keys" not in before
    entry_args = ("directory", "entry", "--dir", str(node), "--url", "https://vnm.example/",
                  "--authority", AUTHORITY)  # fmt: skip
    first_entry = tmp_path / "entry-1.json"
    ok(*entry_args, "--out", str(first_entry))
    sign = ("directory", "sign", "--authority-key", str(authority / "authority-signing.pem"),
            "--expires", "2099-01-01")  # fmt: skip
    ok(*sign, "--version", "1", "--out", str(tmp_path / "d1.json"), str(first_entry))
    ok("directory", "import", "--dir", str(node), "--pin", str(authority / "authority.pub"),
       str(tmp_path / "d1.json"))  # fmt: skip

    rotated = {
        kind: json.loads(ok("node", "rotate-key", kind, "--dir", str(node), "--json"))
        for kind in ("signing", "age", "log", "document")
    }
    assert rotated["signing"]["old"] == before["signing_key_id"] != rotated["signing"]["new"]
    assert rotated["age"]["old"] == before["age_recipient"] != rotated["age"]["new"]
    assert rotated["document"]["old"] == before["document_certificate_fingerprint"]
    assert rotated["log"]["old"] == before["log_origin"]
    assert rotated["log"]["new"].startswith(before["log_origin"] + "/r")
    for kind in ("signing", "age", "log"):
        kept = Path(rotated[kind]["retired"])
        assert kept.parent == node / "keys" / "retired"
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    age_kept = read_identity_file(Path(rotated["age"]["retired"]).read_text())
    assert str(age_kept.recipient()) == before["age_recipient"]

    after = json.loads(ok("node", "show", "--dir", str(node)))
    assert after["signing_key_id"] == rotated["signing"]["new"]
    assert after["age_recipient"] == rotated["age"]["new"]
    assert after["document_certificate_fingerprint"] == rotated["document"]["new"]
    assert after["log_origin"] == rotated["log"]["new"]
    assert after["witness_name"] == before["witness_name"]  # the name others know
    assert after["witness_key"] == before["witness_key"]
    # No succession yet: the node has published nothing under its new origin.
    assert after["former_logs"] == [
        {"log_origin": before["log_origin"], "log_verifier_key": before["log_verifier_key"]}
    ]
    assert after["former_keys"] == [
        {"signing_public_key": before["signing_public_key"],
         "signing_key_id": before["signing_key_id"]}
    ]  # fmt: skip
    with sqlite3.connect(node / "hanoi.db") as db:
        keys = db.execute(
            "SELECT key_id, retired_at IS NOT NULL FROM node_keys WHERE purpose = 'node-signing'"
        ).fetchall()
    assert sorted(keys) == sorted([(before["signing_key_id"], 1), (after["signing_key_id"], 0)])

    # The entry built with --previous lists both keys, the old one for 30 days, carries
    # the old certificate beside the new, and is cosigned by the old key.
    second_entry = tmp_path / "entry-2.json"
    ok(*entry_args, "--previous", str(first_entry), "--out", str(second_entry))
    signed = load_signed_entry(second_entry.read_bytes())
    old, new = signed.entry.keys
    assert (old.key_id, new.key_id) == (before["signing_key_id"], after["signing_key_id"])
    assert old.valid_until is not None
    overlap = old.valid_until - SystemClock().now()
    assert timedelta(days=29) < overlap <= timedelta(days=30)
    assert new.valid_until is None
    assert signed.entry.serial == 2
    assert len(signed.signatures) == 2
    assert signed.entry.age_recipient == after["age_recipient"]
    assert len(signed.entry.document_certificates) == 2
    assert signed.entry.log_origin == after["log_origin"]
    assert [f.as_json() for f in signed.entry.former_logs] == after["former_logs"]

    # A node that held the first entry takes the second: the old key signed it.
    ok(*sign, "--version", "2", "--out", str(tmp_path / "d2.json"), str(second_entry))
    imported = ok("directory", "import", "--dir", str(node), str(tmp_path / "d2.json"))
    assert "re-keyed: VNM" in imported
    held = load_held(node)
    assert held is not None
    assert held.entry("VNM").keys[0].valid_until == parse_time(
        json.loads(second_entry.read_text())["entry"]["keys"][0]["valid_until"]
    )


def fails(*args: str) -> str:
    result = run_hanoi(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    return line


def test_a_bad_kind_or_a_missing_node_is_one_line(tmp_path: Path) -> None:
    ok("node", "init", "--dir", str(tmp_path / "n"), "--state", "VNM", "--name", "CA")
    line = fails("node", "rotate-key", "witness", "--dir", str(tmp_path / "n"))
    assert "no key kind 'witness'; rotate signing, age, log or document" in line
    line = fails("node", "rotate-key", "signing", "--dir", str(tmp_path / "none"))
    assert "none" in line
    assert not (tmp_path / "n" / "keys" / "retired").exists()
