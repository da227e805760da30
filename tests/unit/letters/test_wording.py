"""The fixed words of a letter exist in the six languages, translated."""

from __future__ import annotations

import string

import pytest

from hanoi.convention import Language
from hanoi.letters.wording import PHRASES, phrases

OTHERS = [language for language in Language if language is not Language.EN]
SAME_AS_ENGLISH = {("no", Language.ES)}
"""Texts that are rightly the same word in English: Spanish "No"."""


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_phrase_exists_in_all_six_languages() -> None:
    for key, texts in PHRASES.items():
        assert set(texts) == set(Language), key
        for language, text in texts.items():
            assert text, (key, language)
            assert text.strip() == text, (key, language)


@pytest.mark.parametrize("language", OTHERS, ids=lambda language: language.value)
def test_no_phrase_is_left_in_english(language: Language) -> None:
    english = phrases(Language.EN)
    for key, text in phrases(language).items():
        if (key, language) not in SAME_AS_ENGLISH:
            assert text != english[key], f"{key} is English in {language.value}"


@pytest.mark.parametrize("language", list(Language), ids=lambda language: language.value)
def test_each_translation_has_the_english_fields(language: Language) -> None:
    english = phrases(Language.EN)
    for key, text in phrases(language).items():
        assert _fields(text) == _fields(english[key]), (key, language)


def test_the_allowed_exceptions_are_really_the_same_word() -> None:
    for key, language in SAME_AS_ENGLISH:
        assert PHRASES[key][language] == PHRASES[key][Language.EN]
