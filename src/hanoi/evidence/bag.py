"""BagIt (RFC 8493) text files: ``bagit.txt``, manifests and ``bag-info.txt``. Pure.

Writing produces exactly what ``bagit.py`` writes: UTF-8, LF line endings,
``<sha256>  <path>`` manifest lines sorted by path. Reading follows the RFC
(any of CR, LF, CRLF; one or more spaces or tabs between digest and path; the
``%0A``, ``%0D`` and ``%25`` escapes in paths) and is strict about everything
else: a duplicate entry, an unsafe path or a bad digest is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from hanoi.evidence.layout import DEFAULT_PACKAGE_LIMITS, PackageLimits, check_relative_path
from hanoi.evidence.package_errors import MalformedPackage

BAGIT_VERSION = "1.0"
_LINES = re.compile(r"\r\n|\n|\r")
_MANIFEST_LINE = re.compile(r"([0-9A-Fa-f]{64})[ \t]+(.+)")
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def _text(data: bytes, *, name: str) -> list[str]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedPackage(f"{name}: not UTF-8 text") from None
    if text.startswith("\ufeff"):
        raise MalformedPackage(f"{name}: starts with a byte-order mark")
    lines = _LINES.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def bagit_txt() -> bytes:
    return f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n".encode()


def check_bagit_txt(data: bytes, *, name: str = "bagit.txt") -> None:
    """The bag declaration: BagIt 1.0, tag files in UTF-8."""
    fields = dict(parse_bag_info(data, name=name))
    if fields.get("BagIt-Version") != BAGIT_VERSION:
        raise MalformedPackage(f"{name}: this verifier reads BagIt-Version {BAGIT_VERSION}")
    if fields.get("Tag-File-Character-Encoding", "").upper() not in ("UTF-8", "UTF8"):
        raise MalformedPackage(f"{name}: tag files must be declared UTF-8")


def _encode_path(path: str) -> str:
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def _decode_path(path: str) -> str:
    return re.sub(
        r"%(25|0A|0D)", lambda m: {"25": "%", "0A": "\n", "0D": "\r"}[m.group(1).upper()], path
    )


def format_manifest(digests: Mapping[str, str]) -> bytes:
    """A manifest: one ``<sha256>  <path>`` line per file, sorted by path."""
    return "".join(f"{digests[p]}  {_encode_path(p)}\n" for p in sorted(digests)).encode()


def parse_manifest(
    data: bytes, *, name: str, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS
) -> dict[str, str]:
    """``{path: sha256 hex}``; every path is checked to be safe and listed once."""
    entries: dict[str, str] = {}
    for number, line in enumerate(_text(data, name=name), start=1):
        match = _MANIFEST_LINE.fullmatch(line)
        if match is None:
            raise MalformedPackage(f"{name} line {number}: not '<sha256> <path>'")
        path = _decode_path(match.group(2))
        check_relative_path(path, limits=limits)
        if path in entries:
            raise MalformedPackage(f"{name} line {number}: {path} is listed twice")
        if len(entries) == limits.max_files:
            raise MalformedPackage(f"{name}: more than {limits.max_files} entries")
        entries[path] = match.group(1).lower()
    return entries


def _check_field(label: str, value: str) -> None:
    if not _LABEL.fullmatch(label):
        raise MalformedPackage(f"bag-info label {label[:40]!r} is not a BagIt label")
    if any(c in value for c in "\r\n") or not value.isprintable():
        raise MalformedPackage(f"bag-info {label}: a value on one line, printable")


def format_bag_info(fields: Sequence[tuple[str, str]]) -> bytes:
    for label, value in fields:
        _check_field(label, value)
    return "".join(f"{label}: {value}\n" for label, value in fields).encode()


def parse_bag_info(data: bytes, *, name: str = "bag-info.txt") -> list[tuple[str, str]]:
    """Label and value pairs in order; a line starting with white space continues a value."""
    fields: list[tuple[str, str]] = []
    for number, line in enumerate(_text(data, name=name), start=1):
        if line[:1] in (" ", "\t"):
            if not fields:
                raise MalformedPackage(f"{name} line {number}: a continuation with no label")
            label, value = fields[-1]
            fields[-1] = (label, f"{value} {line.strip()}")
            continue
        label, colon, value = line.partition(":")
        if not colon or not _LABEL.fullmatch(label.strip()):
            raise MalformedPackage(f"{name} line {number}: not 'Label: value'")
        fields.append((label.strip(), value.strip()))
    return fields


def single_values(fields: Iterable[tuple[str, str]], *, name: str) -> dict[str, str]:
    """The fields as a dict; a label given twice is refused (its meaning would be unclear)."""
    values: dict[str, str] = {}
    for label, value in fields:
        if label in values:
            raise MalformedPackage(f"{name}: {label} is given twice")
        values[label] = value
    return values


def payload_oxum(sizes: Iterable[int]) -> str:
    """``<octets>.<file count>`` of the payload (RFC 8493, section 2.2.2)."""
    listed = list(sizes)
    return f"{sum(listed)}.{len(listed)}"
