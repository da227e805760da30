"""STREAM: chunk arithmetic, nonces and the sealer's rules."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hanoi.errors import InvalidInput
from hanoi.evidence.age import PayloadCorrupted
from hanoi.evidence.age.spec import CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, TAG_SIZE
from hanoi.evidence.age.stream import (
    PayloadOpener,
    PayloadSealer,
    chunk_count,
    encrypted_size,
    plaintext_size,
)

KEY = bytes(range(32))


@given(st.integers(0, 10**12))
def test_sizes_invert(size: int) -> None:
    assert plaintext_size(encrypted_size(size)) == size


@pytest.mark.parametrize(
    "payload",
    [0, 1, TAG_SIZE - 1, ENCRYPTED_CHUNK_SIZE + 1, ENCRYPTED_CHUNK_SIZE + TAG_SIZE],
)
def test_impossible_payload_sizes(payload: int) -> None:
    with pytest.raises(PayloadCorrupted):
        plaintext_size(payload)


def test_chunk_count() -> None:
    assert [chunk_count(n) for n in (0, 1, CHUNK_SIZE, CHUNK_SIZE + 1)] == [1, 1, 1, 2]


def test_nonces_and_final_flag() -> None:
    plaintext = os.urandom(2 * CHUNK_SIZE + 5)
    out = memoryview(bytearray(encrypted_size(len(plaintext))))
    sealer = PayloadSealer(KEY)
    written = sealer.seal(memoryview(plaintext)[: 2 * CHUNK_SIZE], out, final=False)
    written += sealer.seal(memoryview(plaintext)[2 * CHUNK_SIZE :], out[written:], final=True)
    assert written == len(out)
    opener = PayloadOpener(KEY)
    scratch = memoryview(bytearray(CHUNK_SIZE))
    first = out[:ENCRYPTED_CHUNK_SIZE]
    assert opener.open(first, scratch, index=0, final=False)
    assert bytes(scratch) == plaintext[:CHUNK_SIZE]
    assert not opener.open(first, scratch, index=0, final=True)
    assert not opener.open(first, scratch, index=1, final=False)
    last = out[2 * ENCRYPTED_CHUNK_SIZE :]
    assert opener.open(last, scratch, index=2, final=True)
    assert not opener.open(last, scratch, index=2, final=False)
    assert not opener.open(out[:5], scratch, index=2, final=True)


def test_sealer_rules() -> None:
    sealer = PayloadSealer(KEY)
    out = memoryview(bytearray(2 * ENCRYPTED_CHUNK_SIZE))
    with pytest.raises(InvalidInput):
        sealer.seal(memoryview(bytes(100)), out, final=False)
    with pytest.raises(InvalidInput):
        sealer.seal(memoryview(b""), out, final=False)
    sealer.seal(memoryview(bytes(CHUNK_SIZE)), out, final=False)
    with pytest.raises(InvalidInput):
        sealer.seal(memoryview(b""), out, final=True)
    sealer.seal(memoryview(b"x"), out, final=True)
    with pytest.raises(InvalidInput):
        sealer.seal(memoryview(b"x"), out, final=True)


def test_empty_payload_is_one_empty_final_chunk() -> None:
    out = memoryview(bytearray(TAG_SIZE))
    assert PayloadSealer(KEY).seal(memoryview(b""), out, final=True) == TAG_SIZE
    assert PayloadOpener(KEY).open(out, memoryview(bytearray(0)), index=0, final=True)
