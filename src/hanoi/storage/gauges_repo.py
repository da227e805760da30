"""The node's state as counts, for ``/metrics``: a few cheap aggregate queries, read at
scrape time so that every server process reports the same truth (ADR 0047).

Nothing here returns a request id, a name or a message: counts, sizes and times only,
grouped by values of a closed vocabulary (a request's side and status, a deadline rule
and state). The queries run in one read-only transaction; on PostgreSQL it is cut off
after ``timeout_ms`` (``statement_timeout``), and on SQLite every query reads an index or
a one-row table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select, text

from hanoi.storage.tables import (
    cooperation_requests,
    cosignatures,
    custody_pending,
    deadline_alerts,
    log_state,
    outbox,
)

PENDING = "pending"


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeCounts:
    """What the database says now. Times are UTC; ``None``: there is none."""

    requests: dict[tuple[str, str], int] = field(default_factory=dict)
    """Cooperation requests by (this node's side, status)."""
    outbox_pending: int = 0
    outbox_oldest_pending: datetime | None = None
    log_size: int = 0
    cosigned_size: int = 0
    """The largest checkpoint cosigned by at least ``min_witnesses`` witnesses."""
    last_cosignature: datetime | None = None
    custody_pending: int = 0
    unanswered_alerts: dict[tuple[str, str], int] = field(default_factory=dict)
    """Deadline alerts by (rule, state) whose request has taken no step since."""


class NodeGauges:
    def __init__(self, engine: Engine, *, min_witnesses: int, timeout_ms: int = 2000) -> None:
        self._engine = engine
        self._min_witnesses = max(1, min_witnesses)
        self._timeout_ms = timeout_ms

    def read(self) -> NodeCounts:
        with self._engine.connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SET LOCAL statement_timeout = {int(self._timeout_ms)}"))
                connection.execute(text("SET TRANSACTION READ ONLY"))
            return self._read(connection)

    def _read(self, connection: Connection) -> NodeCounts:
        requests = {
            (str(side), str(status)): int(count)
            for side, status, count in connection.execute(
                select(
                    cooperation_requests.c.side,
                    cooperation_requests.c.status,
                    func.count(),
                ).group_by(cooperation_requests.c.side, cooperation_requests.c.status)
            )
        }
        pending, oldest = connection.execute(
            select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.status == PENDING)
        ).one()
        size = connection.execute(select(log_state.c.size).where(log_state.c.id == 1)).scalar()
        quorate = (
            select(cosignatures.c.size)
            .group_by(cosignatures.c.size)
            .having(func.count() >= self._min_witnesses)
            .subquery()
        )
        cosigned = connection.execute(select(func.max(quorate.c.size))).scalar()
        last = connection.execute(select(func.max(cosignatures.c.received_at))).scalar()
        queued = connection.execute(select(func.count()).select_from(custody_pending)).scalar()
        alerts = {
            (str(rule), str(state)): int(count)
            for rule, state, count in connection.execute(
                select(deadline_alerts.c.rule, deadline_alerts.c.state, func.count())
                .join(
                    cooperation_requests,
                    cooperation_requests.c.id == deadline_alerts.c.request_id,
                )
                .where(cooperation_requests.c.updated_at <= deadline_alerts.c.raised_at)
                .group_by(deadline_alerts.c.rule, deadline_alerts.c.state)
            )
        }
        return NodeCounts(
            requests=requests,
            outbox_pending=int(pending or 0),
            outbox_oldest_pending=oldest,
            log_size=int(size or 0),
            cosigned_size=int(cosigned or 0),
            last_cosignature=last,
            custody_pending=int(queued or 0),
            unanswered_alerts=alerts,
        )
