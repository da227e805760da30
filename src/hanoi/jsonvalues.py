"""JSON values a node takes from outside: parsed strictly and bounded. Pure.

Python's ``json`` accepts what no other State's software would send and what our storage
cannot keep: ``NaN`` and ``Infinity`` (and ``1e400``, read as infinity), strings with a
lone UTF-16 surrogate (``"\\ud800"``, which no encoder can write back), NUL characters
(which PostgreSQL refuses in text), and nesting deep enough to exhaust the interpreter's
recursion. :func:`parse_json` refuses each of them with :class:`~hanoi.errors.InvalidInput`
and a field problem whose path is a JSON pointer to the offending value, so that the
client is told where, not only what. :func:`check_json_value` applies the same rules to
a value that is already parsed (contents read from a file by the CLI, say).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from hanoi.errors import FieldProblem, InvalidInput


@dataclass(frozen=True, slots=True)
class JsonLimits:
    max_depth: int = 32
    """Arrays and objects nested at most this deep (the value itself is depth 1)."""
    max_string: int = 100_000
    """Characters in one string or one object key."""


DEFAULT_JSON_LIMITS = JsonLimits()
MAX_PROBLEMS = 20


class _Constant:
    """``NaN``, ``Infinity`` or ``-Infinity`` as read, kept to be reported with its place."""

    def __init__(self, text: str) -> None:
        self.text = text


def parse_json(data: bytes | str, *, limits: JsonLimits = DEFAULT_JSON_LIMITS) -> Any:
    """The value of ``data``, if it is strict JSON within ``limits``; ``InvalidInput``
    naming every offending place (up to :data:`MAX_PROBLEMS`) otherwise."""
    try:
        value = json.loads(data, parse_constant=_Constant)
    except RecursionError:
        problem = FieldProblem("#", f"nested deeper than {limits.max_depth} levels")
        raise _refusal([problem]) from None
    except UnicodeDecodeError:
        raise _refusal([FieldProblem("#", "the body is not UTF-8")]) from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            detail = f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
        else:
            detail = str(exc)[:200]
        raise _refusal([FieldProblem("#", f"not valid JSON: {detail}")]) from None
    check_json_value(value, limits=limits)
    return value


def check_json_value(value: Any, *, limits: JsonLimits = DEFAULT_JSON_LIMITS) -> None:
    """Raise ``InvalidInput`` unless every string, number and nesting level of ``value``
    is within the rules above. Iterative: a deep value cannot exhaust the stack here."""
    if _clean(value, limits):
        return
    problems: list[FieldProblem] = []
    stack: list[tuple[Any, str, int]] = [(value, "#", 1)]
    while stack and len(problems) < MAX_PROBLEMS:
        current, path, depth = stack.pop()
        if isinstance(current, dict | list):
            if depth > limits.max_depth:
                problems.append(FieldProblem(path, f"nested deeper than {limits.max_depth} levels"))
                continue
            if isinstance(current, dict):
                for key, element in reversed(current.items()):
                    key_problem = _string_problem(str(key), limits)
                    if key_problem is not None:
                        problems.append(FieldProblem(path, f"an object key {key_problem}"))
                        continue
                    stack.append((element, f"{path}/{_escape(key)}", depth + 1))
            else:
                for index in range(len(current) - 1, -1, -1):
                    stack.append((current[index], f"{path}/{index}", depth + 1))
        elif isinstance(current, str):
            string_problem = _string_problem(current, limits)
            if string_problem is not None:
                problems.append(FieldProblem(path, f"a string {string_problem}"))
        elif isinstance(current, _Constant):
            problems.append(FieldProblem(path, f"{current.text} is not a JSON number"))
        elif isinstance(current, float) and not math.isfinite(current):
            problems.append(FieldProblem(path, "a number too large to represent"))
    if problems:
        raise _refusal(problems)


def _clean(value: Any, limits: JsonLimits) -> bool:
    """Whether :func:`check_json_value` would find nothing wrong with ``value``: the same
    rules, without naming places. Values are nearly always clean (every request body, every
    request's contents each time a request is built), so the walk that builds a JSON
    pointer for every value runs only for one that is not."""
    max_depth, max_string = limits.max_depth, limits.max_string
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            if depth > max_depth:
                return False
            for key, element in current.items():
                if not _clean_text(key if isinstance(key, str) else str(key), max_string):
                    return False
                stack.append((element, depth + 1))
        elif isinstance(current, list):
            if depth > max_depth:
                return False
            stack.extend((element, depth + 1) for element in current)
        elif isinstance(current, str):
            if not _clean_text(current, max_string):
                return False
        elif isinstance(current, _Constant) or (
            isinstance(current, float) and not math.isfinite(current)
        ):
            return False
    return True


def _clean_text(text: str, max_string: int) -> bool:
    if len(text) > max_string or "\x00" in text:
        return False
    return text.isascii() or text_problem(text) is None  # ASCII holds no surrogate


def _string_problem(text: str, limits: JsonLimits) -> str | None:
    if len(text) > limits.max_string:
        return f"longer than {limits.max_string} characters"
    return text_problem(text)


def text_problem(text: str) -> str | None:
    """What makes ``text`` unfit to store and show (a NUL, a lone surrogate), if anything."""
    if "\x00" in text:
        return "with a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "with a lone UTF-16 surrogate (not a character)"
    return None


def _escape(key: str) -> str:
    """A key as a JSON pointer segment (RFC 6901), shortened for messages."""
    return key[:64].replace("~", "~0").replace("/", "~1")


def _refusal(problems: list[FieldProblem]) -> InvalidInput:
    return InvalidInput(
        f"the JSON body is refused: {problems[0].path}: {problems[0].message}",
        fields=tuple(problems),
    )
