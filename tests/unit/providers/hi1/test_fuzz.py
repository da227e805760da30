"""Whatever bytes or JSON a provider sends, only typed errors come out of the readers."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hanoi.errors import HanoiError
from hanoi.providers.hi1 import check_delivery, parse_json, read_answer
from support_hi1 import EXAMPLE_FILES, example, mutate, values

ANSWERS = [p.name for p in EXAMPLE_FILES if p.name.startswith(("response", "request5"))]


def read(raw: bytes) -> None:
    try:
        answer = read_answer(parse_json(raw))
        for delivery in answer.deliveries:
            check_delivery(delivery, delivery.data or b"")
    except HanoiError:
        pass


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=200))
def test_random_bytes(raw: bytes) -> None:
    read(raw)


@FAST
@given(
    st.sampled_from(ANSWERS),
    st.lists(st.integers(0, 40), max_size=12),
    values,
)
def test_mutated_examples(name: str, path: list[int], value: Any) -> None:
    read(json.dumps(mutate(example(name), path, value)).encode())


@FAST
@given(st.sampled_from(ANSWERS), st.integers(0, 4000), st.binary(min_size=1, max_size=3))
def test_spliced_bytes(name: str, at: int, junk: bytes) -> None:
    raw = json.dumps(example(name)).encode()
    at %= len(raw)
    read(raw[:at] + junk + raw[at + len(junk) :])
