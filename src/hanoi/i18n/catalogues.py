"""The six UN languages and their catalogues of messages.

Messages live in ``locale/<lang>/LC_MESSAGES/messages.po`` beside this module. They are
read at run time with Babel's ``read_po`` and turned into ``gettext`` translations once
per process, so no compiled ``.mo`` file is kept in git and there is no build step.
Fuzzy entries are left out, as ``msgfmt`` would.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from hanoi.convention import Language

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
