"""SQL for the letters a node issued, letters of request and answers
(:mod:`hanoi.letters.records`). Only SQL here; SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError as SQLIntegrityError

from hanoi.convention import Language
from hanoi.custody.service import NewEvent
from hanoi.errors import Conflict
from hanoi.letters.letter import Purpose
from hanoi.letters.records import IssuedLetter
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.tables import issued_letters


def _record(row: Any) -> IssuedLetter:
    return IssuedLetter(
        sha256=row.sha256,
        request_id=row.request_id,
        language=Language(row.language),
        verification_code=row.verification_code,
        issued_at=row.issued_at,
        officer=row.officer,
        size=row.size,
        override_reason=row.override_reason,
        purpose=Purpose(row.purpose),
        step=row.step,
        step_sequence=row.step_sequence,
    )


class LettersRepository:
    def __init__(self, engine: Engine, custody: CustodyRepository) -> None:
        self.engine = engine
        self._custody = custody

    def add(self, record: IssuedLetter, *, custody: Sequence[NewEvent]) -> None:
        """The record and its custody events, in one transaction."""
        values = {
            "sha256": record.sha256,
            "request_id": record.request_id,
            "language": record.language.value,
            "verification_code": record.verification_code,
            "issued_at": record.issued_at,
            "officer": record.officer,
            "size": record.size,
            "override_reason": record.override_reason,
            "purpose": record.purpose.value,
            "step": record.step,
            "step_sequence": record.step_sequence,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(issued_letters).values(**values))
                self._custody.enqueue_in(connection, custody, now=record.issued_at)
        except SQLIntegrityError:
            raise Conflict(
                f"a letter with SHA-256 {record.sha256} or code {record.verification_code} "
                "was issued already"
            ) from None

    def for_request(self, request_id: str) -> list[IssuedLetter]:
        query = (
            select(issued_letters)
            .where(issued_letters.c.request_id == request_id)
            .order_by(issued_letters.c.issued_at, issued_letters.c.sha256)
        )
        with self.engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def by_sha256(self, sha256: str) -> IssuedLetter | None:
        return self._one(issued_letters.c.sha256 == sha256)

    def by_code(self, code: str) -> IssuedLetter | None:
        return self._one(issued_letters.c.verification_code == code)

    def _one(self, condition: Any) -> IssuedLetter | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(issued_letters).where(condition)).first()
        return _record(row) if row is not None else None
