"""Hostile tar files, built from raw 512-byte headers rather than with ``tarfile``'s writer
(which refuses to write most of them). Used by the security tests of packages."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

BLOCK = 512


def number(value: int, width: int) -> bytes:
    """An octal number field of ``width`` bytes, NUL-terminated."""
    return b"%0*o\0" % (width - 1, value)


def base256(value: int, width: int = 12) -> bytes:
    """A GNU base-256 number field: 0x80 then big-endian (0xff and two's complement if < 0)."""
    if value >= 0:
        return b"\x80" + value.to_bytes(width - 1, "big")
    return (256**width + value).to_bytes(width, "big")


def header(
    name: bytes,
    *,
    kind: bytes = b"0",
    size: int = 0,
    size_field: bytes | None = None,
    checksum: bytes | None = None,
    mode: int = 0o644,
) -> bytes:
    """One ustar header; ``size_field`` replaces the octal size (base-256, junk...)."""
    block = bytearray(BLOCK)
    block[0 : min(len(name), 100)] = name[:100]
    block[100:108] = number(mode, 8)
    block[108:116] = number(0, 8)
    block[116:124] = number(0, 8)
    block[124:136] = size_field if size_field is not None else number(size, 12)
    block[136:148] = number(1_700_000_000, 12)
    block[148:156] = b" " * 8
    block[156:157] = kind
    block[257:265] = b"ustar\x0000"
    block[148:156] = checksum if checksum is not None else b"%06o\0 " % sum(block)
    return bytes(block)


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % BLOCK)


def member(name: bytes, data: bytes = b"", *, kind: bytes = b"0") -> bytes:
    return header(name, kind=kind, size=len(data)) + padded(data)


def pax(records: bytes, *, kind: bytes = b"x") -> bytes:
    """A pax extended header ('x' or 'g') whose body is ``records``, as given."""
    return header(b"././@PaxHeader", kind=kind, size=len(records)) + padded(records)


def pax_record(keyword: str, value: bytes) -> bytes:
    """``"<length> <keyword>=<value>\\n"``, the length counting itself."""
    body = b" " + keyword.encode() + b"=" + value + b"\n"
    length = len(body) + 1
    while len(str(length)) + len(body) != length:
        length += 1
    return str(length).encode() + body


def long_name(name: bytes, *, kind: bytes = b"L") -> bytes:
    """A GNU long name ('L') or long link ('K') header carrying ``name``."""
    return header(b"././@LongLink", kind=kind, size=len(name)) + padded(name)


END = bytes(2 * BLOCK)


def write_tar(path: Path, parts: Iterable[bytes], *, end: bool = True) -> Path:
    with path.open("wb") as out:
        for part in parts:
            out.write(part)
        if end:
            out.write(END)
    return path


def cve_2024_6232_pax(size: int) -> bytes:
    """A pax header body of ``size`` bytes of digits: CPython before 3.11.10 searches it
    with ``\\d+ hdrcharset=`` and backtracks over every suffix (quadratic)."""
    return b"1" * size


def bag_member(name: str, data: bytes = b"x") -> bytes:
    return member(f"bag/{name}".encode(), data)
