"""The catalogue: the Convention as data, with lookups and labels.

Build it with :func:`hanoi.convention.loading.load_catalogue`, or use
:func:`hanoi.convention.loading.default_catalogue` for the one bundled with
Hanoi. Every lookup of an unknown key raises :class:`hanoi.errors.NotFound`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from hanoi.convention.labels import FALLBACK, LabelBook, Language
from hanoi.convention.messages import CITATION_LETTERS, CITATION_TEMPLATE, vocabulary_keys
from hanoi.convention.models import (
    Article,
    AttachableCondition,
    Chapter,
    ContentItem,
    EnumSet,
    ExcludedGround,
    Offence,
    RefusalGround,
    RequestKind,
)
from hanoi.convention.sources import Source, format_citation
from hanoi.convention.treaty_rules import TreatyRules
from hanoi.errors import NotFound


@dataclass(frozen=True, eq=False)
class Catalogue:
    """The whole catalogue. Compared by identity: there is one per set of data files."""

    chapters: tuple[Chapter, ...]
    articles: tuple[Article, ...]
    offences: tuple[Offence, ...]
    enums: tuple[EnumSet, ...]
    """All value sets, including ``offence`` (built from :attr:`offences`)."""
    refusal_grounds: tuple[RefusalGround, ...]
    excluded_grounds: tuple[ExcludedGround, ...]
    conditions: tuple[AttachableCondition, ...]
    kinds: tuple[RequestKind, ...]
    treaty_rules: TreatyRules
    labels: LabelBook

    # --- lookups ----------------------------------------------------------------------

    @cached_property
    def _kinds(self) -> Mapping[str, RequestKind]:
        return {kind.key: kind for kind in self.kinds}

    @cached_property
    def _articles(self) -> Mapping[int, Article]:
        return {article.number: article for article in self.articles}

    @cached_property
    def _offences(self) -> Mapping[str, Offence]:
        return {offence.code: offence for offence in self.offences}

    @cached_property
    def _enums(self) -> Mapping[str, EnumSet]:
        return {enum.name: enum for enum in self.enums}

    @cached_property
    def _grounds(self) -> Mapping[str, RefusalGround]:
        return {ground.key: ground for ground in self.refusal_grounds}

    @cached_property
    def _excluded(self) -> Mapping[str, ExcludedGround]:
        return {ground.key: ground for ground in self.excluded_grounds}

    @cached_property
    def _conditions(self) -> Mapping[str, AttachableCondition]:
        return {condition.key: condition for condition in self.conditions}

    @property
    def kind_keys(self) -> tuple[str, ...]:
        return tuple(kind.key for kind in self.kinds)

    def kind(self, key: str) -> RequestKind:
        return _get(self._kinds, key, "request kind")

    def article(self, number: int) -> Article:
        return _get(self._articles, number, "article")

    def offence(self, code: str) -> Offence:
        return _get(self._offences, code, "offence")

    def enum(self, name: str) -> EnumSet:
        return _get(self._enums, name, "value set")

    def refusal_ground(self, key: str) -> RefusalGround:
        return _get(self._grounds, key, "refusal ground")

    def excluded_ground(self, key: str) -> ExcludedGround:
        return _get(self._excluded, key, "excluded ground")

    def condition(self, key: str) -> AttachableCondition:
        return _get(self._conditions, key, "condition")

    def values_for(self, item: ContentItem) -> EnumSet | None:
        """The value set an enum item (or list of enum) takes its values from."""
        return None if item.enum is None else self.enum(item.enum)

    def conditions_for(self, kind: str) -> tuple[AttachableCondition, ...]:
        return tuple(self.condition(applied.key) for applied in self.kind(kind).conditions)

    # --- labels and citations ---------------------------------------------------------

    def label(self, key: str, language: Language = FALLBACK) -> str:
        """The text of a label key, falling back to English."""
        return self.labels.text(key, language)

    def cite(self, source: Source, language: Language = FALLBACK) -> str:
        """``Art. 40(15)(a)`` in English, ``المادة 40(15)(أ)`` in Arabic."""
        return format_citation(
            source,
            template=self.labels.text(CITATION_TEMPLATE, language),
            letters=tuple(self.labels.text(CITATION_LETTERS, language).split()),
        )

    def label_keys(self) -> frozenset[str]:
        """Every label key the catalogue uses: what a complete language translates."""
        keys = set(vocabulary_keys())
        keys |= {chapter.label_key for chapter in self.chapters}
        keys |= {article.label_key for article in self.articles}
        keys |= {enum.label_key(value) for enum in self.enums for value in enum.keys}
        keys |= {ground.label_key for ground in self.refusal_grounds}
        keys |= {ground.label_key for ground in self.excluded_grounds}
        keys |= {condition.label_key for condition in self.conditions}
        for kind in self.kinds:
            keys |= {kind.title_key, kind.description_key}
            keys |= {item.label_key for item in kind.contents}
            keys |= {period.label_key for period in kind.periods}
        return frozenset(keys)


K = TypeVar("K")
V = TypeVar("V")


def _get(table: Mapping[K, V], key: K, what: str) -> V:
    try:
        return table[key]
    except KeyError:
        raise NotFound(f"no {what} {key!r} in the Convention catalogue") from None
