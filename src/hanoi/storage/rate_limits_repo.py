"""The ``rate_limits`` table as a :class:`~hanoi.accounts.ports.RateCounter`, on SQLite and
PostgreSQL alike.

:meth:`SqlRateCounter.add` is one statement, ``INSERT ... ON CONFLICT (key, window) DO
UPDATE SET count = count + 1 RETURNING count``: the database serialises concurrent
increments of a row (PostgreSQL's row lock, SQLite's single writer), so N concurrent
calls return N different counts and no process ever reads a stale one. Keys are stored
as their SHA-256 (hex): the table holds no user name and no address.

Generic on purpose: any limit that must hold across processes (sign-ins, a peer's
messages to the inbox) can count here under keys of its own prefix.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hanoi.storage.tables import rate_limits


def counter_key(key: str) -> str:
    """The stored form of a key: SHA-256 of its UTF-8 text, hex (64 characters)."""
    return hashlib.sha256(key.encode()).hexdigest()


class SqlRateCounter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert: Any = (
            postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        )

    def add(self, key: str, window: int) -> int:
        statement = self._insert(rate_limits).values(key=counter_key(key), window=window, count=1)
        statement = statement.on_conflict_do_update(
            index_elements=[rate_limits.c.key, rate_limits.c.window],
            set_={"count": rate_limits.c.count + 1},
        ).returning(rate_limits.c.count)
        with self.engine.begin() as connection:
            count: int = connection.execute(statement).scalar_one()
        return count

    def count(self, key: str, window: int) -> int:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(func.coalesce(func.sum(rate_limits.c.count), 0)).where(
                    rate_limits.c.key == counter_key(key), rate_limits.c.window == window
                )
            ).scalar_one()
        return int(found)

    def subtract(self, key: str, window: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(rate_limits)
                .where(
                    rate_limits.c.key == counter_key(key),
                    rate_limits.c.window == window,
                    rate_limits.c.count > 0,
                )
                .values(count=rate_limits.c.count - 1)
            )

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(rate_limits).where(rate_limits.c.key == counter_key(key)))

    def purge(self, before: int) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(delete(rate_limits).where(rate_limits.c.window < before))
        return int(result.rowcount)
