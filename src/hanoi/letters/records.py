"""The letters a node issued (letters of request and answers), as records, and the port
that keeps them.

A letter issued is a ``letter-issued`` custody event (the proof, under the PDF's SHA-256)
and a row of this port (the index by request and by verification code, so the request
page lists its letters and the same PDF can be downloaded again from the blob store). The
two are written in one transaction: a row exists if and only if its event is queued.

Contract, for every implementation (``tests/integration/test_letter_records.py``):

- ``add(record, custody=events)`` stores the record and queues ``events`` in the custody
  log in the same transaction; a second record with the same SHA-256 is a
  :class:`~hanoi.errors.Conflict` and stores nothing.
- ``for_request(id)`` lists a request's letters, oldest first; ``by_sha256`` and
  ``by_code`` find one, or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hanoi.convention import Language
from hanoi.custody.service import NewEvent
from hanoi.letters.letter import Purpose


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedLetter:
    sha256: str
    """Of the signed PDF, as handed over and stored in the blob store."""
    request_id: str
    language: Language
    verification_code: str
    issued_at: datetime
    officer: str
    """Who issued it (the letter's signatory is the officer who approved the request, or
    who took the step answered)."""
    size: int
    override_reason: str | None = None
    """Why it is in a language the directory does not give for the State it goes to."""
    purpose: Purpose = Purpose.REQUEST
    step: str | None = None
    """For an answer: the requested State's step it answers (``refuse``)."""
    step_sequence: int | None = None
    """For an answer: that step's place in the request's history (1 for the first)."""


class LetterRecords(Protocol):
    def add(self, record: IssuedLetter, *, custody: Sequence[NewEvent]) -> None: ...

    def for_request(self, request_id: str) -> list[IssuedLetter]: ...

    def by_sha256(self, sha256: str) -> IssuedLetter | None: ...

    def by_code(self, code: str) -> IssuedLetter | None: ...
