"""Resumable uploads (tus 1.0): staged on disk, committed to the blob store when complete.

Crash safety: the offset in the database is the truth. A PATCH first cuts the
staging file back to that offset (dropping bytes a killed process wrote but never
acknowledged), appends, fsyncs, and only then advances the offset by
compare-and-swap. A completed upload whose blob was not yet committed (a crash
between the last PATCH and the commit) is committed on the next ``status`` call.
Nothing becomes a blob before its SHA-256 matches the one the client announced.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from hanoi.accounts.model import Action, User
from hanoi.clock import Clock
from hanoi.errors import (
    Conflict,
    IntegrityError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RateLimited,
)
from hanoi.evidence.tus import Checksum
from hanoi.storage.blobs import BlobStore

_HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


class ChecksumMismatch(IntegrityError):
    """tus ``checksum`` extension: the PATCH body does not match Upload-Checksum (HTTP 460)."""

    title = "Checksum mismatch"
    type_slug = "checksum-mismatch"


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
    """Storage for upload records (``hanoi.storage.uploads_repo`` implements it)."""

    def create(self, record: Upload) -> None: ...

    def get(self, upload_id: str) -> Upload | None: ...

    def advance(self, upload_id: str, *, old_offset: int, new_offset: int) -> bool: ...

    def complete(self, upload_id: str, *, digest: str, now: datetime) -> None: ...

    def delete(self, upload_id: str) -> bool:
        """Remove the record; False if it was already gone."""
        ...

    def active_count(self, user_id: int) -> int: ...


@dataclass(frozen=True, slots=True)
class UploadLimits:
    max_bytes: int
    per_user: int


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
            return self._finish(upload)
        return upload

    def status(self, *, user: User, upload_id: str) -> Upload:
        """The upload, visible to its owner only; commits it if a crash interrupted that."""
        if not _UPLOAD_ID.match(upload_id):
            raise NotFound("no such upload")
        upload = self._repository.get(upload_id)
        if upload is None or upload.user_id != user.id:
            raise NotFound("no such upload")
        if upload.offset == upload.length and not upload.complete:
            return self._finish(upload)
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
        """Append ``body`` at ``offset`` (which must equal the current offset)."""
        upload = self.status(user=user, upload_id=upload_id)
        if upload.complete:
            raise Conflict("the upload is complete")
        if offset != upload.offset:
            raise Conflict(
                f"Upload-Offset {offset} does not match the upload's offset {upload.offset}"
            )
        hasher = hashlib.sha256()
        path = self._path(upload.id)
        with path.open("r+b") as staging:
            staging.truncate(upload.offset)  # drop bytes that were never acknowledged
            staging.seek(upload.offset)
            written = 0
            try:
                while chunk := body.read(1024 * 1024):
                    written += len(chunk)
                    if upload.offset + written > upload.length:
                        raise InvalidInput(
                            f"the body goes past Upload-Length ({upload.length} bytes)"
                        )
                    hasher.update(chunk)
                    staging.write(chunk)
                if checksum is not None and hasher.digest() != checksum.digest:
                    raise ChecksumMismatch("the body does not match Upload-Checksum")
                staging.flush()
                os.fsync(staging.fileno())
            except BaseException:
                staging.truncate(upload.offset)
                raise
        new_offset = upload.offset + written
        if not self._repository.advance(upload.id, old_offset=upload.offset, new_offset=new_offset):
            raise Conflict("another request changed this upload at the same time")
        advanced = replace(upload, offset=new_offset)
        if new_offset == upload.length:
            return self._finish(advanced)
        return advanced

    def cancel(self, *, user: User, upload_id: str) -> None:
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

    def _finish(self, upload: Upload) -> Upload:
        path = self._path(upload.id)
        try:
            with path.open("rb") as staged:
                ref = self._blobs.put(staged, expected_digest=upload.expected_sha256)
        except IntegrityError:
            # The client's bytes are not what it announced: nothing partial is kept.
            self._repository.delete(upload.id)
            path.unlink(missing_ok=True)
            raise
        if ref.size != upload.length:
            raise IntegrityError("the staged upload has the wrong size; upload it again")
        self._repository.complete(upload.id, digest=ref.digest, now=self._clock.now())
        path.unlink(missing_ok=True)
        return replace(upload, offset=upload.length, digest=ref.digest)
