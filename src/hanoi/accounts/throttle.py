"""Password sign-ins, counted so that guessing a password takes forever. No I/O of its
own: the counts live behind a :class:`~hanoi.accounts.ports.RateCounter`, which on a
node is a table that every server process shares and a restart keeps (ADR 0017).

Each attempt is counted under two keys: the user name with the client's address (one
attacker guessing one account) and the address alone (one attacker trying many names).
A name alone is never a key: anybody could then lock an officer out by typing wrong
passwords for her name from anywhere.

**Reserve, then check.** An attempt first adds itself to both counts, atomically, and
only an attempt whose count is within the limit goes on to the password check. Counting
after the check, as before, let 40 concurrent attempts all pass a check that each saw
below the limit. A refused attempt takes its reservation back (it checked nothing); a
checked wrong password keeps it; a right password clears its name's count from that
address and gives back its place in the address's count.

**Windows.** Counts are kept per fixed window (15 minutes) and an attempt is allowed
only if the current window and the one before hold, together, no more than the limit.
Any 15 minutes lie within two consecutive windows, so no more than the limit is ever
checked in any 15 minutes, also across a window's edge (a lone window would allow twice
the limit around it). The price: a name that used up its attempts waits until the
window after next, 15 to 30 minutes.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from hanoi.accounts.memory import MemoryRateCounter
from hanoi.accounts.ports import COUNTER_RETENTION_SECONDS, RateCounter
from hanoi.errors import RateLimited

MAX_WINDOW = timedelta(seconds=COUNTER_RETENTION_SECONDS // 2)


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    per_name_and_client: int = 5
    per_client: int = 50
    window: timedelta = timedelta(minutes=15)
    purge_every: timedelta = timedelta(minutes=1)  # per process: old windows are deleted


class TooManyFailures(RateLimited):
    """Too many failed sign-ins from this client (for this name): wait, then try again."""

    def __init__(self, retry_after: timedelta) -> None:
        minutes = max(1, -(-int(retry_after.total_seconds()) // 60))
        super().__init__(f"too many failed sign-ins; try again in {minutes} minute(s)")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Reservation:
    """An attempt's place in the counts, held while its password is checked."""

    name_key: str
    client_key: str
    window: int


class LoginThrottle:
    """Reserves attempts in a shared counter; safe across threads and processes."""

    def __init__(
        self, counter: RateCounter | None = None, limits: ThrottleLimits | None = None
    ) -> None:
        self.limits = limits or ThrottleLimits()
        seconds = self.limits.window.total_seconds()
        if seconds != int(seconds) or not timedelta(0) < self.limits.window <= MAX_WINDOW:
            raise ValueError(f"the window must be whole seconds, at most {MAX_WINDOW}")
        self._length = int(seconds)
        self._counter = counter if counter is not None else MemoryRateCounter()
        self._purged_at: int | None = None
        self._purge_lock = threading.Lock()

    @staticmethod
    def keys(name: str, client: str) -> tuple[str, str]:
        """The counter keys of a name at an address, and of the address alone."""
        return (
            "login:name+client:" + json.dumps([name.casefold(), client]),
            "login:client:" + json.dumps(client),
        )

    def reserve(self, name: str, client: str, now: datetime) -> Reservation:
        """Count this attempt, or raise :class:`TooManyFailures` if it would exceed a limit
        (the attempt is then not counted, and its password must not be checked)."""
        t = int(now.timestamp())
        window = t - t % self._length
        name_key, client_key = self.keys(name, client)
        limits = ((name_key, self.limits.per_name_and_client), (client_key, self.limits.per_client))
        taken: list[str] = []
        for key, limit in limits:
            count = self._counter.add(key, window)
            taken.append(key)
            if count + self._counter.count(key, window - self._length) > limit:
                for undo in taken:
                    self._counter.subtract(undo, window)
                # The next window still counts this one: if this one alone is full, wait
                # for the window after it.
                free_from = window + (2 if count - 1 >= limit else 1) * self._length
                raise TooManyFailures(timedelta(seconds=free_from - t))
        self._purge_now_and_then(t)
        return Reservation(name_key=name_key, client_key=client_key, window=window)

    def succeeded(self, reservation: Reservation) -> None:
        """A right password: that name starts afresh from that address, and the attempt
        does not count against the address."""
        self._counter.clear(reservation.name_key)
        self._counter.subtract(reservation.client_key, reservation.window)

    def _purge_now_and_then(self, t: int) -> None:
        every = int(self.limits.purge_every.total_seconds())
        with self._purge_lock:
            if self._purged_at is not None and t - self._purged_at < every:
                return
            self._purged_at = t
        self._counter.purge(t - COUNTER_RETENTION_SECONDS)
