"""SQL for evidence items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, insert, select

from hanoi.cooperation.routes import Route
from hanoi.custody.service import NewEvent
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.tables import evidence_items


def _item(row: Any) -> EvidenceItem:
    return EvidenceItem(
        id=row.id,
        sha256=row.sha256,
        size=row.size,
        acquisition=Acquisition(
            original_name=row.original_name,
            media_type=row.media_type,
            source_kind=SourceKind(row.source_kind),
            source=row.source,
            method=row.method,
            acquired_at=row.acquired_at,
            officer=row.officer,
            request_ref=row.request_ref,
            article=row.article,
            legal_basis=row.legal_basis,
            authority=row.authority,
            received_from=row.received_from,
            channel=Route(row.channel) if row.channel is not None else None,
            channel_reference=row.channel_reference,
        ),
        recorded_at=row.recorded_at,
        package_id=row.package_id,
    )


class EvidenceRepository:
    def __init__(self, engine: Engine, custody: CustodyRepository) -> None:
        self.engine = engine
        self._custody = custody

    def add(self, item: EvidenceItem, custody: Sequence[NewEvent]) -> None:
        """The item and its custody events in one transaction: no item without its
        event in the log, no event for an item that was not stored."""
        a = item.acquisition
        with self.engine.begin() as connection:
            self._custody.enqueue_in(connection, custody, now=item.recorded_at)
            connection.execute(
                insert(evidence_items).values(
                    id=item.id,
                    sha256=item.sha256,
                    size=item.size,
                    original_name=a.original_name,
                    media_type=a.media_type,
                    source_kind=a.source_kind.value,
                    source=a.source,
                    method=a.method,
                    acquired_at=a.acquired_at,
                    officer=a.officer,
                    request_ref=a.request_ref,
                    article=a.article,
                    legal_basis=a.legal_basis,
                    authority=a.authority,
                    received_from=a.received_from,
                    channel=a.channel.value if a.channel is not None else None,
                    channel_reference=a.channel_reference,
                    recorded_at=item.recorded_at,
                    package_id=item.package_id,
                )
            )

    def get(self, item_id: str) -> EvidenceItem | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(evidence_items).where(evidence_items.c.id == item_id)
            ).first()
        return _item(row) if row else None

    def for_request(self, request_ref: str) -> list[EvidenceItem]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(evidence_items)
                .where(evidence_items.c.request_ref == request_ref)
                .order_by(evidence_items.c.recorded_at, evidence_items.c.id)
            ).all()
        return [_item(r) for r in rows]

    def for_package(self, package_id: str) -> list[EvidenceItem]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(evidence_items)
                .where(evidence_items.c.package_id == package_id)
                .order_by(evidence_items.c.recorded_at, evidence_items.c.id)
            ).all()
        return [_item(r) for r in rows]
