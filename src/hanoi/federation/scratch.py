"""A host's working files for evidence packages, and where the previous version kept them:
the one module that knows a path layout for packages.

A package's bytes live in the node's blob store, shared by every process and host of the
node (:mod:`hanoi.federation.package_bytes`). What stays on a host, under the node folder:

- ``scratch/incoming/<id>.part``: a download in progress, kept across restarts so that
  it resumes (:mod:`hanoi.federation.range_fetch`), then ``<id>.tar`` once checked whole,
  until it is in the blob store. Node-local on purpose: a partial download is worth
  nothing to another host, and a host that takes a package over from another starts its
  own download (ADR 0035);
- ``scratch/tmp/``: a package being packed, or copied out of the blob store for a child
  process that needs a path; each in a folder of its own, removed when done. What a
  crash leaves there is swept after a day (:meth:`ScratchSpace.sweep`);
- ``packages/<direction>/<id>.tar`` (and ``.part``): the previous version's files, read
  once to move them into the blob store, then removed (:meth:`ScratchSpace.legacy`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from hanoi.errors import InvalidInput

_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # what an offer may name (messages.REQUEST_ID)
STALE_SECONDS = 24 * 3600


class ScratchSpace:
    def __init__(self, node_dir: Path) -> None:
        self._root = node_dir / "scratch"
        self._incoming = self._root / "incoming"
        self._tmp = self._root / "tmp"
        self._legacy = node_dir / "packages"

    # --- downloads --------------------------------------------------------------------------

    def part(self, package_id: str) -> Path:
        """Where the download of an incoming package grows; a download the previous version
        left unfinished is moved here, so it resumes."""
        part = self._incoming / f"{_checked(package_id)}.part"
        old = self._legacy / "incoming" / f"{package_id}.part"
        if not part.exists() and old.is_file():
            self._incoming.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):  # another process moved it first
                os.replace(old, part)
        self._incoming.mkdir(parents=True, exist_ok=True)
        return part

    def downloaded(self, package_id: str) -> Path:
        """Where a download checked whole waits to be put into the blob store."""
        self._incoming.mkdir(parents=True, exist_ok=True)
        return self._incoming / f"{_checked(package_id)}.tar"

    def discard(self, package_id: str) -> None:
        """Forget this host's download of a package (done, refused or given up)."""
        for suffix in (".part", ".tar"):
            (self._incoming / f"{_checked(package_id)}{suffix}").unlink(missing_ok=True)

    # --- temporary files --------------------------------------------------------------------

    @contextlib.contextmanager
    def temporary(self, name: str = "package.tar") -> Iterator[Path]:
        """A path ``name`` in a new folder of its own (nothing there yet), removed with
        whatever is in it when the block ends."""
        self._tmp.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=self._tmp, prefix="package-"))
        try:
            yield folder / name
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def sweep(self, *, older_than: float = STALE_SECONDS) -> int:
        """Remove the temporary folders a crash left a day or more ago; how many."""
        if not self._tmp.is_dir():
            return 0
        cutoff = time.time() - older_than
        removed = 0
        for entry in self._tmp.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if entry.stat().st_mtime < cutoff:
                    shutil.rmtree(entry, ignore_errors=True)
                    removed += 1
        return removed

    # --- the previous version's files -------------------------------------------------------

    def legacy(self, direction: str, package_id: str) -> Path | None:
        """The previous version's whole file of a package, if this host still has it."""
        path = self._legacy / direction / f"{_checked(package_id)}.tar"
        return path if path.is_file() else None

    def retire_legacy(self, direction: str, package_id: str) -> None:
        """Remove the previous version's files of a package once its bytes are in the blob
        store (its lock file too: locks are leases now)."""
        for suffix in (".tar", ".lock"):
            (self._legacy / direction / f"{_checked(package_id)}{suffix}").unlink(missing_ok=True)


def _checked(package_id: str) -> str:
    """A package id as a file name: never a path (an offer names the id of an incoming
    package, and the message's rule is checked here again)."""
    if not _ID.fullmatch(package_id) or package_id in (".", ".."):
        raise InvalidInput("a package id is 1-128 letters, digits, . _ : -")
    return package_id
