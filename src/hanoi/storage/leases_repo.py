"""The ``leases`` table as a :class:`~hanoi.leases.LeaseStore`, on SQLite and PostgreSQL.

Each call is one statement or two in one transaction, conditional on the row as it is
when written: PostgreSQL re-checks an UPDATE's condition on the row another transaction
just committed, and an INSERT ... ON CONFLICT DO NOTHING waits for a concurrent insert
of the same name and then does nothing; SQLite runs one writer at a time. So of two
takers at once, exactly one gets the lease. A released lease is deleted: the table holds
only the leases in use (and those of holders that died, until taken again).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hanoi.storage.tables import leases


class SqlLeases:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert: Any = (
            postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        )

    def take(
        self,
        name: str,
        *,
        holder: str,
        now: datetime,
        until: datetime,
        replacing: str | None = None,
    ) -> bool:
        """An UPDATE of an expired (or known-dead) lease, else an INSERT of a free one."""
        free = [leases.c.expires_at <= now]
        if replacing is not None:
            free.append(leases.c.holder == replacing)
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(leases)
                .where(leases.c.name == name, or_(*free))
                .values(holder=holder, expires_at=until, taken_at=now)
            )
            if taken.rowcount == 1:
                return True
            inserted = connection.execute(
                self._insert(leases)
                .values(name=name, holder=holder, expires_at=until, taken_at=now)
                .on_conflict_do_nothing(index_elements=[leases.c.name])
                .returning(leases.c.name)  # a row back: inserted (rowcount is -1 here on psycopg)
            )
            return inserted.first() is not None

    def renew(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        with self.engine.begin() as connection:
            renewed = connection.execute(
                update(leases)
                .where(leases.c.name == name, leases.c.holder == holder)
                .values(expires_at=until)
            )
            return bool(renewed.rowcount == 1)

    def release(self, name: str, *, holder: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(leases).where(leases.c.name == name, leases.c.holder == holder)
            )

    def holder(self, name: str, *, now: datetime) -> str | None:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(leases.c.holder).where(leases.c.name == name, leases.c.expires_at > now)
            ).scalar_one_or_none()
        return None if found is None else str(found)
