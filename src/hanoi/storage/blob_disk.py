"""Blobs in a local folder: ``sha256/ab/cd/<digest>``, written crash-safely.

Write path: a temporary file under ``tmp/`` is written while hashing,
fsynced, then hard-linked to its content address (``link`` fails if the
name exists, so nothing is ever overwritten), the temporary name removed,
and the shard folder fsynced. A crash leaves at most a stray file in
``tmp/``, which :meth:`DiskBlobStore.sweep_temporary` removes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

from hanoi.errors import IntegrityError, NotFound, Unavailable
from hanoi.storage.blobs import (
    CHUNK_SIZE,
    BlobRef,
    SizeLimit,
    check_digest,
    check_expected,
    read_into,
    reader,
)

_STALE_TEMPORARY_SECONDS = 24 * 3600


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DiskBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._objects = root / "sha256"
        self._tmp = root / "tmp"

    def path_of(self, digest: str) -> Path:
        check_digest(digest)
        return self._objects / digest[:2] / digest[2:4] / digest

    def put(
        self,
        stream: BinaryIO,
        *,
        expected_digest: str | None = None,
        max_size: int | None = None,
    ) -> BlobRef:
        self._tmp.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="put-")
        tmp = Path(tmp_name)
        try:
            hasher = hashlib.sha256()
            limit = SizeLimit(max_size)
            buffer = bytearray(CHUNK_SIZE)
            view = memoryview(buffer)
            with os.fdopen(fd, "wb", buffering=0) as out:
                while True:
                    n = read_into(stream, view)
                    if not n:
                        break
                    limit.add(n)
                    hasher.update(view[:n])
                    out.write(view[:n])
                os.fsync(out.fileno())
            ref = BlobRef(hasher.hexdigest(), limit.total)
            check_expected(ref, expected_digest)
            self._commit(tmp, ref)
            return ref
        finally:
            tmp.unlink(missing_ok=True)

    def _commit(self, tmp: Path, ref: BlobRef) -> None:
        final = self.path_of(ref.digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o440)
        try:
            os.link(tmp, final)
        except FileExistsError:
            if final.stat().st_size != ref.size:
                raise IntegrityError(
                    f"blob {ref.digest} exists with a different size; the store is damaged"
                ) from None
            return
        _fsync_dir(final.parent)

    def open(self, digest: str) -> BinaryIO:
        path = self.path_of(digest)
        try:
            inner = path.open("rb", buffering=0)
        except FileNotFoundError:
            raise NotFound(f"no blob {digest}") from None
        return reader(inner, digest=digest)

    def exists(self, digest: str) -> bool:
        return self.path_of(digest).is_file()

    def size(self, digest: str) -> int:
        try:
            return self.path_of(digest).stat().st_size
        except FileNotFoundError:
            raise NotFound(f"no blob {digest}") from None

    def delete(self, digest: str) -> None:
        path = self.path_of(digest)
        try:
            path.unlink()
        except FileNotFoundError:
            raise NotFound(f"no blob {digest}") from None
        _fsync_dir(path.parent)

    def check(self) -> None:
        try:
            self._tmp.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self._tmp):
                pass
        except OSError as exc:
            raise Unavailable(f"blob folder {self.root} is not writable: {exc.strerror}") from None

    def sweep_temporary(self, *, older_than: float = _STALE_TEMPORARY_SECONDS) -> int:
        """Remove temporary files left by a crash; returns how many were removed."""
        if not self._tmp.is_dir():
            return 0
        cutoff = time.time() - older_than
        removed = 0
        for entry in self._tmp.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if entry.stat().st_mtime < cutoff:
                    entry.unlink()
                    removed += 1
        return removed
