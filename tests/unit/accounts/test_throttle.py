"""Password sign-ins: reserved before they are checked, per name and client and per client,
in fixed windows counted with the one before (on the in-memory counter)."""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime, timedelta

import pytest

from hanoi.accounts.memory import MemoryRateCounter
from hanoi.accounts.throttle import LoginThrottle, Reservation, ThrottleLimits, TooManyFailures

WINDOW = timedelta(minutes=10)
LIMITS = ThrottleLimits(per_name_and_client=3, per_client=5, window=WINDOW)
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # the start of a 10-minute window


def _fail(throttle: LoginThrottle, name: str, client: str, times: int, at: datetime = T0) -> None:
    """``times`` attempts that are checked and turn out wrong (their reservations stay)."""
    for _ in range(times):
        throttle.reserve(name, client, at)


def test_a_name_is_refused_from_one_client_after_its_failures() -> None:
    throttle = LoginThrottle(MemoryRateCounter(), LIMITS)
    _fail(throttle, "amira", "10.0.0.1", 3)
    with pytest.raises(TooManyFailures) as refused:
        throttle.reserve("AMIRA", "10.0.0.1", T0 + timedelta(minutes=1))
    # This window is full, and the next one counts it: free from the window after next.
    assert refused.value.retry_after == timedelta(minutes=19)
    assert "19 minute(s)" in refused.value.detail
    throttle.reserve("amira", "10.0.0.2", T0)  # another client is not locked out with it


def test_a_refused_attempt_is_not_counted() -> None:
    counter = MemoryRateCounter()
    throttle = LoginThrottle(counter, LIMITS)
    _fail(throttle, "amira", "10.0.0.1", 3)
    for _ in range(10):
        with pytest.raises(TooManyFailures):
            throttle.reserve("amira", "10.0.0.1", T0)
    name_key, client_key = LoginThrottle.keys("amira", "10.0.0.1")
    window = int(T0.timestamp())
    assert counter.count(name_key, window) == 3
    assert counter.count(client_key, window) == 3


def test_the_previous_window_counts_so_its_edge_gives_no_second_helping() -> None:
    throttle = LoginThrottle(MemoryRateCounter(), LIMITS)
    _fail(throttle, "amira", "10.0.0.1", 3, at=T0 + WINDOW - timedelta(seconds=1))
    with pytest.raises(TooManyFailures) as refused:
        throttle.reserve("amira", "10.0.0.1", T0 + WINDOW)  # a new window, a second later
    assert refused.value.retry_after == WINDOW
    throttle.reserve("amira", "10.0.0.1", T0 + 2 * WINDOW)


def test_failures_spread_over_two_windows_add_up() -> None:
    throttle = LoginThrottle(MemoryRateCounter(), LIMITS)
    _fail(throttle, "amira", "10.0.0.1", 2, at=T0 + timedelta(minutes=8))
    _fail(throttle, "amira", "10.0.0.1", 1, at=T0 + timedelta(minutes=12))
    with pytest.raises(TooManyFailures) as refused:
        throttle.reserve("amira", "10.0.0.1", T0 + timedelta(minutes=15))
    # In the next window only this window's one failure is counted: one place is free.
    assert refused.value.retry_after == timedelta(minutes=5)
    throttle.reserve("amira", "10.0.0.1", T0 + 2 * WINDOW)


def test_one_client_trying_many_names_is_refused() -> None:
    throttle = LoginThrottle(MemoryRateCounter(), LIMITS)
    for name in ("a", "b", "c", "d", "e"):
        _fail(throttle, name, "10.0.0.9", 1)
    with pytest.raises(TooManyFailures):
        throttle.reserve("f", "10.0.0.9", T0)
    throttle.reserve("f", "10.0.0.10", T0)


def test_a_right_password_clears_that_name_and_gives_back_its_place() -> None:
    throttle = LoginThrottle(MemoryRateCounter(), ThrottleLimits(3, 6, window=WINDOW))
    _fail(throttle, "amira", "10.0.0.1", 2)
    throttle.succeeded(throttle.reserve("amira", "10.0.0.1", T0))
    _fail(throttle, "amira", "10.0.0.1", 3)  # three more: the earlier two are forgiven
    # Five failures from the address so far; the right passwords of many officers behind
    # it do not use up its sixth and last place.
    for n in range(20):
        throttle.succeeded(throttle.reserve(f"officer{n}", "10.0.0.1", T0))


def test_concurrent_attempts_get_exactly_the_limit() -> None:
    throttle = LoginThrottle(MemoryRateCounter(), LIMITS)
    start = threading.Barrier(30)
    passed: list[Reservation] = []

    def attempt() -> None:
        start.wait()
        with contextlib.suppress(TooManyFailures):
            passed.append(throttle.reserve("amira", "10.0.0.1", T0))

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == 3


class _CountingCounter(MemoryRateCounter):
    def __init__(self) -> None:
        super().__init__()
        self.purges: list[int] = []

    def purge(self, before: int) -> int:
        self.purges.append(before)
        return super().purge(before)


def test_old_windows_are_purged_at_most_once_a_minute() -> None:
    counter = _CountingCounter()
    throttle = LoginThrottle(counter, LIMITS)
    for second in range(0, 150, 10):
        throttle.succeeded(throttle.reserve("amira", "10.0.0.1", T0 + timedelta(seconds=second)))
    day = 24 * 60 * 60
    t0 = int(T0.timestamp())
    assert counter.purges == [t0 - day, t0 + 60 - day, t0 + 120 - day]


def test_a_window_must_be_whole_seconds_and_at_most_twelve_hours() -> None:
    for window in (timedelta(0), timedelta(seconds=1.5), timedelta(hours=13)):
        with pytest.raises(ValueError, match="window"):
            LoginThrottle(MemoryRateCounter(), ThrottleLimits(window=window))
