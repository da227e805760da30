"""Any change to an age file is refused, with the error that names what changed."""

from __future__ import annotations

import io
import os
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.errors import IntegrityError
from hanoi.evidence.age import (
    AgeError,
    Decryptor,
    HeaderMacMismatch,
    MalformedHeader,
    NoIdentityMatch,
    PayloadCorrupted,
    PayloadTruncated,
    TrailingData,
)
from hanoi.evidence.age.spec import CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE

Seal = Callable[..., bytes]
PLAINTEXT = os.urandom(3 * CHUNK_SIZE + 100)


@pytest.fixture(scope="module")
def sealed(identity: AgeIdentity, seal: Seal) -> tuple[bytes, int]:
    """The file and the offset of its first payload chunk."""
    data = seal(PLAINTEXT, [identity.recipient()])
    return data, data.index(b"\n---") + len(b"\n--- ") + 43 + 1 + 16


def read_until_error(
    data: bytes, identity: AgeIdentity, *, background: bool = True
) -> tuple[bytes, AgeError | None]:
    released = bytearray()
    try:
        with Decryptor(io.BytesIO(data), [identity], background=background) as reader:
            while chunk := reader.read(10_000):
                released += chunk
    except AgeError as error:
        return bytes(released), error
    return bytes(released), None


def flip(data: bytes, at: int, bit: int = 0) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 1 << bit
    return bytes(changed)


def test_untouched_file_opens(sealed: tuple[bytes, int], identity: AgeIdentity) -> None:
    assert read_until_error(sealed[0], identity) == (PLAINTEXT, None)


def test_every_header_byte(sealed: tuple[bytes, int], identity: AgeIdentity) -> None:
    data, payload = sealed
    mac_line = data.index(b"\n---") + 1
    for at in range(payload - 16):
        with pytest.raises((MalformedHeader, NoIdentityMatch, HeaderMacMismatch)) as caught:
            Decryptor(io.BytesIO(flip(data, at)), [identity])
        if at > mac_line + 3 and not isinstance(caught.value, MalformedHeader):
            assert isinstance(caught.value, HeaderMacMismatch)


def test_stanza_body_change_is_no_match(sealed: tuple[bytes, int], identity: AgeIdentity) -> None:
    data, _ = sealed
    at = data.index(b"\n", data.index(b"-> X25519")) + 1 + 3
    # Swap one base64 character for another, so the header stays well formed.
    changed = data[:at] + (b"B" if data[at : at + 1] == b"A" else b"A") + data[at + 1 :]
    with pytest.raises(NoIdentityMatch):
        Decryptor(io.BytesIO(changed), [identity])


def test_mac_change_is_integrity_error(sealed: tuple[bytes, int], identity: AgeIdentity) -> None:
    data, _ = sealed
    at = data.index(b"\n--- ") + 6
    changed = data[:at] + (b"B" if data[at : at + 1] == b"A" else b"A") + data[at + 1 :]
    with pytest.raises(HeaderMacMismatch) as caught:
        Decryptor(io.BytesIO(changed), [identity])
    assert isinstance(caught.value, IntegrityError)


def test_nonce_change(sealed: tuple[bytes, int], identity: AgeIdentity) -> None:
    data, payload = sealed
    released, error = read_until_error(flip(data, payload - 5), identity)
    assert released == b""
    assert isinstance(error, PayloadCorrupted)


@pytest.mark.parametrize("chunk", [0, 1, 2, 3])
def test_chunk_change_releases_the_chunks_before(
    sealed: tuple[bytes, int], identity: AgeIdentity, chunk: int, background: bool
) -> None:
    data, payload = sealed
    released, error = read_until_error(
        flip(data, payload + chunk * ENCRYPTED_CHUNK_SIZE + 50), identity, background=background
    )
    assert released == PLAINTEXT[: chunk * CHUNK_SIZE]
    assert isinstance(error, PayloadCorrupted)
    assert f"chunk {chunk}" in str(error)


@pytest.mark.parametrize(
    ("keep", "released_chunks", "kind"),
    [
        (0, 0, PayloadTruncated),
        (10, 0, PayloadCorrupted),
        (ENCRYPTED_CHUNK_SIZE, 1, PayloadTruncated),
        (ENCRYPTED_CHUNK_SIZE + 16, 1, PayloadCorrupted),
        (3 * ENCRYPTED_CHUNK_SIZE, 3, PayloadTruncated),
        (3 * ENCRYPTED_CHUNK_SIZE + 115, 3, PayloadCorrupted),
    ],
)
def test_truncation(
    sealed: tuple[bytes, int],
    identity: AgeIdentity,
    keep: int,
    released_chunks: int,
    kind: type[AgeError],
) -> None:
    data, payload = sealed
    released, error = read_until_error(data[: payload + keep], identity)
    assert released == PLAINTEXT[: released_chunks * CHUNK_SIZE]
    assert isinstance(error, kind)


def test_cut_before_the_nonce(sealed: tuple[bytes, int], identity: AgeIdentity) -> None:
    data, payload = sealed
    with pytest.raises(MalformedHeader, match="nonce"):
        Decryptor(io.BytesIO(data[: payload - 1]), [identity])


@pytest.mark.parametrize("extra", [b"\x00", os.urandom(ENCRYPTED_CHUNK_SIZE)])
def test_appended_data(sealed: tuple[bytes, int], identity: AgeIdentity, extra: bytes) -> None:
    """The short final chunk grows with what follows it, and no longer authenticates."""
    data, _ = sealed
    released, error = read_until_error(data + extra, identity)
    assert released == PLAINTEXT[: 3 * CHUNK_SIZE]
    assert isinstance(error, PayloadCorrupted)


def test_full_final_chunk_then_data(identity: AgeIdentity, seal: Seal) -> None:
    plaintext = os.urandom(2 * CHUNK_SIZE)
    data = seal(plaintext, [identity.recipient()])
    released, error = read_until_error(data + b"\x00", identity)
    assert released == plaintext
    assert isinstance(error, TrailingData)


def test_swapped_chunks(sealed: tuple[bytes, int], identity: AgeIdentity) -> None:
    data, payload = sealed
    first = data[payload : payload + ENCRYPTED_CHUNK_SIZE]
    second = data[payload + ENCRYPTED_CHUNK_SIZE : payload + 2 * ENCRYPTED_CHUNK_SIZE]
    swapped = data[:payload] + second + first + data[payload + 2 * ENCRYPTED_CHUNK_SIZE :]
    released, error = read_until_error(swapped, identity)
    assert released == b""
    assert isinstance(error, PayloadCorrupted)


def test_dropped_final_chunk_of_a_whole_chunk_file(identity: AgeIdentity, seal: Seal) -> None:
    plaintext = os.urandom(2 * CHUNK_SIZE)
    data = seal(plaintext, [identity.recipient()])
    released, error = read_until_error(data[:-ENCRYPTED_CHUNK_SIZE], identity)
    assert released == plaintext[:CHUNK_SIZE]
    assert isinstance(error, PayloadTruncated)


@settings(max_examples=60, deadline=None)
@given(position=st.floats(0, 1, exclude_max=True), bit=st.integers(0, 7))
def test_any_bit_flip_is_refused(
    position: float, bit: int, sealed: tuple[bytes, int], identity: AgeIdentity
) -> None:
    data, _ = sealed
    released, error = read_until_error(flip(data, int(position * len(data)), bit), identity)
    assert error is not None
    assert PLAINTEXT.startswith(released)
