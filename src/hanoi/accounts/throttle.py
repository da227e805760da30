"""Failed password sign-ins, counted so that guessing a password takes forever. Pure.

Each failure is counted under two keys: the user name with the client's address
(one attacker guessing one account) and the address alone (one attacker trying
many names). A key with too many failures inside the window is refused until its
oldest failure leaves the window. A name alone is never a key: anybody could then
lock an officer out by typing wrong passwords for her name from anywhere.

The counts live in the process's memory: each server worker keeps its own, and a
restart forgets them. That bounds the guessing rate per worker, which is what the
throttle is for; it is not an audit trail (refused sign-ins are logged for that).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from hanoi.errors import RateLimited


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    per_name_and_client: int = 5
    per_client: int = 50
    window: timedelta = timedelta(minutes=15)
    max_keys: int = 10_000  # memory bound: the oldest keys are forgotten first


class TooManyFailures(RateLimited):
    """Too many failed sign-ins from this client (for this name): wait, then try again."""

    def __init__(self, retry_after: timedelta) -> None:
        minutes = max(1, -(-int(retry_after.total_seconds()) // 60))
        super().__init__(f"too many failed sign-ins; try again in {minutes} minute(s)")
        self.retry_after = retry_after


class LoginThrottle:
    """Counts failures per key in a sliding window; safe across threads."""

    def __init__(self, limits: ThrottleLimits | None = None) -> None:
        self.limits = limits or ThrottleLimits()
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def _keys(self, name: str, client: str) -> tuple[tuple[str, int], ...]:
        return (
            (f"name:{name.casefold()}@{client}", self.limits.per_name_and_client),
            (f"client:{client}", self.limits.per_client),
        )

    def check(self, name: str, client: str, now: datetime) -> None:
        """Raise :class:`TooManyFailures` if either key has used up its failures."""
        with self._lock:
            for key, limit in self._keys(name, client):
                times = self._recent(key, now)
                if len(times) >= limit:
                    raise TooManyFailures(times[0] + self.limits.window - now)

    def failed(self, name: str, client: str, now: datetime) -> None:
        with self._lock:
            for key, _limit in self._keys(name, client):
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times
                self._failures.move_to_end(key)
            while len(self._failures) > self.limits.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, name: str, client: str) -> None:
        """A right password clears the failures of that name from that client."""
        with self._lock:
            self._failures.pop(self._keys(name, client)[0][0], None)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.limits.window:
            times.popleft()
        return times
