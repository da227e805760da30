"""Decrypting age as a stream: :class:`Decryptor` and :func:`decrypt_file`.

The header is read and the file key unwrapped when the :class:`Decryptor` is
built. The payload is then read in 1 MiB slots and decrypted several chunks
per call into reused buffers, while background sinks hash the ciphertext as
read and the plaintext as released (and, in :meth:`Decryptor.copy_to`, write
it out).

What a reader hands out has always been authenticated. When a chunk fails,
the plaintext of the chunks before it is still handed out, then the error is
raised, as the age test vectors require. Reading to the end (``b""``) without
an error proves the whole file authentic: a final chunk, then nothing.

On a seekable binary source, :meth:`Decryptor.seek` jumps to any plaintext
offset by decrypting only the chunk that holds it, after checking once that
the payload size is valid and its last chunk is a genuine final chunk.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, BinaryIO

from hanoi.errors import InvalidInput
from hanoi.evidence.age.armor import ArmorDecoder
from hanoi.evidence.age.errors import (
    AgeError,
    MalformedHeader,
    PayloadCorrupted,
    PayloadTruncated,
    TrailingData,
)
from hanoi.evidence.age.header import read_header
from hanoi.evidence.age.keys import Identity, unwrap_file_key
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
from hanoi.evidence.age.source import RawSource, looks_armored
from hanoi.evidence.age.spec import (
    CHUNK_SIZE,
    DEFAULT_LIMITS,
    ENCRYPTED_CHUNK_SIZE,
    PAYLOAD_NONCE_SIZE,
    TAG_SIZE,
    Limits,
)
from hanoi.evidence.age.stream import PayloadOpener, chunk_count, plaintext_size

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

BATCH_CHUNKS = 16
_IN_SLOT = BATCH_CHUNKS * ENCRYPTED_CHUNK_SIZE
_OUT_SLOT = BATCH_CHUNKS * CHUNK_SIZE
_SLOTS = 3


class Decryptor(io.RawIOBase):
    """A read-only binary stream of the plaintext of the age file in ``src``.

    ``armor``: ``True`` requires the ASCII armor, ``False`` the binary format,
    ``None`` detects it as the ``age`` tool does. ``src`` is not closed.
    The digests receive the bytes read from ``src`` and the plaintext as it is
    decrypted; they are complete, and exact, once a read has returned ``b""``.
    Seeking is refused while digests are attached: they describe one pass.
    """

    def __init__(
        self,
        src: BinaryIO,
        identities: Sequence[Identity],
        *,
        armor: bool | None = None,
        limits: Limits = DEFAULT_LIMITS,
        plaintext_hash: Digest | None = None,
        ciphertext_hash: Digest | None = None,
        background: bool = True,
    ) -> None:
        super().__init__()
        self._background = background
        self._sinks = [
            OrderedSink(digest.update, background=background, name="age-hash")
            if digest is not None
            else None
            for digest in (ciphertext_hash, plaintext_hash)
        ]
        self._source = RawSource(src, self._sinks[0])
        self._src = src
        origin = src.tell() if src.seekable() else None
        if armor is None:
            armor = looks_armored(self._source.peek(limits.max_armor_whitespace + 64))
        read: Callable[[int], bytes] = self._source.read
        self._fill: Callable[[memoryview, Slot], int] = self._source.readinto
        if armor:
            decoder = ArmorDecoder(self._source.read, limits=limits)
            read = decoder.read
            self._fill = lambda view, _holder: decoder.readinto(view)
            origin = None
        header, header_size, rest = read_header(read, limits=limits)
        file_key = unwrap_file_key(header, identities, limits=limits)
        while len(rest) < PAYLOAD_NONCE_SIZE and (more := read(PAYLOAD_NONCE_SIZE - len(rest))):
            rest += more
        if len(rest) < PAYLOAD_NONCE_SIZE:
            raise MalformedHeader("the age file ends before the payload nonce")
        nonce, rest = rest[:PAYLOAD_NONCE_SIZE], rest[PAYLOAD_NONCE_SIZE:]
        self._opener = PayloadOpener(payload_key(file_key, nonce))
        self._payload_at = None if origin is None else origin + header_size + PAYLOAD_NONCE_SIZE
        self._inputs = Ring(count=2, size=_IN_SLOT)
        self._in = self._inputs.next()
        self._in.view[: len(rest)] = rest
        self._in_start, self._in_end, self._eof = 0, len(rest), False
        self._outputs = Ring(count=_SLOTS, size=_OUT_SLOT)
        self._out: Slot | None = None
        self._out_pos = self._out_end = 0
        self._chunk = 0
        self._budget = BATCH_CHUNKS
        self._error: AgeError | None = None
        self._done = False
        self._position = 0
        self._size: int | None = None

    # -- reading ----------------------------------------------------------------------

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        self._check_open()
        view = memoryview(buffer).cast("B")
        copied = 0
        while copied < len(view):
            if self._out is None or self._out_pos == self._out_end:
                if self._error is not None and copied:
                    break
                if not self._next():
                    break
                continue
            n = min(len(view) - copied, self._out_end - self._out_pos)
            view[copied : copied + n] = self._out.view[self._out_pos : self._out_pos + n]
            self._out_pos += n
            copied += n
        self._position += copied
        return copied

    def readall(self) -> bytes:
        parts = bytearray()
        while chunk := self.read(_OUT_SLOT):
            parts += chunk
        return bytes(parts)

    def copy_to(self, dst: BinaryIO) -> int:
        """Write the rest of the plaintext to ``dst`` (not closed); return the bytes written.

        On an error, what was written before it is authentic but incomplete.
        """
        self._check_open()
        sink = OrderedSink(
            lambda data: write_all(dst, data), background=self._background, name="age-write"
        )
        total = 0
        try:
            while True:
                if self._out is not None and self._out_pos < self._out_end:
                    self._out.hold(sink.submit(self._out.view[self._out_pos : self._out_end]))
                    total += self._out_end - self._out_pos
                    self._position += self._out_end - self._out_pos
                    self._out_pos = self._out_end
                if not self._next():
                    break
            sink.drain()
        finally:
            sink.shutdown()
        return total

    def _next(self) -> bool:
        """Decrypt the next slot of plaintext; ``False`` at the end; raise a pending error."""
        if self._error is not None:
            raise self._error
        if self._done:
            self._finish()
            return False
        self._decrypt()
        return True

    def _finish(self) -> None:
        for sink in self._sinks:
            if sink is not None:
                sink.drain()

    def _need(self, size: int, *, ahead: int = 0) -> int:
        """Make ``size`` input bytes available unless the source ends; return what is.

        When it must read, it reads up to ``ahead`` bytes (at most a slot), so a
        seek reads only the chunk it needs and a sequential pass reads a slot.
        """
        available = self._in_end - self._in_start
        if available >= size or self._eof:
            return available
        slot = self._inputs.next()
        slot.view[:available] = self._in.view[self._in_start : self._in_end]
        self._in, self._in_start, self._in_end = slot, 0, available
        wanted = slot.view[available : min(max(size, ahead), len(slot.view))]
        filled = read_full(lambda view: self._fill(view, slot), wanted)
        self._in_end += filled
        self._eof = filled < len(wanted)
        return self._in_end

    def _decrypt(self) -> None:
        out = self._outputs.next()
        produced = 0
        for left in range(self._budget, 0, -1):
            available = self._need(ENCRYPTED_CHUNK_SIZE, ahead=left * ENCRYPTED_CHUNK_SIZE)
            size = min(available, ENCRYPTED_CHUNK_SIZE)
            ciphertext = self._in.view[self._in_start : self._in_start + size]
            plaintext = out.view[produced:]
            final = size < ENCRYPTED_CHUNK_SIZE
            if not self._opener.open(ciphertext, plaintext, index=self._chunk, final=final):
                if final or not self._opener.open(
                    ciphertext, plaintext, index=self._chunk, final=True
                ):
                    self._error = self._chunk_error(size)
                    break
                final = True
            if final and size == TAG_SIZE and self._chunk:
                self._error = PayloadCorrupted("the final chunk is empty in a non-empty payload")
                break
            self._in_start += size
            produced += size - TAG_SIZE
            self._chunk += 1
            if final:
                if self._need(1):
                    self._error = TrailingData("data follows the final chunk of the age payload")
                else:
                    self._done = True
                break
        self._budget = BATCH_CHUNKS
        self._out, self._out_pos, self._out_end = out, 0, produced
        if produced and self._sinks[1] is not None:
            out.hold(self._sinks[1].submit(out.view[:produced]))

    def _chunk_error(self, size: int) -> AgeError:
        if size == 0:
            return PayloadTruncated("the age payload ends without a final chunk")
        return PayloadCorrupted(f"chunk {self._chunk} of the age payload fails authentication")

    # -- seeking ----------------------------------------------------------------------

    def seekable(self) -> bool:
        return self._payload_at is not None and not any(self._sinks)

    def tell(self) -> int:
        self._check_open()
        return self._position

    def size(self) -> int:
        """The plaintext size, after checking the payload size and its final chunk."""
        self._check_open()
        if self._size is None:
            self._size = self._measure()
        return self._size

    def _measure(self) -> int:
        if self._payload_at is None:
            raise InvalidInput("the plaintext size is known only for seekable binary age files")
        here = self._src.tell()
        try:
            payload = self._src.seek(0, io.SEEK_END) - self._payload_at
            size = plaintext_size(payload)
            last = chunk_count(size) - 1
            self._src.seek(self._payload_at + last * ENCRYPTED_CHUNK_SIZE)
            ciphertext = memoryview(bytearray(payload - last * ENCRYPTED_CHUNK_SIZE))
            read_full(readinto_of(self._src), ciphertext)
            scratch = memoryview(bytearray(CHUNK_SIZE))
            if not self._opener.open(ciphertext, scratch, index=last, final=True):
                raise PayloadCorrupted(
                    "the last chunk of the age payload is not a valid final chunk"
                )
        finally:
            self._src.seek(here)
        return size

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        self._check_open()
        if not self.seekable():
            raise InvalidInput("this age stream is not seekable (armored, a pipe, or hashing)")
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size()}
        if whence not in base:
            raise InvalidInput(f"invalid whence {whence}")
        target = base[whence] + offset
        if target < 0:
            raise InvalidInput("cannot seek before the start of the plaintext")
        window = self._position - self._out_pos
        if self._out is not None and window <= target <= window + self._out_end:
            self._out_pos = target - window
        else:
            self._jump(target)
        self._position = target
        return target

    def _jump(self, target: int) -> None:
        size = self.size()
        self._error, self._out, self._out_pos, self._out_end = None, None, 0, 0
        self._in_start = self._in_end = 0
        if target >= size:
            self._done, self._eof = True, True
            return
        assert self._payload_at is not None
        self._chunk = target // CHUNK_SIZE
        self._src.seek(self._payload_at + self._chunk * ENCRYPTED_CHUNK_SIZE)
        self._done, self._eof, self._budget = False, False, 1
        self._decrypt()
        if self._error is None:  # else the next read raises it
            self._out_pos = target - self._chunk_start(target)

    @staticmethod
    def _chunk_start(offset: int) -> int:
        return offset // CHUNK_SIZE * CHUNK_SIZE

    # -- life cycle -------------------------------------------------------------------

    @property
    def ciphertext_bytes(self) -> int:
        """Bytes read from the source so far (armor included)."""
        return self._source.size

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on a closed age decryptor")

    def close(self) -> None:
        if not self.closed:
            for sink in self._sinks:
                if sink is not None:
                    sink.shutdown()
        super().close()

    def __del__(self) -> None:
        if hasattr(self, "_sinks"):
            self.close()


def decrypt_file(
    src: BinaryIO,
    dst: BinaryIO,
    *,
    identities: Sequence[Identity],
    armor: bool | None = None,
    limits: Limits = DEFAULT_LIMITS,
    plaintext_hash: Digest | None = None,
    ciphertext_hash: Digest | None = None,
) -> StreamStats:
    """Decrypt the age file in ``src`` to ``dst``; neither stream is closed.

    On an error, ``dst`` holds the authentic plaintext that preceded it; discard it.
    """
    with Decryptor(
        src,
        identities,
        armor=armor,
        limits=limits,
        plaintext_hash=plaintext_hash,
        ciphertext_hash=ciphertext_hash,
    ) as reader:
        size = reader.copy_to(dst)
        return StreamStats(size, reader.ciphertext_bytes)
