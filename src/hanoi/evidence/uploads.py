"""Resumable uploads (tus 1.0): staged on disk, committed to the blob store when complete.

One writer at a time (ADR 0018). A PATCH first takes an exclusive ``flock`` on the
staging file (no two processes of a host write it at once, even one whose lease ran
out while it still ran), then the upload's **lease**: one conditional UPDATE that
succeeds only if the upload is at the offset the client names and nobody holds an
unexpired lease, and that hands out a random token. Meanwhile any other PATCH is
refused (:class:`UploadBusy`, 409): the client asks for the offset (HEAD) and resumes.
The lease is released when the PATCH ends, however it ends; a process killed while it
held one leaves a lease that the next request on the same host takes over at once
(its holder would hold the flock), and that another host's waits out.

Crash safety: the offset in the database is the truth. The lease holder cuts the
staging file back to that offset (dropping bytes a killed process wrote but never
acknowledged), appends, and the bytes count as they become durable
(:mod:`hanoi.evidence.staging`): fsync, then a compare-and-swap of the offset on
(offset, lease token), which also renews the lease, so a writer that lost its lease
can never move the offset. A completed upload whose blob was not yet committed (a crash
between the last PATCH and the commit) is committed on the next ``status`` call.
Nothing becomes a blob before its SHA-256 matches the one the client announced.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Protocol, cast

from hanoi.accounts.model import Action, User
from hanoi.blobs import BlobStore
from hanoi.clock import Clock
from hanoi.errors import (
    Conflict,
    IntegrityError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RateLimited,
)
from hanoi.evidence.staging import (
    BUSY,
    CHECKPOINT_BYTES,
    ChecksumMismatch,
    Lease,
    LeaseKeepingReader,
    UploadBusy,
    exclusive,
    host_tag,
    write_body,
)
from hanoi.evidence.tus import Checksum

__all__ = [
    "ChecksumMismatch",
    "Upload",
    "UploadBusy",
    "UploadLimits",
    "UploadService",
    "UploadsStore",
]

_HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True, slots=True)
class Upload:
    id: str
    user_id: int
    length: int
    offset: int
    metadata: dict[str, str]
    expected_sha256: str | None
    digest: str | None
    created_at: datetime

    @property
    def complete(self) -> bool:
        return self.digest is not None


class UploadsStore(Protocol):
    """Storage for upload records (``hanoi.storage.uploads_repo`` implements it).

    The lease calls are the concurrency contract: ``take_lease`` and ``advance`` are
    single conditional updates, atomic against every other process on the database.
    """

    def create(self, record: Upload) -> None: ...

    def get(self, upload_id: str) -> Upload | None: ...

    def take_lease(
        self,
        upload_id: str,
        *,
        lease: str,
        offset: int,
        now: datetime,
        until: datetime,
        dead_prefix: str | None = None,
    ) -> bool:
        """Hold the upload until ``until`` if it is incomplete, at ``offset``, and its
        lease is free, expired at ``now``, or one whose token starts with
        ``dead_prefix`` (the caller knows those holders are gone); False otherwise."""
        ...

    def advance(
        self, upload_id: str, *, lease: str, old_offset: int, new_offset: int, until: datetime
    ) -> bool:
        """Compare-and-swap the offset while ``lease`` holds the upload, renewing it until
        ``until`` (``new_offset == old_offset`` only renews); False if the lease is lost."""
        ...

    def release(self, upload_id: str, *, lease: str) -> None:
        """Free the lease if ``lease`` still holds it."""
        ...

    def complete(self, upload_id: str, *, lease: str, digest: str, now: datetime) -> bool:
        """Record the digest and free the lease; False if ``lease`` no longer holds it."""
        ...

    def delete(self, upload_id: str) -> bool:
        """Remove the record; False if it was already gone."""
        ...

    def active_count(self, user_id: int) -> int: ...


@dataclass(frozen=True, slots=True)
class UploadLimits:
    max_bytes: int
    per_user: int
    lease_seconds: int = 120
    checkpoint_bytes: int = CHECKPOINT_BYTES

    @property
    def idle_seconds(self) -> float:
        """How long a PATCH waits for its next bytes before it gives up: a quarter of the
        lease, so a stalled client lets the upload go long before its lease runs out."""
        return self.lease_seconds / 4


class UploadService:
    def __init__(
        self,
        *,
        repository: UploadsStore,
        staging: Path,
        blobs: BlobStore,
        clock: Clock,
        limits: UploadLimits,
    ) -> None:
        self._repository = repository
        self._staging = staging
        self._blobs = blobs
        self._clock = clock
        self._host = host_tag()
        self.limits = limits

    def _path(self, upload_id: str) -> Path:
        return self._staging / upload_id

    def create(self, *, user: User, length: int, metadata: dict[str, str]) -> Upload:
        user.require(Action.UPLOAD_EVIDENCE)
        if length > self.limits.max_bytes:
            raise PayloadTooLarge(
                f"Upload-Length exceeds this node's limit of {self.limits.max_bytes} bytes"
            )
        expected = metadata.get("sha256")
        if expected is not None and not _HEX_SHA256.match(expected):
            raise InvalidInput("the 'sha256' metadata is 64 lower-case hexadecimal characters")
        if self._repository.active_count(user.id) >= self.limits.per_user:
            raise RateLimited(
                f"{self.limits.per_user} uploads are already in progress; finish or cancel one"
            )
        upload = Upload(
            id=secrets.token_hex(16),
            user_id=user.id,
            length=length,
            offset=0,
            metadata=metadata,
            expected_sha256=expected,
            digest=None,
            created_at=self._clock.now(),
        )
        self._staging.mkdir(parents=True, exist_ok=True)
        self._path(upload.id).touch(mode=0o600, exist_ok=False)
        self._repository.create(upload)
        if length == 0:
            return self._finish_if_free(upload)
        return upload

    def status(self, *, user: User, upload_id: str) -> Upload:
        """The upload, visible to its owner only; commits it if a crash interrupted that."""
        if not _UPLOAD_ID.match(upload_id):
            raise NotFound("no such upload")
        upload = self._repository.get(upload_id)
        if upload is None or upload.user_id != user.id:
            raise NotFound("no such upload")
        if upload.offset == upload.length and not upload.complete:
            return self._finish_if_free(upload)
        return upload

    def append(
        self,
        *,
        user: User,
        upload_id: str,
        offset: int,
        body: BinaryIO,
        checksum: Checksum | None,
    ) -> Upload:
        """Append ``body`` at ``offset`` (which must equal the current offset), holding
        the upload's lease from before the first byte until the answer."""
        upload = self.status(user=user, upload_id=upload_id)
        if upload.complete:
            raise Conflict("the upload is complete")
        if offset != upload.offset:
            raise Conflict(
                f"Upload-Offset {offset} does not match the upload's offset {upload.offset}"
            )
        with exclusive(self._path(upload.id)) as staging:
            lease = self._take(upload)
            if lease is None:
                raise UploadBusy(BUSY)
            try:
                written = write_body(
                    staging,
                    body,
                    length=upload.length,
                    checksum=checksum,
                    lease=lease,
                    every=self.limits.checkpoint_bytes,
                )
                advanced = replace(upload, offset=written)
                if written == upload.length:
                    return self._finish(advanced, staging, lease)
                return advanced
            finally:
                lease.release()

    def cancel(self, *, user: User, upload_id: str) -> None:
        """Termination. Allowed while a PATCH writes: that PATCH's next offset update
        finds no record and fails, and its bytes go to a file that no longer has a name."""
        upload = self.status(user=user, upload_id=upload_id)
        if upload.complete:
            raise Conflict("a completed upload is evidence now; it cannot be cancelled")
        self._repository.delete(upload.id)
        self._path(upload.id).unlink(missing_ok=True)

    def take_completed(self, *, user: User, upload_id: str) -> Upload:
        """A completed upload, handed over once: its record is removed, so that the same
        upload cannot become two evidence items (a form sent twice, two tabs)."""
        upload = self.status(user=user, upload_id=upload_id)
        if not upload.complete:
            raise NotFound("the upload is not complete yet")
        if not self._repository.delete(upload.id):
            raise NotFound("no such upload: it was recorded as evidence already")
        return upload

    # --- the lease -------------------------------------------------------------------------

    def _take(self, upload: Upload) -> Lease | None:
        """The upload's lease at ``upload.offset``, or None while another request holds
        it. A record that changed meanwhile (gone, complete, another offset) raises.

        Called only with the staging file's flock held, so a lease taken on this host
        whose holder would still hold the flock is known dead (a killed process) and is
        taken over at once; another host's lease is respected until it expires.
        """
        token = self._host + secrets.token_hex(12)
        now = self._clock.now()
        length = timedelta(seconds=self.limits.lease_seconds)
        if self._repository.take_lease(
            upload.id,
            lease=token,
            offset=upload.offset,
            now=now,
            until=now + length,
            dead_prefix=self._host,
        ):
            return Lease(
                upload_id=upload.id,
                token=token,
                store=self._repository,
                clock=self._clock,
                duration=length,
                offset=upload.offset,
            )
        current = self._repository.get(upload.id)
        if current is None:
            raise NotFound("no such upload")
        if current.complete:
            raise Conflict("the upload is complete")
        if current.offset != upload.offset:
            raise Conflict(
                f"Upload-Offset {upload.offset} does not match the upload's offset {current.offset}"
            )
        return None

    def _finish_if_free(self, upload: Upload) -> Upload:
        """Commit a fully written upload, unless another request holds it (and is
        committing it now): then the record as it stands."""
        try:
            with exclusive(self._path(upload.id)) as staging:
                lease = self._take(upload)
                if lease is not None:
                    try:
                        return self._finish(upload, staging, lease)
                    finally:
                        lease.release()
        except Conflict:  # busy, or finished by another request meanwhile
            pass
        current = self._repository.get(upload.id)
        if current is None:
            raise NotFound("no such upload")
        return current

    def _finish(self, upload: Upload, staging: BinaryIO, lease: Lease) -> Upload:
        staging.seek(0)
        reader = LeaseKeepingReader(staging, lease=lease, every=self.limits.checkpoint_bytes)
        try:
            ref = self._blobs.put(cast(BinaryIO, reader), expected_digest=upload.expected_sha256)
        except IntegrityError:
            # The client's bytes are not what it announced: nothing partial is kept.
            self._repository.delete(upload.id)
            self._path(upload.id).unlink(missing_ok=True)
            raise
        if ref.size != upload.length:
            raise IntegrityError("the staged upload has the wrong size; upload it again")
        if not self._repository.complete(
            upload.id, lease=lease.token, digest=ref.digest, now=self._clock.now()
        ):
            current = self._repository.get(upload.id)
            if current is None:
                raise NotFound("no such upload: it was cancelled")
            if current.digest != ref.digest:
                raise UploadBusy(BUSY)
        lease.released = True
        self._path(upload.id).unlink(missing_ok=True)
        return replace(upload, offset=upload.length, digest=ref.digest)
