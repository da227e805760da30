"""What sign-in needs from storage: counters shared by every process, and UI sessions.

Both live in the database (``hanoi.storage.rate_limits_repo``,
``hanoi.storage.sessions_repo``) because a node may run several server processes,
and a limit or a logout that holds in one process only holds nowhere (ADR 0017).
:mod:`hanoi.accounts.memory` implements both in memory for tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hanoi.accounts.model import User

# A window's row is forgotten a day after the window started (``RateCounter.purge``).
# Every user of the counter must therefore count in windows of 12 hours at most, so that
# the current and the previous window are always kept, whoever runs the clean-up.
COUNTER_RETENTION_SECONDS = 24 * 60 * 60


class RateCounter(Protocol):
    """Counts events per key in fixed time windows, exactly, across processes.

    ``key`` is any text naming what is counted; give it a prefix of your own
    (``"login:..."``, ``"inbox:..."``) so that two users of the counter never share a
    key. ``window`` is the first second (Unix time) of the window, a multiple of its
    length: ``t - t % length``. Windows of different lengths may share the store.

    Contract: :meth:`add` is atomic. Of N concurrent calls on one key and window, each
    gets a different count, from c+1 to c+N, so "allow if the count is at most L"
    lets exactly ``max(0, L - c)`` of them through, in every process.
    """

    def add(self, key: str, window: int) -> int:
        """Add one to the key's count in this window and return the new count."""
        ...

    def count(self, key: str, window: int) -> int:
        """The key's count in this window (0 if none)."""
        ...

    def subtract(self, key: str, window: int) -> None:
        """Take one back (a reservation that was refused or refunded); never below 0."""
        ...

    def clear(self, key: str) -> None:
        """Forget the key in every window."""
        ...

    def purge(self, before: int) -> int:
        """Forget every window that started before ``before`` (Unix time); how many rows."""
        ...


@dataclass(frozen=True, slots=True)
class StoredSession:
    """One signed-in UI session, read with its user (one query per page)."""

    user: User
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


class SessionStore(Protocol):
    """Server-side UI sessions. ``session_id`` is the SHA-256 (hex) of the secret that the
    browser's cookie carries, so the database alone cannot be turned into a cookie."""

    def add_session(
        self, *, session_id: str, user_id: int, now: datetime, expires_at: datetime
    ) -> None: ...

    def session(self, session_id: str) -> StoredSession | None: ...

    def touch_session(self, session_id: str, now: datetime) -> None:
        """Record that the session was used (``last_seen_at``)."""
        ...

    def end_session(self, session_id: str) -> None: ...

    def end_sessions_of(self, user_id: int) -> int:
        """End every session of the user; how many there were."""
        ...

    def purge_sessions(self, now: datetime) -> int:
        """Delete the sessions that expired before ``now``; how many."""
        ...
