"""The requested State's answer as a letter, as data and in its reader's words: which step
it answers, when there is none yet, the requesting State's reference, and each step's
decision, grounds, reasons and conditions in the six languages. The signed PDF is checked
in ``tests/functional/test_answer_letter.py``."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from html import escape, unescape

import pytest

from hanoi.convention import Language, default_catalogue
from hanoi.cooperation import Condition, Side, Status, TransitionRecord
from hanoi.cooperation.kinds import ground_source
from hanoi.cooperation.routes import ChannelRecord, Route
from hanoi.cooperation.table import row_named
from hanoi.cooperation.transitions import register
from hanoi.errors import InvalidInput
from hanoi.letters.answer import (
    ANSWERED,
    NothingToAnswer,
    answered_step,
    check_answerable,
    received_on,
    their_reference,
)
from hanoi.letters.answer_view import answer_values
from hanoi.letters.letter import Letter, NotIssuable, Purpose, Signatory, verification_code
from hanoi.letters.render import render_html
from hanoi.letters.view import state_name
from hanoi.letters.wording import phrases
from unit.cooperation.builders import OFFICER, T0, N, Walk, acknowledged, draft

CATALOGUE = default_catalogue()
CODE = verification_code(bytes(range(16)))
LANGUAGES = list(Language)
NOTE = ChannelRecord(channel=Route.DIPLOMATIC, on=date(2026, 3, 1), reference="Note 14/2026")
GROUND = "essential-interests"
REASONS = "The data concern a national security investigation."


def registered(kind: str = "mla-stored-data") -> Walk:
    """A request received by diplomatic note and registered from it (ADR 0028)."""
    received, _ = register(draft(kind), actor=OFFICER, at=T0, via=NOTE)
    return Walk(received)


def refused() -> Walk:
    walk = registered().steps(N.ACKNOWLEDGE, N.CONSULT)
    return walk.take(N.REFUSE, grounds=(GROUND,), reasons=REASONS)


def answer(walk: Walk, language: Language = Language.EN) -> Letter:
    request = walk.request
    answered = check_answerable(request, side=Side.REQUESTED)
    return Letter(
        request=request,
        language=language,
        issued_at=request.last_at + timedelta(hours=1),
        verification_code=CODE,
        signatory=Signatory(
            name=answered.officer,
            title="Prosecutor",
            authority=request.requested.authority,
            state=request.requested_state,
        ),
        answers=answered,
    )


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def reaching(step: N) -> Walk:
    """A registered request whose last step is ``step``."""
    walk = registered()
    paths: dict[N, tuple[N, ...]] = {
        N.ACKNOWLEDGE: (N.ACKNOWLEDGE,),
        N.REQUEST_ADDITIONAL_INFORMATION: (N.ACKNOWLEDGE, N.REQUEST_ADDITIONAL_INFORMATION),
        N.CONSULT: (N.ACKNOWLEDGE, N.CONSULT),
        N.ACCEPT: (N.ACKNOWLEDGE, N.ACCEPT),
        N.EXECUTE_PARTIALLY: (N.ACKNOWLEDGE, N.ACCEPT, N.EXECUTE_PARTIALLY),
        N.RESUME_EXECUTION: (N.ACKNOWLEDGE, N.ACCEPT, N.EXECUTE_PARTIALLY, N.RESUME_EXECUTION),
        N.COMPLETE: (N.ACKNOWLEDGE, N.ACCEPT, N.COMPLETE),
        N.POSTPONE: (N.ACKNOWLEDGE, N.CONSULT, N.POSTPONE),
    }
    if step is N.REFUSE:
        return refused()
    return walk.steps(*paths[step])


# --- which step, and when there is none ----------------------------------------------------


def test_the_answer_is_of_the_requested_states_last_step_an_answer_reports() -> None:
    walk = refused()
    assert answered_step(walk.request) is walk.records[-1]
    walk.take(N.CLOSE)  # closing the case is not answered: the refusal still is
    answered = answered_step(walk.request)
    assert answered is not None
    assert answered.transition is N.REFUSE
    assert answered.sequence == 4


def test_a_request_just_received_has_nothing_to_answer() -> None:
    walk = registered()
    assert walk.status is Status.RECEIVED
    with pytest.raises(NothingToAnswer, match=r"'received'.*first acknowledge it"):
        check_answerable(walk.request, side=Side.REQUESTED)


def test_the_requesting_state_writes_no_answer() -> None:
    with pytest.raises(NotIssuable, match="only the requested State answers"):
        check_answerable(refused().request, side=Side.REQUESTING)


def test_every_answered_step_is_a_step_of_the_requested_state() -> None:
    assert all(row_named(step).side is Side.REQUESTED for step in ANSWERED)
    assert N.REGISTER not in ANSWERED
    assert N.CLOSE not in ANSWERED


def test_their_reference_and_the_day_received_come_from_the_register_step() -> None:
    request = refused().request
    assert their_reference(request) == "Note 14/2026"
    assert received_on(request) == date(2026, 3, 1)
    network = acknowledged("mla-stored-data").request  # received over the network
    assert their_reference(network) is None
    assert received_on(network) == network.reached(Status.RECEIVED).date()  # type: ignore[union-attr]


def test_an_answer_answers_a_step_of_its_own_request() -> None:
    letter = answer(refused())
    assert letter.purpose is Purpose.ANSWER
    other = refused().take(N.CLOSE).records[-1]
    stranger = replace(other, request_id="EGY-2026-other")
    with pytest.raises(InvalidInput, match="a step of its own request"):
        replace(letter, answers=stranger)


# --- the letter's words ---------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.value)
def test_a_refusal_gives_each_ground_with_its_article_and_the_reasons(language: Language) -> None:
    letter = answer(refused(), language)
    html = render_html(letter, catalogue=CATALOGUE)
    text = text_of(html)
    words = phrases(language)
    kind = CATALOGUE.kind(letter.request.kind)
    source = ground_source(kind, GROUND)
    assert source is not None
    label = CATALOGUE.label(CATALOGUE.refusal_ground(GROUND).label_key, language)
    for expected in (
        words["answer.heading"],
        words["answer.step.refuse"],
        words["answer.grounds"],
        words["answer.reasons.refuse"],
        re.sub(r"\s+", " ", label),
        CATALOGUE.cite(source, language),
        CATALOGUE.cite(row_named(N.REFUSE).source, language),  # Art. 40(24)
        REASONS,
        "Note 14/2026",
        state_name("EGY", language),
        state_name("VNM", language),
    ):
        assert expected in text, (language, expected)
    direction = "rtl" if language is Language.AR else "ltr"
    assert f'<html lang="{language.value}" dir="{direction}">' in html
    assert '<bdi class="code their-reference" dir="ltr">Note 14/2026</bdi>' in html


def test_the_english_refusal_cites_the_ground_as_the_convention_does() -> None:
    values = answer_values(answer(refused()), catalogue=CATALOGUE)
    assert [g["citation"] for g in values["grounds"]] == ["Art. 40(21)(b)"]
    assert values["decision_citation"] == "Art. 40(24)"
    assert values["reasons_heading"] == "Reasons for the refusal"
    assert values["sender"]["state"] == "Viet Nam"
    assert values["addressee"]["state"] == "Egypt"


@pytest.mark.parametrize("step", ANSWERED, ids=lambda step: step.value)
@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.value)
def test_each_step_is_answered_in_words_with_its_article(step: N, language: Language) -> None:
    walk = reaching(step)
    letter = answer(walk, language)
    assert letter.answers is not None
    assert letter.answers.transition is step
    text = text_of(render_html(letter, catalogue=CATALOGUE))
    words = phrases(language)
    assert words[f"answer.step.{step.value}"] in text
    assert CATALOGUE.cite(row_named(step).source, language) in text
    record: TransitionRecord = letter.answers
    if record.reasons:
        assert record.reasons in text
        heading = words.get(f"answer.reasons.{step.value}", words["answer.reasons"])
        assert heading in text
    if step is not N.REFUSE:
        assert words["answer.grounds"] not in text


def test_a_consultation_gives_the_conditions_proposed() -> None:
    walk = registered().steps(N.ACKNOWLEDGE)
    walk.take(N.CONSULT, reasons="Only for case 17/2026, and kept confidential.")
    text = text_of(render_html(answer(walk, Language.FR), catalogue=CATALOGUE))
    assert "Conditions proposées" in text
    assert "Only for case 17/2026, and kept confidential." in text
    assert "art. 40(27)" in text


def test_an_acceptance_on_conditions_lists_the_conditions_agreed() -> None:
    walk = registered().steps(N.ACKNOWLEDGE)
    walk.take(N.CONSULT, reasons="Use limited to case 17/2026.")
    walk.take(N.AGREE_TO_CONDITIONS, side=Side.REQUESTED, via=NOTE)  # their letter, by hand
    condition = Condition(
        key="use-limitation",
        terms="Only for case 17/2026.",
        imposed_by=Side.REQUESTED,
        retain_until=date(2027, 1, 31),
    )
    walk.take(N.ACCEPT, conditions=(condition,))
    html = render_html(answer(walk, Language.ES), catalogue=CATALOGUE)
    text = text_of(html)
    words = phrases(Language.ES)
    found = CATALOGUE.condition("use-limitation")
    assert words["answer.step.accept"] in text
    assert words["answer.conditions"] in text
    assert CATALOGUE.label(found.label_key, Language.ES) in text
    assert "Only for case 17/2026." in text
    assert escape(CATALOGUE.cite(found.source, Language.ES), quote=False) in html


def test_the_signatory_is_the_officer_who_took_the_step() -> None:
    letter = answer(refused(), Language.RU)
    text = text_of(render_html(letter, catalogue=CATALOGUE))
    assert phrases(Language.RU)["answer.decided-by"] in text
    assert letter.signatory.name in text
    assert "Prosecutor" in text
    assert phrases(Language.RU)["answer.signed-electronically"] in text
