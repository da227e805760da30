"""Evidence for a State without a node: ``hanoi evidence export`` to a passphrase, opened
by the tools that State has (the real ``age``, ``bagit.py``, ``hanoi evidence verify``).

The ``age`` tool reads a passphrase only from a terminal: it opens ``/dev/tty`` and,
failing that, reads standard input if that is a terminal; version 1.1.1 has no flag,
file descriptor or environment variable for it (``age-plugin-batchpass``, which reads
``AGE_PASSPHRASE``, comes with later versions). So :func:`age_decrypt` gives it a
pseudo-terminal from the standard library's ``pty``: a new session without a
controlling terminal (``/dev/tty`` fails), the pseudo-terminal as standard input, and
the passphrase typed once the prompt shows. A missing ``age`` or ``bagit.py`` fails
these tests; it never skips them.
"""

from __future__ import annotations

import hashlib
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import open_case, run_hanoi
from hanoi.crypto.agekeys import AgeIdentity, format_identity_file
from hanoi.settings import load_settings
from hanoi.wiring import open_node
from unit.evidence.package_support import extract_tar

PASSPHRASE = "correct horse battery staple"
TO_STATE = "SEN"  # a State without a node: its requests come by diplomatic note


def tool(name: str) -> str:
    """A tool the receiving State runs: beside this Python (the virtualenv), else on PATH.
    Missing, the test fails: these checks are the point of the feature."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"the '{name}' tool is required (scripts/system-deps)", pytrace=False)
    return found


def age_decrypt(passphrase: str, source: Path, target: Path) -> tuple[int, str]:
    """``age -d -o TARGET SOURCE``, typing ``passphrase`` at its prompt on a pseudo-terminal;
    the exit code and what the terminal showed."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [tool("age"), "-d", "-o", str(target), str(source)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,  # no controlling terminal: age falls back to standard input
    )
    os.close(slave)
    shown, typed, deadline = b"", False, time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 1024)
            except OSError:  # EIO: age exited and closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            if not typed and b"passphrase" in shown.lower():
                os.write(master, passphrase.encode() + b"\n")
                typed = True
        else:
            process.kill()
            raise AssertionError(f"age did not finish: {shown.decode(errors='replace')}")
        code = process.wait(timeout=60)
    finally:
        os.close(master)
    assert typed, f"age never asked for a passphrase: {shown.decode(errors='replace')}"
    return code, shown.decode(errors="replace")


@dataclass(frozen=True)
class Case:
    node: Path
    request: str
    trust: Path
    passphrase_file: Path
    evidence: list[Path]


def ok(*args: str, input: str | None = None) -> str:
    result = run_hanoi(*args, input=input)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def fails(code: int, *args: str, input: str | None = None) -> str:
    """A command that must fail with ``code`` and exactly one line on standard error."""
    result = run_hanoi(*args, input=input)
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hanoi: ")
    assert PASSPHRASE not in result.stdout + result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def case(node_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Case:
    root = tmp_path_factory.mktemp("off-network")
    node = root / "egy"
    shutil.copytree(node_dir, node)
    request = open_case(node, "amira", to=TO_STATE)
    evidence = []
    for name, size in [("inbox.mbox", 200_000), ("subscriber info.csv", 1_500)]:
        path = root / name
        path.write_bytes(os.urandom(size))
        evidence.append(path)
        ok(
            "evidence", "add", str(path), "--dir", str(node), "--request", request,
            "--source-kind", "provider", "--source", "Example Mail Ltd",
            "--method", "production order", "--user", "amira", "--article", "Art. 44",
        )  # fmt: skip
    trust = root / "trust.json"
    trust.write_text(ok("node", "show", "--dir", str(node)))
    passphrase_file = root / "passphrase.txt"
    passphrase_file.write_text(PASSPHRASE + "\n")
    passphrase_file.chmod(0o600)
    return Case(node, request, trust, passphrase_file, evidence)


def export(case: Case, out: Path, *more: str, input: str | None = None) -> dict[str, object]:
    base = ("evidence", "export", "--dir", str(case.node), "--request", case.request)
    result: dict[str, object] = json.loads(
        ok(*base, "--user", "amira", "--out", str(out), *more, input=input)
    )
    return result


def exported_events(case: Case) -> list[dict[str, object]]:
    """The 'exported' custody events logged for the case's files, in log order, as JSON."""
    node = open_node(load_settings(case.node))
    try:
        node.custody.sequence()
        found = []
        for path in case.evidence:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            for logged in node.custody.events_for(f"sha256:{digest}"):
                if logged.event.action == "exported":
                    found.append((logged.index, logged.event.to_json()))
        return [event for _, event in sorted(found, key=lambda pair: pair[0])]
    finally:
        node.engine.dispose()


def test_a_passphrase_package_opens_with_age_bagit_and_hanoi(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "for-senegal.tar"
    printed = export(
        case, out, "--passphrase-file", str(case.passphrase_file),
        "--to-state", TO_STATE, "--guide-language", "fr",
    )  # fmt: skip
    assert printed["recipients"] == "scrypt"
    assert printed["recipient_state"] == TO_STATE
    assert printed["guide"] == "VERIFY.fr.txt"
    bag = extract_tar(out, tmp_path / "received")

    validated = subprocess.run(
        [tool("bagit.py"), "--validate", str(bag)], capture_output=True, check=False, timeout=120
    )
    assert validated.returncode == 0, validated.stderr.decode()
    assert b"is valid" in validated.stderr

    packed = {str(f["name"]): str(f["path"]) for f in printed["files"]}  # type: ignore[attr-defined]
    for original in case.evidence:
        sealed = bag / packed[original.name]
        assert sealed.read_bytes().split(b"\n")[1].startswith(b"-> scrypt ")  # one stanza
        opened = tmp_path / f"opened-{original.name}"
        code, shown = age_decrypt(PASSPHRASE, sealed, opened)
        assert code == 0, shown
        assert opened.read_bytes() == original.read_bytes()

    guide = (bag / "VERIFY.fr.txt").read_text("utf-8")
    assert not (bag / "VERIFY.en.txt").exists()
    assert "COMMENT VÉRIFIER" in guide
    assert "phrase secrète" in guide
    for command in ("bagit.py --validate", "age -d -o inbox.mbox", "hanoi evidence verify"):
        assert command in guide
    assert PASSPHRASE not in guide

    report = ok("evidence", "verify", str(out), "--trust", str(case.trust))
    assert "VERIFIED: package" in report
    assert "payload contents: no --identity or passphrase" in report
    # the receiving State types the passphrase (here: a pipe) to check the contents too
    checked = ok(
        "evidence", "verify", str(bag), "--trust", str(case.trust), "--passphrase-stdin",
        input=PASSPHRASE + "\n",
    )  # fmt: skip
    assert "VERIFIED: package" in checked
    assert "decrypted; 'inbox.mbox', 200000 bytes" in checked
    assert "NOT checked  payload contents" not in checked


def test_a_wrong_passphrase_opens_nothing(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "package"
    export(case, out, "--passphrase-file", str(case.passphrase_file), "--to-state", TO_STATE)
    sealed = out / "data" / "inbox.mbox.age"
    opened = tmp_path / "opened"
    code, shown = age_decrypt("incorrect horse battery staple", sealed, opened)
    assert code != 0
    assert "incorrect passphrase" in shown
    assert not opened.exists() or opened.stat().st_size == 0
    line = fails(
        2, "evidence", "verify", str(out), "--trust", str(case.trust), "--passphrase-stdin",
        input="incorrect horse battery staple\n",
    )  # fmt: skip
    assert "the passphrase the right one?" in line
    other = tmp_path / "court.txt"
    other.write_text(format_identity_file(AgeIdentity.generate(), created="2026-12-01"))
    line = fails(
        2, "evidence", "verify", str(out), "--trust", str(case.trust), "--identity", str(other)
    )
    assert "encrypted to a passphrase" in line


def test_the_exported_event_names_the_state_and_scheme_never_the_passphrase(
    case: Case, tmp_path: Path
) -> None:
    before = len(exported_events(case))
    out = tmp_path / "package.tar"
    result = run_hanoi(
        "evidence", "export", "--dir", str(case.node), "--request", case.request,
        "--user", "amira", "--out", str(out), "--passphrase-stdin", "--to-state", TO_STATE,
        input=PASSPHRASE + "\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    events = exported_events(case)[before:]
    assert len(events) == len(case.evidence)
    for event in events:
        assert event["recipient_state"] == TO_STATE
        assert event["recipients"] == "scrypt"
        assert event["node"] == "EGY"
        assert PASSPHRASE not in json.dumps(event)
    # nowhere: not printed, not in the node's database or logs, not in the package
    secret = PASSPHRASE.encode()
    assert secret not in (result.stdout + result.stderr).encode()
    for path in [*case.node.rglob("*"), out]:
        if path.is_file():
            assert secret not in path.read_bytes(), path


def test_an_export_to_age_keys_records_x25519_and_carries_the_english_guide(
    case: Case, tmp_path: Path
) -> None:
    court = AgeIdentity.generate()
    before = len(exported_events(case))
    out = tmp_path / "court"
    printed = export(case, out, "--recipient", str(court.recipient()))
    assert (printed["recipients"], printed["recipient_state"]) == ("x25519", None)
    assert "--identity identity.txt" in (out / "VERIFY.en.txt").read_text("utf-8")
    events = exported_events(case)[before:]
    assert [e["recipients"] for e in events] == ["x25519"] * len(case.evidence)
    assert all("recipient_state" not in e for e in events)


def test_refusals_are_one_line_and_log_nothing(case: Case, tmp_path: Path) -> None:
    before = len(exported_events(case))
    base = (
        "evidence", "export", "--dir", str(case.node), "--request", case.request,
        "--user", "amira", "--out", str(tmp_path / "never"),
    )  # fmt: skip
    passphrase = ("--passphrase-file", str(case.passphrase_file))
    recipient = ("--recipient", str(AgeIdentity.generate().recipient()))

    assert "mutually exclusive" in fails(2, *base, *passphrase, *recipient, "--to-state", "SEN")
    short = tmp_path / "short.txt"
    short.write_text("eleven char\n")
    short.chmod(0o600)
    line = fails(2, *base, "--passphrase-file", str(short), "--to-state", "SEN")
    assert "too short" in line
    assert "at least 12 characters" in line
    assert "eleven char" not in line
    assert "too short" in fails(
        2, *base, "--passphrase-stdin", "--to-state", "SEN", input="short\n"
    )
    assert "--to-state" in fails(2, *base, *passphrase)
    for bad in ("sen", "SN", "SENE", "S3N"):
        assert "ISO 3166-1 alpha-3" in fails(2, *base, *passphrase, "--to-state", bad)
    assert "--guide-language" in fails(2, *base, *recipient, "--guide-language", "de")
    assert "give --recipient" in fails(2, *base)
    shared = tmp_path / "shared.txt"
    shared.write_text(PASSPHRASE)
    shared.chmod(0o644)
    assert "chmod 600" in fails(6, *base, "--passphrase-file", str(shared), "--to-state", "SEN")
    assert "control character" in fails(
        2, *base, "--passphrase-stdin", "--to-state", "SEN", input="two\nlines of passphrase\n"
    )
    assert not (tmp_path / "never").exists()
    assert len(exported_events(case)) == before
