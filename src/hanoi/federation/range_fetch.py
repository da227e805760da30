"""Downloading an evidence package from its sender with HTTP ``Range`` requests.

The package goes into a ``.part`` file that survives restarts: a new attempt hashes the
bytes kept from before once, then asks for the rest, one range per request (``chunk``
bytes, 64 MiB by default), each synced to disk before the next is asked for. Blocks are
written and hashed on a second thread while the next one arrives (both calls release the
GIL). The whole download must have the size and SHA-256 of the offer; then the ``.part``
file becomes the ``.tar`` file, atomically. Bytes that do not match are deleted and the
error says so (:class:`Corrupt`): the caller fetches once more before it refuses the
package.

A sender that answers anything but ``206``, sends more than the range asked for or less
than it, raises an ``httpx`` error or an :class:`~hanoi.errors.IntegrityError`: the caller
decides when to try again (:mod:`hanoi.federation.receiving`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx

from hanoi.errors import IntegrityError

PACKAGES_PATH = "/federation/v1/packages"
"""Where a node serves its outgoing packages, by id (``hanoi.web.transfers``)."""
CHUNK = 64 * 1024 * 1024
BLOCK = 4 * 1024 * 1024


class Corrupt(IntegrityError):
    """Downloaded bytes that do not match the offer: discarded, and fetched again."""


def package_url(node_url: str, package_id: str) -> str:
    """The URL of a package on its sending node."""
    return node_url.rstrip("/") + f"{PACKAGES_PATH}/{package_id}"


class RangeFetch:
    def __init__(
        self,
        *,
        client: Callable[[], httpx.Client] = lambda: httpx.Client(timeout=60),
        chunk_bytes: int = CHUNK,
        received: Callable[[int], object] = lambda _count: None,
    ) -> None:
        self._client = client
        self._chunk = chunk_bytes
        self._received = received
        """Told the size of each block as it arrives (the node's transfer-bytes counter)."""

    def fetch(
        self,
        url: str,
        *,
        part: Path,
        final: Path,
        size: int,
        sha256: str,
        peer: str,
        progress: Callable[[int], None],
    ) -> Path:
        """Download ``url`` into ``final``, resuming from the bytes already in ``part``;
        ``progress`` is told the bytes on disk before the first range and after each."""
        if final.exists():
            return final
        have = part.stat().st_size if part.exists() else 0
        if have > size:
            part.unlink()
            have = 0
        hasher = hashlib.sha256()
        if have:
            with part.open("rb") as done:  # the bytes kept from before: hashed once
                while block := done.read(CHUNK):
                    hasher.update(block)
        progress(have)

        def keep(block: bytes) -> None:  # on a second thread: both calls release the GIL
            out.write(block)
            hasher.update(block)

        with (
            self._client() as client,
            part.open("ab") as out,
            ThreadPoolExecutor(max_workers=1) as disk,
        ):
            while have < size:  # one range per request: each is on disk before the next
                last = min(have + self._chunk, size) - 1
                wanted = last - have + 1
                got = 0
                with client.stream("GET", url, headers={"Range": f"bytes={have}-{last}"}) as answer:
                    if answer.status_code != 206:
                        raise httpx.HTTPStatusError(
                            f"{peer} answered {answer.status_code} to a range request",
                            request=answer.request,
                            response=answer,
                        )
                    pending: Future[None] | None = None
                    for block in answer.iter_raw(BLOCK):
                        got += len(block)
                        self._received(len(block))
                        if got > wanted:
                            raise IntegrityError("the peer sent more than the range asked for")
                        if pending is not None:
                            pending.result()  # in order, and at most one block in flight
                        pending = disk.submit(keep, block)
                    if pending is not None:
                        pending.result()
                if got != wanted:
                    raise httpx.TransportError(f"short range: {got} of {wanted} bytes")
                out.flush()
                os.fsync(out.fileno())
                have = last + 1
                progress(have)
        if hasher.hexdigest() != sha256:
            part.unlink()
            raise Corrupt("the download does not match the SHA-256 of the offer")
        os.replace(part, final)
        return final
