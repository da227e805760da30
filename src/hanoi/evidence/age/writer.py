"""Encrypting to age as a stream: :class:`Encryptor` and :func:`encrypt_file`.

Plaintext is gathered in 1 MiB slots (16 chunks), sealed in one pass per slot,
and the ciphertext handed to background sinks: the output stream, and the
optional plaintext and ciphertext digests. So one pass over the data gives
the age file, its SHA-256 and the plaintext's SHA-256, with hashing, sealing
and writing overlapping on separate cores. Memory stays at a few slots.

A full slot is sealed only once more data arrives, because the last chunk of
the stream must carry the final flag; :meth:`Encryptor.close` seals the rest.
An :class:`Encryptor` that is not closed (an exception inside ``with``, or
garbage collection) is aborted, never finished: its output then lacks a final
chunk and every age reader refuses it, instead of accepting a truncated file.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO

from hanoi.errors import InvalidInput
from hanoi.evidence.age.armor import ArmorEncoder
from hanoi.evidence.age.keys import Recipient, build_header, new_file_key
from hanoi.evidence.age.pipeline import (
    Digest,
    OrderedSink,
    Ring,
    Slot,
    StreamStats,
    read_full,
    readinto_of,
    write_all,
)
from hanoi.evidence.age.primitives import payload_key
from hanoi.evidence.age.spec import CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, PAYLOAD_NONCE_SIZE
from hanoi.evidence.age.stream import PayloadSealer

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

BATCH_CHUNKS = 16
_PLAIN_SLOT = BATCH_CHUNKS * CHUNK_SIZE
_CIPHER_SLOT = BATCH_CHUNKS * ENCRYPTED_CHUNK_SIZE
_SLOTS = 3


class _Output:
    """Where ciphertext goes: the stream (armored or not), counted, and its digest."""

    def __init__(self, dst: BinaryIO, *, armor: bool, digest: Digest | None) -> None:
        self.size = 0
        self._dst = dst
        self._digest = digest
        self._armor = ArmorEncoder(self._emit) if armor else None

    def _emit(self, data: bytes | memoryview) -> None:
        if self._digest is not None:
            self._digest.update(data)
        write_all(self._dst, memoryview(data))
        self.size += len(data)

    def write(self, data: memoryview) -> None:
        if self._armor is not None:
            self._armor.write(data)
        else:
            self._emit(data)

    def finish(self) -> None:
        if self._armor is not None:
            self._armor.finish()


class Encryptor(io.RawIOBase):
    """A write-only binary stream that writes an age file to ``dst``.

    ``dst`` is written from a background thread (unless ``background=False``)
    and must not be used until :meth:`close` returns; it is not closed. The
    digests receive the plaintext and the bytes written to ``dst`` (armor
    included) and are complete when :meth:`close` returns.
    """

    def __init__(
        self,
        dst: BinaryIO,
        recipients: Sequence[Recipient],
        *,
        armor: bool = False,
        plaintext_hash: Digest | None = None,
        ciphertext_hash: Digest | None = None,
        background: bool = True,
    ) -> None:
        super().__init__()
        file_key = new_file_key()
        header = build_header(file_key, recipients).encode()
        nonce = os.urandom(PAYLOAD_NONCE_SIZE)
        self._sealer = PayloadSealer(payload_key(file_key, nonce))
        self._output = _Output(dst, armor=armor, digest=ciphertext_hash)
        self._out_sink = OrderedSink(self._output.write, background=background, name="age-write")
        self._plain_sink = (
            OrderedSink(plaintext_hash.update, background=background, name="age-hash")
            if plaintext_hash is not None
            else None
        )
        self._plain = Ring(count=_SLOTS, size=_PLAIN_SLOT)
        self._cipher = Ring(count=_SLOTS, size=_CIPHER_SLOT)
        self._slot = self._plain.next()
        self._spare: Slot | None = None  # the next slot, taken before it is known to be needed
        self._fill = 0
        self._plaintext_bytes = 0
        self._failed = False
        self._stopping = False
        self._out_sink.submit(memoryview(header + nonce))

    @property
    def plaintext_bytes(self) -> int:
        return self._plaintext_bytes

    @property
    def ciphertext_bytes(self) -> int:
        """Bytes written to ``dst``; final once :meth:`close` has returned."""
        return self._output.size

    def writable(self) -> bool:
        return True

    def write(self, b: ReadableBuffer, /) -> int:
        self._check_usable()
        view = memoryview(b).cast("B")
        total = len(view)
        try:
            while view:
                if self._fill == _PLAIN_SLOT:
                    self._seal_and_advance(0)
                n = min(len(view), _PLAIN_SLOT - self._fill)
                self._slot.view[self._fill : self._fill + n] = view[:n]
                self._fill += n
                view = view[n:]
        except BaseException:
            self._failed = True
            raise
        self._plaintext_bytes += total
        return total

    def copy_from(self, src: BinaryIO) -> int:
        """Encrypt everything ``src`` holds, read straight into the slots; return its size."""
        self._check_usable()
        readinto = readinto_of(src)
        total = 0
        try:
            while True:
                if self._fill == _PLAIN_SLOT:
                    n = read_full(readinto, self._following().view)
                    if n:
                        self._seal_and_advance(n)
                else:
                    n = read_full(readinto, self._slot.view[self._fill :])
                    self._fill += n
                if not n:
                    break
                total += n
                self._plaintext_bytes += n
        except BaseException:
            self._failed = True
            raise
        return total

    def _following(self) -> Slot:
        if self._spare is None:
            self._spare = self._plain.next()
        return self._spare

    def _seal_and_advance(self, filled: int) -> None:
        """More data came: seal the full slot as non-final; go on in the next one."""
        following = self._following()
        self._seal(final=False)
        self._slot, self._fill, self._spare = following, filled, None

    def _seal(self, *, final: bool) -> None:
        cipher = self._cipher.next()
        plain = self._slot.view[: self._fill]
        written = self._sealer.seal(plain, cipher.view, final=final)
        cipher.hold(self._out_sink.submit(cipher.view[:written]))
        if self._plain_sink is not None:
            self._slot.hold(self._plain_sink.submit(plain))

    def _check_usable(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on a closed age encryptor")
        if self._failed:
            raise InvalidInput("this age encryptor failed earlier; its output is not valid")

    def flush(self) -> None:
        """Wait until sealed chunks are written (a partial chunk waits for more data)."""
        if not self.closed and not self._stopping:
            self._out_sink.drain()

    def close(self) -> None:
        """Seal the final chunk, wait for the writes and digests, and stop the threads.

        After a failed write, it only stops, and raises: there is no valid file to finish.
        """
        if self.closed:
            return
        if self._failed:
            self._stop()
            raise InvalidInput("this age encryptor failed earlier; its output is not valid")
        try:
            self._seal(final=True)
            for sink in (self._out_sink, self._plain_sink):
                if sink is not None:
                    sink.drain()
            self._output.finish()
        except BaseException:
            self._failed = True
            raise
        finally:
            self._stop()

    def abort(self) -> None:
        """Stop without writing the final chunk: what ``dst`` holds is not a valid age file."""
        if not self.closed:
            self._stop()

    def _stop(self) -> None:
        self._stopping = True
        for sink in (self._out_sink, self._plain_sink):
            if sink is not None:
                sink.shutdown()
        super().close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __del__(self) -> None:
        if hasattr(self, "_out_sink"):  # not when the constructor itself failed
            self.abort()


def encrypt_file(
    src: BinaryIO,
    dst: BinaryIO,
    *,
    recipients: Sequence[Recipient],
    armor: bool = False,
    plaintext_hash: Digest | None = None,
    ciphertext_hash: Digest | None = None,
) -> StreamStats:
    """Encrypt all of ``src`` to ``recipients`` as an age file written to ``dst``.

    Neither stream is closed. On error, ``dst`` holds an invalid partial file.
    """
    with Encryptor(
        dst,
        recipients,
        armor=armor,
        plaintext_hash=plaintext_hash,
        ciphertext_hash=ciphertext_hash,
    ) as encryptor:
        encryptor.copy_from(src)
    return StreamStats(encryptor.plaintext_bytes, encryptor.ciphertext_bytes)
