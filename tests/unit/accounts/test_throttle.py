"""Failed sign-ins: per name and client, per client, in a sliding window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hanoi.accounts.throttle import LoginThrottle, ThrottleLimits, TooManyFailures

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
LIMITS = ThrottleLimits(per_name_and_client=3, per_client=5, window=timedelta(minutes=10))


def _fail(throttle: LoginThrottle, name: str, client: str, times: int, at: datetime = T0) -> None:
    for _ in range(times):
        throttle.check(name, client, at)
        throttle.failed(name, client, at)


def test_a_name_is_refused_from_one_client_after_its_failures() -> None:
    throttle = LoginThrottle(LIMITS)
    _fail(throttle, "amira", "10.0.0.1", 3)
    with pytest.raises(TooManyFailures) as refused:
        throttle.check("AMIRA", "10.0.0.1", T0 + timedelta(minutes=1))
    assert refused.value.retry_after == timedelta(minutes=9)
    assert "9 minute(s)" in refused.value.detail
    throttle.check("amira", "10.0.0.2", T0)  # another client is not locked out with it


def test_the_window_slides() -> None:
    throttle = LoginThrottle(LIMITS)
    _fail(throttle, "amira", "10.0.0.1", 2)
    _fail(throttle, "amira", "10.0.0.1", 1, at=T0 + timedelta(minutes=5))
    with pytest.raises(TooManyFailures):
        throttle.check("amira", "10.0.0.1", T0 + timedelta(minutes=9))
    throttle.check("amira", "10.0.0.1", T0 + timedelta(minutes=10))  # two have left the window


def test_one_client_trying_many_names_is_refused() -> None:
    throttle = LoginThrottle(LIMITS)
    for name in ("a", "b", "c", "d", "e"):
        _fail(throttle, name, "10.0.0.9", 1)
    with pytest.raises(TooManyFailures):
        throttle.check("f", "10.0.0.9", T0)


def test_a_right_password_clears_that_name_from_that_client() -> None:
    throttle = LoginThrottle(LIMITS)
    _fail(throttle, "amira", "10.0.0.1", 2)
    throttle.succeeded("amira", "10.0.0.1")
    _fail(throttle, "amira", "10.0.0.1", 2)
    throttle.check("amira", "10.0.0.1", T0)


def test_memory_is_bounded() -> None:
    throttle = LoginThrottle(ThrottleLimits(max_keys=10))
    for n in range(100):
        throttle.failed(f"user{n}", f"10.0.{n}.1", T0)
    assert len(throttle._failures) <= 10
