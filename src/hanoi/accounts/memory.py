"""In-memory counters and sessions: the ports of :mod:`hanoi.accounts.ports` for unit
tests and for an :class:`~hanoi.accounts.service.AccountService` built without storage.

They hold within one process only, which is exactly what the database versions exist
to avoid; ``hanoi.wiring`` never uses them for a node.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from hanoi.accounts.model import User
from hanoi.accounts.ports import StoredSession


class MemoryRateCounter:
    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def add(self, key: str, window: int) -> int:
        with self._lock:
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
            return count

    def count(self, key: str, window: int) -> int:
        with self._lock:
            return self._counts.get((key, window), 0)

    def subtract(self, key: str, window: int) -> None:
        with self._lock:
            count = self._counts.get((key, window), 0)
            if count > 0:
                self._counts[(key, window)] = count - 1

    def clear(self, key: str) -> None:
        with self._lock:
            for found in [k for k in self._counts if k[0] == key]:
                del self._counts[found]

    def purge(self, before: int) -> int:
        with self._lock:
            old = [k for k in self._counts if k[1] < before]
            for found in old:
                del self._counts[found]
            return len(old)


class MemorySessionStore:
    """Sessions keyed by id; ``user_by_id`` reads the user (the accounts store's lookup)."""

    def __init__(self, user_by_id: Callable[[int], User | None]) -> None:
        self._user_by_id = user_by_id
        self._rows: dict[str, tuple[int, datetime, datetime, datetime]] = {}
        self._lock = threading.Lock()

    def add_session(
        self, *, session_id: str, user_id: int, now: datetime, expires_at: datetime
    ) -> None:
        with self._lock:
            self._rows[session_id] = (user_id, now, now, expires_at)

    def session(self, session_id: str) -> StoredSession | None:
        with self._lock:
            row = self._rows.get(session_id)
        user = self._user_by_id(row[0]) if row is not None else None
        if row is None or user is None:
            return None
        return StoredSession(user, created_at=row[1], last_seen_at=row[2], expires_at=row[3])

    def touch_session(self, session_id: str, now: datetime) -> None:
        with self._lock:
            row = self._rows.get(session_id)
            if row is not None:
                self._rows[session_id] = (row[0], row[1], now, row[3])

    def end_session(self, session_id: str) -> None:
        with self._lock:
            self._rows.pop(session_id, None)

    def end_sessions_of(self, user_id: int) -> int:
        with self._lock:
            ended = [k for k, row in self._rows.items() if row[0] == user_id]
            for session_id in ended:
                del self._rows[session_id]
            return len(ended)

    def purge_sessions(self, now: datetime) -> int:
        with self._lock:
            expired = [k for k, row in self._rows.items() if row[3] <= now]
            for session_id in expired:
                del self._rows[session_id]
            return len(expired)
