"""Reading a payload file once: its ciphertext SHA-256, and with an identity its plaintext too.

Decryption streams through the age :class:`~hanoi.evidence.age.Decryptor` with
both digests attached, so one read of the age file gives the manifest check and
the statement check. The plaintext is discarded as it is produced: nothing is
written, nothing is kept.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol

from hanoi.errors import IntegrityError
from hanoi.evidence.age import AgeError, Decryptor, Identity, NoIdentityMatch
from hanoi.evidence.age.pipeline import readinto_of
from hanoi.evidence.package_errors import NotARecipient, PackageTampered

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

_BUFFER = 1 << 20


@dataclass(frozen=True, slots=True)
class PayloadDigests:
    ciphertext_sha256: str
    ciphertext_size: int
    plaintext_sha256: str | None = None
    plaintext_size: int | None = None


class Progress(Protocol):
    """Told about each file as it is read (for a progress bar)."""

    def start(self, name: str, total: int | None) -> None: ...

    def advance(self, n: int) -> None: ...


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, b: ReadableBuffer, /) -> int:
        return len(memoryview(b))


class Metered(io.RawIOBase):
    """Passes reads through, and tells ``advance`` how many bytes each one gave."""

    def __init__(self, inner: BinaryIO, advance: Callable[[int], None]) -> None:
        super().__init__()
        self._readinto = readinto_of(inner)
        self._advance = advance

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        n = self._readinto(memoryview(buffer).cast("B"))
        self._advance(n)
        return n


def hash_stream(src: BinaryIO) -> tuple[str, int]:
    digest = hashlib.sha256()
    readinto = readinto_of(src)
    view = memoryview(bytearray(_BUFFER))
    size = 0
    while n := readinto(view):
        digest.update(view[:n])
        size += n
    return digest.hexdigest(), size


def read_payload(src: BinaryIO, *, path: str, identities: Sequence[Identity]) -> PayloadDigests:
    """Digest the age file in ``src``; with ``identities``, decrypt it in the same pass.

    Raises :class:`NotARecipient` if no identity opens it; any other age failure
    is returned to the caller as :class:`PackageTampered` unless the caller finds
    the ciphertext itself differs from its manifest (it then names that instead).
    """
    if not identities:
        digest, size = hash_stream(src)
        return PayloadDigests(digest, size)
    cipher, plain = hashlib.sha256(), hashlib.sha256()
    try:
        with Decryptor(
            src, identities, armor=False, plaintext_hash=plain, ciphertext_hash=cipher
        ) as reader:
            plaintext_size = reader.copy_to(_Discard())  # type: ignore[arg-type]
            ciphertext_size = reader.ciphertext_bytes
    except NoIdentityMatch as exc:
        raise NotARecipient(
            f"{path}: {exc.diagnostics()}; is --identity a recipient of this package, or "
            "the passphrase the right one?"
        ) from None
    except AgeError as exc:
        family = "altered" if isinstance(exc, IntegrityError) else "not a valid age file"
        raise PackageTampered(f"{path}: {family}: {exc.diagnostics()}") from None
    return PayloadDigests(cipher.hexdigest(), ciphertext_size, plain.hexdigest(), plaintext_size)
