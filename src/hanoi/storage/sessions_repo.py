"""The ``ui_sessions`` table as a :class:`~hanoi.accounts.ports.SessionStore`.

Every UI page reads its session with its user in one query (:meth:`session`); the
writes are sign-in, logout, a ``last_seen_at`` at most once a minute, and the deletes
that end sessions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, insert, select, update

from hanoi.accounts.ports import StoredSession
from hanoi.storage.accounts_repo import user_from_row
from hanoi.storage.tables import ui_sessions, users


class SessionsRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_session(
        self, *, session_id: str, user_id: int, now: datetime, expires_at: datetime
    ) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(ui_sessions).values(
                    id=session_id,
                    user_id=user_id,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires_at,
                )
            )

    def session(self, session_id: str) -> StoredSession | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    ui_sessions.c.created_at.label("session_created_at"),
                    ui_sessions.c.last_seen_at,
                    ui_sessions.c.expires_at,
                    users,
                )
                .join(users, users.c.id == ui_sessions.c.user_id)
                .where(ui_sessions.c.id == session_id)
            ).first()
        if row is None:
            return None
        return StoredSession(
            user=user_from_row(row),
            created_at=row.session_created_at,
            last_seen_at=row.last_seen_at,
            expires_at=row.expires_at,
        )

    def touch_session(self, session_id: str, now: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(ui_sessions).where(ui_sessions.c.id == session_id).values(last_seen_at=now)
            )

    def end_session(self, session_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(ui_sessions).where(ui_sessions.c.id == session_id))

    def end_sessions_of(self, user_id: int) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(delete(ui_sessions).where(ui_sessions.c.user_id == user_id))
        return int(result.rowcount)

    def purge_sessions(self, now: datetime) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(delete(ui_sessions).where(ui_sessions.c.expires_at <= now))
        return int(result.rowcount)
