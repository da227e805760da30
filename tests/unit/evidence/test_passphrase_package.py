"""Packages encrypted to a passphrase, for a State without a node: the rules on the
passphrase, the statement that names ``scrypt`` and never the passphrase, and the guide
bound by the signature like every tag file."""

from __future__ import annotations

from pathlib import Path

import pytest

from hanoi.clock import FixedClock
from hanoi.errors import HanoiError, InvalidInput
from hanoi.evidence.age import ScryptIdentity, ScryptRecipient
from hanoi.evidence.guide import Guide, guide_texts
from hanoi.evidence.package import PackedPackage, build_package
from hanoi.evidence.package_errors import NotARecipient, PackageTampered
from hanoi.evidence.passphrase import (
    MIN_EXPORT_CHARS,
    export_recipient,
    passphrase_text,
    scheme_of,
)
from hanoi.evidence.statement import PASSPHRASE_RECIPIENTS, Statement
from hanoi.evidence.verify import verify_package
from unit.evidence.package_support import (
    NOW,
    flip_byte,
    make_node,
    read_statement,
    source,
    write_evidence,
)

PASSPHRASE = "correct horse battery staple"


def test_a_passphrase_is_read_as_one_line_of_utf8() -> None:
    assert passphrase_text(b"caf\xc3\xa9 au lait noir\n", what="x") == "café au lait noir"
    assert passphrase_text(b"windows line end\r\n", what="x") == "windows line end"
    assert passphrase_text(b"no line end", what="x") == "no line end"
    for bad, reason in [
        (b"", "empty"),
        (b"\n", "empty"),
        (b"\xff\xfe not text", "not UTF-8"),
        (b"two\nlines", "control character"),
        (b"tab\tinside a passphrase", "control character"),
        (b"x" * 5000, "longer than a passphrase"),
    ]:
        with pytest.raises(InvalidInput, match=reason):
            passphrase_text(bad, what="--passphrase-file")


def test_a_weak_passphrase_is_refused_without_being_repeated() -> None:
    short = "x" * (MIN_EXPORT_CHARS - 1)
    with pytest.raises(InvalidInput, match="too short") as refused:
        export_recipient(short)
    assert short not in str(refused.value)
    with pytest.raises(InvalidInput, match="blank"):
        export_recipient(" " * 20)
    recipient = export_recipient("x" * MIN_EXPORT_CHARS)
    assert recipient.log_n == 18
    assert "x" * MIN_EXPORT_CHARS not in repr(recipient)


def test_a_passphrase_and_age_keys_are_mutually_exclusive() -> None:
    node = make_node("EGY")
    passphrase = ScryptRecipient(PASSPHRASE)
    assert scheme_of([passphrase]) == "scrypt"
    assert scheme_of([node.keys.age.recipient()]) == "x25519"
    with pytest.raises(InvalidInput, match="mutually exclusive"):
        scheme_of([node.keys.age.recipient(), passphrase])
    with pytest.raises(InvalidInput, match="too short"):
        scheme_of([ScryptRecipient("short")])
    with pytest.raises(InvalidInput, match="work factor"):
        scheme_of([ScryptRecipient(PASSPHRASE, log_n=10)])
    with pytest.raises(InvalidInput, match="at least one age recipient"):
        scheme_of([])


def packed(tmp_path: Path, *, guide: str | None = "ru") -> tuple[PackedPackage, list[Path]]:
    files = write_evidence(tmp_path / "in", {"inbox.mbox": 70_000, "notes.txt": 10})
    package = build_package(
        tmp_path / "for-senegal",
        files=[source(f) for f in files],
        recipients=[export_recipient(PASSPHRASE)],
        signing_key=make_node("EGY").keys.signing,
        sending_state="EGY",
        request="EGY-2026-1",
        clock=FixedClock(NOW),
        guide=None if guide is None else Guide(guide),
    )
    return package, files


def test_the_statement_names_scrypt_never_the_passphrase(tmp_path: Path) -> None:
    package, _ = packed(tmp_path)
    statement = read_statement(package.path)
    assert statement.recipients == PASSPHRASE_RECIPIENTS == ("scrypt",)
    for path in package.path.rglob("*"):
        if path.is_file():
            assert PASSPHRASE.encode() not in path.read_bytes(), path
    with pytest.raises(HanoiError, match="or 'scrypt' alone"):
        Statement(**{**_fields(statement), "recipients": ("scrypt", "age1xyz")})


def _fields(statement: Statement) -> dict[str, object]:
    return {name: getattr(statement, name) for name in Statement.__dataclass_fields__}


def test_it_verifies_and_decrypts_with_the_passphrase_only(tmp_path: Path) -> None:
    package, files = packed(tmp_path)
    key = package.public_key
    report = verify_package(package.path, signing_key=key)
    assert "payload contents: no --identity or passphrase" in " ".join(report.unchecked)
    opened = verify_package(package.path, signing_key=key, identities=[ScryptIdentity(PASSPHRASE)])
    decrypted = [c.detail for c in opened.checks if "decrypted" in c.detail]
    assert len(decrypted) == len(files)
    with pytest.raises(NotARecipient, match="the passphrase the right one"):
        verify_package(package.path, signing_key=key, identities=[ScryptIdentity("wrong one!!!")])
    with pytest.raises(NotARecipient, match="encrypted to a passphrase"):
        verify_package(package.path, signing_key=key, identities=[make_node("FRA").keys.age])


def test_the_guide_is_a_tag_file_the_signature_binds(tmp_path: Path) -> None:
    package, _ = packed(tmp_path)
    guide = package.path / "VERIFY.ru.txt"
    assert "VERIFY.ru.txt" in read_statement(package.path).tag_files
    assert "VERIFY.ru.txt" in (package.path / "tagmanifest-sha256.txt").read_text()
    assert guide.read_text("utf-8").startswith(guide_texts()["ru"]["title"] + "\n")
    flip_byte(guide)
    with pytest.raises(PackageTampered, match=r"VERIFY\.ru\.txt"):
        verify_package(package.path, signing_key=package.public_key)


def test_a_package_without_a_guide_has_none(tmp_path: Path) -> None:
    package, _ = packed(tmp_path, guide=None)
    assert not list(package.path.glob("VERIFY.*"))


def test_a_passphrase_does_not_open_a_package_for_age_keys(tmp_path: Path) -> None:
    court = make_node("FRA").keys.age
    files = write_evidence(tmp_path / "in", {"notes.txt": 10})
    package = build_package(
        tmp_path / "court",
        files=[source(f) for f in files],
        recipients=[court.recipient()],
        signing_key=make_node("EGY").keys.signing,
        sending_state="EGY",
        request=None,
        clock=FixedClock(NOW),
    )
    with pytest.raises(NotARecipient, match="a passphrase, but the package is encrypted to age1"):
        verify_package(
            package.path, signing_key=package.public_key, identities=[ScryptIdentity(PASSPHRASE)]
        )
