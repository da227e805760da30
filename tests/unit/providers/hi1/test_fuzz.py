"""Whatever bytes or JSON a provider sends, only typed errors come out of the readers."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hanoi.errors import HanoiError
from hanoi.providers.hi1 import check_delivery, parse_json, read_answer
from support_hi1 import EXAMPLE_FILES, example

ANSWERS = [p.name for p in EXAMPLE_FILES if p.name.startswith(("response", "request5"))]
KEYS = [
    "Header",
    "Payload",
    "ResponsePayload",
    "RequestPayload",
    "ActionResponses",
    "ActionResponse",
    "ActionRequests",
    "ActionRequest",
    "ActionIdentifier",
    "GETResponse",
    "DELIVER",
    "HI1Object",
    "@xsi:type",
    "ObjectIdentifier",
    "task:Status",
    "delivery:Delivery",
    "delivery:BinaryData",
    "delivery:Data",
    "ErrorInformation",
    "ErrorCode",
]
scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=20)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


def mutate(document: Any, path: list[int], value: Any) -> Any:
    """Replace the member reached by following ``path`` (indices into sorted keys)."""
    if not path or not isinstance(document, dict | list) or not document:
        return value
    if isinstance(document, dict):
        key = sorted(document)[path[0] % len(document)]
        return {**document, key: mutate(document[key], path[1:], value)}
    index = path[0] % len(document)
    return [*document[:index], mutate(document[index], path[1:], value), *document[index + 1 :]]


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
