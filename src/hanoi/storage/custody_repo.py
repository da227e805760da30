"""SQL for the custody log: the pending queue, sequenced entries, checkpoints and witness state.

Only SQL here; the order of the steps and the Merkle rules live in
``hanoi.custody.sequencer``. Works on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update

from hanoi.storage.tables import (
    checkpoints,
    cosignatures,
    custody_entries,
    custody_pending,
    log_alerts,
    log_state,
    witnessed_logs,
)

_SEQUENCER_LOCK = zlib.crc32(b"hanoi.custody.sequencer")


@dataclass(frozen=True, slots=True)
class NewEntry:
    commitment: bytes
    event: bytes
    salt: bytes
    subject: str


@dataclass(frozen=True, slots=True)
class StoredEntry:
    index: int
    commitment: bytes
    event: bytes
    salt: bytes
    subject: str


@dataclass(frozen=True, slots=True)
class LogState:
    size: int
    root: bytes
    checkpoint: str


@dataclass(frozen=True, slots=True)
class WitnessedLog:
    origin: str
    size: int
    root: bytes
    checkpoint: str


class CustodyRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- appends ------------------------------------------------------------------------

    def enqueue(self, entries: Sequence[NewEntry], *, now: datetime) -> None:
        """Durably queue entries; once this returns, the appends are acknowledged."""
        if not entries:
            return
        with self.engine.begin() as connection:
            connection.execute(
                insert(custody_pending),
                [
                    {
                        "commitment": e.commitment,
                        "event": e.event,
                        "salt": e.salt,
                        "subject": e.subject,
                        "enqueued_at": now,
                    }
                    for e in entries
                ],
            )

    def pending_count(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(custody_pending)).scalar_one()
            )

    def assign_indexes(self, *, start: int, limit: int) -> list[StoredEntry]:
        """Move up to ``limit`` queued entries to indexes ``start, start+1, ...`` in one
        transaction, in queue order. Returns them. The caller holds the sequencer lock."""
        with self.engine.begin() as connection:
            rows = connection.execute(
                select(custody_pending).order_by(custody_pending.c.id).limit(limit)
            ).all()
            if not rows:
                return []
            assigned = [
                StoredEntry(start + i, r.commitment, r.event, r.salt, r.subject)
                for i, r in enumerate(rows)
            ]
            connection.execute(
                insert(custody_entries),
                [
                    {
                        "idx": e.index,
                        "commitment": e.commitment,
                        "event": e.event,
                        "salt": e.salt,
                        "subject": e.subject,
                        "enqueued_at": r.enqueued_at,
                    }
                    for e, r in zip(assigned, rows, strict=True)
                ],
            )
            connection.execute(
                delete(custody_pending).where(custody_pending.c.id.in_([r.id for r in rows]))
            )
            return assigned

    def entries_from(self, start: int, *, limit: int | None = None) -> list[StoredEntry]:
        query = (
            select(custody_entries)
            .where(custody_entries.c.idx >= start)
            .order_by(custody_entries.c.idx)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            return [
                StoredEntry(r.idx, r.commitment, r.event, r.salt, r.subject)
                for r in connection.execute(query)
            ]

    def entry(self, index: int) -> StoredEntry | None:
        entries = self.entries_from(index, limit=1)
        return entries[0] if entries and entries[0].index == index else None

    def entries_for_subject(self, subject: str) -> list[StoredEntry]:
        query = (
            select(custody_entries)
            .where(custody_entries.c.subject == subject)
            .order_by(custody_entries.c.idx)
        )
        with self.engine.connect() as connection:
            return [
                StoredEntry(r.idx, r.commitment, r.event, r.salt, r.subject)
                for r in connection.execute(query)
            ]

    # --- the published checkpoint -------------------------------------------------------

    def state(self) -> LogState | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(log_state).where(log_state.c.id == 1)).first()
        return LogState(row.size, row.root, row.checkpoint) if row else None

    def publish(self, *, old_size: int | None, new: LogState, now: datetime) -> bool:
        """Compare-and-swap the latest checkpoint; False when another sequencer moved first."""
        with self.engine.begin() as connection:
            values = {
                "size": new.size,
                "root": new.root,
                "checkpoint": new.checkpoint,
                "updated_at": now,
            }
            if old_size is None:
                exists = connection.execute(
                    select(log_state.c.id).where(log_state.c.id == 1)
                ).first()
                if exists:
                    return False
                connection.execute(insert(log_state).values(id=1, **values))
            else:
                result = connection.execute(
                    update(log_state)
                    .where(log_state.c.id == 1, log_state.c.size == old_size)
                    .values(**values)
                )
                if result.rowcount != 1:
                    return False
            self._record_checkpoint(connection, new, now)
            return True

    @staticmethod
    def _record_checkpoint(connection: Connection, state: LogState, now: datetime) -> None:
        exists = connection.execute(
            select(checkpoints.c.size).where(checkpoints.c.size == state.size)
        ).first()
        if exists is None:
            connection.execute(
                insert(checkpoints).values(
                    size=state.size, root=state.root, note=state.checkpoint, created_at=now
                )
            )

    def checkpoint_at(self, size: int) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(
                select(checkpoints.c.note).where(checkpoints.c.size == size)
            ).scalar_one_or_none()

    def add_cosignature(self, *, size: int, witness: str, line: str, now: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(cosignatures).where(
                    cosignatures.c.size == size, cosignatures.c.witness == witness
                )
            )
            connection.execute(
                insert(cosignatures).values(
                    size=size, witness=witness, signature_line=line, received_at=now
                )
            )

    def cosignature_lines(self, size: int) -> list[str]:
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(cosignatures.c.signature_line)
                    .where(cosignatures.c.size == size)
                    .order_by(cosignatures.c.witness)
                ).scalars()
            )

    # --- exclusivity --------------------------------------------------------------------

    @contextlib.contextmanager
    def sequencer_lock(self) -> Iterator[bool]:
        """On PostgreSQL, a session advisory lock: yields False if another process holds it.
        On SQLite the compare-and-swap in :meth:`publish` is the guard; yields True."""
        if self.engine.dialect.name != "postgresql":
            yield True
            return
        with self.engine.connect() as connection:
            got = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": _SEQUENCER_LOCK}
                ).scalar_one()
            )
            connection.commit()
            try:
                yield got
            finally:
                if got:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": _SEQUENCER_LOCK}
                    )
                    connection.commit()

    # --- this node as a witness ---------------------------------------------------------

    def witnessed(self, origin: str) -> WitnessedLog | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(witnessed_logs).where(witnessed_logs.c.origin == origin)
            ).first()
        return WitnessedLog(row.origin, row.size, row.root, row.checkpoint) if row else None

    def advance_witnessed(self, *, old_size: int | None, new: WitnessedLog, now: datetime) -> bool:
        """Compare-and-swap the last cosigned checkpoint of ``new.origin``."""
        values = {
            "size": new.size,
            "root": new.root,
            "checkpoint": new.checkpoint,
            "updated_at": now,
        }
        with self.engine.begin() as connection:
            if old_size is None:
                if connection.execute(
                    select(witnessed_logs.c.origin).where(witnessed_logs.c.origin == new.origin)
                ).first():
                    return False
                connection.execute(insert(witnessed_logs).values(origin=new.origin, **values))
                return True
            result = connection.execute(
                update(witnessed_logs)
                .where(witnessed_logs.c.origin == new.origin, witnessed_logs.c.size == old_size)
                .values(**values)
            )
            return result.rowcount == 1

    def raise_alert(
        self, *, origin: str, kind: str, detail: str, evidence: str, now: datetime
    ) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(log_alerts).values(
                    origin=origin, kind=kind, detail=detail, evidence=evidence, detected_at=now
                )
            )

    def alerts(self) -> list[dict[str, object]]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(log_alerts).order_by(log_alerts.c.id)).all()
        return [
            {
                "id": r.id,
                "origin": r.origin,
                "kind": r.kind,
                "detail": r.detail,
                "detected_at": r.detected_at.isoformat(),
            }
            for r in rows
        ]
