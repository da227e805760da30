"""Conditions given with a step in the request page's form: read, checked, kept for the page."""

from __future__ import annotations

from datetime import date

import pytest

from hanoi.convention import Language, default_catalogue
from hanoi.cooperation import Side, Status, TransitionName
from hanoi.cooperation.table import TABLE
from hanoi.errors import InvalidInput
from hanoi.i18n.formatting import LocaleFormat
from hanoi.web.ui.forms import BAD_DATE
from hanoi.web.ui.step_forms import (
    TERMS_MISSING,
    condition_choices,
    conditions_offered,
    read_conditions,
    step_forms,
)

CATALOGUE = default_catalogue()
FMT = LocaleFormat(Language.EN)
CHOICES = condition_choices(CATALOGUE, FMT, CATALOGUE.kind("mla-stored-data"))


def test_the_choices_are_the_kinds_conditions_with_their_articles() -> None:
    assert [c.key for c in CHOICES] == [
        "use-limitation",
        "confidentiality",
        "personal-data-protection",
        "onward-transfer-authorization",
        "extraordinary-costs",
    ]
    assert CHOICES[0].citation == "Art. 40(19)"
    assert CHOICES[-1].citation == "Art. 40(29)"
    assert CHOICES[-1].label.startswith("Substantial or extraordinary costs")
    assert [c.key for c in CHOICES if c.retention] == ["personal-data-protection"]
    arabic = condition_choices(
        CATALOGUE, LocaleFormat(Language.AR), CATALOGUE.kind("mla-stored-data")
    )
    assert arabic[0].citation == "المادة 40(19)"


def test_only_the_step_that_takes_conditions_offers_them() -> None:
    offering = [
        row.name for row in TABLE if conditions_offered(CATALOGUE, FMT, "mla-stored-data", row.name)
    ]
    assert offering == [TransitionName.ACCEPT]
    forms = step_forms(
        CATALOGUE, FMT, CATALOGUE.kind("mla-stored-data"),
        [row for row in TABLE if Status.ACKNOWLEDGED in row.sources],
    )  # fmt: skip
    assert [f.name for f in forms if f.conditions] == ["accept"]


def test_conditions_are_read_with_their_terms_and_retention_day() -> None:
    read = read_conditions(
        CHOICES,
        {
            "conditions": ["use-limitation", "personal-data-protection"],
            "terms.use-limitation": ["  Case 17/2026 only. "],
            "terms.personal-data-protection": ["Delete after the trial."],
            "retain_until.personal-data-protection": ["2026-12-31"],
            "retain_until.use-limitation": ["2026-01-01"],  # no such field: ignored
        },
        Side.REQUESTED,
    )
    assert read.errors == {}
    first, second = read.conditions
    assert (first.key, first.terms, first.imposed_by, first.retain_until) == (
        "use-limitation",
        "Case 17/2026 only.",
        Side.REQUESTED,
        None,
    )
    assert second.retain_until == date(2026, 12, 31)


@pytest.mark.parametrize("day", ["2026-02-30", "31/12/2026", "2026-1-1", "x" * 40])
def test_a_bad_day_or_missing_terms_are_errors_beside_the_fields(day: str) -> None:
    read = read_conditions(
        CHOICES,
        {
            "conditions": ["personal-data-protection", "confidentiality"],
            "terms.personal-data-protection": ["Delete after the trial."],
            "retain_until.personal-data-protection": [day],
        },
        Side.REQUESTED,
    )
    assert read.conditions == ()
    assert read.errors == {
        "retain_until.personal-data-protection": BAD_DATE,
        "terms.confidentiality": TERMS_MISSING,
    }
    assert read.chosen == ("personal-data-protection", "confidentiality")
    assert read.retain_until["personal-data-protection"] == day[:32]


def test_the_costs_agreed_are_read_like_any_condition() -> None:
    read = read_conditions(
        CHOICES,
        {
            "conditions": ["extraordinary-costs"],
            "terms.extraordinary-costs": ["The requesting State bears the laboratory's costs."],
            "retain_until.extraordinary-costs": ["2026-12-31"],  # not a retention: ignored
        },
        Side.REQUESTED,
    )
    assert read.errors == {}
    [costs] = read.conditions
    assert (costs.key, costs.imposed_by, costs.retain_until) == (
        "extraordinary-costs",
        Side.REQUESTED,
        None,
    )
    chinese = condition_choices(CATALOGUE, LocaleFormat(Language.ZH), CATALOGUE.kind("mla-general"))
    assert chinese[-1].label == CATALOGUE.label("condition.extraordinary-costs", Language.ZH)


def test_a_condition_not_offered_is_refused() -> None:
    assistance = condition_choices(CATALOGUE, FMT, CATALOGUE.kind("network-24-7-assistance"))
    with pytest.raises(InvalidInput):
        read_conditions(assistance, {"conditions": ["use-limitation"]}, Side.REQUESTED)
    assert read_conditions((), {}, Side.REQUESTED).conditions == ()
