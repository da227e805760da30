"""The raw input of a reader: peeked, counted, and hashed as it is read.

The ciphertext digest must cover the file exactly as stored, armor included,
in one pass. Bytes read as ``bytes`` objects (the header, armored text) are
immutable and go to the digest's background sink as they are; bytes read into
a reused buffer are hashed there, and the buffer's :class:`Slot` is held until
the digest has seen them.
"""

from __future__ import annotations

from typing import BinaryIO

from hanoi.evidence.age.pipeline import OrderedSink, Slot, readinto_of
from hanoi.evidence.age.spec import ARMOR_BEGIN


class RawSource:
    """The raw input: a peeked prefix, then ``src``; it counts and hashes what it reads."""

    def __init__(self, src: BinaryIO, sink: OrderedSink | None) -> None:
        self._src = src
        self._readinto = readinto_of(src)
        self._sink = sink
        self._prefix = b""
        self.size = 0

    def _seen(self, data: bytes) -> bytes:
        self.size += len(data)
        if self._sink is not None and data:
            self._sink.submit(memoryview(data))
        return data

    def peek(self, size: int) -> bytes:
        """The first ``size`` bytes (fewer at the end), kept to be read again."""
        while len(self._prefix) < size:
            more = self._seen(self._src.read(size - len(self._prefix)))
            if not more:
                break
            self._prefix += more
        return self._prefix

    def read(self, size: int) -> bytes:
        if self._prefix:
            data, self._prefix = self._prefix[:size], self._prefix[size:]
            return data
        return self._seen(self._src.read(size))

    def readinto(self, view: memoryview, holder: Slot) -> int:
        """Read into ``view``; ``holder`` keeps the buffer until it is hashed."""
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        n = self._readinto(view)
        self.size += n
        if self._sink is not None and n:
            holder.hold(self._sink.submit(view[:n]))
        return n


def looks_armored(start: bytes) -> bool:
    """Whether a file starts, after whitespace, with the armor's BEGIN line (as ``age`` decides)."""
    return start.strip().startswith(ARMOR_BEGIN)
