"""The document-signing files of a node folder: made by init_node, loaded, issued for an
older node, renewed with the old certificate kept, and refused when broken."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hanoi.crypto.document_signing import certificate_from_pem
from hanoi.errors import Conflict, IntegrityError, NotFound
from hanoi.node.document_certificate import archive_name, issue_document_certificate
from hanoi.node.folder import (
    DOCUMENT_CERTIFICATE_FILE,
    DOCUMENT_KEY_FILE,
    init_node,
    load_document_certificate,
    load_document_signer,
)
from hanoi.settings import Settings, load_settings

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    folder = tmp_path / "egy"
    init_node(
        folder,
        state="EGY",
        name="Central Authority of Egypt",
        now=NOW,
        prepare=lambda settings, keys: None,
    )
    return load_settings(folder)


def test_init_node_writes_the_key_and_certificate(settings: Settings) -> None:
    key = settings.keys_dir / DOCUMENT_KEY_FILE
    certificate = settings.keys_dir / DOCUMENT_CERTIFICATE_FILE
    assert _mode(key) == 0o600
    assert _mode(certificate) == 0o644
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert certificate.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----\n")
    signer = load_document_signer(settings)
    assert signer.certificate == load_document_certificate(settings)
    assert signer.certificate.not_valid_before_utc <= NOW


def test_init_node_leaves_nothing_when_it_fails(tmp_path: Path) -> None:
    def fail(settings: Settings, keys: object) -> None:
        assert (settings.keys_dir / DOCUMENT_CERTIFICATE_FILE).exists()
        raise RuntimeError("the database could not be migrated")

    with pytest.raises(RuntimeError):
        init_node(tmp_path / "n", state="EGY", name="X", now=NOW, prepare=fail)
    assert list(tmp_path.iterdir()) == []


def test_a_node_without_the_files_is_told_what_to_run(settings: Settings) -> None:
    (settings.keys_dir / DOCUMENT_KEY_FILE).unlink()
    with pytest.raises(NotFound, match="hanoi node document-certificate --dir"):
        load_document_signer(settings)
    (settings.keys_dir / DOCUMENT_CERTIFICATE_FILE).unlink()
    assert load_document_certificate(settings) is None
    with pytest.raises(NotFound, match=r"document-signing\.pem, document-signing\.crt missing"):
        load_document_signer(settings)


def test_a_key_readable_by_others_is_refused(settings: Settings) -> None:
    (settings.keys_dir / DOCUMENT_KEY_FILE).chmod(0o644)
    with pytest.raises(IntegrityError, match="readable by other users"):
        load_document_signer(settings)


def test_issue_for_a_node_made_before_signed_letters(settings: Settings) -> None:
    for name in (DOCUMENT_KEY_FILE, DOCUMENT_CERTIFICATE_FILE):
        (settings.keys_dir / name).unlink()
    issued = issue_document_certificate(settings, now=NOW)
    assert issued.archived is None
    assert issued.path == settings.keys_dir / DOCUMENT_CERTIFICATE_FILE
    assert _mode(settings.keys_dir / DOCUMENT_KEY_FILE) == 0o600
    assert _mode(issued.path) == 0o644
    assert load_document_signer(settings).fingerprint == issued.signer.fingerprint


def test_issue_refuses_to_replace_and_changes_nothing(settings: Settings) -> None:
    before = {p.name: p.read_bytes() for p in settings.keys_dir.iterdir()}
    with pytest.raises(Conflict, match=r"already has a document-signing certificate.*--renew"):
        issue_document_certificate(settings, now=NOW)
    (settings.keys_dir / DOCUMENT_CERTIFICATE_FILE).unlink()
    with pytest.raises(Conflict, match=r"document-signing\.pem without its pair"):
        issue_document_certificate(settings, now=NOW)
    del before[DOCUMENT_CERTIFICATE_FILE]
    assert {p.name: p.read_bytes() for p in settings.keys_dir.iterdir()} == before


def test_renew_keeps_the_old_certificate_under_its_serial(settings: Settings) -> None:
    old = load_document_signer(settings)
    issued = issue_document_certificate(settings, now=NOW, renew=True)
    assert issued.signer.fingerprint != old.fingerprint
    assert issued.archived == settings.keys_dir / archive_name(old.certificate.serial_number)
    assert certificate_from_pem(issued.archived.read_bytes()) == old.certificate
    assert _mode(issued.archived) == 0o644
    current = load_document_signer(settings)
    assert current.fingerprint == issued.signer.fingerprint
    assert current.key_pem() != old.key_pem()
    assert _mode(settings.keys_dir / DOCUMENT_KEY_FILE) == 0o600
    assert not any(p.name.endswith(".new") for p in settings.keys_dir.iterdir())


def test_a_crash_between_the_two_renames_is_refused_then_repaired(settings: Settings) -> None:
    old = load_document_signer(settings)
    key = settings.keys_dir / DOCUMENT_KEY_FILE
    saved_key = key.read_bytes()
    issue_document_certificate(settings, now=NOW, renew=True)
    # As if the process died after the certificate was renamed, before the key was.
    key.unlink()
    key.write_bytes(saved_key)
    key.chmod(0o600)
    with pytest.raises(IntegrityError, match="--renew"):
        load_document_signer(settings)
    repaired = issue_document_certificate(settings, now=NOW, renew=True)
    assert load_document_signer(settings).fingerprint == repaired.signer.fingerprint
    archived = sorted(p.name for p in settings.keys_dir.glob("document-signing.*.crt"))
    assert archive_name(old.certificate.serial_number) in archived
    assert len(archived) == 2


def test_leftovers_of_a_crashed_renewal_are_replaced(settings: Settings) -> None:
    (settings.keys_dir / (DOCUMENT_KEY_FILE + ".new")).write_bytes(b"half-written")
    issued = issue_document_certificate(settings, now=NOW, renew=True)
    assert load_document_signer(settings).fingerprint == issued.signer.fingerprint
