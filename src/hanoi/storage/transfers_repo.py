"""SQL for evidence packages in transit between nodes (the ``evidence_packages`` table).

An outgoing package is stored before it is packed (``packing``, with its items' ids), so
that a node killed while it waits for witnesses or packs finds it again; its offer, its
``offered`` status and its ``exported`` custody events are then written in one
transaction (:meth:`TransfersRepository.offered`), so it is offered exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError as SQLIntegrityError

from hanoi.cooperation.ports import Outgoing
from hanoi.custody.service import NewEvent
from hanoi.federation.ports import (
    NOT_SENT_YET,
    PENDING_INCOMING,
    Direction,
    PackageRefusal,
    PackageRow,
    PackageStatus,
    PeerOutcome,
)
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.federation_repo import queue_messages
from hanoi.storage.tables import case_assignments, evidence_packages


def _row(row: Any) -> PackageRow:
    return PackageRow(
        id=row.id,
        request_id=row.request_id,
        direction=Direction(row.direction),
        peer=row.peer,
        sha256=row.sha256,
        size=row.size,
        status=PackageStatus(row.status),
        received=row.received,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        report=row.report,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        items=row.items,
    )


class TransfersRepository:
    def __init__(self, engine: Engine, custody: CustodyRepository | None = None) -> None:
        self.engine = engine
        self._custody = custody or CustodyRepository(engine)

    def add(self, row: PackageRow) -> bool:
        """Store a package; False if its id is already known."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(evidence_packages).values(
                        id=row.id,
                        request_id=row.request_id,
                        direction=row.direction,
                        peer=row.peer,
                        sha256=row.sha256,
                        size=row.size,
                        status=row.status,
                        received=row.received,
                        error=row.error,
                        report=row.report,
                        created_at=row.created_at,
                        updated_at=row.updated_at,
                        attempts=row.attempts,
                        next_attempt_at=row.next_attempt_at,
                        items=row.items,
                    )
                )
        except SQLIntegrityError:
            return False
        return True

    def pending_outgoing(self, now: datetime) -> list[PackageRow]:
        """Outgoing packages not offered yet (being packed, or waiting for witnesses) whose
        next attempt is due at ``now``, oldest first."""
        return self._due(Direction.OUTGOING, NOT_SENT_YET, now)

    def _due(
        self, direction: Direction, statuses: Iterable[PackageStatus], now: datetime
    ) -> list[PackageRow]:
        """Packages of ``direction`` in ``statuses`` whose next attempt is due at ``now``,
        oldest first."""
        packages = evidence_packages.c
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(evidence_packages)
                .where(
                    packages.direction == direction,
                    packages.status.in_(sorted(statuses)),
                    or_(packages.next_attempt_at.is_(None), packages.next_attempt_at <= now),
                )
                .order_by(packages.created_at)
            ).all()
        return [_row(r) for r in rows]

    def offered(
        self,
        package_id: str,
        *,
        sha256: str,
        size: int,
        report: str,
        message: Outgoing,
        custody: Sequence[NewEvent],
        now: datetime,
    ) -> bool:
        """In one transaction: the package packed (digest, size, what it says) and
        ``offered``, its offer queued in the outbox, and its custody events queued. Only a
        package not offered yet changes; False if another process offered it first."""
        packages = evidence_packages.c
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(evidence_packages)
                .where(
                    packages.id == package_id,
                    packages.direction == Direction.OUTGOING,
                    packages.status.in_(sorted(NOT_SENT_YET)),
                )
                .values(
                    status=PackageStatus.OFFERED.value,
                    sha256=sha256,
                    size=size,
                    received=size,
                    report=report,
                    error=None,
                    next_attempt_at=None,
                    updated_at=now,
                )
            ).rowcount
            if changed != 1:
                return False
            queue_messages(connection, [message])
            self._custody.enqueue_in(connection, custody, now=now)
        return True

    def discard(self, package_id: str) -> None:
        """Forget an outgoing package that was never offered (its packing failed for the
        officer who asked, who is told why)."""
        packages = evidence_packages.c
        with self.engine.begin() as connection:
            connection.execute(
                delete(evidence_packages).where(
                    packages.id == package_id,
                    packages.direction == Direction.OUTGOING,
                    packages.status.in_(sorted(NOT_SENT_YET)),
                )
            )

    def get(self, package_id: str) -> PackageRow | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(evidence_packages).where(evidence_packages.c.id == package_id)
            ).first()
        return _row(row) if row else None

    def for_request(self, request_id: str) -> list[PackageRow]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(evidence_packages)
                .where(evidence_packages.c.request_id == request_id)
                .order_by(evidence_packages.c.created_at)
            ).all()
        return [_row(r) for r in rows]

    def in_cases_of(self, user_id: int, statuses: Sequence[PackageStatus]) -> list[PackageRow]:
        """The packages in ``statuses`` of the requests ``user_id`` is assigned to, oldest
        change first (one query: the work queue of :mod:`hanoi.queues`)."""
        assigned = select(case_assignments.c.request_id).where(
            case_assignments.c.user_id == user_id
        )
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(evidence_packages)
                .where(
                    evidence_packages.c.status.in_(list(statuses)),
                    evidence_packages.c.request_id.in_(assigned),
                )
                .order_by(evidence_packages.c.updated_at)
            ).all()
        return [_row(r) for r in rows]

    def pending_incoming(self, now: datetime) -> list[PackageRow]:
        """Incoming packages still to fetch or accept whose next attempt is due at ``now``,
        oldest offer first."""
        return self._due(Direction.INCOMING, PENDING_INCOMING, now)

    def failed_attempt(
        self,
        package_id: str,
        *,
        status: PackageStatus,
        attempts: int,
        at: datetime | None,
        error: str,
        now: datetime,
        received: int | None = None,
    ) -> None:
        """A failed fetch: counted, with its error; the next one not before ``at`` (None:
        no next one, the package is given up). ``received`` resets the bytes counted."""
        values: dict[str, Any] = {
            "status": status,
            "attempts": attempts,
            "next_attempt_at": at,
            "error": error[:500],
            "updated_at": now,
        }
        if received is not None:
            values["received"] = received
        self._set(package_id, values)

    def progress(
        self,
        package_id: str,
        *,
        status: PackageStatus,
        received: int,
        now: datetime,
        error: str | None = None,
        report: str | None = None,
    ) -> None:
        """A new status; ``report`` (JSON) replaces the kept report when given."""
        self._set(package_id, _status_values(status, received, error, report, now))

    def keep_report(self, package_id: str, report: str) -> None:
        """Keep what was found about a package (JSON), whatever its status."""
        self._set(package_id, {"report": report})

    def _set(self, package_id: str, values: dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(evidence_packages)
                .where(evidence_packages.c.id == package_id)
                .values(**values)
            )

    # --- outcomes: the receiver's verdict, told to the sender (ADR 0023) ------------------------

    def conclude(
        self,
        package_id: str,
        *,
        status: PackageStatus,
        received: int,
        error: str | None,
        report: str | None,
        attempts: int | None,
        now: datetime,
        announce: Outgoing,
        reason: PackageRefusal | None = None,
    ) -> bool:
        """Give an incoming package its final status and queue the message that tells its
        sender, in one transaction, so there is never one without the other. ``report``
        replaces the kept report when given; ``attempts`` (an expiry) counts the last
        attempt and plans none. False, and nothing written, if it already had that status."""
        values = _status_values(status, received, error, report, now)
        if status is PackageStatus.REFUSED:
            values["refusal_reason"] = (reason or PackageRefusal.UNRECORDED).value
        if attempts is not None:
            values.update(attempts=attempts, next_attempt_at=None)
        packages = evidence_packages.c
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(evidence_packages)
                .where(
                    packages.id == package_id,
                    packages.direction == Direction.INCOMING,
                    packages.status != status,
                )
                .values(**values)
            ).rowcount
            if changed == 1:
                queue_messages(connection, [announce])
        return bool(changed == 1)

    def record_peer_outcome(
        self,
        package_id: str,
        *,
        status: PackageStatus,
        reason: str | None,
        peer_report: str | None,
        at: datetime,
        now: datetime,
    ) -> bool:
        """The receiving State's outcome of an outgoing package, if it is still ``offered``
        (a compare-and-set: one outcome wins); False otherwise."""
        packages = evidence_packages.c
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(evidence_packages)
                .where(
                    packages.id == package_id,
                    packages.direction == Direction.OUTGOING,
                    packages.status == PackageStatus.OFFERED.value,
                )
                .values(
                    status=status,
                    error=reason[:500] if reason else None,
                    peer_report=peer_report,
                    peer_outcome_at=at,
                    updated_at=now,
                )
            ).rowcount
        return bool(changed == 1)

    def peer_outcomes(self, package_ids: Sequence[str]) -> dict[str, PeerOutcome]:
        """The outcomes the receiving States sent for these outgoing packages, by id."""
        packages = evidence_packages.c
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    packages.id, packages.status, packages.error, packages.peer_report,
                    packages.peer_outcome_at,
                ).where(
                    packages.id.in_(sorted(set(package_ids))),
                    packages.direction == Direction.OUTGOING,
                    packages.peer_outcome_at.is_not(None),
                )
            ).all()  # fmt: skip
        return {
            row.id: PeerOutcome(
                status=PackageStatus(row.status),
                at=row.peer_outcome_at,
                reason=row.error,
                report=row.peer_report,
            )
            for row in rows
        }


def _status_values(
    status: PackageStatus, received: int, error: str | None, report: str | None, now: datetime
) -> dict[str, Any]:
    """The columns a change of status sets; ``report`` replaces the kept one when given."""
    values: dict[str, Any] = {
        "status": status,
        "received": received,
        "error": error,
        "updated_at": now,
    }
    if report is not None:
        values["report"] = report
    return values
