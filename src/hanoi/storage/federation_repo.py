"""SQL for the federation: the outbox (claimed with a lease, so several workers deliver
each message once at a time), accepted inbox messages and refusals. SQLite and PostgreSQL.

:class:`FederationRepository` is the federation's ``MessageStore``
(``hanoi.federation.ports``); the operators' reads (:meth:`~FederationRepository.outbox`,
:meth:`~FederationRepository.refusals`) and the inbox route's refusal counter
(:meth:`~FederationRepository.refused`) are used by ``hanoi.web`` through ``Node.messages``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError as SQLIntegrityError

from hanoi.cooperation.ports import Outgoing
from hanoi.custody.service import NewEvent
from hanoi.federation.ports import InboxEntry, OutboxEntry, OutboxStatus
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.tables import inbox_messages, inbox_refusals, outbox

# Refusals of one kind from one source within this long are counted in one row.
REFUSALS_COUNTED_TOGETHER = timedelta(hours=1)


def _entry(row: Any) -> OutboxEntry:
    return OutboxEntry(
        id=row.id,
        recipient=row.recipient,
        type=row.type,
        request_id=row.request_id,
        message=row.message,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


def queue_messages(connection: Connection, messages: Sequence[Outgoing]) -> None:
    """Insert outbox rows in the caller's transaction (that of the change they announce)."""
    if messages:
        connection.execute(insert(outbox), outbox_rows(messages))


def outbox_rows(messages: Sequence[Outgoing]) -> list[dict[str, Any]]:
    """The outbox rows of ``messages``, pending and due at once."""
    return [
        {
            "id": m.id,
            "recipient": m.recipient,
            "type": m.type,
            "request_id": m.request_id,
            "message": m.message,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": m.created_at,
            "created_at": m.created_at,
        }
        for m in messages
    ]


class FederationRepository:
    def __init__(self, engine: Engine, custody: CustodyRepository) -> None:
        self.engine = engine
        self._custody = custody

    # --- outbox -------------------------------------------------------------------------

    def claim_due(self, *, now: datetime, lease: timedelta, limit: int) -> list[OutboxEntry]:
        """Pending messages due now, each leased to the caller: another worker skips it
        until the lease ends (a worker that dies mid-delivery is retried after it)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(outbox)
                .where(outbox.c.status == OutboxStatus.PENDING, outbox.c.next_attempt_at <= now)
                .order_by(outbox.c.created_at, outbox.c.id)
                .limit(limit)
            ).all()
        claimed = []
        for row in rows:
            with self.engine.begin() as connection:
                won = connection.execute(
                    update(outbox)
                    .where(
                        outbox.c.id == row.id,
                        outbox.c.status == OutboxStatus.PENDING,
                        outbox.c.next_attempt_at == row.next_attempt_at,
                    )
                    .values(next_attempt_at=now + lease)
                ).rowcount
            if won == 1:
                claimed.append(_entry(row))
        return claimed

    def enqueue(self, message: Outgoing) -> None:
        """Queue a message that no step carries (an evidence offer)."""
        with self.engine.begin() as connection:
            queue_messages(connection, [message])

    def delivered(
        self, message_id: str, *, receipt: str, custody: list[NewEvent], now: datetime
    ) -> None:
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(outbox)
                .where(outbox.c.id == message_id, outbox.c.status == OutboxStatus.PENDING)
                .values(
                    status=OutboxStatus.DELIVERED,
                    receipt=receipt,
                    delivered_at=now,
                    last_error=None,
                )
            ).rowcount
            if changed == 1:
                self._custody.enqueue_in(connection, custody, now=now)

    def failed(self, message_id: str, *, error: str, retry_at: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(outbox)
                .where(outbox.c.id == message_id, outbox.c.status == OutboxStatus.PENDING)
                .values(
                    attempts=outbox.c.attempts + 1, last_error=error[:500], next_attempt_at=retry_at
                )
            )

    def outbox(self, *, limit: int, request_id: str | None = None) -> list[OutboxEntry]:
        query = select(outbox).order_by(outbox.c.created_at.desc(), outbox.c.id).limit(limit)
        if request_id is not None:
            query = query.where(outbox.c.request_id == request_id)
        with self.engine.connect() as connection:
            return [_entry(row) for row in connection.execute(query).all()]

    def pending_count(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count())
                    .select_from(outbox)
                    .where(outbox.c.status == OutboxStatus.PENDING)
                ).scalar_one()
            )

    # --- inbox --------------------------------------------------------------------------

    def seen(self, message_id: str) -> InboxEntry | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(inbox_messages).where(inbox_messages.c.id == message_id)
            ).first()
        if row is None:
            return None
        return InboxEntry(
            id=row.id, content_sha256=row.content_sha256, sender=row.sender, receipt=row.receipt
        )

    def accepted(
        self,
        *,
        message_id: str,
        content_sha256: str,
        sender: str,
        type: str,
        request_id: str | None,
        message: str,
        receipt: str,
        custody: list[NewEvent],
        now: datetime,
    ) -> bool:
        """Record an accepted message with its custody event; False if already recorded."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(inbox_messages).values(
                        id=message_id,
                        content_sha256=content_sha256,
                        sender=sender,
                        type=type,
                        request_id=request_id,
                        message=message,
                        receipt=receipt,
                        received_at=now,
                    )
                )
                self._custody.enqueue_in(connection, custody, now=now)
        except SQLIntegrityError:
            return False
        return True

    def refused(
        self, *, status: int, problem: str, detail: str, size: int, source: str, now: datetime
    ) -> None:
        """Count a refusal: one row per source, status and problem an hour, so that a flood
        of garbage costs a counter, not a row each."""
        source, problem = source[:64], problem[:64]
        with self.engine.begin() as connection:
            counted = connection.execute(
                update(inbox_refusals)
                .where(
                    inbox_refusals.c.source == source,
                    inbox_refusals.c.status == status,
                    inbox_refusals.c.problem == problem,
                    inbox_refusals.c.at > now - REFUSALS_COUNTED_TOGETHER,
                )
                .values(count=inbox_refusals.c.count + 1, last_at=now)
            )
            if counted.rowcount == 0:
                connection.execute(
                    insert(inbox_refusals).values(
                        at=now,
                        status=status,
                        problem=problem,
                        detail=detail[:500],
                        size=size,
                        source=source,
                        count=1,
                        last_at=now,
                    )
                )

    def refusals(self, *, limit: int) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(inbox_refusals).order_by(inbox_refusals.c.id.desc()).limit(limit)
            ).all()
        return [
            {
                "at": row.at.isoformat(),
                "status": row.status,
                "problem": row.problem,
                "detail": row.detail,
                "size": row.size,
                "source": row.source,
                "count": row.count,
                "last_at": (row.last_at or row.at).isoformat(),
            }
            for row in rows
        ]
