"""SQL for resumable uploads."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update

from hanoi.evidence.uploads import Upload
from hanoi.storage.tables import uploads


def _record(row: Any) -> Upload:
    return Upload(
        id=row.id,
        user_id=row.user_id,
        length=row.length,
        offset=row.offset,
        metadata=json.loads(row.metadata),
        expected_sha256=row.expected_sha256,
        digest=row.digest,
        created_at=row.created_at,
    )


class UploadsRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, record: Upload) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(uploads).values(
                    id=record.id,
                    user_id=record.user_id,
                    length=record.length,
                    offset=record.offset,
                    metadata=json.dumps(record.metadata, sort_keys=True),
                    expected_sha256=record.expected_sha256,
                    created_at=record.created_at,
                )
            )

    def get(self, upload_id: str) -> Upload | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(uploads).where(uploads.c.id == upload_id)).first()
        return _record(row) if row else None

    def advance(self, upload_id: str, *, old_offset: int, new_offset: int) -> bool:
        """Compare-and-swap the offset, so two PATCHes at once cannot both apply."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(uploads)
                .where(uploads.c.id == upload_id, uploads.c.offset == old_offset)
                .values(offset=new_offset)
            )
            return result.rowcount == 1

    def complete(self, upload_id: str, *, digest: str, now: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(uploads)
                .where(uploads.c.id == upload_id)
                .values(digest=digest, completed_at=now)
            )

    def delete(self, upload_id: str) -> bool:
        """Remove the record; False if it was already gone (another caller took it)."""
        with self.engine.begin() as connection:
            deleted = connection.execute(delete(uploads).where(uploads.c.id == upload_id))
        return deleted.rowcount == 1

    def active_count(self, user_id: int) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count())
                    .select_from(uploads)
                    .where(uploads.c.user_id == user_id, uploads.c.digest.is_(None))
                ).scalar_one()
            )
