"""The age v1 header: parsing (strict, per the C2SP ABNF) and encoding.

::

    header   = "age-encryption.org/v1" LF 1*stanza end
    stanza   = "-> " argument *(SP argument) LF *(64base64char LF) *63base64char LF
    argument = 1*VCHAR
    end      = "--- " 43base64char LF

Bodies and the MAC are canonical unpadded base64. The parser refuses anything
else, so a parsed header encodes back to the very same bytes; the MAC is
computed over that encoding (:meth:`Header.mac_input`).

Pure: :func:`parse_header` works on bytes; :func:`read_header` only calls the
``read`` function it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hanoi.evidence.age import b64
from hanoi.evidence.age.errors import MalformedHeader, UnsupportedVersion
from hanoi.evidence.age.spec import (
    BYTES_PER_LINE,
    COLUMNS,
    DEFAULT_LIMITS,
    MAC_PREFIX,
    MAC_SIZE,
    STANZA_PREFIX,
    VERSION_LINE,
    VERSION_PREFIX,
    Limits,
)

_READ_BLOCK = 4096
_MAC_LINE_LENGTH = len(MAC_PREFIX) + 1 + 43  # "--- " and 43 base64 characters


def _valid_argument(arg: str) -> bool:
    return bool(arg) and all(33 <= ord(c) <= 126 for c in arg)


@dataclass(frozen=True, slots=True)
class Stanza:
    """One recipient stanza: ``-> type args...`` and a binary body."""

    type: str
    args: tuple[str, ...]
    body: bytes

    def __post_init__(self) -> None:
        for arg in (self.type, *self.args):
            if not _valid_argument(arg):
                raise MalformedHeader(f"stanza argument {arg!r} is not 1*VCHAR")

    def encode(self) -> bytes:
        arg_line = b" ".join([STANZA_PREFIX, *(a.encode("ascii") for a in (self.type, *self.args))])
        lines = b64.wrap_lines(b64.encode_unpadded(self.body), columns=COLUMNS)
        return arg_line + b"\n" + b"".join(line + b"\n" for line in lines)


@dataclass(frozen=True, slots=True)
class Header:
    """The parsed header: its stanzas and its MAC."""

    stanzas: tuple[Stanza, ...]
    mac: bytes

    def mac_input(self) -> bytes:
        """The bytes the MAC covers: everything up to and including ``---``."""
        return mac_input(self.stanzas)

    def encode(self) -> bytes:
        return self.mac_input() + b" " + b64.encode_unpadded(self.mac) + b"\n"


def mac_input(stanzas: tuple[Stanza, ...]) -> bytes:
    return VERSION_LINE + b"".join(s.encode() for s in stanzas) + MAC_PREFIX


def _check_version(line: bytes) -> None:
    if line + b"\n" == VERSION_LINE:
        return
    if line.startswith(VERSION_PREFIX):
        version = line[len(VERSION_PREFIX) :]
        if version and all(33 <= c <= 126 for c in version):
            raise UnsupportedVersion(f"unsupported age version {version.decode('ascii')!r}")
    raise MalformedHeader("not an age v1 file: the first line is not 'age-encryption.org/v1'")


def _parse_arg_line(line: bytes) -> tuple[str, tuple[str, ...]]:
    if not line.startswith(STANZA_PREFIX + b" "):
        raise MalformedHeader("a stanza must start with '-> '")
    try:
        args = line[len(STANZA_PREFIX) + 1 :].decode("ascii").split(" ")
    except UnicodeDecodeError:
        raise MalformedHeader("stanza arguments must be printable ASCII") from None
    if not all(_valid_argument(a) for a in args):
        raise MalformedHeader("stanza arguments must be non-empty printable ASCII, one space apart")
    return args[0], tuple(args[1:])


def _parse_mac_line(line: bytes) -> bytes:
    if len(line) != _MAC_LINE_LENGTH or not line.startswith(MAC_PREFIX + b" "):
        raise MalformedHeader("the MAC line must be '--- ' and 43 base64 characters")
    try:
        mac = b64.decode_unpadded(line[len(MAC_PREFIX) + 1 :])
    except b64.Base64Error as exc:
        raise MalformedHeader(f"the header MAC is not canonical base64: {exc}") from None
    if len(mac) != MAC_SIZE:
        raise MalformedHeader("the header MAC must be 32 bytes")
    return mac


def parse_header(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Header:
    """Parse exactly one header; ``data`` must end with the MAC line's line feed."""
    if len(data) > limits.max_header_bytes:
        raise MalformedHeader(f"the header is larger than {limits.max_header_bytes} bytes")
    if not data.endswith(b"\n"):
        raise MalformedHeader("the header must end with a line feed")
    lines = data[:-1].split(b"\n")
    _check_version(lines[0])
    stanzas: list[Stanza] = []
    i = 1
    while i < len(lines):
        line = lines[i]
        if line.startswith(MAC_PREFIX):
            if i != len(lines) - 1:
                raise MalformedHeader("data follows the MAC line")
            if not stanzas:
                raise MalformedHeader("the header has no recipient stanza")
            return Header(tuple(stanzas), _parse_mac_line(line))
        if len(stanzas) == limits.max_stanzas:
            raise MalformedHeader(f"the header has more than {limits.max_stanzas} stanzas")
        kind, args = _parse_arg_line(line)
        body = bytearray()
        while True:
            i += 1
            if i >= len(lines) or lines[i].startswith((MAC_PREFIX, STANZA_PREFIX)):
                raise MalformedHeader("a stanza body must end with a line shorter than 64 columns")
            if len(lines[i]) > COLUMNS:
                raise MalformedHeader("a stanza body line is longer than 64 columns")
            try:
                chunk = b64.decode_unpadded(lines[i])
            except b64.Base64Error as exc:
                raise MalformedHeader(
                    f"a stanza body line is not canonical base64: {exc}"
                ) from None
            body += chunk
            if len(chunk) < BYTES_PER_LINE:
                break
        stanzas.append(Stanza(kind, args, bytes(body)))
        i += 1
    raise MalformedHeader("the header has no MAC line")


def read_header(
    read: Callable[[int], bytes], *, limits: Limits = DEFAULT_LIMITS
) -> tuple[Header, int, bytes]:
    """Read and parse a header from ``read``; return it, its size, and the bytes read past it.

    ``read(n)`` returns up to ``n`` bytes, and ``b""`` at the end of the file.
    At most ``limits.max_header_bytes`` plus one block is read.
    """
    data = bytearray()
    scanned = 0
    mark = -1
    while True:
        block = read(_READ_BLOCK)
        data += block
        if not VERSION_PREFIX.startswith(bytes(data[: len(VERSION_PREFIX)])):
            raise MalformedHeader("not an age file: it does not start with 'age-encryption.org/'")
        if mark < 0:
            mark = data.find(b"\n" + MAC_PREFIX, max(scanned - len(MAC_PREFIX), 0))
            scanned = len(data)
        if mark >= 0:
            end = data.find(b"\n", mark + 1)
            if end >= 0:
                header_size = end + 1
                header = parse_header(bytes(data[:header_size]), limits=limits)
                return header, header_size, bytes(data[header_size:])
        if len(data) > limits.max_header_bytes:
            raise MalformedHeader(f"the header is larger than {limits.max_header_bytes} bytes")
        if not block:
            if not data:
                raise MalformedHeader("the file is empty")
            raise MalformedHeader("the file ends inside the header")
