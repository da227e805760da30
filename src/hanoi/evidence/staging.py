"""One PATCH's bytes onto an upload's staging file, under the upload's lease.

The rules that keep an upload whole when requests race, stall or die (ADR 0018):

1. One writer: an exclusive ``flock`` on the staging file (:func:`exclusive`), then a
   :class:`Lease` taken in the database (by :class:`hanoi.evidence.uploads.UploadService`)
   and released before the flock. So a process that holds the flock knows that a lease
   taken on its own host (:func:`host_tag` starts the token) has a dead holder.
2. The offset only moves by compare-and-swap on (offset, lease token), and only over
   bytes already fsynced (:func:`write_body`); each move renews the lease. A writer
   that lost its lease gets :class:`UploadBusy` at its next move and moves nothing.
3. Without ``Upload-Checksum`` the bytes count as they become durable: every
   ``every`` bytes (8 MiB), every third of the lease, at the end, and when the body is
   cut short (:class:`BodyInterrupted`: what arrived is kept, as tus asks). A crash
   loses at most the last unsynced stretch.
4. With ``Upload-Checksum`` a PATCH is all or nothing (tus checksum extension): its
   bytes count only once the whole body matches; until then the lease is only renewed.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Protocol

from hanoi.clock import Clock
from hanoi.errors import Conflict, IntegrityError, InvalidInput, NotFound
from hanoi.evidence.tus import Checksum

CHECKPOINT_BYTES = 8 * 1024 * 1024
READ_BYTES = 1024 * 1024

BUSY = (
    "another request is writing to this upload; ask for its offset (HEAD) and resume "
    "from there in a moment"
)
LOST = (
    "this request lost its lease on the upload (it waited too long for bytes, and "
    "another request took the upload over); ask for the offset (HEAD) and resume"
)


class UploadBusy(Conflict):
    """Another request holds the upload's lease (HTTP 409): ask for the offset, resume."""

    title = "Upload busy"
    type_slug = "upload-busy"


class ChecksumMismatch(IntegrityError):
    """tus ``checksum`` extension: the PATCH body does not match Upload-Checksum (HTTP 460)."""

    title = "Checksum mismatch"
    type_slug = "checksum-mismatch"


class BodyInterrupted(InvalidInput):
    """The body stopped before its end: the client went away, or sent nothing for longer
    than the idle timeout. Raised by the body's ``read()``; the web layer subclasses it."""

    title = "Request body interrupted"
    type_slug = "body-interrupted"


class _LeaseStore(Protocol):
    def advance(
        self, upload_id: str, *, lease: str, old_offset: int, new_offset: int, until: datetime
    ) -> bool: ...

    def release(self, upload_id: str, *, lease: str) -> None: ...


@dataclass(kw_only=True)
class Lease:
    """A held lease: the token, and the offset the database has under it."""

    upload_id: str
    token: str
    store: _LeaseStore
    clock: Clock
    duration: timedelta
    offset: int
    released: bool = False
    renewed_at: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.renewed_at = self.clock.now()

    def due(self) -> bool:
        """A third of the lease has gone by since it was last renewed."""
        return self.clock.now() - self.renewed_at >= self.duration / 3

    def advance(self, offset: int) -> None:
        """Move the offset to ``offset`` (or keep it) and renew; UploadBusy if lost."""
        now = self.clock.now()
        if not self.store.advance(
            self.upload_id,
            lease=self.token,
            old_offset=self.offset,
            new_offset=offset,
            until=now + self.duration,
        ):
            raise UploadBusy(LOST)
        self.offset = offset
        self.renewed_at = now

    def renew(self) -> None:
        self.advance(self.offset)

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.store.release(self.upload_id, lease=self.token)


@contextmanager
def exclusive(path: Path) -> Iterator[BinaryIO]:
    """The staging file, open for writing under an exclusive ``flock`` (closing the file
    releases it). Never waits: a holder means a writer still runs, so UploadBusy."""
    try:
        staging = path.open("r+b")
    except FileNotFoundError:
        raise NotFound("no such upload: it was cancelled") from None
    with staging:
        try:
            fcntl.flock(staging.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadBusy(BUSY) from None
        yield staging


def host_tag() -> str:
    """Eight hex characters naming this host (its name and machine id), the start of
    every lease token taken here."""
    try:
        machine = Path("/etc/machine-id").read_bytes().strip()
    except OSError:
        machine = b""
    return hashlib.sha256(socket.gethostname().encode() + b"/" + machine).hexdigest()[:8]


def _checkpoint(staging: BinaryIO, lease: Lease, offset: int) -> None:
    """fsync, then count the bytes up to ``offset`` (or only renew the lease)."""
    if offset > lease.offset:
        staging.flush()
        os.fsync(staging.fileno())
    lease.advance(offset)


def write_body(
    staging: BinaryIO,
    body: BinaryIO,
    *,
    length: int,
    checksum: Checksum | None,
    lease: Lease,
    every: int = CHECKPOINT_BYTES,
) -> int:
    """Append ``body`` at the lease's offset; the durable offset after it (rules 2-4).

    ``body.read(n)`` may return fewer bytes than asked, as soon as some arrived.
    """
    hasher = hashlib.sha256() if checksum is not None else None
    staging.truncate(lease.offset)  # drop bytes that were never acknowledged
    staging.seek(lease.offset)
    position = lease.offset
    unsynced = 0
    try:
        while chunk := body.read(READ_BYTES):
            if position + len(chunk) > length:
                raise InvalidInput(f"the body goes past Upload-Length ({length} bytes)")
            staging.write(chunk)
            position += len(chunk)
            unsynced += len(chunk)
            if hasher is not None:
                hasher.update(chunk)
            if unsynced >= every or lease.due():
                _checkpoint(staging, lease, lease.offset if hasher is not None else position)
                unsynced = 0
    except BodyInterrupted:
        if hasher is None and position > lease.offset:
            _checkpoint(staging, lease, position)  # keep what arrived
        raise
    if checksum is not None and hasher is not None and hasher.digest() != checksum.digest:
        raise ChecksumMismatch("the body does not match Upload-Checksum")
    _checkpoint(staging, lease, position)
    return position


class LeaseKeepingReader:
    """The staging file as the blob store reads it at commit time, renewing the lease as
    it goes: hashing a large upload can take longer than a lease."""

    def __init__(self, inner: BinaryIO, *, lease: Lease, every: int = CHECKPOINT_BYTES) -> None:
        self._inner = inner
        self._lease = lease
        self._every = every
        self._count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self._count += len(data)
        if self._count >= self._every or self._lease.due():
            self._lease.renew()
            self._count = 0
        return data
