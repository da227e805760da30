"""The statistics page's filters: defaults, and each wrong field named with its message."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

from hanoi.convention import Language, default_catalogue
from hanoi.i18n.formatting import LocaleFormat
from hanoi.statistics.ports import MAX_PERIOD_DAYS, Query
from hanoi.web.ui.statistics_filters import (
    REVERSED,
    TOO_LONG,
    UNKNOWN_KIND,
    UNKNOWN_STATE,
    Filters,
    kind_options,
    read_filters,
    state_options,
)
from hanoi.web.ui.treaty import BAD_DATE

TODAY = date(2026, 5, 14)


def read(**given: str) -> Filters:
    return read_filters(
        {k.rstrip("_"): v for k, v in given.items()},
        today=TODAY,
        own_state="EGY",
        catalogue=default_catalogue(),
    )


def test_no_filter_means_this_calendar_year_to_today() -> None:
    filters = read()
    assert filters.errors == {}
    assert filters.query == Query(date(2026, 1, 1), TODAY)
    assert filters.values == {"from": "2026-01-01", "to": "2026-05-14", "kind": "", "state": ""}


def test_the_filters_make_the_query() -> None:
    filters = read(from_="2025-01-01", to="2025-12-31", kind="mla-stored-data", state="VNM")
    assert filters.errors == {}
    assert filters.query == Query(
        date(2025, 1, 1), date(2025, 12, 31), kind="mla-stored-data", state="VNM"
    )


def test_a_bad_date_is_named_and_kept_as_typed() -> None:
    for bad in ("2026-02-30", "14/05/2026", "2026-5-1", "<b>"):
        filters = read(from_=bad)
        assert filters.errors == {"from": BAD_DATE}, bad
        assert filters.values["from"] == bad
        assert filters.query is None
    assert read(to="yesterday").errors == {"to": BAD_DATE}


def test_a_reversed_or_too_long_period_is_refused() -> None:
    assert read(from_="2026-03-02", to="2026-03-01").errors == {"from": REVERSED}
    assert read(from_="2026-03-01", to="2026-03-01").query is not None  # one day is a period
    assert read(from_="2000-01-01", to="2026-01-01").errors == {"to": TOO_LONG}
    assert MAX_PERIOD_DAYS >= 3652  # ten years, as the message says


def test_a_kind_or_state_not_in_the_lists_is_refused() -> None:
    assert read(kind="no-such-kind").errors == {"kind": UNKNOWN_KIND}
    assert read(state="vnm").errors == {"state": UNKNOWN_STATE}
    assert read(state="EGY").errors == {"state": UNKNOWN_STATE}  # the node's own State
    assert read(state="EU").errors == {"state": UNKNOWN_STATE}
    both = read(from_="x", kind="x", state="x")
    assert set(both.errors) == {"from", "kind", "state"}


def test_the_download_link_carries_the_same_filters() -> None:
    filters = read(from_="2025-01-01", to="2025-06-30", state="VNM")
    link = urlsplit(filters.link("/ui/statistics.csv"))
    assert link.path == "/ui/statistics.csv"
    assert parse_qs(link.query) == {"from": ["2025-01-01"], "to": ["2025-06-30"], "state": ["VNM"]}


def test_the_choices_are_named_in_the_page_language() -> None:
    fmt = LocaleFormat(Language.FR)
    states = dict(state_options(fmt, "EGY"))
    assert "EGY" not in states
    assert "EU" not in states
    assert states["VNM"] == "Viet Nam"
    assert states["DEU"] == "Allemagne"
    names = list(states.values())
    assert names.index("Allemagne") < names.index("Viet Nam")
    kinds = dict(kind_options(fmt, default_catalogue()))
    assert set(kinds) == set(default_catalogue().kind_keys)
