"""The header grammar: strict parsing, canonical encoding, and the size limits."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hanoi.errors import InvalidInput
from hanoi.evidence.age import Limits, MalformedHeader, UnsupportedVersion
from hanoi.evidence.age.header import Header, Stanza, parse_header, read_header

MAC = "WyJp9F/9FOZh7gJdheq2WIJcwHgYc8NIVh3ddwhrcNg"
GOOD = (
    b"age-encryption.org/v1\n"
    b"-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
    b"hjabGXwSLQ9c3S6Lw2i+S2Tu2fiwQHHslbBN6B41FLE\n"
    b"--- " + MAC.encode() + b"\n"
)


def test_parse_and_encode() -> None:
    header = parse_header(GOOD)
    assert header.stanzas == (
        Stanza(
            "X25519",
            ("TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc",),
            header.stanzas[0].body,
        ),
    )
    assert len(header.stanzas[0].body) == 32
    assert len(header.mac) == 32
    assert header.encode() == GOOD
    assert header.mac_input() == GOOD[: GOOD.index(b"---") + 3]


@given(
    kind=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=12),
    args=st.lists(
        st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=70),
        max_size=3,
    ),
    body=st.binary(max_size=200),
)
def test_any_stanza_round_trips(kind: str, args: list[str], body: bytes) -> None:
    header = Header((Stanza(kind, tuple(args), body),), bytes(range(32)))
    encoded = header.encode()
    assert parse_header(encoded) == header
    lines = encoded.split(b"\n")
    body_lines = lines[2:-2]
    assert all(len(line) == 64 for line in body_lines[:-1])
    assert len(body_lines[-1]) < 64


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "end with a line feed"),
        (GOOD.replace(b"v1", b"v2"), "unsupported age version"),
        (GOOD.replace(b"\n", b"\r\n"), "not an age v1 file"),
        (GOOD.replace(b"-> X25519", b"->  X25519"), "one space apart"),
        (GOOD.replace(b"-> X25519", b"->X25519"), "must start with '-> '"),
        (GOOD.replace(b"-> X25519 ", b"-> X25519 \xff"), "printable ASCII"),
        (GOOD.replace(b"FLE\n", b"FLE=\n"), "canonical base64"),
        (GOOD.replace(b"FLE\n", b"FLF\n"), "canonical base64"),
        (GOOD.replace(b"\n---", b"\n\n\n---"), "must start with '-> '"),
        (GOOD.replace(b"--- ", b"---"), "MAC line"),
        (GOOD.replace(b"--- ", b"---  "), "MAC line"),
        (GOOD.replace(MAC.encode(), MAC[:-1].encode() + b"h"), "not canonical"),
        (GOOD[: GOOD.index(b"---")], "no MAC line"),
        (b"age-encryption.org/v1\n--- " + MAC.encode() + b"\n", "no recipient stanza"),
        (GOOD + b"--- " + MAC.encode() + b"\n", "data follows the MAC line"),
    ],
)
def test_malformed(data: bytes, message: str) -> None:
    with pytest.raises(MalformedHeader, match=message):
        parse_header(data)


def test_malformed_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        parse_header(GOOD.replace(b"v1", b"v2"))
    with pytest.raises(UnsupportedVersion):
        parse_header(GOOD.replace(b"v1", b"v2"))


def test_long_body_lines_must_be_full() -> None:
    body = b"\x00" * 48 * 2
    encoded = Header((Stanza("t", (), body),), bytes(32)).encode()
    assert b"\n" + b"A" * 64 + b"\n" + b"A" * 64 + b"\n\n---" in encoded
    with pytest.raises(MalformedHeader, match="shorter than 64"):
        parse_header(encoded.replace(b"A" * 64 + b"\n\n---", b"A" * 64 + b"\n---"))
    with pytest.raises(MalformedHeader, match="longer than 64"):
        parse_header(encoded.replace(b"A" * 64 + b"\n" + b"A" * 64, b"A" * 128))


def test_stanza_arguments_are_checked_when_built() -> None:
    with pytest.raises(MalformedHeader):
        Stanza("two words", (), b"")
    with pytest.raises(MalformedHeader):
        Stanza("t", ("",), b"")


def test_read_header_returns_what_follows() -> None:
    stream = io.BytesIO(GOOD + b"payload")
    header, size, rest = read_header(stream.read)
    assert size == len(GOOD)
    assert rest + stream.read() == b"payload"
    assert header == parse_header(GOOD)


def test_read_header_byte_by_byte() -> None:
    stream = io.BytesIO(GOOD + b"x")
    header, size, rest = read_header(lambda n: stream.read(1))
    assert (size, rest) == (len(GOOD), b"")
    assert header.encode() == GOOD


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04 a zip file", "not an age file"),
        (GOOD[:-10], "ends inside the header"),
    ],
)
def test_read_header_refuses(data: bytes, message: str) -> None:
    with pytest.raises(MalformedHeader, match=message):
        read_header(io.BytesIO(data).read)


def test_header_size_limit() -> None:
    limits = Limits(max_header_bytes=1024)
    big = b"age-encryption.org/v1\n" + b"-> x\n" + (b"A" * 64 + b"\n") * 100
    calls = []

    def read(n: int) -> bytes:
        calls.append(n)
        return (
            b""
            if len(calls) > 1000
            else (big + b"A" * 10**6)[(len(calls) - 1) * n : len(calls) * n]
        )

    with pytest.raises(MalformedHeader, match="larger than 1024"):
        read_header(read, limits=limits)
    assert sum(calls) <= 1024 + 4096
    with pytest.raises(MalformedHeader, match="larger than 1024"):
        parse_header(big + b"--- " + MAC.encode() + b"\n", limits=limits)


def test_stanza_count_limit() -> None:
    header = Header(tuple(Stanza("t", (str(i),), b"") for i in range(5)), bytes(32))
    assert len(parse_header(header.encode(), limits=Limits(max_stanzas=5)).stanzas) == 5
    with pytest.raises(MalformedHeader, match="more than 4 stanzas"):
        parse_header(header.encode(), limits=Limits(max_stanzas=4))


def test_limits_are_validated() -> None:
    with pytest.raises(InvalidInput):
        Limits(max_stanzas=0)
    with pytest.raises(InvalidInput):
        Limits(max_scrypt_log_n=31)
    with pytest.raises(InvalidInput):
        Limits(max_header_bytes=10)
