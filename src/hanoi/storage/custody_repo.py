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
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update

from hanoi.custody.sequencer import PublishedState
from hanoi.custody.service import NewEvent
from hanoi.custody.succession import SignedSuccession
from hanoi.custody.witnessing import WitnessedLog
from hanoi.storage.tables import (
    checkpoints,
    cosignatures,
    custody_entries,
    custody_pending,
    log_alerts,
    log_state,
    log_successions,
    witness_peers,
    witness_trust,
    witnessed_logs,
)

_SEQUENCER_LOCK = zlib.crc32(b"hanoi.custody.sequencer")


def pending_rows(entries: Sequence[NewEvent], *, now: datetime) -> list[dict[str, Any]]:
    """The ``custody_pending`` rows that queue ``entries``, for a caller that inserts them
    with other rows of its transaction (``batches.insert_all``)."""
    return [
        {
            "commitment": e.commitment,
            "event": e.event,
            "salt": e.salt,
            "subject": e.subject,
            "enqueued_at": now,
        }
        for e in entries
    ]


@dataclass(frozen=True, slots=True)
class StoredEntry:
    index: int
    commitment: bytes
    event: bytes
    salt: bytes
    subject: str


class CustodyRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- appends ------------------------------------------------------------------------

    # The raw SQL below interpolates only placeholders and integers (S608 is a false alarm).
    def _marks(self, count: int) -> str:
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        return ", ".join([mark] * count)

    def _time(self, moment: datetime) -> Any:
        """A datetime as the driver takes it (SQLAlchemy's own conversion, done once)."""
        process = custody_pending.c.enqueued_at.type.bind_processor(self.engine.dialect)
        return process(moment) if process else moment

    def enqueue(self, entries: Sequence[NewEvent], *, now: datetime) -> None:
        """Durably queue entries; once this returns, the appends are acknowledged.

        Appends are the log's hot path, so rows go to the driver's ``executemany``
        directly (one statement, no per-row ORM work)."""
        if not entries:
            return
        with self.engine.begin() as connection:
            self.enqueue_in(connection, entries, now=now)

    def enqueue_in(
        self, connection: Connection, entries: Sequence[NewEvent], *, now: datetime
    ) -> None:
        """Queue entries inside the caller's transaction: the events are logged if and
        only if what they record is committed (a workflow step and its custody event)."""
        if not entries:
            return
        when = self._time(now)
        sql = (
            "INSERT INTO custody_pending (commitment, event, salt, subject, enqueued_at) "  # noqa: S608
            f"VALUES ({self._marks(5)})"
        )
        connection.exec_driver_sql(
            sql, [(e.commitment, e.event, e.salt, e.subject, when) for e in entries]
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
            rows = connection.exec_driver_sql(
                "SELECT id, commitment, event, salt, subject, enqueued_at FROM custody_pending "  # noqa: S608
                f"ORDER BY id LIMIT {int(limit)}"
            ).all()
            if not rows:
                return []
            connection.exec_driver_sql(
                "INSERT INTO custody_entries (idx, commitment, event, salt, subject, enqueued_at) "  # noqa: S608
                f"VALUES ({self._marks(6)})",
                [(start + i, *row[1:]) for i, row in enumerate(rows)],
            )
            connection.exec_driver_sql(
                f"DELETE FROM custody_pending WHERE id = {self._marks(1)}",  # noqa: S608
                [(row[0],) for row in rows],
            )
            return [
                StoredEntry(start + i, bytes(r[1]), bytes(r[2]), bytes(r[3]), r[4])
                for i, r in enumerate(rows)
            ]

    def commitments(self, start: int, count: int) -> list[bytes]:
        """The commitments of entries ``start .. start + count - 1`` (for entry bundles)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(custody_entries.c.commitment)
                .where(custody_entries.c.idx >= start, custody_entries.c.idx < start + count)
                .order_by(custody_entries.c.idx)
            ).scalars()
            return [bytes(c) for c in rows]

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

    def state(self) -> PublishedState | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(log_state).where(log_state.c.id == 1)).first()
        return PublishedState(row.size, row.root, row.checkpoint) if row else None

    def publish(
        self,
        *,
        old_size: int | None,
        new: PublishedState,
        now: datetime,
        succession: SignedSuccession | None = None,
    ) -> bool:
        """Compare-and-swap the latest checkpoint; False when another sequencer moved first.
        A ``succession`` (the first checkpoint of a new origin) is kept in the same
        transaction."""
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
            if succession is not None:
                connection.execute(
                    insert(log_successions).values(
                        old_origin=succession.succession.old_origin,
                        size=succession.succession.size,
                        new_origin=succession.succession.new_origin,
                        note=succession.note,
                        created_at=now,
                    )
                )
            return True

    def successions(self) -> dict[str, str]:
        """Every succession note of this log by the origin it ended, oldest first (ADR 0051)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(log_successions.c.old_origin, log_successions.c.note).order_by(
                    log_successions.c.size
                )
            ).all()
        return {row.old_origin: row.note for row in rows}

    @staticmethod
    def _record_checkpoint(connection: Connection, state: PublishedState, now: datetime) -> None:
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

    def cosigned_sizes(self, *, from_size: int, limit: int) -> list[int]:
        """Sizes of at least ``from_size`` whose checkpoints have cosignatures, largest
        first (where a witnessed proof looks for its checkpoint, ADR 0022)."""
        size = cosignatures.c.size
        with self.engine.connect() as connection:
            return [
                int(s)
                for s in connection.execute(
                    select(size)
                    .where(size >= from_size)
                    .group_by(size)
                    .order_by(size.desc())
                    .limit(limit)
                ).scalars()
            ]

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


@dataclass(frozen=True, slots=True)
class WitnessPeer:
    name: str
    url: str
    cosigner_key: str
    cosigned_size: int
    last_error: str | None


class WitnessRepository:
    """Which logs this node witnesses, and which witnesses it asks."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def trust(self, *, origin: str, verifier_key: str, now: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(witness_trust).where(witness_trust.c.origin == origin))
            connection.execute(
                insert(witness_trust).values(origin=origin, verifier_key=verifier_key, added_at=now)
            )

    def trusted(self) -> dict[str, str]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(witness_trust)).all()
        return {r.origin: r.verifier_key for r in rows}

    def add_peer(self, *, name: str, url: str, cosigner_key: str, now: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(witness_peers).where(witness_peers.c.name == name))
            connection.execute(
                insert(witness_peers).values(
                    name=name, url=url, cosigner_key=cosigner_key, cosigned_size=0, added_at=now
                )
            )

    def peers(self) -> list[WitnessPeer]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(witness_peers).order_by(witness_peers.c.name)).all()
        return [
            WitnessPeer(r.name, r.url, r.cosigner_key, r.cosigned_size, r.last_error) for r in rows
        ]

    def peer_result(self, name: str, *, cosigned_size: int | None, error: str | None) -> None:
        values: dict[str, object] = {"last_error": error}
        if cosigned_size is not None:
            values["cosigned_size"] = cosigned_size
        with self.engine.begin() as connection:
            connection.execute(
                update(witness_peers).where(witness_peers.c.name == name).values(**values)
            )
