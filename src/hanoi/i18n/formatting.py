"""Dates, moments, durations, numbers, sizes, State names, Convention labels and citations
in one of the six languages, and a request's content values as a reader sees them.

Babel (CLDR) formats for the locale; State names are the UN's official short names where
the data has them; labels of the Convention catalogue come from the catalogue itself.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_datetime, format_timedelta
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from hanoi.convention import Catalogue, ContentItem, FieldType, Language, default_catalogue
from hanoi.convention.state_names import un_short_name

BYTE_UNITS = (
    (10**12, "digital-terabyte"),
    (10**9, "digital-gigabyte"),
    (10**6, "digital-megabyte"),
    (10**3, "digital-kilobyte"),
)


def _alpha2(code: str) -> str | None:
    aliases = get_global("territory_aliases")
    found = aliases.get(code)
    if isinstance(found, list | tuple):
        found = found[0] if found else None
    return found if isinstance(found, str) else None


CITATION = re.compile(
    r"^Art\. (?P<article>[1-9][0-9]?)"
    r"(?:\((?P<number>[1-9][0-9]?)\))?(?:\((?P<letter>[a-z])\))?$"
)
"""A citation as the service stores it: ``Art. 40``, ``Art. 40(15)``, ``Art. 40(15)(a)``,
``Art. 2(h)``. Several are joined with ``; ``."""
LAST_ARTICLE = 68
CITATION_SEPARATORS: dict[Language, str] = {Language.AR: "\u061b ", Language.ZH: "\uff1b"}
"""The Arabic semicolon and the full-width semicolon of Chinese."""


def sort_key(text: str) -> str:
    """A simple, locale-neutral sort key: accents dropped, case folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class LocaleFormat:
    """Dates, numbers, State names and catalogue labels for one language."""

    language: Language

    @functools.cached_property
    def locale(self) -> Locale:
        return Locale.parse(self.language.value)

    @property
    def direction(self) -> Literal["rtl", "ltr"]:
        return "rtl" if self.language.right_to_left else "ltr"

    def date(self, value: date, form: Literal["medium", "long"] = "long") -> str:
        return format_date(value, format=form, locale=self.locale)

    def moment(self, value: datetime) -> str:
        """A date and time in the locale's medium format, in UTC (the node's time)."""
        return format_datetime(value, format="medium", tzinfo=UTC, locale=self.locale)

    def time_left(self, value: timedelta) -> str:
        """``in 3 days`` or ``2 hours ago`` in the locale's words."""
        return format_timedelta(
            value, add_direction=True, threshold=1.5, format="long", locale=self.locale
        )

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)

    def decimal(self, value: float) -> str:
        """A duration or a share to one decimal at most, as the statistics give them:
        ``12.5``, ``12,5``, ``3``."""
        return format_decimal(value, format="#,##0.#", locale=self.locale)

    def bytes(self, size: int) -> str:
        """A size in the locale's words and digits, in decimal units: ``3.1 MB``, ``3,1 Mo``.
        ``static/upload.js`` writes sizes the same way (``Intl.NumberFormat``, unit style).
        Below a kilobyte the unit is a word (``1 byte``, ``101 bytes``, ``2 байта``): the
        long form, because CLDR's short one does not agree with the count (``101 byte``)."""
        for scale, unit in BYTE_UNITS:
            if size >= scale:
                return format_unit(
                    size / scale, unit, length="short", format="#,##0.#", locale=self.locale
                )
        return format_unit(size, "digital-byte", length="long", format="#,##0", locale=self.locale)

    def join(self, items: Sequence[str]) -> str:
        """``Arabic and English``, ``العربية والإنجليزية``: a list in this language's words."""
        return format_list(list(items), locale=self.locale) if items else ""

    def territory(self, code: str) -> str:
        """A State (ISO 3166-1 alpha-3) or organisation code as a name in this language: the
        UN's official short name (``Viet Nam``, ``Russian Federation``), else Babel's, else
        the code."""
        official = un_short_name(code, self.language)
        if official is not None:
            return official
        alpha2 = _alpha2(code) if len(code) == 3 else code
        name = self.locale.territories.get(alpha2) if alpha2 else None
        return name if isinstance(name, str) else code

    def label(self, key: str) -> str:
        """A label of the Convention catalogue (English when the language lacks it)."""
        return default_catalogue().label(key, self.language)

    def citation(self, stored: str | None) -> str:
        """A citation stored in English (``Art. 42(8)``, or several joined with ``; ``) in
        this language's form (``المادة 42(8)``); a part it cannot read is kept as stored."""
        if not stored:
            return ""
        parts = [self._one_citation(part.strip()) for part in stored.split(";")]
        return CITATION_SEPARATORS.get(self.language, "; ").join(parts)

    def _one_citation(self, text: str) -> str:
        match = CITATION.match(text)
        if match is None or int(match["article"]) > LAST_ARTICLE:
            return text
        paragraph = f"({match['number']})" if match["number"] else ""
        if match["letter"]:
            letters = self.label("citation.letters").split()
            index = ord(match["letter"]) - ord("a")
            paragraph += f"({letters[index] if index < len(letters) else match['letter']})"
        return self.label("citation.template").format(article=match["article"], paragraph=paragraph)

    def language_name(self, tag: str) -> str:
        """A BCP 47 tag (``ar``, ``zh-Hans``) as the language's name in this language."""
        try:
            name = Locale.parse(tag, sep="-").get_display_name(self.locale)
        except (UnknownLocaleError, ValueError, TypeError):
            return tag
        return name if isinstance(name, str) and name else tag


def display_value(fmt: LocaleFormat, catalogue: Catalogue, item: ContentItem, value: Any) -> str:
    """A content item's value as the reader sees it."""
    if isinstance(value, list | tuple):
        return "; ".join(_scalar(fmt, catalogue, item, element) for element in value)
    return _scalar(fmt, catalogue, item, value)


def _scalar(fmt: LocaleFormat, catalogue: Catalogue, item: ContentItem, value: Any) -> str:
    values = catalogue.values_for(item)
    if values is not None and isinstance(value, str) and value in values.keys:
        return fmt.label(values.label_key(value))
    element_type = item.item_type or item.type
    if element_type is FieldType.STATE_CODE and isinstance(value, str):
        return f"{fmt.territory(value)} ({value})"
    if element_type is FieldType.DATE and isinstance(value, str):
        try:
            return fmt.date(date.fromisoformat(value), "long")
        except ValueError:
            return value
    if isinstance(value, bool):
        return ""  # the template says yes or no in its language
    if isinstance(value, int):
        return fmt.number(value)
    return str(value)
