"""Which language a letter may be in for a State (Art. 40(14)): the directory's BCP 47
tags compared on their primary subtag, a refusal that names what the State accepts, and
an override only with a reason."""

from __future__ import annotations

import pytest

from hanoi.convention import Language
from hanoi.errors import InvalidInput, RuleViolation
from hanoi.letters.languages import (
    MAX_REASON,
    LanguageChoice,
    LanguageNotAccepted,
    acceptable,
    check_reason,
    choose,
    primary,
)


def test_tags_compare_on_their_primary_subtag() -> None:
    assert primary("zh-Hans") == "zh"
    assert primary("FR-ca") == "fr"
    assert primary("es_419") == "es"
    assert acceptable(["vi", "zh-Hans", "en-GB", "en", "ar-EG"]) == (
        Language.ZH,
        Language.EN,
        Language.AR,
    )
    assert acceptable(["vi", "de"]) == ()


def test_an_accepted_language_needs_no_reason_and_records_none() -> None:
    choice = choose(Language.ZH, state="CHN", accepted=["zh-Hans"], override_reason="needless")
    assert choice == LanguageChoice(
        language=Language.ZH, accepted=("zh-Hans",), override_reason=None
    )


def test_a_language_not_accepted_is_refused_naming_the_accepted_ones() -> None:
    with pytest.raises(LanguageNotAccepted) as raised:
        choose(Language.FR, state="VNM", accepted=["vi", "en"], override_reason=None)
    refusal = raised.value
    assert isinstance(refusal, RuleViolation)
    assert "VNM accepts requests in vi, en (Art. 40(14))" in refusal.detail
    assert refusal.accepted == ("vi", "en")
    assert refusal.fields[0].path == "language"
    assert refusal.fields[0].article == "Art. 40(14)"


def test_a_reason_overrides_and_is_kept() -> None:
    choice = choose(
        Language.FR,
        state="VNM",
        accepted=["vi", "en"],
        override_reason="  Agreed   in writing\nby VNM's central authority ",
    )
    assert choice.language is Language.FR
    assert choice.override_reason == "Agreed in writing by VNM's central authority"
    assert choice.accepted == ("vi", "en")


@pytest.mark.parametrize("accepted", [None, []], ids=["not listed", "no language listed"])
def test_a_state_the_directory_does_not_describe_needs_a_reason(
    accepted: list[str] | None,
) -> None:
    with pytest.raises(LanguageNotAccepted, match="give a reason") as raised:
        choose(Language.EN, state="ATA", accepted=accepted, override_reason="  ")
    assert raised.value.accepted == (None if accepted is None else ())
    assert choose(Language.EN, state="ATA", accepted=accepted, override_reason="By note verbale")


def test_a_reason_is_printable_text_of_bounded_length() -> None:
    assert check_reason(None) is None
    assert check_reason(" \n ") is None
    assert check_reason("x" * MAX_REASON) == "x" * MAX_REASON
    for bad in ("x" * (MAX_REASON + 1), "agreed\x00"):
        with pytest.raises(InvalidInput) as raised:
            check_reason(bad)
        assert raised.value.fields[0].path == "override_reason"
