"""Any refusal that says how long to wait is answered with ``Retry-After``, whatever its
family: a rate limit (429) and a proof not witnessed yet (409) alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hanoi import errors
from hanoi.web import problems


class SlowDown(errors.RateLimited):
    retry_after = timedelta(milliseconds=1500)


class NotYet(errors.Conflict):
    retry_after = 2


class Plain(errors.Conflict):
    pass


@pytest.mark.parametrize(
    ("error", "status", "wait"),
    [(SlowDown, 429, "2"), (NotYet, 409, "2"), (Plain, 409, None)],
)
def test_retry_after_follows_the_error_not_its_family(
    error: type[errors.HanoiError], status: int, wait: str | None
) -> None:
    app = FastAPI()
    problems.install(app)

    @app.get("/x")
    def fail() -> None:
        raise error("wait a little")

    answer = TestClient(app).get("/x")
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers.get("Retry-After") == wait


def test_a_wait_of_nothing_says_nothing() -> None:
    refusal = errors.RateLimited("no")
    assert refusal.wait_seconds() is None
    refusal.retry_after = 0.2
    assert refusal.wait_seconds() == 1
