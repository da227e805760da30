"""SQL for resumable uploads: records, and the lease that gives one request at a time the
right to write (``hanoi.evidence.uploads.UploadsStore`` has the contract)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, or_, select, update

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

    def take_lease(
        self,
        upload_id: str,
        *,
        lease: str,
        offset: int,
        now: datetime,
        until: datetime,
        dead_prefix: str | None = None,
    ) -> bool:
        """One conditional UPDATE: the upload is incomplete, at ``offset``, and its lease
        free, expired, or known dead. Of two requests at once, exactly one matches the row
        (PostgreSQL re-checks the condition on the row the first one committed)."""
        free = [uploads.c.lease.is_(None), uploads.c.lease_until < now]
        if dead_prefix:
            free.append(uploads.c.lease.startswith(dead_prefix, autoescape=True))
        with self.engine.begin() as connection:
            result = connection.execute(
                update(uploads)
                .where(
                    uploads.c.id == upload_id,
                    uploads.c.digest.is_(None),
                    uploads.c.offset == offset,
                    or_(*free),
                )
                .values(lease=lease, lease_until=until)
            )
            return result.rowcount == 1

    def advance(
        self, upload_id: str, *, lease: str, old_offset: int, new_offset: int, until: datetime
    ) -> bool:
        """Compare-and-swap the offset under the lease, renewing it: a writer that lost
        its lease (expired and taken over) never moves the offset."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(uploads)
                .where(
                    uploads.c.id == upload_id,
                    uploads.c.offset == old_offset,
                    uploads.c.lease == lease,
                    uploads.c.digest.is_(None),
                )
                .values(offset=new_offset, lease_until=until)
            )
            return result.rowcount == 1

    def release(self, upload_id: str, *, lease: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(uploads)
                .where(uploads.c.id == upload_id, uploads.c.lease == lease)
                .values(lease=None, lease_until=None)
            )

    def complete(self, upload_id: str, *, lease: str, digest: str, now: datetime) -> bool:
        with self.engine.begin() as connection:
            result = connection.execute(
                update(uploads)
                .where(
                    uploads.c.id == upload_id,
                    uploads.c.lease == lease,
                    uploads.c.digest.is_(None),
                )
                .values(digest=digest, completed_at=now, lease=None, lease_until=None)
            )
            return result.rowcount == 1

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
