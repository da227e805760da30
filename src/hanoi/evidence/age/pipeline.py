"""Overlapping work in one pass: ordered background sinks and reusable buffers.

Encryption (OpenSSL), SHA-256 (``hashlib``) and file writes all release the
GIL on large buffers. The reader and writer therefore hand each finished buffer
to :class:`OrderedSink`s, one background thread per sink (the output stream, a
digest), while the calling thread goes on to the next buffer. A :class:`Slot`
remembers what is still using its buffer and is reused only once all of it has
finished, so memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol

from hanoi.errors import InvalidInput

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class Digest(Protocol):
    """Anything with ``update``: a ``hashlib`` object, or a callback wrapper.

    ``update`` is called in order, on one thread at a time, with buffers that
    are valid only during the call.
    """

    def update(self, data: ReadableBuffer, /) -> None: ...


class OrderedSink:
    """Applies ``fn`` to buffers in the order submitted, on one background thread.

    With ``background=False`` it applies ``fn`` at once, in the caller's thread.
    The thread starts at the first submission and stops at :meth:`shutdown`.
    """

    def __init__(self, fn: Callable[[memoryview], object], *, background: bool, name: str) -> None:
        self._fn = fn
        self._background = background
        self._name = name
        self._executor: ThreadPoolExecutor | None = None
        self._last: Future[object] | None = None
        self._error: BaseException | None = None

    def _run(self, data: memoryview) -> None:
        if self._error is not None:  # after a failure, later buffers are dropped
            return
        try:
            self._fn(data)
        except BaseException as exc:
            self._error = exc
            raise

    def submit(self, data: memoryview) -> Future[object] | None:
        if not self._background:
            self._fn(data)
            return None
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self._name)
        self._last = self._executor.submit(self._run, data)
        return self._last

    def drain(self) -> None:
        """Wait for everything submitted so far; re-raise the first error."""
        if self._last is not None:
            self._last.exception()
        if self._error is not None:
            raise self._error

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self._last = None


class Slot:
    """A reusable buffer and the background work still reading it."""

    def __init__(self, size: int) -> None:
        self.buffer = bytearray(size)
        self.view = memoryview(self.buffer)
        self._pending: list[Future[object]] = []

    def hold(self, future: Future[object] | None) -> None:
        if future is not None:
            self._pending.append(future)

    def release(self) -> None:
        """Wait until no background work reads the buffer; re-raise its errors."""
        pending, self._pending = self._pending, []
        for future in pending:
            if not future.cancelled():  # cancelled work never touched the buffer
                future.result()


class Ring:
    """Slots used in rotation; :meth:`next` hands out the next one once it is free."""

    def __init__(self, *, count: int, size: int) -> None:
        self._slots = [Slot(size) for _ in range(count)]
        self._turn = 0

    def next(self) -> Slot:
        slot = self._slots[self._turn % len(self._slots)]
        self._turn += 1
        slot.release()
        return slot


@dataclass(frozen=True, slots=True)
class StreamStats:
    """Sizes seen in one pass: the plaintext, and the age file as stored (armor included)."""

    plaintext_bytes: int
    ciphertext_bytes: int


def write_all(dst: BinaryIO, data: memoryview) -> None:
    """Write every byte of ``data``: raw streams may accept only part of a buffer."""
    while data:
        written = dst.write(data)
        if written is None:
            raise InvalidInput("non-blocking output streams are not supported")
        data = data[written:]


def readinto_of(src: BinaryIO) -> Callable[[memoryview], int]:
    """``src.readinto`` where the stream has it, else ``read`` and a copy."""
    readinto = getattr(src, "readinto", None)

    def fill(view: memoryview) -> int:
        if readinto is None:
            data = src.read(len(view))
            view[: len(data)] = data
            return len(data)
        n = readinto(view)
        if n is None:
            raise InvalidInput("non-blocking input streams are not supported")
        return int(n)

    return fill


def read_full(readinto: Callable[[memoryview], int], view: memoryview) -> int:
    """Fill ``view``; return the bytes read, fewer only at the end of the stream."""
    filled = 0
    while filled < len(view):
        n = readinto(view[filled:])
        if not n:
            break
        filled += n
    return filled
