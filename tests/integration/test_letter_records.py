"""The letters a node issued (``hanoi.letters.records``), on SQLite and PostgreSQL: a
record and its custody event are stored together, listed per request, found by digest and
by verification code; the same letter twice is a conflict that stores nothing; an answer
keeps its purpose and the step it answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from hanoi.convention import Language
from hanoi.cooperation import Side
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.custody.service import CustodyLog
from hanoi.errors import Conflict
from hanoi.letters.letter import Purpose
from hanoi.letters.records import IssuedLetter
from hanoi.storage.cooperation_repo import CooperationRepository
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.letters_repo import LettersRepository
from unit.cooperation.builders import T0, draft

REQUEST = draft("mla-stored-data")


def record(n: int, *, request_id: str = REQUEST.id, code: str | None = None) -> IssuedLetter:
    return IssuedLetter(
        sha256=f"{n:064x}",
        request_id=request_id,
        language=Language.FR,
        verification_code=code or f"ABCDEFGH{n:02d}".replace("0", "A").replace("1", "B"),
        issued_at=T0 + timedelta(minutes=n),
        officer="amira",
        size=1000 + n,
        override_reason="agreed in writing" if n % 2 else None,
    )


def event_of(letter: IssuedLetter) -> CustodyEvent:
    return CustodyEvent(
        action=CustodyAction.LETTER_ISSUED,
        time=letter.issued_at,
        node="EGY",
        officer=letter.officer,
        request_id=letter.request_id,
        article="Art. 40(14)",
        evidence_sha256=letter.sha256,
        unknown={"language": letter.language.value, "verification_code": letter.verification_code},
    )


@pytest.fixture
def letters(engine: Engine) -> LettersRepository:
    CooperationRepository(engine, CustodyRepository(engine)).create(
        REQUEST, side=Side.REQUESTING, assignees=[], assigned_by="", custody=[], now=T0
    )
    return LettersRepository(engine, CustodyRepository(engine))


def test_a_record_and_its_event_are_stored_together(
    letters: LettersRepository, engine: Engine
) -> None:
    custody = CustodyRepository(engine)
    first, second = record(1), record(2)
    for letter in (second, first):
        letters.add(letter, custody=CustodyLog.prepare([event_of(letter)]))
    assert custody.pending_count() == 2
    assert letters.for_request(REQUEST.id) == [first, second]  # oldest first
    assert letters.by_sha256(first.sha256) == first
    assert letters.by_code(second.verification_code) == second
    assert letters.by_sha256("f" * 64) is None
    assert letters.by_code("ZZZZZZZZZZ") is None
    assert letters.for_request("EGY-2026-other") == []


@pytest.mark.parametrize("clash", ["sha256", "code"])
def test_the_same_letter_twice_is_a_conflict_that_stores_nothing(
    letters: LettersRepository, engine: Engine, clash: str
) -> None:
    custody = CustodyRepository(engine)
    first = record(1)
    letters.add(first, custody=CustodyLog.prepare([event_of(first)]))
    again = record(1) if clash == "sha256" else record(3, code=first.verification_code)
    with pytest.raises(Conflict):
        letters.add(again, custody=CustodyLog.prepare([event_of(again)]))
    assert custody.pending_count() == 1  # the second event was not queued
    assert letters.for_request(REQUEST.id) == [first]


def test_an_answer_keeps_its_purpose_and_the_step_it_answers(
    letters: LettersRepository,
) -> None:
    request_letter = record(1)
    answer = replace(record(2), purpose=Purpose.ANSWER, step="refuse", step_sequence=4)
    for letter in (request_letter, answer):
        letters.add(letter, custody=CustodyLog.prepare([event_of(letter)]))
    assert letters.by_sha256(answer.sha256) == answer
    stored = letters.for_request(REQUEST.id)
    assert [(r.purpose, r.step, r.step_sequence) for r in stored] == [
        (Purpose.REQUEST, None, None),
        (Purpose.ANSWER, "refuse", 4),
    ]
