"""The blob store port: content-addressed bytes, named by their SHA-256.

Contract, for every implementation (``tests/integration/test_blob_stores.py``
runs the same suite against each):

- ``put(stream)`` reads the stream once, in bounded chunks, hashing as it
  goes, and returns the digest and size. An object is written under a
  temporary name and only becomes visible under its digest when complete.
  An existing object is never overwritten.
- ``open(digest)`` returns a reader that re-hashes what it hands out and
  raises :class:`~hanoi.errors.IntegrityError` at the end if the bytes do
  not match the digest. Callers must read to the end before trusting.
- ``open_range(digest, start, length)`` returns a reader of exactly the bytes
  ``[start, start + length)``, read from the store as they are: a part cannot
  be checked against the digest of the whole, so whoever assembles the whole
  checks it (an evidence package served with HTTP ``Range``: the receiver
  checks the SHA-256 of the offer). It never reads more than the range from
  the store, so a range of a large object costs what the range costs. A range
  outside the object (``start + length > size``, or a negative number) is
  :class:`~hanoi.errors.InvalidInput`; a missing object
  :class:`~hanoi.errors.NotFound`.
- ``exists``, ``size`` and ``delete`` do what they say; ``size`` and
  ``delete`` raise :class:`~hanoi.errors.NotFound` for a missing object.
- ``check()`` raises :class:`~hanoi.errors.Unavailable` if the store cannot
  be reached or written.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from hanoi.errors import IntegrityError, InvalidInput, NotFound

CHUNK_SIZE = 1024 * 1024
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class BlobRef:
    digest: str
    size: int


def check_digest(digest: str) -> str:
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise InvalidInput("a blob digest is 64 lower-case hexadecimal characters (SHA-256)")
    return digest


def check_expected(ref: BlobRef, expected_digest: str | None) -> None:
    if expected_digest is not None and ref.digest != expected_digest:
        raise IntegrityError(
            f"the bytes received hash to {ref.digest}, not the announced {expected_digest}"
        )


class SizeLimit:
    """Counts bytes and refuses to go past ``max_size``."""

    def __init__(self, max_size: int | None) -> None:
        self.max_size = max_size
        self.total = 0

    def add(self, n: int) -> None:
        self.total += n
        if self.max_size is not None and self.total > self.max_size:
            raise InvalidInput(f"the blob is larger than the limit of {self.max_size} bytes")


def read_into(stream: BinaryIO, view: memoryview) -> int:
    """Fill ``view`` from ``stream`` without a copy where the stream allows it."""
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        n = readinto(view)
        return int(n or 0)
    data = stream.read(len(view))
    view[: len(data)] = data
    return len(data)


def iter_chunks(stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            return
        yield chunk


class BlobStore(Protocol):
    def put(
        self,
        stream: BinaryIO,
        *,
        expected_digest: str | None = None,
        max_size: int | None = None,
    ) -> BlobRef: ...

    def open(self, digest: str) -> BinaryIO: ...

    def open_range(self, digest: str, start: int, length: int) -> BinaryIO: ...

    def exists(self, digest: str) -> bool: ...

    def size(self, digest: str) -> int: ...

    def delete(self, digest: str) -> None: ...

    def check(self) -> None: ...


class VerifyingReader(io.RawIOBase):
    """Hands out the bytes of ``inner`` and checks digest and size at end of stream."""

    def __init__(self, inner: BinaryIO, *, digest: str, size: int | None = None) -> None:
        super().__init__()
        self._inner = inner
        self._digest = digest
        self._size = size
        self._hash = hashlib.sha256()
        self._count = 0
        self._verified = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        if not data:
            self._verify()
            return 0
        n = len(data)
        buffer[:n] = data
        self._hash.update(data)
        self._count += n
        return n

    def _verify(self) -> None:
        if self._verified:
            return
        actual = self._hash.hexdigest()
        if actual != self._digest or (self._size is not None and self._count != self._size):
            raise IntegrityError(
                f"blob {self._digest} is corrupt: its stored bytes hash to {actual}"
            )
        self._verified = True

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


def check_range(start: int, length: int, size: int | None = None) -> None:
    """Refuse a range that is negative or, when ``size`` is known, ends past the object."""
    if start < 0 or length < 0:
        raise InvalidInput("a byte range starts at 0 or later and has a length of 0 or more")
    if size is not None and start + length > size:
        raise InvalidInput(
            f"the range {start}-{start + length - 1} ends past the object's {size} bytes"
        )


class RangeReader(io.RawIOBase):
    """Hands out exactly ``length`` bytes of ``inner`` (positioned at the range's start):
    no more, whatever ``inner`` holds, and an :class:`IntegrityError` if it ends first
    (an object cut short in the store)."""

    def __init__(self, inner: BinaryIO, *, length: int, digest: str) -> None:
        super().__init__()
        self._inner = inner
        self._left = length
        self._digest = digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        data = self._inner.read(min(len(buffer), self._left))
        if not data:
            raise IntegrityError(f"blob {self._digest} ends before the range asked for")
        n = len(data)
        buffer[:n] = data
        self._left -= n
        return n

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


def range_reader(inner: BinaryIO, *, length: int, digest: str) -> BinaryIO:
    """A buffered :class:`RangeReader`, typed as a plain binary stream."""
    return io.BufferedReader(RangeReader(inner, length=length, digest=digest), CHUNK_SIZE)


def reader(inner: BinaryIO, *, digest: str, size: int | None = None) -> BinaryIO:
    """A buffered :class:`VerifyingReader`, typed as a plain binary stream."""
    return io.BufferedReader(VerifyingReader(inner, digest=digest, size=size), CHUNK_SIZE)


def read_all(store: BlobStore, digest: str) -> bytes:
    """Read a whole (small) blob, verified."""
    with store.open(digest) as stream:
        return stream.read()


class MemoryBlobStore:
    """In-memory store for tests, with fault injection.

    ``fail_after_bytes`` makes the next ``put`` raise :class:`OSError` after
    that many bytes (a crash mid-upload); ``corrupt(digest)`` flips a stored
    byte so that tests can see reads fail.
    """

    def __init__(self) -> None:
        self._objects: dict[str, bytes] = {}
        self.fail_after_bytes: int | None = None

    def put(
        self,
        stream: BinaryIO,
        *,
        expected_digest: str | None = None,
        max_size: int | None = None,
    ) -> BlobRef:
        hasher = hashlib.sha256()
        limit = SizeLimit(max_size)
        parts: list[bytes] = []
        fail_after, self.fail_after_bytes = self.fail_after_bytes, None
        for chunk in iter_chunks(stream):
            limit.add(len(chunk))
            if fail_after is not None and limit.total > fail_after:
                raise OSError("injected failure during put")
            hasher.update(chunk)
            parts.append(chunk)
        ref = BlobRef(hasher.hexdigest(), limit.total)
        check_expected(ref, expected_digest)
        self._objects.setdefault(ref.digest, b"".join(parts))
        return ref

    def open(self, digest: str) -> BinaryIO:
        data = self._get(digest)
        return reader(io.BytesIO(data), digest=digest, size=len(data))

    def open_range(self, digest: str, start: int, length: int) -> BinaryIO:
        data = self._get(digest)
        check_range(start, length, len(data))
        return io.BytesIO(data[start : start + length])

    def exists(self, digest: str) -> bool:
        return check_digest(digest) in self._objects

    def size(self, digest: str) -> int:
        return len(self._get(digest))

    def delete(self, digest: str) -> None:
        self._get(digest)
        del self._objects[digest]

    def check(self) -> None:
        return None

    def corrupt(self, digest: str, *, offset: int = 0) -> None:
        data = bytearray(self._get(digest))
        data[offset] ^= 0x01
        self._objects[digest] = bytes(data)

    def _get(self, digest: str) -> bytes:
        try:
            return self._objects[check_digest(digest)]
        except KeyError:
            raise NotFound(f"no blob {digest}") from None
