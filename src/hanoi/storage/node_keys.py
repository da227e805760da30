"""Repository for the node's own public keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from hanoi.storage.tables import node_keys


def record_key(
    engine: Engine, *, key_id: str, purpose: str, public_key: bytes, now: datetime
) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(node_keys).values(
                key_id=key_id, purpose=purpose, public_key=public_key, created_at=now
            )
        )


def retire_key(engine: Engine, *, key_id: str, now: datetime) -> None:
    """Mark a key rotated out (ADR 0051); a key never recorded (a node made before the
    table) is left unrecorded."""
    with engine.begin() as connection:
        connection.execute(
            update(node_keys)
            .where(node_keys.c.key_id == key_id, node_keys.c.retired_at.is_(None))
            .values(retired_at=now)
        )


def has_key(engine: Engine, key_id: str) -> bool:
    with engine.connect() as connection:
        found = connection.execute(select(node_keys.c.key_id).where(node_keys.c.key_id == key_id))
        return found.first() is not None
