"""Strict text encodings shared by the C2SP formats: base64 and decimal numbers.

The C2SP specifications use standard, padded base64 (RFC 4648, section 4) and
ASCII decimals with no leading zeroes. Python's own parsers are lenient (``int``
accepts ``+1``, ``1_0`` and Arabic-Indic digits; ``b64decode`` accepts
non-canonical trailing bits), so every format here decodes through these
functions, which accept exactly one spelling of each value.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from hanoi.custody.errors import MalformedError
from hanoi.custody.limits import HASH_SIZE

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decode_b64(text: str, *, error: type[MalformedError], what: str) -> bytes:
    """Decode canonical, padded standard base64, or raise ``error``."""
    if not _B64.fullmatch(text) or len(text) % 4:
        raise error(f"{what} is not valid base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise error(f"{what} is not valid base64") from None
    if b64(raw) != text:
        raise error(f"{what} is not canonical base64")
    return raw


def decode_hash(text: str, *, error: type[MalformedError], what: str) -> bytes:
    """Decode a base64 SHA-256 hash (exactly 32 bytes)."""
    raw = decode_b64(text, error=error, what=what)
    if len(raw) != HASH_SIZE:
        raise error(f"{what} is {len(raw)} bytes, not a {HASH_SIZE}-byte hash")
    return raw


def parse_decimal(text: str, *, error: type[MalformedError], what: str, maximum: int) -> int:
    """An ASCII decimal with no leading zeroes (``0`` is itself), at most ``maximum``."""
    if len(text) > len(str(maximum)) or not _DECIMAL.fullmatch(text):
        raise error(f"{what} is not a decimal number without leading zeroes")
    value = int(text)
    if value > maximum:
        raise error(f"{what} exceeds {maximum}")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate member name")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def load_json(
    data: bytes, *, error: type[MalformedError], what: str, max_bytes: int, max_depth: int
) -> Any:
    """Parse I-JSON (RFC 7493): UTF-8, no duplicate names, no NaN, bounded size and depth."""
    if len(data) > max_bytes:
        raise error(f"{what} is larger than {max_bytes} bytes")
    try:
        value = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constants,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise error(f"{what} is not valid JSON: {exc}") from None
    if _depth(value) > max_depth:
        raise error(f"{what} is nested deeper than {max_depth}")
    return value
