"""The UN's official short names of States, in its six languages.

``data/state_names.json`` maps an ISO 3166-1 alpha-3 code (and ``EU``, the code of the
European Union in ``parties.csv``) to the short name the United Nations itself uses in
Arabic, Chinese, English, French, Russian and Spanish (UNTERM, as listed in the UN M49
standard): ``Viet Nam``, ``Russian Federation``, ``Iran (Islamic Republic of)``. The
file is data, not translation; its header names the source. It is read once, through
:mod:`importlib.resources` (so it works from a wheel), and its shape is checked then.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from importlib.resources import files
from types import MappingProxyType

from hanoi.convention.labels import Language
from hanoi.convention.loading import CatalogueError
from hanoi.errors import FieldProblem

STATE_NAMES_FILE = "state_names.json"
CODE = re.compile(r"^(?:[A-Z]{3}|EU)$")
"""An ISO 3166-1 alpha-3 code, or ``EU``."""
LANGUAGES: frozenset[str] = frozenset(language.value for language in Language)


def _problems(document: object) -> list[FieldProblem]:
    if not isinstance(document, dict):
        return [FieldProblem(path="", message="the file is not a JSON object")]
    problems = [
        FieldProblem(path=field, message="the header field is missing or empty")
        for field in ("source", "note")
        if not isinstance(document.get(field), str) or not document[field].strip()
    ]
    names = document.get("names")
    if not isinstance(names, dict) or not names:
        return [*problems, FieldProblem(path="names", message="not a non-empty object")]
    for code, entry in names.items():
        if not CODE.match(code):
            problems.append(FieldProblem(path=f"names.{code}", message="not alpha-3 (or EU)"))
        if not isinstance(entry, dict) or set(entry) != LANGUAGES:
            message = f"needs exactly the languages {', '.join(sorted(LANGUAGES))}"
            problems.append(FieldProblem(path=f"names.{code}", message=message))
            continue
        problems.extend(
            FieldProblem(path=f"names.{code}.{language}", message="empty, or spaces around it")
            for language, name in entry.items()
            if not isinstance(name, str) or not name or name != name.strip()
        )
    return problems


@functools.cache
def state_names() -> Mapping[str, Mapping[str, str]]:
    """Every code's names by language code (``{"VNM": {"en": "Viet Nam", ...}}``)."""
    where = f"hanoi/convention/data/{STATE_NAMES_FILE}"
    try:
        text = files("hanoi.convention").joinpath("data", STATE_NAMES_FILE).read_text("utf-8")
        document = json.loads(text)
    except (OSError, ValueError) as exc:
        raise CatalogueError(f"{where}: cannot be read: {exc}") from exc
    problems = _problems(document)
    if problems:
        raise CatalogueError(f"{where}: malformed", fields=tuple(problems))
    return MappingProxyType(
        {code: MappingProxyType(dict(entry)) for code, entry in document["names"].items()}
    )


def un_short_name(code: str, language: str) -> str | None:
    """The UN's short name of the State (or the EU) ``code`` in ``language`` (``"ar"``,
    :class:`Language`), or ``None`` when the file does not list the code or language."""
    entry = state_names().get(code)
    return entry.get(str(language)) if entry is not None else None
