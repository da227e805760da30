"""Random access into the plaintext of a stored age file, one chunk at a time."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.errors import InvalidInput
from hanoi.evidence.age import Decryptor, PayloadCorrupted
from hanoi.evidence.age.spec import CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE

Seal = Callable[..., bytes]
PLAINTEXT = os.urandom(20 * CHUNK_SIZE + 123)


class CountingBytesIO(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = super().readinto(buffer)
        self.bytes_read += n
        return n

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


@pytest.fixture(scope="module")
def sealed(identity: AgeIdentity, seal: Seal) -> bytes:
    return seal(PLAINTEXT, [identity.recipient()])


def test_size_and_offsets(sealed: bytes, identity: AgeIdentity) -> None:
    reader = Decryptor(io.BytesIO(sealed), [identity])
    assert reader.seekable()
    assert reader.size() == len(PLAINTEXT)
    for offset in [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, 5 * CHUNK_SIZE + 7, len(PLAINTEXT) - 1]:
        assert reader.seek(offset) == offset
        assert reader.tell() == offset
        assert reader.read(CHUNK_SIZE + 10) == PLAINTEXT[offset : offset + CHUNK_SIZE + 10]
        assert reader.tell() == min(offset + CHUNK_SIZE + 10, len(PLAINTEXT))


def test_whence(sealed: bytes, identity: AgeIdentity) -> None:
    reader = Decryptor(io.BytesIO(sealed), [identity])
    reader.read(100)
    assert reader.seek(50, io.SEEK_CUR) == 150
    assert reader.read(10) == PLAINTEXT[150:160]
    assert reader.seek(-10, io.SEEK_END) == len(PLAINTEXT) - 10
    assert reader.read() == PLAINTEXT[-10:]
    assert reader.seek(-3 * CHUNK_SIZE, io.SEEK_CUR) == len(PLAINTEXT) - 3 * CHUNK_SIZE
    assert reader.read(5) == PLAINTEXT[-3 * CHUNK_SIZE : -3 * CHUNK_SIZE + 5]


def test_past_the_end(sealed: bytes, identity: AgeIdentity) -> None:
    reader = Decryptor(io.BytesIO(sealed), [identity])
    assert reader.seek(len(PLAINTEXT) + 1000) == len(PLAINTEXT) + 1000
    assert reader.read(10) == b""
    reader.seek(len(PLAINTEXT))
    assert reader.read() == b""
    reader.seek(0)
    assert reader.read() == PLAINTEXT


def test_invalid_seeks(sealed: bytes, identity: AgeIdentity) -> None:
    reader = Decryptor(io.BytesIO(sealed), [identity])
    with pytest.raises(InvalidInput):
        reader.seek(-1)
    with pytest.raises(InvalidInput):
        reader.seek(0, 7)


def test_only_the_needed_chunk_is_read(sealed: bytes, identity: AgeIdentity) -> None:
    src = CountingBytesIO(sealed)
    reader = Decryptor(src, [identity])
    reader.size()
    before = src.bytes_read
    reader.seek(11 * CHUNK_SIZE + 5)
    assert reader.read(100) == PLAINTEXT[11 * CHUNK_SIZE + 5 : 11 * CHUNK_SIZE + 105]
    assert src.bytes_read - before <= ENCRYPTED_CHUNK_SIZE
    before = src.bytes_read
    reader.seek(11 * CHUNK_SIZE + 1000)  # same chunk: nothing to read again
    assert reader.read(10) == PLAINTEXT[11 * CHUNK_SIZE + 1000 : 11 * CHUNK_SIZE + 1010]
    assert src.bytes_read == before


def test_age_data_after_other_bytes(sealed: bytes, identity: AgeIdentity) -> None:
    src = io.BytesIO(b"an envelope" + sealed)
    src.seek(len(b"an envelope"))
    reader = Decryptor(src, [identity])
    reader.seek(3 * CHUNK_SIZE)
    assert reader.read(10) == PLAINTEXT[3 * CHUNK_SIZE : 3 * CHUNK_SIZE + 10]
    assert reader.size() == len(PLAINTEXT)


def test_size_checks_the_final_chunk(sealed: bytes, identity: AgeIdentity) -> None:
    whole_chunks = sealed[: len(sealed) - (123 + 16)]  # valid length, but the last is not final
    with pytest.raises(PayloadCorrupted, match="final chunk"):
        Decryptor(io.BytesIO(whole_chunks), [identity]).size()
    with pytest.raises(PayloadCorrupted, match="no age payload"):
        Decryptor(io.BytesIO(sealed[: -(123 + 16)] + b"\x00" * 5), [identity]).seek(0, io.SEEK_END)
    reader = Decryptor(io.BytesIO(sealed[:-1] + b"\x00"), [identity])
    with pytest.raises(PayloadCorrupted):
        reader.seek(0)


def test_corrupted_chunk_after_seek(sealed: bytes, identity: AgeIdentity) -> None:
    payload = len(sealed) - (20 * ENCRYPTED_CHUNK_SIZE + 123 + 16)
    changed = bytearray(sealed)
    changed[payload + 7 * ENCRYPTED_CHUNK_SIZE + 3] ^= 1
    reader = Decryptor(io.BytesIO(bytes(changed)), [identity])
    reader.seek(2 * CHUNK_SIZE)
    assert reader.read(CHUNK_SIZE) == PLAINTEXT[2 * CHUNK_SIZE : 3 * CHUNK_SIZE]
    reader.seek(7 * CHUNK_SIZE + 1)
    with pytest.raises(PayloadCorrupted, match="chunk 7"):
        reader.read(1)
    reader.seek(9 * CHUNK_SIZE)
    assert reader.read(3) == PLAINTEXT[9 * CHUNK_SIZE : 9 * CHUNK_SIZE + 3]


def test_not_seekable(sealed: bytes, identity: AgeIdentity, seal: Seal) -> None:
    hashing = Decryptor(io.BytesIO(sealed), [identity], plaintext_hash=hashlib.sha256())
    assert not hashing.seekable()
    with pytest.raises(InvalidInput, match="not seekable"):
        hashing.seek(10)
    armored = Decryptor(io.BytesIO(seal(b"abc", [identity.recipient()], armor=True)), [identity])
    assert not armored.seekable()
    with pytest.raises(InvalidInput):
        armored.size()


@settings(max_examples=40, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from([io.SEEK_SET, io.SEEK_CUR, io.SEEK_END]),
            st.integers(-3 * CHUNK_SIZE, len(PLAINTEXT) + 10),
            st.integers(0, 3 * CHUNK_SIZE),
        ),
        max_size=12,
    )
)
def test_any_seeks_and_reads(
    steps: list[tuple[int, int, int]], sealed: bytes, identity: AgeIdentity
) -> None:
    reader = Decryptor(io.BytesIO(sealed), [identity])
    position = 0
    for whence, offset, size in steps:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: position, io.SEEK_END: len(PLAINTEXT)}[whence]
        if base + offset < 0:
            continue
        position = reader.seek(offset, whence)
        assert position == base + offset
        assert reader.read(size) == PLAINTEXT[position : position + size]
        position = min(position + size, max(position, len(PLAINTEXT)))
        assert reader.tell() == position
