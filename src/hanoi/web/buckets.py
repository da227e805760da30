"""Token buckets per key (a client's address), in this process's memory.

For endpoints that anyone may call without signing in, such as the federation inbox: each
key may make ``burst`` calls at once and ``per_minute`` calls a minute after that. A
refused call costs the node nothing but this check, not a database row. The buckets are
per process and forgotten on restart: they bound load, they are not an audit trail (the
sign-in throttle, which is, counts in the database). At most ``max_keys`` buckets are
kept, the least recently used forgotten first, so a flood of addresses cannot fill memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class TokenBuckets:
    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        max_keys: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1 or burst < 1 or max_keys < 1:
            raise ValueError("per_minute, burst and max_keys are positive")
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._max_keys = max_keys
        self._now = monotonic
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token for ``key``: 0.0 if the call may go on, else the seconds to wait."""
        now = self._now()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self._rate
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
        return wait
