"""Labels in the six languages of the Convention (Art. 68), with fallback to English.

Every language is complete: each label key the catalogue uses has a text in all
six (the loader refuses an English file with a gap, and tests prove the others have
none, with the same placeholders). A text missing from a language all the same (a
key added later, a translation pending) falls back to English, key by key.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from hanoi.errors import FieldProblem, InvalidInput, NotFound


class Language(StrEnum):
    """The six authentic languages (Art. 68), by ISO 639-1 code."""

    AR = "ar"
    ZH = "zh"
    EN = "en"
    FR = "fr"
    RU = "ru"
    ES = "es"

    @property
    def right_to_left(self) -> bool:
        return self is Language.AR


FALLBACK = Language.EN
COMPLETE_LANGUAGES: tuple[Language, ...] = tuple(Language)
"""Languages that must have a text for every label key."""


def parse_language(value: str | Language) -> Language:
    """``"ar"`` -> ``Language.AR``; an unknown code is invalid input."""
    try:
        return Language(value)
    except ValueError:
        codes = ", ".join(language.value for language in Language)
        raise InvalidInput(
            f"unsupported language {value!r}",
            fields=(FieldProblem(path="language", message=f"use one of {codes}"),),
        ) from None


def placeholders(text: str) -> frozenset[str]:
    """The ``{name}`` fields of a message template."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


@dataclass(frozen=True)
class LabelBook:
    """Texts by language and key. Build it with :func:`label_book`."""

    texts: Mapping[Language, Mapping[str, str]]

    def has(self, key: str, language: Language) -> bool:
        return key in self.texts.get(language, {})

    def text(self, key: str, language: Language = FALLBACK) -> str:
        """The text in ``language``, or in English when that language lacks it."""
        for candidate in (language, FALLBACK):
            found = self.texts.get(candidate, {}).get(key)
            if found is not None:
                return found
        raise NotFound(f"no label {key!r}")

    def format(self, key: str, language: Language, **values: object) -> str:
        """A message template filled in: ``format("finding.missing", AR, label=...)``."""
        return self.text(key, language).format(**values)

    def missing(self, language: Language, keys: Iterable[str]) -> frozenset[str]:
        """The keys that ``language`` has no text of its own for."""
        own = self.texts.get(language, {})
        return frozenset(key for key in keys if key not in own)

    def coverage(self, language: Language, keys: Iterable[str]) -> float:
        """The share of ``keys`` that ``language`` translates itself (0.0 to 1.0)."""
        wanted = frozenset(keys)
        if not wanted:
            return 1.0
        return 1.0 - len(self.missing(language, wanted)) / len(wanted)


def label_book(texts: Mapping[Language, Mapping[str, str]]) -> LabelBook:
    frozen = {language: MappingProxyType(dict(entries)) for language, entries in texts.items()}
    return LabelBook(texts=MappingProxyType(frozen))


def label_problems(book: LabelBook, required: Iterable[str]) -> list[FieldProblem]:
    """What is wrong with a set of label files, checked against the keys in use.

    English must cover every key; no file may carry a key nobody uses (a
    typo would otherwise hide a missing text); a translated message must use
    the same ``{placeholders}`` as the English one.
    """
    wanted = frozenset(required)
    problems = [
        FieldProblem(path=f"labels/{FALLBACK}.yaml: {key}", message="no English text")
        for key in sorted(book.missing(FALLBACK, wanted))
    ]
    english = book.texts.get(FALLBACK, {})
    for language, entries in book.texts.items():
        for key, text in sorted(entries.items()):
            path = f"labels/{language}.yaml: {key}"
            if key not in wanted:
                problems.append(FieldProblem(path=path, message="label key not used"))
            elif key in english and placeholders(text) != placeholders(english[key]):
                problems.append(
                    FieldProblem(path=path, message="placeholders differ from the English text")
                )
    return problems
