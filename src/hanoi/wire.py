"""The spellings Hanoi writes for others to read back: canonical JSON and UTC times.

One of each, used by every signed or hashed format (custody events, evidence statements,
directory documents, federation messages and receipts, letter proofs):

- :func:`canonical_json`: RFC 8785 (JCS), the bytes a signature or a hash covers. Frozen
  JSON (read-only mappings, tuples: :func:`freeze`) and datetimes (written with
  :func:`format_time`) are accepted and thawed first.
- :func:`format_time`: ISO 8601 in UTC with ``Z``, six fraction digits only when there are
  microseconds (``2026-12-07T09:30:15Z``, ``2026-12-07T09:30:15.250000Z``); with
  ``whole_seconds`` the fraction is dropped (the directory's spelling, ADR 0011).
  :func:`parse_time` is its inverse and refuses any other spelling, so that a time read
  and written again gives the same bytes.

Pure; errors are typed (:class:`NotCanonical`, or the caller's own class).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import rfc8785

from hanoi.errors import HanoiError, InvalidInput

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z")


class NotCanonical(InvalidInput, ValueError):
    """A value that has no canonical spelling here (a naive time, a float that is not
    finite), or a spelling that is not the canonical one."""


def format_time(moment: datetime, *, whole_seconds: bool = False) -> str:
    """``moment`` in UTC as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``; :class:`NotCanonical` for a
    time without a time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NotCanonical("a time is written with its time zone (timezone-aware)")
    m = moment.astimezone(UTC)
    fraction = f".{m.microsecond:06d}" if m.microsecond and not whole_seconds else ""
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f"{fraction}Z"
    )


def parse_time(text: object, *, whole_seconds: bool = False) -> datetime:
    """The time :func:`format_time` wrote as ``text``; :class:`NotCanonical` for any other
    spelling (an offset, ``.000000``, a fraction where ``whole_seconds`` allows none)."""
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise NotCanonical(f"{str(text)[:40]!r} is not a UTC time 'YYYY-MM-DDTHH:MM:SS[.ffffff]Z'")
    try:
        moment = datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    except ValueError:
        raise NotCanonical(f"{text[:40]!r} is not a valid date and time") from None
    if format_time(moment, whole_seconds=whole_seconds) != text:
        raise NotCanonical(f"{text[:40]!r} is not in canonical form")
    return moment


def freeze(value: Any) -> Any:
    """JSON made immutable: objects become read-only mappings, arrays tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Plain JSON again: mappings become dicts (keys as strings), tuples lists, datetimes
    their :func:`format_time` spelling."""
    if isinstance(value, Mapping):
        return {str(k): thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(v) for v in value]
    if isinstance(value, datetime):
        return format_time(value)
    return value


def canonical_json(
    value: Any, *, error: type[HanoiError] = NotCanonical, what: str = "the value"
) -> bytes:
    """RFC 8785 canonical JSON of ``value`` (thawed first); ``error`` if it has none (a
    float that is not finite, an integer beyond I-JSON, a key that is not a string)."""
    try:
        return rfc8785.dumps(thaw(value))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise error(f"{what} cannot be put in RFC 8785 canonical form: {exc}") from None
