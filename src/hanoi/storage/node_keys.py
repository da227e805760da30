"""Repository for the node's own public keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select

from hanoi.storage.tables import node_keys


@dataclass(frozen=True, slots=True)
class StoredKey:
    key_id: str
    purpose: str
    public_key: bytes
    created_at: datetime
    retired_at: datetime | None


def record_key(
    engine: Engine, *, key_id: str, purpose: str, public_key: bytes, now: datetime
) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(node_keys).values(
                key_id=key_id, purpose=purpose, public_key=public_key, created_at=now
            )
        )


def list_keys(engine: Engine) -> list[StoredKey]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(node_keys).order_by(node_keys.c.created_at, node_keys.c.key_id)
        )
        return [
            StoredKey(
                key_id=row.key_id,
                purpose=row.purpose,
                public_key=row.public_key,
                created_at=row.created_at,
                retired_at=row.retired_at,
            )
            for row in rows
        ]
