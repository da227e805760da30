"""Helpers for the HI-1 tests (tests/unit/providers/hi1): ETSI's examples and a provider's
answers in the Hanoi "UN" profile."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from hanoi.providers.hi1 import Endpoint
from hanoi.providers.hi1.vendored import ETSI, vendored_dir

EXAMPLES: Path = vendored_dir(ETSI) / "103120" / "examples" / "json"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))
NOW = datetime(2026, 12, 7, 9, 30, 15, 250000, tzinfo=UTC)
NODE = Endpoint("FR", "FR-CENTRAL-AUTHORITY")
PROVIDER = Endpoint("FR", "EXAMPLE-MAIL")


def example(name: str) -> dict[str, Any]:
    """A fresh copy of one of ETSI's JSON examples."""
    return copy.deepcopy(json.loads((EXAMPLES / name).read_text(encoding="utf-8")))


def header(*, pushed_by_provider: bool = True) -> dict[str, Any]:
    sender, receiver = (PROVIDER, NODE) if pushed_by_provider else (NODE, PROVIDER)
    return {
        "SenderIdentifier": sender.to_json(),
        "ReceiverIdentifier": receiver.to_json(),
        "TransactionIdentifier": "8f3d51a0-2d4c-4c7a-9d0e-0a1b2c3d4e5f",
        "Timestamp": "2026-12-07T09:31:00.000000Z",
        "Version": {
            "ETSIVersion": "V1.23.1",
            "NationalProfileOwner": "UN",
            "NationalProfileVersion": "v1",
        },
    }


def response(actions: list[dict[str, Any]]) -> dict[str, Any]:
    """A provider's response message with ``actions`` (numbered as given)."""
    return {
        "Header": header(),
        "Payload": {"ResponsePayload": {"ActionResponses": {"ActionResponse": actions}}},
    }


def pushed(actions: list[dict[str, Any]]) -> dict[str, Any]:
    """A request message the provider pushes (deliveries, notifications)."""
    return {
        "Header": header(),
        "Payload": {"RequestPayload": {"ActionRequests": {"ActionRequest": actions}}},
    }


def entry(owner: str, name: str, value: str) -> dict[str, str]:
    return {"common:Owner": owner, "common:Name": name, "common:Value": value}


# --- fuzzing: JSON values and a way to put one anywhere in a message ---------------------

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
