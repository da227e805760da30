"""The strict ASCII armor: streaming encode and decode, and what it refuses."""

from __future__ import annotations

import base64
import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hanoi.evidence.age import DEFAULT_LIMITS, Limits, MalformedArmor
from hanoi.evidence.age.armor import ArmorDecoder, ArmorEncoder

BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
END = b"-----END AGE ENCRYPTED FILE-----"


def armor(data: bytes, *, pieces: int = 1) -> bytes:
    out = bytearray()
    encoder = ArmorEncoder(out.extend)
    step = max(1, len(data) // pieces)
    for start in range(0, len(data), step):
        encoder.write(memoryview(data[start : start + step]))
    encoder.finish()
    return bytes(out)


def dearmor(text: bytes, *, block: int | None = None, limits: Limits = DEFAULT_LIMITS) -> bytes:
    stream = io.BytesIO(text)
    decoder = ArmorDecoder(
        stream.read if block is None else lambda n: stream.read(block), limits=limits
    )
    out = bytearray()
    while chunk := decoder.read(100_000):
        out += chunk
    return bytes(out)


def reference(data: bytes) -> bytes:
    """RFC 7468 by hand: standard padded base64 in lines of 64 columns."""
    encoded = base64.b64encode(data)
    lines = [encoded[i : i + 64] for i in range(0, len(encoded), 64)]
    return b"\n".join([BEGIN, *lines, END]) + b"\n"


@settings(max_examples=60, deadline=None)
@given(
    data=st.one_of(st.binary(max_size=500), st.integers(0, 300_000).map(os.urandom)),
    pieces=st.integers(1, 7),
    block=st.sampled_from([None, 1, 7, 65, 4096]),
)
def test_round_trip(data: bytes, pieces: int, block: int | None) -> None:
    text = armor(data, pieces=pieces)
    assert text == reference(data)
    if block is None or len(text) < 50_000:
        assert dearmor(text, block=block) == data


def test_crlf_and_surrounding_whitespace() -> None:
    text = armor(os.urandom(1000))
    assert dearmor(b" \t\r\n\n" + text.replace(b"\n", b"\r\n") + b"\r\n  \n") == dearmor(text)


def test_no_final_line_feed() -> None:
    data = os.urandom(100)
    assert dearmor(armor(data).rstrip(b"\n")) == data


LINES = armor(os.urandom(200)).split(b"\n")  # BEGIN, 4 lines of 64 and one of 16 (with =), END


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"", "ends without its END line"),
        (b"\n".join(LINES[:-2]), "ends without its END line"),
        (b"junk\n" + b"\n".join(LINES), "must start with the BEGIN line"),
        (b"\n".join(LINES).lower(), "must start with the BEGIN line"),
        (b" " + b"\n".join(LINES), "must start with the BEGIN line"),
        (b"\n".join([LINES[0], b"Comment: x", *LINES[1:]]), "base64"),
        (b"\n".join([LINES[0], b"", *LINES[1:]]), "empty line"),
        (b"\n".join([*LINES[:5], b"", *LINES[5:]]), "empty line"),
        (b"\n".join([*LINES[:6], b"", *LINES[6:]]), "followed by the END line"),
        (b"\n".join([*LINES[:2], LINES[2] + b" ", *LINES[3:]]), "longer than 64"),
        (b"\n".join([*LINES[:2], LINES[2][:60], *LINES[3:]]), "followed by the END line"),
        (b"\n".join([*LINES[:5], LINES[5].rstrip(b"="), *LINES[6:]]), "base64"),
        (b"\n".join([*LINES[:5], LINES[5] + b"\n=Ab12", *LINES[6:]]), "followed by the END line"),
        (b"\n".join(LINES) + b"garbage\n", "data after the END line"),
        (b"\n".join(LINES) + b" " * 2000, "too much whitespace after"),
        (b" \n" * 600 + b"\n".join(LINES), "too much whitespace before"),
        (b"\n".join(LINES).replace(b"AGE ENCRYPTED", b"PGP MESSAGE"), "BEGIN line"),
    ],
)
def test_refused(text: bytes, message: str) -> None:
    with pytest.raises(MalformedArmor, match=message):
        dearmor(text)


def test_non_canonical_padding_bits_refused() -> None:
    text = armor(b"\x00")  # "AA==" -> "AB==" decodes to the same byte
    assert b"AA==" in text
    with pytest.raises(MalformedArmor, match="base64"):
        dearmor(text.replace(b"AA==", b"AB=="))


def test_a_line_without_end_is_refused_early() -> None:
    endless = io.BytesIO(BEGIN + b"\n" + b"A" * (50 * 1024 * 1024))
    decoder = ArmorDecoder(endless.read)
    with pytest.raises(MalformedArmor, match="far too long"):
        decoder.read(10)
    assert endless.tell() < 1024 * 1024


def test_memory_stays_bounded() -> None:
    """Decoding 20 MiB of armor never holds more than a block or so."""
    data = os.urandom(20 * 1024 * 1024)
    text = armor(data, pieces=20)
    stream = io.BytesIO(text)
    decoder = ArmorDecoder(stream.read)
    total = 0
    while chunk := decoder.read(1024 * 1024):
        total += len(chunk)
        assert len(decoder._decoded) < 200_000
    assert total == len(data)
