"""``hanoi evidence pack | export | verify`` as users run them, on a real node."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conftest import open_case, run_hanoi
from hanoi.crypto.agekeys import AgeIdentity, format_identity_file
from hanoi.crypto.ed25519keys import private_to_pem
from hanoi.settings import load_settings
from hanoi.wiring import open_node


@dataclass(frozen=True)
class Recorded:
    request: str
    node: Path
    trust: Path
    court: AgeIdentity
    court_file: Path
    evidence: list[Path]


def ok(*args: str) -> str:
    result = run_hanoi(*args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def fails(code: int, *args: str) -> str:
    """Run a command that must fail with ``code`` and one line on standard error."""
    result = run_hanoi(*args)
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hanoi: ")
    return lines[0]


@pytest.fixture(scope="module")
def recorded(node_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    root = tmp_path_factory.mktemp("evidence-package")
    node = root / "egy"
    shutil.copytree(node_dir, node)
    request = open_case(node, "amira")
    evidence = []
    for name, size in [("inbox.mbox", 300_000), ("subscriber info.csv", 2_000)]:
        path = root / name
        path.write_bytes(os.urandom(size))
        evidence.append(path)
        ok(
            "evidence",
            "add",
            str(path),
            "--dir",
            str(node),
            "--request",
            request,
            "--source-kind",
            "provider",
            "--source",
            "Example Mail Ltd",
            "--method",
            "production order",
            "--user",
            "amira",
            "--article",
            "Art. 44",
        )
    opened = open_node(load_settings(node))
    try:
        opened.custody.sequence()
    finally:
        opened.engine.dispose()
    trust = root / "trust.json"
    trust.write_text(ok("node", "show", "--dir", str(node)))
    court = AgeIdentity.generate()
    court_file = root / "court.txt"
    court_file.write_text(format_identity_file(court, created="2026-11-28T00:00:00Z"))
    return Recorded(request, node, trust, court, court_file, evidence)


def custody_count(recorded: Recorded) -> int:
    """Custody events logged on the node for the recorded files (exports add to them)."""
    node = open_node(load_settings(recorded.node))
    try:
        digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in recorded.evidence]
        return sum(len(node.custody.events_for(f"sha256:{d}")) for d in digests)
    finally:
        node.engine.dispose()


def export(recorded: Recorded, out: Path) -> dict[str, object]:
    return json.loads(
        ok(
            "evidence",
            "export",
            "--dir",
            str(recorded.node),
            "--request",
            recorded.request,
            "--user",
            "amira",
            "--recipient",
            str(recorded.court.recipient()),
            "--out",
            str(out),
        )
    )


@pytest.mark.parametrize("name", ["package", "package.tar"])
def test_an_exported_package_verifies_against_the_nodes_identity(
    recorded: Recorded, tmp_path: Path, name: str
) -> None:
    out = tmp_path / name
    before = custody_count(recorded)
    exported = export(recorded, out)
    # The export is logged for each item before it packs, so it proves its own export too.
    assert custody_count(recorded) == before + 2
    assert exported["custody_events"] == before + 2
    assert out.is_dir() == (name == "package")
    text = ok(
        "evidence",
        "verify",
        str(out),
        "--trust",
        str(recorded.trust),
        "--identity",
        str(recorded.court_file),
    )
    assert "VERIFIED: package" in text
    assert text.count("checked      custody: ") == before + 2
    assert "collected at" in text
    assert "decrypted; 'inbox.mbox', 300000 bytes" in text
    assert "NOT checked  payload contents" not in text
    report = json.loads(
        ok("evidence", "verify", str(out), "--trust", str(recorded.trust), "--json")
    )
    assert report["verdict"] == "verified"
    types = [step["type"] for step in report["custody"]]
    assert types.count("collected") == 2
    assert set(types) <= {"collected", "exported"}
    assert len(types) == before + 2
    assert any(n.startswith("payload contents: no --identity") for n in report["not_checked"])
    assert report["package"]["request"] == recorded.request


def test_pack_with_the_nodes_key_includes_its_custody_proofs(
    recorded: Recorded, tmp_path: Path
) -> None:
    out = tmp_path / "field.tar"
    logged = custody_count(recorded)
    packed = json.loads(
        ok(
            "evidence",
            "pack",
            *map(str, recorded.evidence),
            "--recipient",
            str(recorded.court.recipient()),
            "--out",
            str(out),
            "--dir",
            str(recorded.node),
            "--request",
            recorded.request,
        )
    )
    assert packed["custody_events"] == logged
    assert packed["sending_state"] == "EGY"
    ok("evidence", "verify", str(out), "--trust", str(recorded.trust))


def test_a_field_officer_packs_without_a_node(recorded: Recorded, tmp_path: Path) -> None:
    key = tmp_path / "officer.pem"
    key.write_bytes(private_to_pem(Ed25519PrivateKey.generate()))
    key.chmod(0o600)
    out = tmp_path / "field"
    packed = json.loads(
        ok(
            "evidence",
            "pack",
            str(recorded.evidence[0]),
            "--recipient",
            str(recorded.court.recipient()),
            "--recipient",
            str(AgeIdentity.generate().recipient()),
            "--out",
            str(out),
            "--key",
            str(key),
            "--state",
            "FRA",
        )
    )
    assert packed["custody_events"] == 0
    assert packed["request"] is None
    public = str(packed["signing_public_key"])
    text = ok(
        "evidence", "verify", str(out), "--key", public, "--identity", str(recorded.court_file)
    )
    assert "no custody events" in text
    assert "not bound to a State" in text
    line = fails(6, "evidence", "verify", str(out), "--trust", str(recorded.trust))
    assert "not in the trust file" in line
    key.chmod(0o644)
    line = fails(
        6,
        "evidence",
        "pack",
        str(recorded.evidence[0]),
        "--recipient",
        str(recorded.court.recipient()),
        "--out",
        str(tmp_path / "x"),
        "--key",
        str(key),
        "--state",
        "FRA",
    )
    assert "chmod 600" in line


def test_a_tampered_package_fails_with_one_line_naming_the_file(
    recorded: Recorded, tmp_path: Path
) -> None:
    out = tmp_path / "package"
    export(recorded, out)
    target = out / "data" / "inbox.mbox.age"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 1
    target.write_bytes(bytes(data))
    result = run_hanoi("evidence", "verify", str(out), "--trust", str(recorded.trust))
    assert result.returncode == 6
    assert result.stderr.strip() == (
        "hanoi: integrity failure: data/inbox.mbox.age: SHA-256 does not match "
        "manifest-sha256.txt (altered)"
    )
    assert "NOT VERIFIED" in result.stdout
    assert "checked      statement: signature" in result.stdout


def test_bad_input_gets_one_line_and_a_non_zero_exit(recorded: Recorded, tmp_path: Path) -> None:
    out = tmp_path / "package.tar"
    export(recorded, out)
    trust = str(recorded.trust)
    other = tmp_path / "other.txt"
    other.write_text(format_identity_file(AgeIdentity.generate(), created="now"))
    assert "but the package is encrypted to" in fails(
        2, "evidence", "verify", str(out), "--trust", trust, "--identity", str(other)
    )
    truncated = tmp_path / "cut.tar"
    truncated.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
    assert "truncated" in fails(2, "evidence", "verify", str(truncated), "--trust", trust)
    escaping = tmp_path / "escape.tar"
    with tarfile.open(escaping, "w") as tar:
        info = tarfile.TarInfo("package/../../evil")
        tar.addfile(info)
    assert "'..'" in fails(2, "evidence", "verify", str(escaping), "--trust", trust)
    assert "no package" in fails(3, "evidence", "verify", str(tmp_path / "nope"), "--trust", trust)
    assert "--trust" in fails(2, "evidence", "verify", str(out))
    bad_trust = tmp_path / "bad.json"
    bad_trust.write_text('{"state": "EGY"}')
    assert "lacks" in fails(2, "evidence", "verify", str(out), "--trust", str(bad_trust))
    recipient = str(recorded.court.recipient())
    pack = ["evidence", "pack", str(recorded.evidence[0]), "--recipient"]
    assert "exists" in fails(4, *pack, recipient, "--out", str(out), "--dir", str(recorded.node))
    assert "--recipient 'age1nope'" in fails(
        2, *pack, "age1nope", "--out", str(tmp_path / "p"), "--key", trust
    )
    assert "either --key" in fails(2, *pack, recipient, "--out", str(tmp_path / "p"))
    assert "is not a readable file" in fails(
        2,
        "evidence",
        "pack",
        str(tmp_path / "missing"),
        "--recipient",
        recipient,
        "--out",
        str(tmp_path / "p"),
        "--dir",
        str(recorded.node),
    )
    assert not (tmp_path / "p").exists()
