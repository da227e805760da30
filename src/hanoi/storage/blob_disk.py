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
import itertools
import os
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from hanoi.errors import IntegrityError, NotFound, Unavailable
from hanoi.storage.blobs import (
    BlobRef,
    SizeLimit,
    check_digest,
    check_expected,
    read_into,
    reader,
)

_STALE_TEMPORARY_SECONDS = 24 * 3600
PIPELINE_CHUNK = 4 * 1024 * 1024


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(out: BinaryIO, data: memoryview) -> None:
    while data:
        written = out.write(data)
        data = data[written:]


def _copy_hashing(stream: BinaryIO, out: BinaryIO, limit: SizeLimit) -> BlobRef:
    """Copy ``stream`` to ``out`` while hashing, in one pass.

    Hashing (in this thread) and writing (in a helper thread) overlap: both
    release the GIL on large buffers. Three rotating buffers guarantee that the
    buffer being read into is neither being hashed nor being written.
    """
    hasher = hashlib.sha256()
    buffers = [memoryview(bytearray(PIPELINE_CHUNK)) for _ in range(3)]
    pending: Future[None] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="blob-write") as writer:
        for turn in itertools.count():
            view = buffers[turn % 3]
            n = read_into(stream, view)
            if not n:
                break
            limit.add(n)
            chunk = view[:n]
            if pending is not None:
                pending.result()
            pending = writer.submit(_write_all, out, chunk)
            hasher.update(chunk)
        if pending is not None:
            pending.result()
    return BlobRef(hasher.hexdigest(), limit.total)


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
            with os.fdopen(fd, "wb", buffering=0) as out:
                ref = _copy_hashing(stream, out, SizeLimit(max_size))
                os.fsync(out.fileno())
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
