"""Field checks shared by the package's JSON formats (statement, custody index). Pure.

Each check returns the value it accepts or raises
:class:`~hanoi.evidence.package_errors.MalformedPackage` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from hanoi.evidence.package_errors import MalformedPackage
from hanoi.wire import format_time

_DIGEST = re.compile(r"[0-9a-f]{64}")
_STATE = re.compile(r"[A-Z]{3}")
MAX_SIZE = (1 << 63) - 1


def check_text(value: object, name: str, *, max_chars: int) -> str:
    """A non-empty string of printable characters, at most ``max_chars`` long."""
    if not isinstance(value, str) or not value or len(value) > max_chars:
        raise MalformedPackage(f"{name} is a non-empty string of at most {max_chars} characters")
    if not value.isprintable():
        raise MalformedPackage(f"{name} holds a control character")
    return value


def check_name(value: object, name: str) -> str:
    """An original file name: 1-255 printable characters, no path separator."""
    text = check_text(value, name, max_chars=255)
    if "/" in text or "\\" in text or text in (".", ".."):
        raise MalformedPackage(f"{name} {text[:40]!r} is a file name, not a path")
    return text


def check_digest(value: object, name: str) -> str:
    if not isinstance(value, str) or not _DIGEST.fullmatch(value):
        raise MalformedPackage(f"{name} is a SHA-256 digest in lower-case hex")
    return value


def check_size(value: object, name: str) -> int:
    if type(value) is not int or not 0 <= value <= MAX_SIZE:
        raise MalformedPackage(f"{name} is a size in bytes")
    return value


def check_state(value: object) -> str:
    if not isinstance(value, str) or not _STATE.fullmatch(value):
        raise MalformedPackage("a State is an ISO 3166-1 alpha-3 code, such as EGY")
    return value


def utc_text(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` (the custody events' spelling)."""
    return format_time(moment)


def parse_utc(value: object, name: str) -> datetime:
    """The inverse of :func:`utc_text`; any other spelling is refused."""
    if isinstance(value, str) and value.endswith("Z"):
        try:
            moment = datetime.fromisoformat(value).astimezone(UTC)
        except ValueError:
            pass
        else:
            if format_time(moment) == value:
                return moment
    raise MalformedPackage(f"{name} is a UTC time such as 2026-11-28T09:30:00Z")


def known_and_unknown(
    value: object, required: Sequence[str], *, optional: Sequence[str] = (), what: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a JSON object into the members this version knows and those it keeps as they are."""
    if not isinstance(value, dict):
        raise MalformedPackage(f"{what} is a JSON object")
    missing = [name for name in required if name not in value]
    if missing:
        raise MalformedPackage(f"{what} lacks {', '.join(missing)}")
    names = (*required, *optional)
    known = {k: v for k, v in value.items() if k in names and k not in ("version", "type")}
    unknown = {k: v for k, v in value.items() if k not in names}
    return known, unknown
