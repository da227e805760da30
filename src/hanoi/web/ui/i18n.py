"""The UI in the six UN languages: catalogues, negotiation, and locale formatting.

Messages live in ``locale/<lang>/LC_MESSAGES/messages.po``. They are read at
run time with Babel's ``read_po`` and turned into ``gettext`` translations
once per process, so no compiled ``.mo`` file is kept in git and there is no
build step. Fuzzy entries are left out, as ``msgfmt`` would.

Labels of the Convention catalogue (instruments, kinds of party, citations)
are not repeated here: the templates ask the catalogue for them.
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, NewType

from babel import Locale, UnknownLocaleError
from babel.core import get_global, negotiate_locale
from babel.dates import format_date
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from babel.units import format_unit

from hanoi.convention import Catalogue, Language, default_catalogue
from hanoi.convention.state_names import un_short_name

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = Language.EN
LANGUAGES: tuple[Language, ...] = tuple(Language)
"""Arabic, Chinese, English, French, Russian, Spanish: the order of the UN."""

AUTONYMS: dict[Language, str] = {
    Language.AR: "العربية",
    Language.ZH: "中文",
    Language.EN: "English",
    Language.FR: "Français",
    Language.RU: "Русский",
    Language.ES: "Español",
}

FIXED_LABELS_USED: tuple[str, ...] = (
    "citation.template",
    "instrument.ratification",
    "instrument.acceptance",
    "instrument.approval",
    "instrument.accession",
    "party-kind.state",
    "party-kind.organization",
    "channel.central-authority",
    "channel.point-of-contact",
)


def _request_labels(catalogue: Catalogue) -> tuple[str, ...]:
    """What the request pages show of each kind: its title and description, its items and
    their values, its grounds for refusal and the conditions that may be set on it."""
    keys: dict[str, None] = {}
    for kind in catalogue.kinds:
        keys.update(dict.fromkeys((kind.title_key, kind.description_key)))
        for item in kind.contents:
            keys[item.label_key] = None
            values = catalogue.values_for(item)
            if values is not None:
                keys.update(dict.fromkeys(values.label_key(value) for value in values.keys))
        keys.update(dict.fromkeys(f"ground.{a.key}" for a in kind.refusal_grounds))
        keys.update(dict.fromkeys(f"condition.{a.key}" for a in kind.conditions))
    return tuple(keys)


CATALOGUE_LABELS_USED: tuple[str, ...] = (
    *FIXED_LABELS_USED,
    *_request_labels(default_catalogue()),
)
"""Convention catalogue labels the UI shows; a test checks all six languages have them."""

MAX_ACCEPT_LANGUAGE_ENTRIES = 32
BYTE_UNITS = (
    (10**12, "digital-terabyte"),
    (10**9, "digital-gigabyte"),
    (10**6, "digital-megabyte"),
    (10**3, "digital-kilobyte"),
)

Message = NewType("Message", str)


def N_(message: str) -> Message:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a message for extraction; the template translates it when it is shown."""
    return Message(message)


@functools.cache
def translations(language: Language) -> Translations:
    """The language's messages, read from its ``.po`` file once per process."""
    path = LOCALE_DIR / language.value / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language.value, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def parse_language(value: object) -> Language | None:
    """A supported language code, or None."""
    if not isinstance(value, str):
        return None
    try:
        return Language(value)
    except ValueError:
        return None


def accepted_languages(header: str | None) -> list[str]:
    """The tags of an ``Accept-Language`` header, most wanted first (q=0 and ``*`` dropped)."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:MAX_ACCEPT_LANGUAGE_ENTRIES]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(header: str | None) -> Language:
    """The best of the six languages for an ``Accept-Language`` header (English otherwise)."""
    found = negotiate_locale(
        accepted_languages(header), [language.value for language in LANGUAGES], sep="-"
    )
    return parse_language(found) or DEFAULT_LANGUAGE


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

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)

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
