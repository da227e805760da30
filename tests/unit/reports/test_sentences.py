"""Sentences in the court report end with one stop: the officer's terms may bring their own.

The conditions of a request are written as "terms. Imposed by: side. Delete ... after
date."; terms typed with a final full stop once gave "17/2026.." in the PDF.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from markupsafe import Markup

from hanoi.convention import Language, default_catalogue
from hanoi.cooperation import Side
from hanoi.cooperation.model import Condition
from hanoi.reports.court import CourtReport
from hanoi.reports.render import render_html
from hanoi.reports.view import sentence
from unit.reports.render_support import sample, text_of

CATALOGUE = default_catalogue()
STOPS = re.compile(r"\.\s*\.|。\s*[。.]|[.。]\s*。")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Use only for case 17/2026", Language.EN, "Use only for case 17/2026."),
        ("Use only for case 17/2026.", Language.EN, "Use only for case 17/2026."),
        ("Use only for case 17/2026.  \n", Language.FR, "Use only for case 17/2026."),
        ("Is it agreed?", Language.ES, "Is it agreed?"),
        ("(as agreed.)", Language.RU, "(as agreed.)"),
        ("(see the annex)", Language.RU, "(see the annex)."),
        ("«comme convenu.»", Language.FR, "«comme convenu.»"),
        ("لا تستخدم إلا في القضية", Language.AR, "لا تستخدم إلا في القضية."),
        ("هل وافقت؟", Language.AR, "هل وافقت؟"),
        ("仅用于本案", Language.ZH, "仅用于本案。"),
        ("仅用于本案。", Language.ZH, "仅用于本案。"),
        ("Only for this case.", Language.ZH, "Only for this case."),
        ("", Language.EN, ""),
    ],
)
def test_a_stop_is_added_only_where_the_sentence_has_none(
    text: str, language: Language, expected: str
) -> None:
    assert sentence(text, language) == expected


def test_markup_stays_markup() -> None:
    ended = sentence(Markup("Imposed by: <b>Requested State</b>"), Language.EN)
    assert isinstance(ended, Markup)
    assert ended == Markup("Imposed by: <b>Requested State</b>.")


def _with_condition(terms: str) -> CourtReport:
    report = sample()
    condition = Condition(
        key="personal-data-protection",
        terms=terms,
        imposed_by=Side.REQUESTED,
        retain_until=date(2026, 12, 31),
    )
    return replace(report, request=replace(report.request, conditions=(condition,)))


@pytest.mark.parametrize("language", list(Language), ids=str)
@pytest.mark.parametrize("terms", ["Use only in case 17/2026.", "Use only in case 17/2026"])
def test_no_double_stop_after_the_terms_of_a_condition(language: Language, terms: str) -> None:
    words = text_of(render_html(_with_condition(terms), language, catalogue=CATALOGUE))
    assert "Use only in case 17/2026" in words
    assert STOPS.search(words) is None, STOPS.search(words)


def test_each_sentence_of_a_condition_ends_with_one_stop() -> None:
    english = text_of(render_html(_with_condition("Use only in case 17/2026."), Language.EN,
                                  catalogue=CATALOGUE))  # fmt: skip
    assert (
        "Use only in case 17/2026. Imposed by: Requested State. "
        "Delete the data received after December 31, 2026." in english
    )
    # Chinese ends sentences with 。 and puts no space between them.
    chinese = render_html(
        _with_condition("仅用于第17/2026号案件"), Language.ZH, catalogue=CATALOGUE
    )
    assert "仅用于第17/2026号案件。</span>提出方" in chinese
    assert "之后删除所收到的数据。" in chinese
