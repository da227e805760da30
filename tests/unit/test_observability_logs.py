"""JSON log lines and their second line of defence: what looks like a secret is masked,
whoever logged it (``hanoi.observability.logs``)."""

from __future__ import annotations

import json
import logging

import pytest

from hanoi.observability.logs import (
    MASK,
    JsonFormatter,
    Redact,
    accepted_request_id,
    redact,
    request_id,
)

TOKEN = "hanoi_1733512345_" + "Zk3" * 14 + "q"


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {TOKEN}",
        f"token {TOKEN} refused",
        "posted name=amira&password=correct-horse&next=/ui/",
        "url ?passphrase=open-sesame",
    ],
)
def test_secrets_are_masked(text: str) -> None:
    cleaned = redact(text)
    assert MASK in cleaned
    for secret in (TOKEN, "correct-horse", "open-sesame"):
        assert secret not in cleaned


def test_a_record_is_one_json_line_with_its_request_id() -> None:
    record = logging.LogRecord("hanoi.test", logging.WARNING, __file__, 1, "got %s", (TOKEN,), None)
    record.route = "/api/v1/me"
    marker = request_id.set("abc-123")
    try:
        assert Redact().filter(record)
        line = JsonFormatter().format(record)
    finally:
        request_id.reset(marker)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "warning"
    assert entry["logger"] == "hanoi.test"
    assert entry["message"] == f"got {MASK}"
    assert entry["request_id"] == "abc-123"
    assert entry["route"] == "/api/v1/me"
    assert entry["time"].endswith("+00:00")


def test_request_ids_are_kept_only_when_well_formed() -> None:
    assert accepted_request_id("lb-7f3a.91:2") == "lb-7f3a.91:2"
    for bad in (None, "", " x", "a\nb", "x" * 129, "-starts-with-dash"):
        made = accepted_request_id(bad)
        assert made != bad
        assert len(made) == 32
