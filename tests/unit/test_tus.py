from __future__ import annotations

import base64
import contextlib
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hanoi.errors import InvalidInput
from hanoi.evidence import tus


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_metadata_pairs_and_empty_values() -> None:
    header = f"filename {b64('disk image.dd')},sha256 {b64('ab' * 32)},is_confidential"
    assert tus.parse_metadata(header) == {
        "filename": "disk image.dd",
        "sha256": "ab" * 32,
        "is_confidential": "",
    }


@pytest.mark.parametrize(
    "header",
    [
        "filename !!!",
        "a b c",
        f"k {b64('x')},k {b64('y')}",
        "bad key " + b64("x"),
        "x" * 5000,
        "filename \x80",  # not ASCII: base64 raised ValueError, a 500
    ],
)
def test_malformed_metadata(header: str) -> None:
    with pytest.raises(InvalidInput):
        tus.parse_metadata(header)


def test_checksum() -> None:
    digest = hashlib.sha256(b"chunk").digest()
    parsed = tus.parse_checksum("sha256 " + base64.b64encode(digest).decode())
    assert parsed == tus.Checksum("sha256", digest)
    assert tus.parse_checksum(None) is None


@pytest.mark.parametrize(
    "header", ["md5 AAAA", "sha256", "sha256 !!", "sha256 " + b64("short"), "sha256 é"]
)
def test_bad_checksum(header: str) -> None:
    with pytest.raises(InvalidInput, match="Upload-Checksum"):
        tus.parse_checksum(header)


@pytest.mark.parametrize("value", [None, "", "-1", "1.5", "1e3", "9" * 20, "²", "١٢"])
def test_bad_lengths(value: str | None) -> None:
    with pytest.raises(InvalidInput, match="Upload-Length"):
        tus.parse_length(value, header="Upload-Length")


@given(st.text(max_size=200))
def test_metadata_parser_never_crashes(header: str) -> None:
    with contextlib.suppress(InvalidInput):
        tus.parse_metadata(header)
