"""Repository for the node's own public keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert

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
