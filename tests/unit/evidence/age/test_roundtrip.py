"""Encrypt then decrypt: every size that matters, every way of writing and reading."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.errors import InvalidInput
from hanoi.evidence.age import (
    Decryptor,
    Encryptor,
    NoIdentityMatch,
    ScryptIdentity,
    ScryptRecipient,
    decrypt_file,
    encrypt_file,
)
from hanoi.evidence.age.spec import CHUNK_SIZE
from hanoi.evidence.age.stream import encrypted_size

Seal = Callable[..., bytes]
Open = Callable[..., bytes]
SLOT = 16 * CHUNK_SIZE
SIZES = [
    0,
    1,
    CHUNK_SIZE - 1,
    CHUNK_SIZE,
    CHUNK_SIZE + 1,
    3 * CHUNK_SIZE + 17,
    SLOT - 1,
    SLOT,
    SLOT + 1,
    2 * SLOT + CHUNK_SIZE,
]


@pytest.mark.parametrize("size", SIZES)
def test_round_trip(
    size: int, identity: AgeIdentity, background: bool, seal: Seal, unseal: Open
) -> None:
    plaintext = os.urandom(size)
    data = seal(plaintext, [identity.recipient()], background=background)
    header_size = data.index(b"\n---") + len(b"\n--- ") + 43 + 1
    assert len(data) == header_size + 16 + encrypted_size(size)
    assert unseal(data, [identity], background=background) == plaintext
    assert unseal(data, [identity], read_size=CHUNK_SIZE + 7, background=background) == plaintext


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(min_value=0, max_value=3 * SLOT),
    writes=st.lists(
        st.one_of(
            st.integers(0, 10),
            st.sampled_from([CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, SLOT, SLOT + 1]),
            st.integers(0, 2 * SLOT),
        ),
        max_size=8,
    ),
    read_size=st.sampled_from([1, 4097, CHUNK_SIZE, SLOT + 5, -1]),
)
def test_any_size_any_writes(
    size: int, writes: list[int], read_size: int, identity: AgeIdentity, seal: Seal, unseal: Open
) -> None:
    plaintext = os.urandom(size)
    data = seal(plaintext, [identity.recipient()], writes=writes)
    reference = seal(plaintext, [identity.recipient()], background=False)
    assert len(data) == len(reference)
    assert unseal(data, [identity], read_size=read_size) == plaintext


def test_several_recipients(
    identity: AgeIdentity, stranger: AgeIdentity, seal: Seal, unseal: Open
) -> None:
    data = seal(b"evidence", [stranger.recipient(), identity.recipient()])
    assert unseal(data, [identity]) == b"evidence"
    assert unseal(data, [stranger]) == b"evidence"
    assert data.count(b"\n-> X25519 ") == 2


def test_wrong_identity(
    identity: AgeIdentity, stranger: AgeIdentity, seal: Seal, unseal: Open
) -> None:
    data = seal(b"evidence", [identity.recipient()])
    with pytest.raises(NoIdentityMatch) as caught:
        unseal(data, [stranger])
    assert caught.value.stanza_types == ("X25519",)
    assert isinstance(caught.value, InvalidInput)


def test_second_identity_is_tried(
    identity: AgeIdentity, stranger: AgeIdentity, seal: Seal, unseal: Open
) -> None:
    data = seal(b"evidence", [identity.recipient()])
    assert unseal(data, [stranger, identity]) == b"evidence"


def test_passphrase(seal: Seal, unseal: Open) -> None:
    data = seal(b"for the court", [ScryptRecipient("correct horse", log_n=10)])
    assert b"\n-> scrypt " in data
    assert unseal(data, [ScryptIdentity("correct horse")]) == b"for the court"
    with pytest.raises(NoIdentityMatch):
        unseal(data, [ScryptIdentity("battery staple")])


def test_passphrase_repr_hides_it() -> None:
    assert "horse" not in repr(ScryptRecipient("correct horse", log_n=10))
    assert "horse" not in repr(ScryptIdentity("correct horse"))


@pytest.mark.parametrize("size", [0, 1, 47, 48, 49, CHUNK_SIZE, 48 * 1024, SLOT + 3])
def test_armor_round_trip(size: int, identity: AgeIdentity, seal: Seal) -> None:
    plaintext = os.urandom(size)
    data = seal(plaintext, [identity.recipient()], armor=True)
    assert data.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    assert data.endswith(b"\n-----END AGE ENCRYPTED FILE-----\n")
    assert all(len(line) <= 64 for line in data.split(b"\n"))
    for armor in (True, None):
        with Decryptor(io.BytesIO(data), [identity], armor=armor) as reader:
            assert reader.read() == plaintext


def test_armor_is_detected_after_whitespace(identity: AgeIdentity, seal: Seal) -> None:
    data = b"\n  \r\n" + seal(b"x", [identity.recipient()], armor=True) + b"\n\n"
    with Decryptor(io.BytesIO(data), [identity]) as reader:
        assert reader.read() == b"x"


def test_digests_cover_plaintext_and_file(identity: AgeIdentity, background: bool) -> None:
    plaintext = os.urandom(2 * SLOT + 5)
    out = io.BytesIO()
    plain_hash, cipher_hash = hashlib.sha256(), hashlib.sha256()
    with Encryptor(
        out,
        [identity.recipient()],
        plaintext_hash=plain_hash,
        ciphertext_hash=cipher_hash,
        background=background,
    ) as encryptor:
        encryptor.write(plaintext)
    assert plain_hash.digest() == hashlib.sha256(plaintext).digest()
    assert cipher_hash.digest() == hashlib.sha256(out.getvalue()).digest()
    assert encryptor.plaintext_bytes == len(plaintext)
    assert encryptor.ciphertext_bytes == len(out.getvalue())

    plain_again, cipher_again = hashlib.sha256(), hashlib.sha256()
    reader = Decryptor(
        io.BytesIO(out.getvalue()),
        [identity],
        plaintext_hash=plain_again,
        ciphertext_hash=cipher_again,
        background=background,
    )
    assert reader.read() == plaintext
    assert plain_again.digest() == plain_hash.digest()
    assert cipher_again.digest() == cipher_hash.digest()
    assert reader.ciphertext_bytes == len(out.getvalue())


def test_armored_digest_covers_the_text(identity: AgeIdentity) -> None:
    out, digest = io.BytesIO(), hashlib.sha256()
    with Encryptor(out, [identity.recipient()], armor=True, ciphertext_hash=digest) as encryptor:
        encryptor.write(b"evidence" * 1000)
    assert digest.digest() == hashlib.sha256(out.getvalue()).digest()
    assert encryptor.ciphertext_bytes == len(out.getvalue())


def test_files(tmp_path: Path, identity: AgeIdentity) -> None:
    source, sealed, opened = tmp_path / "in.bin", tmp_path / "in.bin.age", tmp_path / "out.bin"
    source.write_bytes(os.urandom(SLOT + CHUNK_SIZE + 1))
    plain_hash, cipher_hash = hashlib.sha256(), hashlib.sha256()
    with source.open("rb", buffering=0) as src, sealed.open("wb", buffering=0) as dst:
        stats = encrypt_file(
            src,
            dst,
            recipients=[identity.recipient()],
            plaintext_hash=plain_hash,
            ciphertext_hash=cipher_hash,
        )
    assert stats.plaintext_bytes == source.stat().st_size
    assert stats.ciphertext_bytes == sealed.stat().st_size
    assert plain_hash.hexdigest() == hashlib.sha256(source.read_bytes()).hexdigest()
    assert cipher_hash.hexdigest() == hashlib.sha256(sealed.read_bytes()).hexdigest()
    with sealed.open("rb") as src, opened.open("wb") as dst:
        back = decrypt_file(src, dst, identities=[identity])
    assert back == stats
    assert opened.read_bytes() == source.read_bytes()


class _ReadOnly:
    """A stream with only ``read`` (no ``readinto``), returning short reads."""

    def __init__(self, data: bytes, *, step: int = 1000) -> None:
        self._data = io.BytesIO(data)
        self._step = step

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, self._step) if size >= 0 else size)

    def seekable(self) -> bool:
        return False


def test_streams_without_readinto(identity: AgeIdentity, seal: Seal) -> None:
    plaintext = os.urandom(CHUNK_SIZE * 2 + 3)
    out = io.BytesIO()
    with Encryptor(out, [identity.recipient()]) as encryptor:
        assert encryptor.copy_from(_ReadOnly(plaintext)) == len(plaintext)  # type: ignore[arg-type]
    with Decryptor(_ReadOnly(out.getvalue()), [identity]) as reader:  # type: ignore[arg-type]
        assert reader.read() == plaintext
        assert not reader.seekable()
    armored = seal(plaintext, [identity.recipient()], armor=True)
    with Decryptor(_ReadOnly(armored, step=7), [identity]) as reader:  # type: ignore[arg-type]
        assert reader.read() == plaintext


def test_copy_from_equals_write(identity: AgeIdentity, unseal: Open) -> None:
    plaintext = os.urandom(SLOT * 2)
    out = io.BytesIO()
    with Encryptor(out, [identity.recipient()]) as encryptor:
        encryptor.write(plaintext[:5])
        encryptor.copy_from(io.BytesIO(plaintext[5:SLOT]))
        encryptor.write(plaintext[SLOT : SLOT + 1])
        encryptor.copy_from(io.BytesIO(plaintext[SLOT + 1 :]))
    assert encryptor.plaintext_bytes == len(plaintext)
    assert unseal(out.getvalue(), [identity]) == plaintext


def test_copy_from_at_a_slot_boundary_again_and_again(identity: AgeIdentity, unseal: Open) -> None:
    plaintext = os.urandom(SLOT + 1)
    out = io.BytesIO()
    with Encryptor(out, [identity.recipient()]) as encryptor:
        encryptor.copy_from(io.BytesIO(plaintext[:SLOT]))
        for _ in range(4):  # each looks ahead for more data, and finds none
            assert encryptor.copy_from(io.BytesIO(b"")) == 0
        encryptor.write(plaintext[SLOT:])
    assert unseal(out.getvalue(), [identity]) == plaintext


def test_buffered_wrappers(identity: AgeIdentity) -> None:
    """The reader and writer are raw streams that the ``io`` classes can wrap."""
    out = io.BytesIO()
    encryptor = Encryptor(out, [identity.recipient()])
    with io.BufferedWriter(encryptor) as buffered:
        buffered.write(b"line one\nline two\n")
    reader = io.BufferedReader(Decryptor(io.BytesIO(out.getvalue()), [identity]))
    assert reader.readline() == b"line one\n"
    assert list(reader) == [b"line two\n"]
