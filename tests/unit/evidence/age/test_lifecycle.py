"""Opening, failing and closing: an unfinished encryption never looks finished."""

from __future__ import annotations

import gc
import hashlib
import io
import os

import pytest

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.errors import InvalidInput
from hanoi.evidence.age import (
    Decryptor,
    Encryptor,
    PayloadTruncated,
    ScryptRecipient,
    encrypt_file,
)
from hanoi.evidence.age.spec import CHUNK_SIZE


def test_exception_inside_with_aborts(identity: AgeIdentity) -> None:
    out = io.BytesIO()
    encryptors: list[Encryptor] = []

    def interrupted() -> None:
        with Encryptor(out, [identity.recipient()]) as encryptor:
            encryptors.append(encryptor)
            encryptor.write(os.urandom(3 * CHUNK_SIZE))
            raise RuntimeError("the source failed")

    with pytest.raises(RuntimeError):
        interrupted()
    assert encryptors[0].closed
    with pytest.raises(PayloadTruncated):
        Decryptor(io.BytesIO(out.getvalue()), [identity]).read()


def test_garbage_collection_aborts(identity: AgeIdentity) -> None:
    out = io.BytesIO()
    encryptor = Encryptor(out, [identity.recipient()])
    encryptor.write(b"partial evidence")
    del encryptor
    gc.collect()
    with pytest.raises(PayloadTruncated):
        Decryptor(io.BytesIO(out.getvalue()), [identity]).read()


class FailingSource(io.RawIOBase):
    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        self.calls += 1
        if self.calls > 3:
            raise OSError("disk gone")
        buffer[:1000] = b"x" * 1000
        return 1000


def test_encrypt_file_source_error(identity: AgeIdentity) -> None:
    out = io.BytesIO()
    with pytest.raises(OSError, match="disk gone"):
        encrypt_file(FailingSource(), out, recipients=[identity.recipient()])  # type: ignore[arg-type]
    with pytest.raises(PayloadTruncated):
        Decryptor(io.BytesIO(out.getvalue()), [identity]).read()


class FailingSink(io.BytesIO):
    def write(self, data: object) -> int:  # type: ignore[override]
        if self.tell() > 100:
            raise OSError("no space left")
        return super().write(data)  # type: ignore[arg-type]


@pytest.mark.parametrize("background", [True, False])
def test_output_error_surfaces(identity: AgeIdentity, background: bool) -> None:
    encryptor = Encryptor(FailingSink(), [identity.recipient()], background=background)

    def write_all() -> None:
        for _ in range(40):
            encryptor.write(os.urandom(CHUNK_SIZE))
        encryptor.close()

    with pytest.raises(OSError, match="no space left"):
        write_all()
    if not encryptor.closed:  # the error came from a write: finishing is refused
        with pytest.raises(InvalidInput, match="failed earlier"):
            encryptor.close()
    assert encryptor.closed


def test_use_after_close(identity: AgeIdentity) -> None:
    encryptor = Encryptor(io.BytesIO(), [identity.recipient()])
    encryptor.close()
    encryptor.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        encryptor.write(b"more")


def test_flush_writes_whole_chunks_only(identity: AgeIdentity) -> None:
    out = io.BytesIO()
    with Encryptor(out, [identity.recipient()]) as encryptor:
        encryptor.write(os.urandom(100))
        encryptor.flush()
        header_only = len(out.getvalue())
        encryptor.write(os.urandom(20 * CHUNK_SIZE))
        encryptor.flush()
        assert len(out.getvalue()) > header_only
    assert Decryptor(io.BytesIO(out.getvalue()), [identity]).readable()


@pytest.mark.parametrize(
    "recipients",
    [
        [],
        [ScryptRecipient("a", log_n=10), ScryptRecipient("b", log_n=10)],
        [ScryptRecipient("a", log_n=10), AgeIdentity.generate().recipient()],
    ],
)
def test_recipients_are_checked(recipients: list[object]) -> None:
    with pytest.raises(InvalidInput):
        Encryptor(io.BytesIO(), recipients)  # type: ignore[arg-type]


def test_identities_are_required(identity: AgeIdentity) -> None:
    out = io.BytesIO()
    with Encryptor(out, [identity.recipient()]) as encryptor:
        encryptor.write(b"x")
    with pytest.raises(InvalidInput, match="at least one identity"):
        Decryptor(io.BytesIO(out.getvalue()), [])


def test_decryptor_digests_complete_at_end(identity: AgeIdentity) -> None:
    plaintext = os.urandom(5 * CHUNK_SIZE)
    out = io.BytesIO()
    with Encryptor(out, [identity.recipient()]) as encryptor:
        encryptor.write(plaintext)
    digest = hashlib.sha256()
    reader = Decryptor(io.BytesIO(out.getvalue()), [identity], plaintext_hash=digest)
    while reader.read(1000):
        pass
    assert digest.digest() == hashlib.sha256(plaintext).digest()
    reader.close()
    assert reader.closed
    with pytest.raises(ValueError, match="closed"):
        reader.read(1)
