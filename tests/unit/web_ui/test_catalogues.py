"""Every message the UI uses is translated, for real, in all six languages.

The messages are extracted the way ``scripts/i18n-extract`` does it (Babel's
extractors, with the mapping in ``babel.cfg``): from the templates and the Python
code (``N_(...)``) of the UI, of the court report and of the labels they share
(:mod:`hanoi.i18n`). Labels of the Convention catalogue that the UI shows are checked
against the catalogue's own label files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from hanoi.convention import Language, default_catalogue
from hanoi.i18n.catalogues import LANGUAGES, LOCALE_DIR, translations
from hanoi.web.ui.languages import CATALOGUE_LABELS_USED

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "src" / "hanoi"
TRANSLATED_DIRS = (PACKAGE / "i18n", PACKAGE / "web" / "ui", PACKAGE / "reports")  # as babel.cfg
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _on_the_way_to_the_ui(path: str) -> bool:
    relative = Path(os.path.relpath(path, ROOT))
    for folder in (d.relative_to(ROOT) for d in TRANSLATED_DIRS):
        if relative in folder.parents or relative == folder or folder in relative.parents:
            return True
    return False


def _extracted() -> Iterator[str]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, directory_filter=_on_the_way_to_the_ui
    ):
        if isinstance(message, tuple):
            yield from (part for part in message if part)
        elif message:
            yield message


USED = frozenset(_extracted())


def _catalog(language: Language) -> Catalog:
    path = LOCALE_DIR / language.value / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language.value)


def test_extraction_finds_the_ui_messages() -> None:
    assert len(USED) > 40
    assert "Sign in" in USED  # a template
    assert "Enter your user name." in USED  # Python code, marked with N_()
    assert "Signed in as %(name)s" in USED  # a {% trans %} block with a variable


def test_the_template_file_is_up_to_date() -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    in_template = {message.id for message in template if message.id}
    assert in_template == USED, "run scripts/i18n-extract"


@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_every_message_is_translated(language: Language) -> None:
    catalog = _catalog(language)
    problems = []
    for msgid in sorted(USED):
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not (message.string if isinstance(message.string, str) else all(message.string)):
            problems.append(f"empty: {msgid!r}")
    assert not problems, f"{language}: " + "; ".join(problems)


@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_no_stale_messages(language: Language) -> None:
    catalog = _catalog(language)
    stale = {message.id for message in catalog if message.id} - USED
    assert not stale, f"{language} has messages nothing uses (run scripts/i18n-extract)"


@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_placeholders_match(language: Language) -> None:
    catalog = _catalog(language)
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        assert isinstance(message.string, str)
        wanted = sorted(PLACEHOLDER.findall(message.id))
        found = sorted(PLACEHOLDER.findall(message.string))
        assert found == wanted, f"{language}: {message.id!r} -> {message.string!r}"
        # Jinja's new-style gettext formats every message with %: a lone % would break it.
        assert "%" not in PLACEHOLDER.sub("", message.string), message.string


@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_catalogue_labels_the_ui_shows_exist_in_every_language(language: Language) -> None:
    labels = default_catalogue().labels
    missing = [key for key in CATALOGUE_LABELS_USED if not labels.has(key, language)]
    assert not missing, f"{language} lacks Convention catalogue labels {missing}"


def test_catalogues_load_at_run_time_without_compiling() -> None:
    assert translations(Language.FR).gettext("Sign in") == "Se connecter"
    assert translations(Language.AR).gettext("United Nations Convention against Cybercrime") == (
        "اتفاقية الأمم المتحدة لمكافحة الجريمة السيبرانية"
    )
    assert translations(Language.ZH).gettext("Treaty status") == "条约状况"
    assert not list(LOCALE_DIR.rglob("*.mo"))
