"""Strict JSON: every value a node cannot store or show is refused, with its place."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hanoi.errors import InvalidInput
from hanoi.jsonvalues import JsonLimits, check_json_value, parse_json


def refused(data: str | bytes, **limits: int) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse_json(data, limits=JsonLimits(**limits))
    return {f.path: f.message for f in caught.value.fields}


def test_a_lone_surrogate_is_refused_where_it_is() -> None:
    assert refused('{"contents": {"facts": "x\\ud800y"}}') == {
        "#/contents/facts": "a string with a lone UTF-16 surrogate (not a character)"
    }
    # A pair that makes one character is a character.
    assert parse_json('"\\ud83d\\ude00"') == "\U0001f600"


def test_nul_nan_infinity_and_overflow_are_refused_each_with_its_pointer() -> None:
    found = refused('{"a": "x\\u0000", "b": [1, NaN, -Infinity], "c": Infinity, "d": 1e400}')
    assert found == {
        "#/a": "a string with a NUL character",
        "#/b/1": "NaN is not a JSON number",
        "#/b/2": "-Infinity is not a JSON number",
        "#/c": "Infinity is not a JSON number",
        "#/d": "a number too large to represent",
    }


def test_keys_are_checked_and_escaped_in_pointers() -> None:
    assert refused('{"a/b": {"~": "\\u0000"}}') == {"#/a~1b/~0": "a string with a NUL character"}
    assert refused('{"k\\u0000": 1}') == {"#": "an object key with a NUL character"}


@pytest.mark.parametrize("depth", [33, 900, 100_000])
def test_nesting_is_bounded_and_never_exhausts_the_stack(depth: int) -> None:
    found = refused("[" * depth + "]" * depth)
    [(path, message)] = found.items()
    assert message == "nested deeper than 32 levels"
    assert path == "#" if depth == 100_000 else path == "#" + "/0" * 32


def test_strings_are_bounded() -> None:
    assert refused(json.dumps({"x": "a" * 11}), max_string=10) == {
        "#/x": "a string longer than 10 characters"
    }


def test_not_json_and_not_utf8_are_refused_at_the_root() -> None:
    assert list(refused("{")) == ["#"]
    assert refused(b'"\xff"') == {"#": "the body is not UTF-8"}


def test_the_problems_are_bounded() -> None:
    assert len(refused(json.dumps(["\u0000"] * 1000))) == 20


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=30,
    )
)
def test_what_json_can_write_back_is_taken_unchanged(value: object) -> None:
    try:
        text = json.dumps(value, allow_nan=False)
        text.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return  # not JSON in the first place (infinity, surrogates)
    if "\\u0000" in text:
        return
    assert parse_json(text) == value
    check_json_value(value)


def _breaks_a_rule(value: object, limits: JsonLimits, depth: int = 1) -> bool:
    """The rules, written plainly: what check_json_value must refuse."""
    if isinstance(value, dict | list):
        if depth > limits.max_depth:
            return True
        if isinstance(value, dict):
            return any(
                _breaks_a_rule(str(k), limits) or _breaks_a_rule(v, limits, depth + 1)
                for k, v in value.items()
            )
        return any(_breaks_a_rule(v, limits, depth + 1) for v in value)
    if isinstance(value, str):
        if len(value) > limits.max_string or "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
    return isinstance(value, float) and not math.isfinite(value)


@given(
    st.recursive(
        st.none()
        | st.integers()
        | st.floats()  # NaN and infinities too
        | st.text(st.characters(codec=None, categories=None), max_size=6),  # NUL, surrogates
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=20,
    )
)
def test_a_value_is_refused_exactly_when_it_breaks_a_rule(value: object) -> None:
    """The quick walk that lets clean values through must never let a bad one through."""
    limits = JsonLimits(max_depth=3, max_string=4)
    if _breaks_a_rule(value, limits):
        with pytest.raises(InvalidInput):
            check_json_value(value, limits=limits)
    else:
        check_json_value(value, limits=limits)
