"""A walk over a tar's raw 512-byte headers, before :mod:`tarfile` reads any of them.

Why: a package comes from another State's node or from anyone who hands a court a file,
and the interpreter's ``tarfile`` cannot be trusted with hostile headers on every Python
Hanoi may run on. CPython before 3.11.10 searches pax headers with regular expressions
that backtrack (CVE-2024-6232): a 160 KiB header of digits held the interpreter lock for
about 70 s, so a node stopped answering even ``/healthz``. A negative size sends its
reader back to the same header forever (CVE-2025-8194). A GNU long name followed by an
old-style directory header is a directory to one reader and a file to another
(CVE-2025-13462), so the same bytes could verify on one interpreter and not another.

:func:`scan_tar` reads only headers (and the pax headers' small bodies), seeking over
every member's data, so its cost is linear in the number of headers whatever the
interpreter. It refuses, naming the limit:

- a header whose checksum or number fields do not parse; a size that is negative,
  written in an unknown form, or that runs past the end of the file; a missing
  end-of-archive marker;
- a pax header ('x', 'g') over ``max_pax_header`` bytes, with records that are not
  exactly ``"<length> <keyword>=<value>\\n"``, with a run of more than
  :data:`MAX_DIGIT_RUN` digits (what makes the old regular expression quadratic), a
  ``size`` that is not plain digits, a global ``size``, or GNU sparse records;
- a GNU long name or link ('L', 'K') over ``max_long_name`` bytes; an extended header
  twice for one member, or one with no member after it;
- links, devices and folders with data; old-style directory headers (a regular-file type
  with a name ending in ``/``); any member type but files, folders, links and devices;
- more than ``max_files`` members.

What it returns (where each member's data lies) lets the reader check that ``tarfile``
saw the same members, so a reader that parses differently is caught, not trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hanoi.evidence.layout import PackageLimits
from hanoi.evidence.package_errors import MalformedPackage, UnsafePath

BLOCK = 512
MAX_DIGIT_RUN = 1024
"""Longest run of ASCII digits allowed in a pax header block. A legitimate header holds
numbers of at most 20 digits, and digits in a path of at most ``max_path_bytes``; the
vulnerable search costs the square of each run, so 1024 keeps a 64 KiB header below
a second even there."""

_FILE_TYPES = frozenset(b"0\x007")  # regular, old regular, contiguous: data follows
_EMPTY_TYPES = frozenset(b"123456")  # hard link, symbolic link, devices, folder, FIFO
_PAX_TYPES = frozenset(b"xg")
_LONG_TYPES = frozenset(b"LK")
_DIGITS_TABLE = bytes(0x31 if 0x30 <= b <= 0x39 else 0x30 for b in range(256))
_TOO_MANY_DIGITS = b"1" * (MAX_DIGIT_RUN + 1)
_LOW_BYTES = bytes(range(0x80))


@dataclass(frozen=True, slots=True)
class TarEntry:
    """One member as its headers place it: where its data starts, how long it is, its type."""

    data_offset: int
    size: int
    kind: str


def _octal(field: bytes) -> int | None:
    """An octal number field as ``tarfile`` reads it (up to a NUL, spaces stripped); None
    if it holds anything but octal digits (``int()`` would also take a sign)."""
    text = field.split(b"\0", 1)[0].strip()
    if text.translate(None, b"01234567"):
        return None
    return int(text, 8) if text else 0


def _checksum_holds(header: bytes) -> bool:
    stored = _octal(header[148:156])
    if stored is None:
        return False
    counted = header[:148] + header[156:]
    unsigned = sum(counted) + 8 * 0x20  # the checksum field itself counts as spaces
    if stored == unsigned:
        return True
    high = len(counted.translate(None, _LOW_BYTES))  # bytes that old tars summed as negative
    return stored == unsigned - 256 * high


class _Scan:
    def __init__(self, stream: BinaryIO, *, total: int, limits: PackageLimits, name: str) -> None:
        self._stream = stream
        self._total = total
        self._limits = limits
        self._name = name

    def fail(self, detail: str, *, at: int) -> MalformedPackage:
        return MalformedPackage(f"{self._name}: {detail} (tar header at byte {at})")

    def read(self, offset: int, size: int) -> bytes:
        self._stream.seek(offset)
        return self._stream.read(size)

    def size(self, header: bytes, *, at: int) -> int:
        field = header[124:136]
        if field[0] == 0x80:  # GNU base-256, for sizes of 8 GiB and more
            return int.from_bytes(field[1:], "big")
        if field[0] == 0xFF:
            raise self.fail("a negative size (base-256); tar readers loop on it", at=at)
        value = _octal(field)
        if value is None:
            raise self.fail("a size field that is not an octal number", at=at)
        return value

    def pax(self, kind: int, size: int, *, at: int) -> int | None:
        """Check a pax header's body; the ``size`` it sets for the next member, if any."""
        if size > self._limits.max_pax_header:
            raise self.fail(
                f"a pax extended header of {size} bytes; the limit is "
                f"{self._limits.max_pax_header} bytes (max_pax_header)",
                at=at,
            )
        blocks = self.read(at + BLOCK, -(-size // BLOCK) * BLOCK)
        if len(blocks) < size:
            raise self.fail("the tar file is truncated inside a pax header", at=at)
        # Padding too: tarfile searches the whole blocks, not only the header's bytes.
        if _TOO_MANY_DIGITS in blocks.translate(_DIGITS_TABLE):
            raise self.fail(
                f"a pax extended header with a run of more than {MAX_DIGIT_RUN} digits "
                "(the shape of CVE-2024-6232)",
                at=at,
            )
        records = self.records(blocks[:size], at=at)
        if any(keyword.startswith(b"GNU.sparse.") for keyword in records):
            raise UnsafePath(f"{self._name}: a sparse file (tar header at byte {at})")
        if b"size" not in records:
            return None
        value = records[b"size"]
        if kind == ord("g") or not (0 < len(value) <= 20 and value.isdigit()):
            raise self.fail("a pax 'size' record that is not a member's plain size", at=at)
        return int(value)

    def records(self, data: bytes, *, at: int) -> dict[bytes, bytes]:
        """``"<length> <keyword>=<value>\\n"`` records, each read once from left to right."""
        records: dict[bytes, bytes] = {}
        pos = 0
        while pos < len(data) and data[pos] != 0:
            space = data.find(b" ", pos, pos + 21)
            digits = data[pos:space] if space > pos else b""
            length = int(digits) if digits.isdigit() else 0
            end = pos + length
            if length < 5 or end > len(data) or data[end - 1] != 0x0A:
                raise self.fail("a pax header whose records are not well formed", at=at)
            keyword, equals, value = data[space + 1 : end - 1].partition(b"=")
            if not keyword or not equals:
                raise self.fail("a pax header whose records are not well formed", at=at)
            records[keyword] = value
            pos = end
        if data[pos:].strip(b"\0"):
            raise self.fail("a pax header with bytes after its records", at=at)
        return records

    def walk(self) -> tuple[TarEntry, ...]:
        entries: list[TarEntry] = []
        extended: set[int] = set()  # extension header types seen since the last member
        pax_size: int | None = None
        offset = 0
        while True:
            header = self.read(offset, BLOCK)
            if len(header) < BLOCK:
                if offset == 0:
                    raise self.fail("not a tar file (shorter than one header)", at=offset)
                raise self.fail("the tar file is truncated (no end-of-archive marker)", at=offset)
            if header == bytes(BLOCK):
                if self.read(offset + BLOCK, BLOCK) != bytes(BLOCK):
                    raise self.fail(
                        "the tar file is truncated (no end-of-archive marker)", at=offset
                    )
                if extended:
                    raise self.fail("an extended header with no member after it", at=offset)
                return tuple(entries)
            if not _checksum_holds(header):
                if offset == 0:
                    raise self.fail("not a tar file (no valid header at its start)", at=offset)
                raise self.fail("a header whose checksum does not match", at=offset)
            kind = header[156]
            size = self.size(header, at=offset)
            data = offset + BLOCK
            if kind in _PAX_TYPES or kind in _LONG_TYPES:
                if kind in extended:
                    raise self.fail("two extended headers of one kind for one member", at=offset)
                extended.add(kind)
                if kind in _PAX_TYPES:
                    size_record = self.pax(kind, size, at=offset)
                    if kind == ord("x"):
                        pax_size = size_record
                elif size > self._limits.max_long_name:
                    raise self.fail(
                        f"a GNU long name or link of {size} bytes; the limit is "
                        f"{self._limits.max_long_name} bytes (max_long_name)",
                        at=offset,
                    )
            else:
                size = self.member(header, kind, size if pax_size is None else pax_size, offset)
                entries.append(TarEntry(data, size, chr(kind)))
                if len(entries) > self._limits.max_files:
                    raise self.fail(
                        f"more than {self._limits.max_files} tar members (max_files)", at=offset
                    )
                extended.clear()
                pax_size = None
            if data + size > self._total:
                raise self.fail("the tar file is truncated inside this member", at=offset)
            offset = data + -(-size // BLOCK) * BLOCK

    def member(self, header: bytes, kind: int, size: int, offset: int) -> int:
        """The member's data size, once its type is one a package may hold."""
        if kind in _FILE_TYPES:
            if kind == 0 and header[:100].split(b"\0", 1)[0].endswith(b"/"):
                raise UnsafePath(
                    f"{self._name}: an old-style folder header (tar header at byte {offset}); "
                    "tar readers disagree on it (CVE-2025-13462)"
                )
            return size
        if kind in _EMPTY_TYPES:
            if size:
                raise self.fail(
                    f"a link, device or folder with {size} bytes of data; "
                    "tar readers disagree on where the next header is",
                    at=offset,
                )
            return 0
        raise UnsafePath(
            f"{self._name}: a tar member of type {chr(kind)!r} (tar header at byte {offset}): "
            "not a regular file or folder"
        )


def scan_tar(
    stream: BinaryIO, *, total: int, limits: PackageLimits, name: str
) -> tuple[TarEntry, ...]:
    """Every member of the tar in ``stream`` (``total`` bytes long), in order; raise
    :class:`MalformedPackage` (or :class:`UnsafePath`) at the first header that breaks a
    rule above. ``name`` starts every message."""
    return _Scan(stream, total=total, limits=limits, name=name).walk()


def scan_tar_file(path: Path, *, limits: PackageLimits) -> tuple[TarEntry, ...]:
    """:func:`scan_tar` on a file."""
    with path.open("rb", buffering=64 * 1024) as stream:
        return scan_tar(stream, total=path.stat().st_size, limits=limits, name=path.name)
