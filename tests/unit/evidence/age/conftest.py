"""Fixtures for the age unit tests: keys, and one-call encrypt and decrypt helpers."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import pytest

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.evidence.age import Decryptor, Encryptor, Identity, Recipient


@pytest.fixture(scope="session")
def identity() -> AgeIdentity:
    return AgeIdentity.generate()


@pytest.fixture(scope="session")
def stranger() -> AgeIdentity:
    return AgeIdentity.generate()


@pytest.fixture(params=[True, False], ids=["threads", "inline"])
def background(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def seal_bytes(
    plaintext: bytes,
    recipients: Sequence[Recipient],
    *,
    writes: Sequence[int] = (),
    armor: bool = False,
    background: bool = True,
) -> bytes:
    """Encrypt ``plaintext``, written in pieces of the sizes in ``writes`` (then the rest)."""
    out = io.BytesIO()
    with Encryptor(out, recipients, armor=armor, background=background) as encryptor:
        offset = 0
        for size in writes:
            encryptor.write(plaintext[offset : offset + size])
            offset += size
        encryptor.write(plaintext[offset:])
    return out.getvalue()


def open_bytes(
    data: bytes, identities: Sequence[Identity], *, read_size: int = -1, background: bool = True
) -> bytes:
    with Decryptor(io.BytesIO(data), identities, background=background) as reader:
        if read_size < 0:
            return reader.read()
        out = bytearray()
        while chunk := reader.read(read_size):
            out += chunk
        return bytes(out)


@pytest.fixture(scope="session")
def seal() -> Callable[..., bytes]:
    """``seal(plaintext, recipients, *, writes=(), armor=False, background=True)``."""
    return seal_bytes


@pytest.fixture(scope="session")
def unseal() -> Callable[..., bytes]:
    """``unseal(data, identities, *, read_size=-1, background=True)``."""
    return open_bytes
