"""``hanoi log audit`` and ``hanoi log verify-event`` on the Go-made logs, as a user runs them."""

from __future__ import annotations

import functools
import json
import shutil
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conftest import run_hanoi
from hanoi.cli.main import main
from hanoi.custody.cosignature import Cosigner
from hanoi.custody.events import CustodyAction, CustodyEvent, event_commitment
from hanoi.custody.merkle import inclusion_proof
from hanoi.custody.note import Ed25519Signer, Note, parse_note
from hanoi.custody.tlogproof import TlogProof
from unit.custody.logbuilder import MemoryLog, entries

VECTORS = Path(__file__).parent / "c2sp"
VKEY = json.loads((VECTORS / "log-1000" / "vectors.json").read_text())["verifier_key"]
SKEY = json.loads((VECTORS / "log-1000" / "vectors.json").read_text())["signer_key"]
ROOT_1000 = "wyb51c8YD/apSSUfcoUdRFXBFioZIcH8HaOl5K87lwg="


def hanoi(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``hanoi`` in this process, through the same ``main`` as the installed command."""
    argv = sys.argv
    sys.argv = ["hanoi", *args]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(stderr: str, *fragments: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def http_prefix() -> Iterator[str]:
    """The vector folders served over loopback HTTP."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    handler = functools.partial(Quiet, directory=str(VECTORS))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_installed_command_audits_a_go_log() -> None:
    result = run_hanoi("log", "audit", str(VECTORS / "log-1000"), "--key", VKEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [
        f"ok: example.org/hanoi-interop/EGY size 1000 root {ROOT_1000} (5 tiles, 1000 entries)"
    ]


@pytest.mark.parametrize("name", ["log-1000", "log-600", "log-fork"])
def test_every_vector_log_passes_over_http_and_from_a_folder(
    capsys: pytest.CaptureFixture[str], http_prefix: str, name: str
) -> None:
    for location in (f"{http_prefix}/{name}", (VECTORS / name).as_uri(), str(VECTORS / name)):
        code, out, err = hanoi(capsys, "log", "audit", location, "--key", VKEY)
        assert code == 0, err
        assert out.startswith("ok: example.org/hanoi-interop/EGY size ")


def test_the_wrong_key_fails(capsys: pytest.CaptureFixture[str]) -> None:
    stranger = Ed25519Signer("example.org/hanoi-interop/EGY", Ed25519PrivateKey.generate())
    code, out, err = hanoi(
        capsys, "log", "audit", str(VECTORS / "log-1000"), "--key", str(stranger.verifier().key)
    )
    assert code == 6
    assert out == ""
    one_line(err, "integrity failure", "wrong key", "01ecaf27")


def test_a_prefix_then_the_log_passes_and_a_fork_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    state = tmp_path / "state" / "egy.checkpoint"
    for name in ("log-600", "log-1000"):
        code, _, err = hanoi(
            capsys, "log", "audit", str(VECTORS / name), "--key", VKEY, "--state", str(state)
        )
        assert code == 0, err
        assert state.read_bytes() == (VECTORS / name / "checkpoint").read_bytes()
    code, _, err = hanoi(
        capsys, "log", "audit", str(VECTORS / "log-fork"), "--key", VKEY, "--state", str(state)
    )
    assert code == 6
    one_line(err, "fork")
    assert state.read_bytes() == (VECTORS / "log-1000" / "checkpoint").read_bytes()
    assert list(state.parent.iterdir()) == [state]


def test_a_fork_after_the_prefix_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    state = tmp_path / "state"
    shutil.copy(VECTORS / "log-600" / "checkpoint", state)
    code, _, err = hanoi(
        capsys, "log", "audit", str(VECTORS / "log-fork"), "--key", VKEY, "--state", str(state)
    )
    assert code == 6
    one_line(err, "fork: the log's tree at the recorded size 600")


def test_a_rollback_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    state = tmp_path / "state"
    shutil.copy(VECTORS / "log-1000" / "checkpoint", state)
    code, _, err = hanoi(
        capsys, "log", "audit", str(VECTORS / "log-600"), "--key", VKEY, "--state", str(state)
    )
    assert code == 4
    one_line(err, "rollback")


@pytest.mark.parametrize(
    ("path", "position", "message"),
    [
        ("tile/0/001", 1000, "tile mismatch: tile/0/001 does not hash to hash 1 of tile/1/000.p/3"),
        ("tile/entries/002", 500, "tile mismatch: entry 516 in tile/entries/002"),
        ("tile/0/003.p/232", 7, "tile mismatch: entry 768 in tile/entries/003.p/232"),
        (
            "tile/1/000.p/3",
            40,
            "tile mismatch: tile/0/001 does not hash to hash 1 of tile/1/000.p/3",
        ),
    ],
)
def test_a_flipped_byte_fails_with_a_tile_mismatch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, path: str, position: int, message: str
) -> None:
    log = shutil.copytree(VECTORS / "log-1000", tmp_path / "log")
    target = log / path
    data = bytearray(target.read_bytes())
    data[position] ^= 0x01
    target.chmod(0o644)
    target.write_bytes(bytes(data))
    code, _, err = hanoi(capsys, "log", "audit", str(log), "--key", VKEY)
    assert code == 6
    one_line(err, message)


def test_malformed_and_missing_resources(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = shutil.copytree(VECTORS / "log-600", tmp_path / "log")
    (log / "checkpoint").chmod(0o644)
    (log / "checkpoint").write_bytes(b"example.org/hanoi-interop/EGY\n600\n")
    code, _, err = hanoi(capsys, "log", "audit", str(log), "--key", VKEY)
    assert code == 2
    one_line(err, "invalid input", "blank line")
    shutil.copy(VECTORS / "log-600" / "checkpoint", log / "checkpoint")
    (log / "tile" / "0" / "001").unlink()
    code, _, err = hanoi(capsys, "log", "audit", str(log), "--key", VKEY)
    assert code == 3
    one_line(err, "not found", "tile/0/001")
    code, _, err = hanoi(capsys, "log", "audit", "ftp://example.org/log", "--key", VKEY)
    assert code == 2
    one_line(err, "unsupported log location")


# --- verify-event ------------------------------------------------------------------------

EVENT = CustodyEvent(
    action=CustodyAction.EXPORTED,
    time=datetime(2026, 5, 4, 12, 0, tzinfo=UTC),
    node="EGY",
    officer="officer-3",
    request_id="EGY-2026-0007",
    article="40(15)",
    evidence_sha256="ab" * 32,
)
SALT = bytes(range(100, 132))


@pytest.fixture(scope="module")
def receipt(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A log (signed with the vectors' key) holding the event, a witness, and the files."""
    folder = tmp_path_factory.mktemp("receipt")
    log = MemoryLog(Ed25519Signer.parse(SKEY)).extend(entries(300))
    log.extend([event_commitment(EVENT, SALT)]).extend(entries(20, tag="later"))
    witness = Cosigner("witness.example/w1", Ed25519PrivateKey.generate())
    note = parse_note(log.checkpoint_note())
    cosigned = Note(
        note.text, (*note.signatures, witness.cosign(note.text, timestamp=1_780_000_000))
    )
    path = tuple(inclusion_proof(index=300, size=321, reader=log.store))
    proof = TlogProof(300, path, cosigned.to_bytes())
    (folder / "event.json").write_text(json.dumps(EVENT.to_json(), indent=2))
    (folder / "event.tlog-proof").write_bytes(proof.to_bytes())
    bare = proof.to_json()
    del bare["checkpoint"]
    (folder / "proof.json").write_text(json.dumps(bare))
    (folder / "checkpoint").write_bytes(proof.checkpoint)
    return {"folder": folder, "witness": str(witness.key)}


def test_verify_event_with_a_tlog_proof_and_a_witness(
    capsys: pytest.CaptureFixture[str], receipt: dict[str, Any]
) -> None:
    folder = receipt["folder"]
    code, out, err = hanoi(
        capsys, "log", "verify-event", str(folder / "event.json"), "--salt", SALT.hex(),
        "--proof", str(folder / "event.tlog-proof"), "--key", VKEY,
        "--witness-key", receipt["witness"],
    )  # fmt: skip
    assert code == 0, err
    commitment = event_commitment(EVENT, SALT).hex()
    assert out.startswith(f"ok: exported event {commitment} is entry 300 of ")
    assert out.rstrip().endswith("cosigned by 1 trusted witness(es)")


def test_verify_event_with_a_json_proof_and_a_checkpoint_file(
    capsys: pytest.CaptureFixture[str], receipt: dict[str, Any]
) -> None:
    folder = receipt["folder"]
    code, _, err = hanoi(
        capsys, "log", "verify-event", str(folder / "event.json"), "--salt", SALT.hex(),
        "--proof", str(folder / "proof.json"), "--checkpoint", str(folder / "checkpoint"),
        "--key", VKEY, "--origin", "example.org/hanoi-interop/EGY",
    )  # fmt: skip
    assert code == 0, err


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"salt": bytes(32).hex()}, 6, "not included"),
        ({"salt": "xyz"}, 2, "--salt"),
        ({"witness": "stranger"}, 6, "0 trusted witness(es) cosigned"),
        ({"proof": "proof.json"}, 2, "no checkpoint"),
        ({"event": "missing.json"}, 3, "no such file"),
    ],
)
def test_verify_event_failures(
    capsys: pytest.CaptureFixture[str],
    receipt: dict[str, Any],
    change: dict[str, str],
    code: int,
    message: str,
) -> None:
    folder = receipt["folder"]
    witness = receipt["witness"]
    if change.get("witness"):
        witness = str(Cosigner("witness.example/w9", Ed25519PrivateKey.generate()).key)
    returned, out, err = hanoi(
        capsys, "log", "verify-event", str(folder / change.get("event", "event.json")),
        "--salt", change.get("salt", SALT.hex()),
        "--proof", str(folder / change.get("proof", "event.tlog-proof")),
        "--key", VKEY, "--witness-key", witness,
    )  # fmt: skip
    assert returned == code
    assert out == ""
    one_line(err, message)
