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
import mmap
import os
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from hanoi.blobs import (
    BlobRef,
    SizeLimit,
    check_digest,
    check_expected,
    check_range,
    range_reader,
    read_into,
    reader,
)
from hanoi.errors import IntegrityError, NotFound, Unavailable
from hanoi.files import fsync_folder

_STALE_TEMPORARY_SECONDS = 24 * 3600
PIPELINE_CHUNK = 8 * 1024 * 1024


ALIGN = 4096  # O_DIRECT needs aligned buffers, offsets and sizes


def _fill(stream: BinaryIO, view: memoryview) -> int:
    """Read until ``view`` is full or the stream ends (sockets return short reads)."""
    filled = 0
    while filled < len(view):
        n = read_into(stream, view[filled:])
        if not n:
            break
        filled += n
    return filled


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        data = data[os.write(fd, data) :]


def _open_direct(path: Path) -> int | None:
    """An O_DIRECT descriptor for ``path``, or None where the filesystem has none (tmpfs)."""
    flag = getattr(os, "O_DIRECT", 0)
    if not flag:
        return None
    try:
        return os.open(path, os.O_WRONLY | flag)
    except OSError:
        return None


def _copy_hashing(stream: BinaryIO, path: Path, limit: SizeLimit) -> BlobRef:
    """Copy ``stream`` into the file at ``path`` while hashing, in one pass, and fsync it.

    Hashing (in this thread) and writing (in a helper thread) overlap: both release
    the GIL. Writes bypass the page cache (O_DIRECT) where the filesystem allows, so
    the data reaches the disk while it is hashed instead of piling up for the final
    fsync; the unaligned tail goes through an ordinary write. Three rotating,
    page-aligned buffers guarantee that the buffer being filled is neither being
    hashed nor being written.
    """
    hasher = hashlib.sha256()
    buffers = [mmap.mmap(-1, PIPELINE_CHUNK) for _ in range(3)]
    direct = _open_direct(path)
    fd = direct if direct is not None else os.open(path, os.O_WRONLY)
    tail = b""
    pending: Future[None] | None = None
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="blob-write") as writer:
            for turn in itertools.count():
                view = memoryview(buffers[turn % 3])
                n = _fill(stream, view)
                if not n:
                    break
                limit.add(n)
                aligned = n - n % ALIGN if direct is not None else n
                if pending is not None:
                    pending.result()
                    pending = None
                if aligned:
                    pending = writer.submit(_write_all, fd, view[:aligned])
                hasher.update(view[:n])
                if aligned < n:
                    tail = bytes(view[aligned:n])  # only the last chunk can be short
            if pending is not None:
                pending.result()
        if tail:
            os.close(fd)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
            _write_all(fd, memoryview(tail))
        os.fsync(fd)
    finally:
        os.close(fd)  # the buffers are unmapped when the last view of them is gone
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
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            ref = _copy_hashing(stream, tmp, SizeLimit(max_size))
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
        fsync_folder(final.parent)

    def open(self, digest: str) -> BinaryIO:
        path = self.path_of(digest)
        try:
            inner = path.open("rb", buffering=0)
        except FileNotFoundError:
            raise NotFound(f"no blob {digest}") from None
        return reader(inner, digest=digest)

    def open_range(self, digest: str, start: int, length: int) -> BinaryIO:
        """A seek into the object's file: only the range is read."""
        path = self.path_of(digest)
        check_range(start, length)
        try:
            inner = path.open("rb", buffering=0)
        except FileNotFoundError:
            raise NotFound(f"no blob {digest}") from None
        try:
            check_range(start, length, os.fstat(inner.fileno()).st_size)
            inner.seek(start)
        except BaseException:
            inner.close()
            raise
        return range_reader(inner, length=length, digest=digest)

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
        fsync_folder(path.parent)

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
