"""Raw bytes to a JSON value, strictly: the first thing done with a provider's message.

:func:`parse_json` refuses, each with a typed error and before any schema is consulted:

1. more than ``max_bytes`` bytes (:data:`MAX_MESSAGE_BYTES`, 1 MiB, for messages; bulk
   deliveries travel by URL and are checked by :mod:`~hanoi.providers.hi1.deliveries`),
   with :class:`~hanoi.providers.hi1.errors.MessageTooLarge`;
2. bytes that are not UTF-8 (a byte order mark included: RFC 8259 section 8.1);
3. text that is not one JSON value;
4. an object with the same key twice (JSON leaves the meaning open; a signature checker
   and a reader could see different values);
5. ``NaN``, ``Infinity``, ``-Infinity`` and numbers too large for a float;
6. nesting deeper than ``max_depth`` (:data:`MAX_DEPTH`), and strings or keys longer than
   the limits of :mod:`hanoi.jsonvalues` (lone surrogates and NUL characters too).

2-6 raise :class:`~hanoi.providers.hi1.errors.MessageInvalid` with a JSON-pointer path.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hanoi.errors import FieldProblem, InvalidInput
from hanoi.jsonvalues import JsonLimits, check_json_value
from hanoi.providers.hi1.errors import MessageInvalid, MessageTooLarge, problem

MAX_MESSAGE_BYTES = 1024 * 1024
"""A HI-1 message; ETSI's examples are a few kilobytes, an order with its signed document
a few hundred."""
MAX_DEPTH = 64
"""ETSI's messages nest about 15 levels; embedded JSON deliveries may add some."""
MAX_STRING = MAX_MESSAGE_BYTES
"""One string (an inline base64 document) may fill the message."""


class _Refused(ValueError):
    """Raised inside the JSON decoder's hooks; turned into :class:`MessageInvalid`."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(f"the key {key[:80]!r} appears twice in one object")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text[:40]} is too large")
    return value


def parse_json(
    raw: bytes, *, max_bytes: int = MAX_MESSAGE_BYTES, max_depth: int = MAX_DEPTH
) -> Any:
    """The JSON value of ``raw`` under the rules above; a typed error otherwise."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise MessageInvalid("a HI-1 message is read from bytes")
    if len(raw) > max_bytes:
        raise MessageTooLarge(f"the message has {len(raw)} bytes, more than {max_bytes}")
    try:
        text = bytes(raw).decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise MessageInvalid(
            "the message is not UTF-8", fields=(problem("#", f"byte {exc.start}: {exc.reason}"),)
        ) from None
    if text.startswith("\ufeff"):
        raise MessageInvalid(
            "the message starts with a byte order mark", fields=(problem("#", "BOM"),)
        )
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
            parse_float=_finite_float,
        )
    except _Refused as exc:
        raise MessageInvalid(
            "the message is not strict JSON", fields=(problem("#", str(exc)),)
        ) from None
    except RecursionError:
        raise MessageInvalid(
            "the message is nested too deeply",
            fields=(problem("#", f"nested deeper than {max_depth} levels"),),
        ) from None
    except ValueError as exc:
        detail = (
            f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else str(exc)
        )
        raise MessageInvalid(
            "the message is not JSON", fields=(problem("#", f"not valid JSON: {detail}"),)
        ) from None
    try:
        check_json_value(value, limits=JsonLimits(max_depth=max_depth, max_string=MAX_STRING))
    except InvalidInput as exc:
        fields = tuple(problem(f.path, f.message) for f in exc.fields) or (
            FieldProblem("#", exc.detail),
        )
        raise MessageInvalid("the message breaks a JSON limit", fields=fields) from None
    return value
