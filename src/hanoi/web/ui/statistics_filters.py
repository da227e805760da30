"""The statistics page's filters: a period, a kind, another State, read from the query
string. Pure.

Every field is checked here, so that a wrong one is shown beside its field in the page's
language (as the treaty page does for its date) instead of as the service's English
error; the statistics service checks the same again (it holds the rule for the API and
the CLI too). Empty dates mean the current calendar year up to today, the usual period of
a report to the Conference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from hanoi.convention import Catalogue
from hanoi.convention.state_names import state_names
from hanoi.i18n.formatting import LocaleFormat, sort_key
from hanoi.i18n.messages import N_, Message
from hanoi.statistics.ports import MAX_PERIOD_DAYS, Query
from hanoi.web.ui.treaty import BAD_DATE, ISO_DATE

FIELDS = ("from", "to", "kind", "state")
MAX_FIELD = 32
REVERSED = N_("The first day is after the last day.")
TOO_LONG = N_("A period of statistics is at most ten years.")
UNKNOWN_KIND = N_("Choose a kind of request from the list.")
UNKNOWN_STATE = N_("Choose a State from the list.")


@dataclass(frozen=True, slots=True)
class Filters:
    """What the form holds (the text as typed, for showing it again), what is wrong with
    it by field, and the query when nothing is."""

    values: Mapping[str, str]
    errors: Mapping[str, Message]
    query: Query | None

    def link(self, path: str) -> str:
        """``path`` with these filters (the CSV download of the same figures)."""
        return f"{path}?{urlencode({k: v for k, v in self.values.items() if v})}"


def _day(text: str, default: date) -> date | None:
    if not text:
        return default
    if not ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def read_filters(
    given: Mapping[str, str],
    *,
    today: date,
    own_state: str,
    catalogue: Catalogue,
) -> Filters:
    """The filters of the query string ``given``; missing dates filled with the defaults."""
    values = {name: given.get(name, "").strip()[:MAX_FIELD] for name in FIELDS}
    errors: dict[str, Message] = {}
    start = _day(values["from"], date(today.year, 1, 1))
    end = _day(values["to"], today)
    if start is None:
        errors["from"] = BAD_DATE
    if end is None:
        errors["to"] = BAD_DATE
    if start is not None and end is not None:
        if start > end:
            errors["from"] = REVERSED
        elif (end - start).days > MAX_PERIOD_DAYS:
            errors["to"] = TOO_LONG
        values["from"], values["to"] = start.isoformat(), end.isoformat()
    if values["kind"] and values["kind"] not in catalogue.kind_keys:
        errors["kind"] = UNKNOWN_KIND
    if values["state"] and values["state"] not in state_codes(own_state):
        errors["state"] = UNKNOWN_STATE
    query = None
    if not errors and start is not None and end is not None:
        query = Query(start, end, kind=values["kind"] or None, state=values["state"] or None)
    return Filters(values=values, errors=errors, query=query)


def state_codes(own_state: str) -> frozenset[str]:
    """The States a filter may name: every State the UN names but this one (and not the
    European Union, which makes no requests of its own)."""
    return frozenset(code for code in state_names() if code not in (own_state, "EU"))


def state_options(fmt: LocaleFormat, own_state: str) -> list[tuple[str, str]]:
    """(code, name) of every State a filter may name, by name in the page's language."""
    named = [(code, fmt.territory(code)) for code in state_codes(own_state)]
    return sorted(named, key=lambda pair: (sort_key(pair[1]), pair[0]))


def kind_options(fmt: LocaleFormat, catalogue: Catalogue) -> list[tuple[str, str]]:
    """(key, title) of every kind of request, by title in the page's language."""
    named = [(key, fmt.label(catalogue.kind(key).title_key)) for key in catalogue.kind_keys]
    return sorted(named, key=lambda pair: (sort_key(pair[1]), pair[0]))
