"""The low findings of the attack run (issue 13, finding 7), each held by a test:

- unauthenticated garbage to the inbox added a database row each time, without a rate
  limit;
- SQLAlchemy wrote statement parameters (evidence metadata) to the log on database errors;
- ``demo.json``, which holds passwords and tokens, was readable by everyone (0644).
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from hanoi.sandbox.nodes import write_json
from hanoi.storage.tables import evidence_items, inbox_refusals
from hanoi.web.buckets import TokenBuckets
from support_security import World, world


@pytest.fixture(params=["sqlite", "postgresql"])
def node(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    url = (
        None
        if request.param == "sqlite"
        else request.getfixturevalue("migrated_databases").postgres()
    )
    with world(tmp_path, url) as built:
        yield built


def refusal_rows(node: World) -> list[tuple[str, str, int]]:
    with node.node.engine.connect() as connection:
        rows = connection.execute(
            select(inbox_refusals.c.source, inbox_refusals.c.problem, inbox_refusals.c.count)
        ).all()
    return [(r.source, r.problem, r.count) for r in rows]


def test_garbage_to_the_inbox_is_counted_in_one_row_then_rate_limited(node: World) -> None:
    # Time stands still, so a slow machine (200 posts taking over a second) refills nothing.
    frozen = TokenBuckets(per_minute=60, burst=30, monotonic=lambda: 0.0)
    node.client.app.state.inbox_buckets = frozen  # type: ignore[attr-defined]
    answers = [
        node.client.post("/federation/v1/inbox", content=f"garbage {i}".encode()).status_code
        for i in range(200)
    ]
    assert answers[:30] == [400] * 30
    assert set(answers[30:]) == {429}
    limited = node.client.post("/federation/v1/inbox", content=b"more")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["content-type"] == "application/problem+json"
    # Thirty refusals, one row; the rate-limited ones cost no row at all.
    [(source, problem, count)] = refusal_rows(node)
    assert (source, count) == ("testclient", 30)
    listed = node.call("GET", "/api/v1/federation/refusals", "auditor-on").json()
    assert [(r["source"], r["count"]) for r in listed] == [("testclient", 30)]
    assert problem == listed[0]["problem"]


def test_the_buckets_refill_and_forget_the_oldest_keys() -> None:
    now = [0.0]
    buckets = TokenBuckets(per_minute=60, burst=2, max_keys=3, monotonic=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 1.0]
    now[0] += 1.0
    assert buckets.take("a") == 0.0  # one token back after a second
    for key in ("b", "c", "d"):
        buckets.take(key)
    assert buckets.take("a") == 0.0  # forgotten, so whole again: memory stays bounded


def test_database_errors_never_show_their_parameters(
    node: World, caplog: pytest.LogCaptureFixture
) -> None:
    row = {
        "id": node.item.id,  # a duplicate key: the insert fails
        "sha256": "0" * 64,
        "size": 1,
        "original_name": "suspect-diary-SECRET.txt",
        "media_type": "text/plain",
        "source_kind": "device",
        "source": "the suspect's phone SECRET",
        "method": "m",
        "acquired_at": node.item.recorded_at,
        "officer": "o",
        "request_ref": node.request_id,
        "article": "a",
        "recorded_at": node.item.recorded_at,
    }
    with (
        caplog.at_level(logging.DEBUG),
        pytest.raises(IntegrityError) as caught,
        node.node.engine.begin() as connection,
    ):
        connection.execute(insert(evidence_items).values(**row))
    logging.getLogger("hanoi.test").exception("as the server logs it", exc_info=caught.value)
    assert "SECRET" not in str(caught.value)
    assert "SECRET" not in caplog.text
    assert "hidden due to hide_parameters" in str(caught.value)


def test_the_sandbox_writes_its_secrets_for_its_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        target = tmp_path / "demo.json"
        write_json(target, {"users": {"amira": {"password": "p", "token": "t"}}})
        write_json(target, {"users": {"amira": {"password": "q", "token": "u"}}})
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["users"]["amira"]["password"] == "q"
    assert not target.with_suffix(".tmp").exists()
