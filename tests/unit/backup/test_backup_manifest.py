"""The backup's manifest: what it lists must be exactly what the archive holds."""

from __future__ import annotations

import hashlib

import pytest

from hanoi.backup.manifest import Manifest, Part, check_part_name, parse_manifest
from hanoi.errors import IntegrityError, InvalidInput


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


PARTS = (
    Part("database/hanoi.db", digest(b"db"), 2, 0o600),
    Part("folder/keys/log-signing.key", digest(b"key"), 3, 0o600),
    Part("folder/blobs/sha256/ab/cd/abcd", digest(b"blob"), 4, 0o444),
)
MANIFEST = Manifest(
    state="EGY",
    log_origin="example.org/hanoi/EGY",
    log_size=42,
    created="2026-12-07T23:00:00Z",
    engine="sqlite",
    blob_store="disk",
    parts=PARTS,
)
FOUND = {p.name: (p.sha256, p.size) for p in PARTS}


def test_the_manifest_reads_back_as_written() -> None:
    assert parse_manifest(MANIFEST.to_json()) == MANIFEST
    MANIFEST.check_parts(FOUND)


def test_a_changed_missing_or_extra_part_is_an_integrity_failure() -> None:
    with pytest.raises(IntegrityError, match=r"digest mismatch: folder/keys/log-signing\.key"):
        MANIFEST.check_parts({**FOUND, "folder/keys/log-signing.key": (digest(b"yek"), 3)})
    with pytest.raises(IntegrityError, match="lacks 1 part"):
        MANIFEST.check_parts({k: v for k, v in FOUND.items() if k != "database/hanoi.db"})
    with pytest.raises(IntegrityError, match="omits: folder/extra"):
        MANIFEST.check_parts({**FOUND, "folder/extra": (digest(b""), 0)})


@pytest.mark.parametrize(
    "name",
    ["", "/etc/passwd", "folder/../x", "folder//x", "folder/./x", "other/x", "folder\\x", "x\x00"],
)
def test_only_relative_names_under_the_two_prefixes_are_parts(name: str) -> None:
    with pytest.raises(InvalidInput):
        check_part_name(name)


def test_a_malformed_manifest_is_invalid_input() -> None:
    for data in (b"{", b"[]", b'{"format": "other"}', MANIFEST.to_json().replace(b"42", b"-1")):
        with pytest.raises(InvalidInput):
            parse_manifest(data)
