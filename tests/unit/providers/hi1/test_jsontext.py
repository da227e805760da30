"""Raw bytes are refused, with a typed error, before any schema is consulted."""

from __future__ import annotations

import pytest

from hanoi.errors import InvalidInput, PayloadTooLarge
from hanoi.providers.hi1 import MessageInvalid, MessageTooLarge, parse_json
from hanoi.providers.hi1.jsontext import MAX_DEPTH, MAX_MESSAGE_BYTES


def test_strict_json_is_read() -> None:
    assert parse_json(b'{"a": [1, 2.5, "\\u00e9", null, true]}') == {"a": [1, 2.5, "é", None, True]}


def test_more_than_the_limit_is_refused_before_parsing() -> None:
    with pytest.raises(MessageTooLarge) as caught:
        parse_json(b" " * (MAX_MESSAGE_BYTES + 1))
    assert isinstance(caught.value, PayloadTooLarge)
    assert parse_json(b"[]", max_bytes=2) == []
    with pytest.raises(MessageTooLarge):
        parse_json(b"[1]", max_bytes=2)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"a": "\xff"}', "not UTF-8"),
        (b'\xef\xbb\xbf{"a": 1}', "byte order mark"),
        (b'{"a": 1, "a": 2}', "appears twice"),
        (b'{"a": {"b": 1, "b": 1}}', "appears twice"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"a": 1e400}', "too large"),
        (b'{"a": 1', "not JSON"),
        (b'{"a": 1} {"b": 2}', "not JSON"),
        (b"", "not JSON"),
        (b'{"a": "\\ud800"}', "surrogate"),
        (b'{"a": "\\u0000"}', "NUL"),
    ],
)
def test_what_is_not_strict_json_is_refused(raw: bytes, reason: str) -> None:
    with pytest.raises(MessageInvalid) as caught:
        parse_json(raw)
    assert isinstance(caught.value, InvalidInput)
    assert reason in caught.value.diagnostics()


def test_deep_nesting_is_refused_with_its_place() -> None:
    within = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert parse_json(within) is not None
    with pytest.raises(MessageInvalid, match="nested deeper"):
        parse_json(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
    with pytest.raises(MessageInvalid):
        parse_json(b"[" * 100_000 + b"]" * 100_000)


def test_only_bytes_are_read() -> None:
    with pytest.raises(MessageInvalid, match="bytes"):
        parse_json("{}")  # type: ignore[arg-type]
