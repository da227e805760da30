"""The requested State's answer in its reader's words: every text of ``answer.html``, in
the letter's language. Pure: no I/O, no clock.

As :mod:`hanoi.letters.view` does for a letter of request: fixed texts from
:mod:`hanoi.letters.wording` (``answer.*``), what the Convention names (the kind, each
refusal ground, each condition, the citations) from the catalogue, States by the UN's
short name. The decision is the step answered (:mod:`hanoi.letters.answer`) in words,
with the article of its row of the transition table; a refusal lists each ground with the
provision through which it applies to the kind; the reasons and any conditions proposed
are the officer's own text, as recorded with the step, and are not translated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hanoi.convention import Catalogue, Language
from hanoi.cooperation import Side
from hanoi.cooperation.kinds import ground_source
from hanoi.cooperation.table import row_named
from hanoi.letters.answer import received_on, their_reference
from hanoi.letters.letter import Letter, grouped
from hanoi.letters.view import condition_values, long_date, party, signatory_values
from hanoi.letters.wording import phrases


def grounds(letter: Letter, catalogue: Catalogue) -> list[dict[str, str]]:
    """The refusal grounds of the step answered: each ground's label and the provision
    through which it applies to the request's kind (``Art. 40(21)(b)``)."""
    answered, language = letter.answers, letter.language
    if answered is None:
        return []
    kind = catalogue.kind(letter.request.kind)
    found = []
    for key in answered.grounds:
        ground = catalogue.refusal_ground(key)
        source = ground_source(kind, key) or ground.source
        found.append(
            {
                "key": key,
                "label": catalogue.label(ground.label_key, language),
                "citation": catalogue.cite(source, language),
            }
        )
    return found


def answer_values(letter: Letter, *, catalogue: Catalogue) -> dict[str, Any]:
    """What ``answer.html`` shows, in ``letter.language``."""
    answered = letter.answers
    if answered is None:
        raise ValueError("a letter of request is not an answer: use view.template_values")
    language: Language = letter.language
    request = letter.request
    kind = catalogue.kind(request.kind)
    words: Mapping[str, str] = phrases(language)
    step = answered.transition.value
    received = received_on(request)
    conditions = [
        condition_values(condition, catalogue, language)
        for condition in request.conditions
        if condition.imposed_by is Side.REQUESTED and condition.key in answered.conditions
    ]
    return {
        "language": language,
        "direction": "rtl" if language.right_to_left else "ltr",
        "words": words,
        "req": request,
        "sender": party(request, Side.REQUESTED, language),
        "addressee": party(request, Side.REQUESTING, language),
        "issued_on": long_date(letter.issued_at.date(), language),
        "issued_iso": letter.issued_at.date().isoformat(),
        "code": grouped(letter.verification_code),
        "their_reference": their_reference(request),
        "received_on": long_date(received, language) if received is not None else None,
        "received_iso": received.isoformat() if received is not None else None,
        "subject": catalogue.label(kind.title_key, language),
        "subject_citation": catalogue.cite(kind.source, language),
        "step": step,
        "decision": words[f"answer.step.{step}"],
        "decision_citation": catalogue.cite(row_named(answered.transition).source, language),
        "decided_on": long_date(answered.at.date(), language),
        "decided_iso": answered.at.date().isoformat(),
        "grounds": grounds(letter, catalogue),
        "reasons": answered.reasons,
        "reasons_heading": words.get(f"answer.reasons.{step}", words["answer.reasons"]),
        "conditions": conditions,
        "signatory": signatory_values(letter),
    }
