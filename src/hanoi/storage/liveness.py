"""Which processes of this host are alive: each holds a ``flock`` on a file of its own in a
folder of the node, for as long as it runs (a :class:`~hanoi.leases.Liveness`).

The kernel drops a process's locks when it ends, however it ends (``kill -9`` too). So a
process that finds another's file in the folder with no lock on it knows that process is
gone, and takes over its leases at once instead of waiting for them to run out: a node
restarted after a crash resumes its packages within a round (ADR 0035, as ADR 0018 does
for uploads). A process whose file is not in the folder (another host's, or another
folder's) is never taken for dead: its leases are waited out. The lock is no mutual
exclusion: the leases in the database are.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import time
from pathlib import Path

FORGET_AFTER_SECONDS = 24 * 3600
"""A dead process's file is removed once this old: any lease it held ended long before."""


class FolderLiveness:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._held: dict[str, int] = {}
        """Open descriptors of this process's own files: closing one drops its lock."""

    def _file(self, process: str) -> Path:
        return self._folder / f"{hashlib.sha256(process.encode()).hexdigest()[:32]}.alive"

    def announce(self, process: str) -> None:
        """Lock a file named for ``process`` before it appears under its name, so that no
        one ever sees it unlocked while the process lives; and clear the files of
        processes that ended."""
        self._folder.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - FORGET_AFTER_SECONDS
        for stale in self._folder.glob("*.alive"):
            with contextlib.suppress(FileNotFoundError):
                if stale.stat().st_mtime < cutoff and self._gone(stale):
                    stale.unlink()
        fd, tmp = tempfile.mkstemp(dir=self._folder, prefix=".alive-")
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, process.encode())
        os.replace(tmp, self._file(process))
        self._held[process] = fd

    def dead(self, process: str) -> bool:
        if process in self._held:
            return False
        return self._gone(self._file(process))

    def close(self) -> None:
        """Drop this process's files (a clean stop)."""
        for process, fd in list(self._held.items()):
            self._file(process).unlink(missing_ok=True)
            os.close(fd)
            del self._held[process]

    @staticmethod
    def _gone(path: Path) -> bool:
        """True if ``path`` exists and nobody holds its lock. The file stays: every other
        process of the host may need to know too, until it is old (:meth:`announce`)."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True
        finally:
            os.close(fd)
