"""The label files: every language translates exactly what the English file holds.

The loader already refuses a key nobody uses and a message whose placeholders
differ from the English one; these tests go further and require each language
file to be complete, with the English file's keys in the English file's order,
so that a key added to ``en.yaml`` without its translations fails here.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import pytest
import yaml

from hanoi.convention import Catalogue, Language
from hanoi.convention.labels import FALLBACK, placeholders

TRANSLATIONS = tuple(language for language in Language if language is not FALLBACK)


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """``{"kind": {"x": {"title": "..."}}}`` -> ``{"kind.x.title": "..."}``, in file order."""
    if not isinstance(value, dict):
        return {prefix: value}
    entries: dict[str, str] = {}
    for key, inner in value.items():
        entries.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
    return entries


def label_file(language: Language) -> dict[str, str]:
    path = files("hanoi.convention").joinpath("data", "labels", f"{language.value}.yaml")
    return flatten(yaml.safe_load(path.read_text(encoding="utf-8")))


ENGLISH = label_file(FALLBACK)


@pytest.mark.parametrize("language", TRANSLATIONS, ids=str)
def test_a_language_file_has_exactly_the_english_keys(language: Language) -> None:
    own = label_file(language)
    assert sorted(ENGLISH.keys() - own.keys()) == [], "missing"
    assert sorted(own.keys() - ENGLISH.keys()) == [], "not in en.yaml"
    assert list(own) == list(ENGLISH), "keys in a different order from en.yaml"


@pytest.mark.parametrize("language", TRANSLATIONS, ids=str)
def test_a_language_file_keeps_the_english_placeholders(language: Language) -> None:
    own = label_file(language)
    differing = {
        key: (sorted(placeholders(own[key])), sorted(placeholders(text)))
        for key, text in ENGLISH.items()
        if key in own and placeholders(own[key]) != placeholders(text)
    }
    assert differing == {}


@pytest.mark.parametrize("language", TRANSLATIONS, ids=str)
def test_every_text_is_a_non_blank_string(language: Language) -> None:
    blank = [key for key, text in label_file(language).items() if not str(text).strip()]
    not_text = [key for key, text in label_file(language).items() if not isinstance(text, str)]
    assert (blank, not_text) == ([], [])


@pytest.mark.parametrize("language", list(Language), ids=str)
def test_every_language_translates_every_label_the_catalogue_uses(
    catalogue: Catalogue, language: Language
) -> None:
    assert catalogue.labels.missing(language, catalogue.label_keys()) == frozenset()
    assert catalogue.labels.coverage(language, catalogue.label_keys()) == 1.0


def test_citations_follow_each_language(catalogue: Catalogue) -> None:
    source = catalogue.offence("art-2-serious-crime").source
    assert {language: catalogue.cite(source, language) for language in Language} == {
        Language.EN: "Art. 2(h)",
        Language.AR: "المادة 2(ح)",
        Language.FR: "art. 2(h)",
        Language.ES: "art. 2(h)",
        Language.RU: "ст. 2(h)",
        Language.ZH: "第2条(h)",
    }


def test_the_terms_of_the_convention_in_each_language(catalogue: Catalogue) -> None:
    """A few titles in the wording of the United Nations' texts."""
    expected = {
        "article.25": {
            Language.FR: "Conservation rapide de données électroniques stockées",
            Language.ES: "Conservación rápida de datos electrónicos almacenados",
            Language.RU: "Оперативное обеспечение сохранности хранимых электронных данных",
            Language.ZH: "快速保全所存储的电子数据",
        },
        "kind.mla-general.title": {
            Language.FR: "Entraide judiciaire",
            Language.ES: "Asistencia judicial recíproca",
            Language.RU: "Взаимная правовая помощь",
            Language.ZH: "司法协助",
        },
    }
    for key, texts in expected.items():
        for language, text in texts.items():
            assert catalogue.label(key, language) == text, (key, language)
