"""SQL for users and API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError as SQLIntegrityError

from hanoi.accounts.model import User, parse_role
from hanoi.errors import Conflict
from hanoi.storage.tables import api_tokens, users


@dataclass(frozen=True, slots=True)
class StoredToken:
    user_id: int
    secret_hash: bytes
    revoked: bool
    user: User


def user_from_row(row: Any) -> User:
    """A :class:`User` from a row with the ``users`` table's columns (also used by joins)."""
    return User(
        id=row.id,
        name=row.name,
        role=parse_role(row.role),
        created_at=row.created_at,
        disabled=row.disabled_at is not None,
        title=row.title,
    )


class AccountsRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_user(
        self,
        *,
        name: str,
        role: str,
        password_hash: str | None,
        now: datetime,
        title: str | None = None,
        external_subject: str | None = None,
    ) -> User:
        try:
            with self.engine.begin() as connection:
                user_id = connection.execute(
                    insert(users)
                    .values(
                        name=name,
                        role=role,
                        password_hash=password_hash,
                        created_at=now,
                        title=title,
                        external_subject=external_subject,
                    )
                    .returning(users.c.id)
                ).scalar_one()
        except SQLIntegrityError:
            raise Conflict(f"a user named {name!r} exists already") from None
        found = self.user_by_id(user_id)
        assert found is not None
        return found

    def set_title(self, name: str, title: str | None) -> User | None:
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(users).where(users.c.name == name).values(title=title)
            ).rowcount
        found = self.user_by_name(name) if changed else None
        return found[0] if found else None

    def set_role(self, user_id: int, role: str) -> User | None:
        with self.engine.begin() as connection:
            connection.execute(update(users).where(users.c.id == user_id).values(role=role))
        return self.user_by_id(user_id)

    def user_by_external_subject(self, subject: str) -> User | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(users).where(users.c.external_subject == subject)
            ).first()
        return user_from_row(row) if row else None

    def user_by_id(self, user_id: int) -> User | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(users).where(users.c.id == user_id)).first()
        return user_from_row(row) if row else None

    def user_by_name(self, name: str) -> tuple[User, str | None] | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(users).where(users.c.name == name)).first()
        return (user_from_row(row), row.password_hash) if row else None

    def list_users(self) -> list[User]:
        with self.engine.connect() as connection:
            return [
                user_from_row(r) for r in connection.execute(select(users).order_by(users.c.name))
            ]

    def add_token(self, *, token_id: str, user_id: int, secret_hash: bytes, now: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(api_tokens).values(
                    token_id=token_id, user_id=user_id, secret_hash=secret_hash, created_at=now
                )
            )

    def token(self, token_id: str) -> StoredToken | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(api_tokens.c.secret_hash, api_tokens.c.revoked_at, users)
                .join(users, users.c.id == api_tokens.c.user_id)
                .where(api_tokens.c.token_id == token_id)
            ).first()
        if row is None:
            return None
        return StoredToken(row.id, row.secret_hash, row.revoked_at is not None, user_from_row(row))
