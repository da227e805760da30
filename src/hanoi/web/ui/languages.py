"""Which of the six UN languages a page is in, and the Convention labels the pages show.

The catalogues, the locale formats and the labels are :mod:`hanoi.i18n`'s, shared with the
court report; what is the UI's own is reading ``Accept-Language`` (the session's choice
and the cookie come first: :func:`hanoi.web.ui.site.request_language`), and the list of
Convention catalogue labels its pages show, which a test checks in all six languages.
"""

from __future__ import annotations

from babel.core import negotiate_locale

from hanoi.convention import Catalogue, Language, default_catalogue
from hanoi.i18n.catalogues import DEFAULT_LANGUAGE, LANGUAGES, parse_language

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
