"""ASCII armor for age files: strict PEM (RFC 7468 section 3), read and written in a stream.

::

    -----BEGIN AGE ENCRYPTED FILE-----
    <canonical padded base64, 64 columns; the last line shorter, or full>
    -----END AGE ENCRYPTED FILE-----

Only whitespace is allowed before and after (a bounded amount), lines end with
LF or CRLF, and nothing else is tolerated: no PEM headers, no empty lines, no
checksum line, no spaces inside. That makes armored files as non-malleable as
binary ones. Memory is bounded by one read block, whatever the file size.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable

from hanoi.evidence.age import b64
from hanoi.evidence.age.errors import MalformedArmor
from hanoi.evidence.age.spec import (
    ARMOR_BEGIN,
    ARMOR_END,
    BYTES_PER_LINE,
    COLUMNS,
    DEFAULT_LIMITS,
    Limits,
)

_READ_BLOCK = 65 * 1024
_WRITE_LINES = 1024
_BEGIN, _DATA, _FOOTER, _TRAILER, _END = range(5)


def _strip_cr(lines: list[bytes]) -> list[bytes]:
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


class ArmorDecoder:
    """Decodes an armored age file from ``read`` (which returns ``b""`` at the end).

    Errors raise :class:`MalformedArmor` when the decoder reaches them, which
    for a defect near the end is after the preceding bytes were returned.
    """

    def __init__(self, read: Callable[[int], bytes], *, limits: Limits = DEFAULT_LIMITS) -> None:
        self._read = read
        self._limits = limits
        self._state = _BEGIN
        self._carry = b""  # an incomplete line, waiting for its line feed
        self._decoded = bytearray()
        self._offset = 0
        self._whitespace = 0

    def read(self, size: int) -> bytes:
        self._fill()
        data = bytes(self._decoded[self._offset : self._offset + size])
        self._offset += len(data)
        return data

    def readinto(self, view: memoryview) -> int:
        self._fill()
        n = min(len(view), len(self._decoded) - self._offset)
        view[:n] = self._decoded[self._offset : self._offset + n]
        self._offset += n
        return n

    def _fill(self) -> None:
        while self._offset >= len(self._decoded) and self._state != _END:
            del self._decoded[:]
            self._offset = 0
            self._advance()

    def _advance(self) -> None:
        block = self._read(_READ_BLOCK)
        if self._state == _TRAILER:
            self._trailing(block)
        else:
            text = self._carry + block
            lines = text.split(b"\n") if text else []
            self._carry = lines.pop() if block else b""
            if b"\r" in text:
                lines = _strip_cr(lines)
            i = 0
            while i < len(lines) and self._state != _TRAILER:
                i = self._line(lines, i)
            if self._state == _TRAILER:
                rest, self._carry = lines[i:] + ([self._carry] if block else []), b""
                self._trailing(b"\n".join(rest))
            elif len(self._carry) > self._limits.max_armor_whitespace + len(ARMOR_BEGIN) + 2:
                raise MalformedArmor("an armor line is far too long")  # bounds the memory used
        if not block:
            if self._state != _TRAILER:
                raise MalformedArmor("the armor ends without its END line")
            self._state = _END

    def _line(self, lines: list[bytes], i: int) -> int:
        if self._state == _BEGIN:
            return self._preamble(lines[i], i)
        if self._state == _DATA:
            return self._data(lines, i)
        if lines[i] != ARMOR_END:
            raise MalformedArmor("the last armor line must be followed by the END line")
        self._state = _TRAILER
        return i + 1

    def _preamble(self, line: bytes, i: int) -> int:
        if not line.strip():
            self._whitespace += len(line) + 1
            if self._whitespace > self._limits.max_armor_whitespace:
                raise MalformedArmor("too much whitespace before the armor")
            return i + 1
        if line != ARMOR_BEGIN:
            raise MalformedArmor("an armored age file must start with the BEGIN line")
        self._state = _DATA
        self._whitespace = 0
        return i + 1

    def _data(self, lines: list[bytes], i: int) -> int:
        """Decode the full lines from ``i`` in one call, then the line that ends them."""
        if set(map(len, lines[i:])) == {COLUMNS}:
            full = len(lines)
        else:
            full = i
            while len(lines[full]) == COLUMNS:
                full += 1
        if full > i:
            self._decode(b"".join(lines[i:full]), lines=full - i)
        if full == len(lines) or self._state != _DATA:
            return full
        line = lines[full]
        if line == ARMOR_END:
            self._state = _TRAILER
        elif not line:
            raise MalformedArmor("empty line inside the armor")
        elif len(line) > COLUMNS:
            raise MalformedArmor("an armor line is longer than 64 columns")
        else:
            self._decode(line, lines=1)
            self._state = _FOOTER
        return full + 1

    def _decode(self, text: bytes, *, lines: int) -> None:
        try:
            data = b64.decode_padded(text)
        except b64.Base64Error as exc:
            raise MalformedArmor(f"the armor is not canonical base64: {exc}") from None
        self._decoded += data
        if len(data) < lines * BYTES_PER_LINE:  # padding: that was the last line
            self._state = _FOOTER

    def _trailing(self, text: bytes) -> None:
        if text.strip():
            raise MalformedArmor("data after the END line of the armor")
        self._whitespace += len(text)
        if self._whitespace > self._limits.max_armor_whitespace:
            raise MalformedArmor("too much whitespace after the armor")


class ArmorEncoder:
    """Encodes a stream as armor, passing the text to ``emit`` as it goes."""

    def __init__(self, emit: Callable[[bytes], object]) -> None:
        self._emit = emit
        self._pending = bytearray()
        emit(ARMOR_BEGIN + b"\n")

    def write(self, data: memoryview) -> None:
        self._pending += data
        whole = len(self._pending) // BYTES_PER_LINE * BYTES_PER_LINE
        for start in range(0, whole, BYTES_PER_LINE * _WRITE_LINES):
            end = min(whole, start + BYTES_PER_LINE * _WRITE_LINES)
            self._emit(self._lines(self._pending[start:end]))
        del self._pending[:whole]

    def finish(self) -> None:
        tail = self._lines(self._pending) if self._pending else b""
        self._pending.clear()
        self._emit(tail + ARMOR_END + b"\n")

    @staticmethod
    def _lines(data: bytes | bytearray) -> bytes:
        return b"".join(
            binascii.b2a_base64(data[i : i + BYTES_PER_LINE])
            for i in range(0, len(data), BYTES_PER_LINE)
        )
