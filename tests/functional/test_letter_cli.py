"""``hanoi node document-certificate`` and ``hanoi letter verify`` as a user runs them:
output, JSON, exit codes, one-line errors."""

from __future__ import annotations

import io
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from conftest import run_hanoi
from hanoi.letters.pades import sign_pdf
from hanoi.node.folder import load_document_signer
from hanoi.settings import load_settings
from support_letters import letter_pdf
from support_nodes import init_folder

KEYS = ("document-signing.pem", "document-signing.crt")


def one_line_error(stderr: str, *fragments: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got:\n{stderr}"
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in lines[0]


def new_node(folder: Path, state: str = "EGY", name: str = "Central Authority of Egypt") -> Path:
    init_folder(folder, state, name=name)
    return folder


@pytest.fixture(scope="module")
def egy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_node(tmp_path_factory.mktemp("letters") / "egy")


@pytest.fixture(scope="module")
def letter(egy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    signer = load_document_signer(load_settings(egy))
    path = tmp_path_factory.mktemp("letter") / "letter.pdf"
    path.write_bytes(
        sign_pdf(
            letter_pdf(),
            signer,
            reason="Letter of request",
            location="Cairo",
            signing_time=datetime.now(UTC).replace(microsecond=0),
        )
    )
    return path


def verify(*args: str) -> tuple[int, dict[str, object], str]:
    result = run_hanoi("letter", "verify", *args, "--json")
    return result.returncode, json.loads(result.stdout), result.stderr


# --- hanoi node document-certificate ---------------------------------------------------


def test_node_init_makes_the_certificate_and_show_prints_its_fingerprint(egy: Path) -> None:
    assert stat.S_IMODE((egy / "keys" / KEYS[0]).stat().st_mode) == 0o600
    assert stat.S_IMODE((egy / "keys" / KEYS[1]).stat().st_mode) == 0o644
    shown = json.loads(run_hanoi("node", "show", "--dir", str(egy)).stdout)
    signer = load_document_signer(load_settings(egy))
    assert shown["document_certificate_fingerprint"] == signer.fingerprint


def test_an_older_node_gets_its_certificate_and_cannot_overwrite_it(tmp_path: Path) -> None:
    node = new_node(tmp_path / "old")
    for name in KEYS:
        (node / "keys" / name).unlink()
    shown = json.loads(run_hanoi("node", "show", "--dir", str(node)).stdout)
    assert "document_certificate_fingerprint" not in shown

    made = run_hanoi("node", "document-certificate", "--dir", str(node), "--json")
    assert made.returncode == 0, made.stderr
    value = json.loads(made.stdout)
    assert value["path"] == str((node / "keys" / KEYS[1]).resolve())
    assert value["archived"] is None
    assert "CN=Central Authority of Egypt document signing" in value["subject"]
    assert value["not_before"] < value["not_after"]
    shown = json.loads(run_hanoi("node", "show", "--dir", str(node)).stdout)
    assert shown["document_certificate_fingerprint"] == value["fingerprint"]
    assert stat.S_IMODE((node / "keys" / KEYS[0]).stat().st_mode) == 0o600

    before = {name: (node / "keys" / name).read_bytes() for name in KEYS}
    again = run_hanoi("node", "document-certificate", "--dir", str(node))
    assert again.returncode == 4
    one_line_error(again.stderr, value["fingerprint"], "nothing was changed", "--renew")
    assert {name: (node / "keys" / name).read_bytes() for name in KEYS} == before


def test_renew_keeps_the_old_certificate_and_it_still_checks_old_letters(
    tmp_path: Path,
) -> None:
    node = new_node(tmp_path / "renewed")
    old_certificate = (node / "keys" / KEYS[1]).read_bytes()
    old_letter = tmp_path / "old-letter.pdf"
    signer = load_document_signer(load_settings(node))
    old_letter.write_bytes(
        sign_pdf(
            letter_pdf(),
            signer,
            reason="r",
            location=None,
            signing_time=datetime.now(UTC).replace(microsecond=0),
        )
    )
    renewed = run_hanoi("node", "document-certificate", "--dir", str(node), "--renew")
    assert renewed.returncode == 0, renewed.stderr
    assert "the old certificate is kept as" in renewed.stdout
    assert "fingerprint: SHA-256 " in renewed.stdout
    (archived,) = (node / "keys").glob("document-signing.*.crt")
    assert archived.read_bytes() == old_certificate
    assert (node / "keys" / KEYS[1]).read_bytes() != old_certificate

    code, _, _ = verify(str(old_letter), "--trust", str(archived))
    assert code == 0
    code, value, _ = verify(str(old_letter), "--trust", str(node / "keys" / KEYS[1]))
    assert code == 7
    assert value["trusted"] is False


def test_document_certificate_outside_a_node_folder(tmp_path: Path) -> None:
    result = run_hanoi("node", "document-certificate", "--dir", str(tmp_path))
    assert result.returncode == 3
    one_line_error(result.stderr, "not a Hanoi node folder")


# --- hanoi letter verify -------------------------------------------------------------


def test_a_letter_with_its_nodes_certificate_is_verified(egy: Path, letter: Path) -> None:
    certificate = egy / "keys" / KEYS[1]
    result = run_hanoi("letter", "verify", str(letter), "--trust", str(certificate))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[:3] == [
        "signed:      yes",
        "intact:      yes",
        "trusted:     yes",
    ]
    assert result.stdout.rstrip().endswith("VERIFIED")

    code, value, _ = verify(str(letter), "--trust", str(certificate))
    signer = load_document_signer(load_settings(egy))
    assert code == 0
    assert list(value) == ["signed", "intact", "trusted", "signer", "signing_time", "problems"]
    assert value["signed"] is value["intact"] is value["trusted"] is True
    assert value["signer"] == {
        "subject": "countryCode3c=EGY,C=EG,O=Central Authority of Egypt,"
        "CN=Central Authority of Egypt document signing",
        "fingerprint": signer.fingerprint,
    }
    assert isinstance(value["signing_time"], str)
    assert value["problems"] == []


def test_without_trust_the_letter_is_intact_but_untrusted(letter: Path) -> None:
    code, value, stderr = verify(str(letter))
    assert code == 7
    assert value["signed"] is value["intact"] is True
    assert value["trusted"] is False
    one_line_error(stderr, "permission denied", "no trusted certificate was given")


def test_another_states_certificate_is_not_trust(letter: Path, tmp_path: Path) -> None:
    other = new_node(tmp_path / "vnm", state="VNM", name="Ministry of Public Security")
    result = run_hanoi("letter", "verify", str(letter), "--trust", str(other / "keys" / KEYS[1]))
    assert result.returncode == 7
    assert "trusted:     no" in result.stdout
    assert "NOT VERIFIED" in result.stdout
    one_line_error(result.stderr, "not one of the trusted certificates")


def test_a_tampered_letter_fails_with_the_integrity_code(
    egy: Path, letter: Path, tmp_path: Path
) -> None:
    data = bytearray(letter.read_bytes())
    data[data.index(b"stream\n") + 15] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    code, value, stderr = verify(str(tampered), "--trust", str(egy / "keys" / KEYS[1]))
    assert code == 6
    assert value["intact"] is False
    assert value["trusted"] is False
    one_line_error(stderr, "integrity failure", "the file was altered")


def test_an_update_after_signing_fails_with_the_integrity_code(
    egy: Path, letter: Path, tmp_path: Path
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(letter.read_bytes()))
    writer.document_meta.title = "Amended"
    writer.update_root()
    updated = tmp_path / "updated.pdf"
    with updated.open("wb") as handle:
        writer.write(handle)
    code, value, stderr = verify(str(updated), "--trust", str(egy / "keys" / KEYS[1]))
    assert code == 6
    assert value["problems"] == [
        "the file was changed after it was signed: an update follows the signature"
    ]
    one_line_error(stderr, "changed after it was signed")


@pytest.mark.parametrize("content", [b"", b"garbage", b"%PDF-1.7\n%%EOF\n"])
def test_garbage_and_unsigned_files_fail_with_the_integrity_code(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "not-a-letter.pdf"
    path.write_bytes(content)
    code, value, stderr = verify(str(path))
    assert code == 6
    assert value["signed"] is False
    assert value["signer"] is None
    assert value["problems"]
    one_line_error(stderr, "integrity failure")


def test_an_unsigned_pdf(tmp_path: Path) -> None:
    path = tmp_path / "unsigned.pdf"
    path.write_bytes(letter_pdf())
    code, value, stderr = verify(str(path))
    assert code == 6
    assert value["problems"] == ["the PDF carries no signature"]
    one_line_error(stderr, "no signature")


def test_bad_arguments(egy: Path, letter: Path, tmp_path: Path) -> None:
    missing = run_hanoi("letter", "verify", str(tmp_path / "missing.pdf"))
    assert missing.returncode == 3
    one_line_error(missing.stderr, "no such file")

    key_as_trust = run_hanoi(
        "letter", "verify", str(letter), "--trust", str(egy / "keys" / KEYS[0])
    )
    assert key_as_trust.returncode == 2
    one_line_error(key_as_trust.stderr, "a trust file holds only certificates")

    large = tmp_path / "large.pdf"
    with large.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)
    too_large = run_hanoi("letter", "verify", str(large))
    assert too_large.returncode == 2
    one_line_error(too_large.stderr, "larger than")
