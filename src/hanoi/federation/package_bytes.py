"""Where a package's bytes are: the node's blob store, under the SHA-256 its row records.
The one module that knows how a package is found.

Every process and host of a node shares the blob store (a folder, or an S3 bucket) and
the database, so a package packed by one process is served by any other, and a package
fetched by one is verified, accepted and exported for court by any other (ADR 0035).

- An outgoing package is held once packed: the sender puts the finished ``.tar`` into
  the store before the offer is committed, so an offered package's bytes are there.
- An incoming package counts as held only once downloaded whole (``received == size``)
  and put into the store. A digest the store holds for another reason (an evidence file,
  say) is never taken for an offered package: the receiver downloads what it was offered,
  so a sender cannot learn from the absence of a download what this node holds.
- A package of the previous version, whose file is still in the node folder and whose
  blob is not in the store, is moved into the store on first use, once its SHA-256
  matches the row's (:meth:`PackageBytes.held`).

Reading: a byte range (served with HTTP ``Range``; the receiver checks the whole), or a
copy in a temporary file for whatever needs a path (the verifier runs in a child process,
and the tar reader seeks). A package's blob is never deleted here: a package row, even
refused, keeps its bytes as evidence of what was received.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from hanoi.blobs import BlobRef, BlobStore
from hanoi.errors import IntegrityError, NotFound
from hanoi.federation.ports import Direction, PackageRow
from hanoi.federation.scratch import ScratchSpace

log = logging.getLogger("hanoi.federation")

COPY_CHUNK = 8 * 1024 * 1024


class PackageBytes:
    def __init__(self, *, blobs: BlobStore, scratch: ScratchSpace) -> None:
        self._blobs = blobs
        self.scratch = scratch
        """This host's working files (downloads, temporary copies)."""

    def keep(self, path: Path, *, sha256: str | None = None) -> BlobRef:
        """Put a finished package file into the blob store (checked against ``sha256``
        when given); durable when this returns."""
        with path.open("rb") as stream:
            return self._blobs.put(stream, expected_digest=sha256)

    def held(self, row: PackageRow) -> bool:
        """Whether the package's bytes are in the blob store (see the module's rules)."""
        if not row.sha256:
            return False  # not packed yet
        if row.direction == Direction.INCOMING and row.received < row.size:
            return False  # not downloaded whole
        if self._blobs.exists(row.sha256):
            return True
        return self._adopt(row)

    def read_range(self, row: PackageRow, start: int, length: int) -> BinaryIO:
        """The bytes ``[start, start + length)`` of the package, as stored (unchecked: the
        receiver checks the whole against the offer)."""
        self._require(row)
        return self._blobs.open_range(row.sha256, start, length)

    @contextlib.contextmanager
    def copy(self, row: PackageRow, *, checked: bool) -> Iterator[Path]:
        """The package in a temporary file while the block runs. ``checked``: its SHA-256
        is checked while it is copied (IntegrityError at the end if it differs). Unchecked,
        the bytes are copied as stored, for a verifier that checks every byte that matters
        and says which file is wrong (acceptance, the court report)."""
        self._require(row)
        with self.scratch.temporary() as path:
            if checked:
                source = self._blobs.open(row.sha256)
            else:
                source = self._blobs.open_range(row.sha256, 0, self._blobs.size(row.sha256))
            with source, path.open("wb") as out:
                shutil.copyfileobj(source, out, COPY_CHUNK)
            yield path

    def _require(self, row: PackageRow) -> None:
        if not self.held(row):
            raise NotFound(f"the bytes of package {row.id} are not held by this node")

    def _adopt(self, row: PackageRow) -> bool:
        """Move the previous version's file of the package into the blob store, if it is
        still in the node folder and matches the row's SHA-256; True if moved."""
        old = self.scratch.legacy(row.direction, row.id)
        if old is None:
            return False
        try:
            ref = self.keep(old, sha256=row.sha256)
        except IntegrityError:
            log.warning(
                "package %s: the file %s of the previous version does not match the SHA-256 "
                "of its row; left where it is, not used",
                row.id,
                old.name,
            )
            return False
        except FileNotFoundError:  # another process moved it meanwhile
            return self._blobs.exists(row.sha256)
        self.scratch.retire_legacy(row.direction, row.id)
        log.info("package %s: moved into the blob store (%d bytes)", row.id, ref.size)
        return True
