"""The statistics page's view: a node's figures in the reader's words, each chart drawn
from the same rows as the table beside it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest

from hanoi.convention import Language, default_catalogue
from hanoi.federation.ports import PackageRefusal
from hanoi.i18n.catalogues import translations
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.labels import PACKAGE_REFUSAL_LABELS
from hanoi.statistics.figures import (
    Direction,
    Durations,
    Evidence,
    Figures,
    Flow,
    GroundCount,
    Measure,
    Outcome,
    Preservation,
)
from hanoi.web.ui.statistics_blocks import Block
from hanoi.web.ui.statistics_view import MAX_BARS, NO_FIGURE, statistics_view

SVG = "{http://www.w3.org/2000/svg}"
CATALOGUE = default_catalogue()


def sample() -> Figures:
    outgoing = Flow(
        total=1_240,
        by_kind={"mla-stored-data": 1_200, "expedited-preservation": 40},
        by_state={"VNM": 1_000, "FRA": 240},
        by_channel={"hanoi": 1_230, "email": 10},
        by_urgency={"routine": 1_230, "urgent": 10},
        by_outcome={Outcome.EXECUTED: 1_000, Outcome.REFUSED: 40, Outcome.OPEN: 200},
        refusals_by_ground={"essential-interests": GroundCount(40, "40(21)(b)")},
        response_days={Measure.FIRST_DECISION: Durations(1_040, 2.5, 12.0)},
        urgent_response_hours={Measure.FIRST_DECISION: Durations(10, 3.0, 7.5)},
    )
    incoming = Flow(
        total=3,
        by_kind={"mla-stored-data": 3},
        by_state={"VNM": 2, "QZZ": 1},
        by_channel={"hanoi": 2, "pigeon": 1},
        by_urgency={"routine": 3},
        by_outcome={Outcome.EXECUTED: 1, Outcome.REFUSED: 1, Outcome.OPEN: 1},
        refusals_by_ground={"no-such-ground": GroundCount(1, "unknown")},
    )
    return Figures(
        state="EGY",
        period_from=date(2026, 1, 1),
        period_to=date(2026, 6, 30),
        outgoing=outgoing,
        incoming=incoming,
        preservation={Direction.OUTGOING: Preservation(40, 38, 5, 30, 32)},
        evidence=Evidence(4, 3_100_000, 2, 1_000, 1, {"integrity": 1}),
    )


def view(figures: Figures, language: Language = Language.EN) -> dict[str, Block]:
    found = statistics_view(
        figures, fmt=LocaleFormat(language), gettext=translations(language).gettext
    )
    return {b.ident: b for b in (*found.blocks, *found.tables)}


def chart_rows(block: Block) -> list[tuple[str, list[str], list[str]]]:
    """Each drawn row: its label (lines joined), its bars' values, its figures' texts."""
    assert block.chart is not None
    root = ET.fromstring(str(block.chart))
    found = []
    for group in (g for g in root.iter(f"{SVG}g") if g.get("class") == "row"):
        texts = list(group.iter(f"{SVG}text"))
        label = " ".join(t.text or "" for t in texts if t.get("class") == "label")
        values = [r.get("data-value", "") for r in group.iter(f"{SVG}rect")]
        shown = [t.text or "" for t in texts if "value" in t.get("class", "")]
        found.append((label, values, shown))
    return found


def test_every_chart_shows_the_figures_of_its_table() -> None:
    for block in view(sample()).values():
        if block.chart is None:
            continue
        drawn = chart_rows(block)
        numeric = [i for i, c in enumerate(block.columns) if c.numeric]
        if block.ident.startswith(("days", "hours")):
            numeric = numeric[1:]  # the chart draws median and p90, not how many were measured
        if not drawn:
            continue
        assert len(drawn) == min(len(block.rows), MAX_BARS), block.ident
        for (label, _values, shown), row in zip(drawn, block.rows, strict=False):
            assert label.replace("…", "") in row.header or row.header.startswith(label[:20])
            assert shown == [row.cells[i] or NO_FIGURE for i in numeric], block.ident


def test_counts_by_kind_state_channel_come_in_words_most_first() -> None:
    blocks = view(sample())
    kinds = blocks["kind"]
    assert [r.header for r in kinds.rows] == [
        CATALOGUE.label(CATALOGUE.kind("mla-stored-data").title_key),
        CATALOGUE.label(CATALOGUE.kind("expedited-preservation").title_key),
    ]
    assert [r.cells for r in kinds.rows] == [("1,200", "3"), ("40", "0")]
    assert [c.title for c in kinds.columns] == ["Outgoing", "Incoming"]
    states = blocks["state"]
    assert [(r.header, r.code) for r in states.rows] == [
        ("Viet Nam", "VNM"),
        ("France", "FRA"),
        ("QZZ", "QZZ"),  # a code nobody names is shown as the code
    ]
    assert [r.header for r in blocks["channel"].rows] == [
        "The Hanoi network",
        "E-mail between central authorities",
        "pigeon",
    ]


def test_outcomes_keep_their_order_and_show_zeros() -> None:
    outcome = view(sample())["outcome"]
    assert [r.header for r in outcome.rows] == [
        "Executed",
        "Partially executed",
        "Refused",
        "Postponed",
        "Withdrawn",
        "Still open",
    ]
    assert outcome.rows[1].cells == ("0", "0")
    urgency = view(sample())["urgency"]
    assert [(r.header, r.cells) for r in urgency.rows] == [
        ("Routine", ("1,230", "3")),
        ("Urgent", ("10", "0")),
        ("Emergency", ("0", "0")),
    ]


def test_grounds_come_with_their_article_cited_in_the_language() -> None:
    en, ar = view(sample())["ground"], view(sample(), Language.AR)["ground"]
    assert next(c.title for c in en.columns) == "Article"
    assert en.columns[0].numeric is False
    assert en.rows[0].header == CATALOGUE.label("ground.essential-interests")
    assert en.rows[0].cells == ("Art. 40(21)(b)", "40", "0")
    assert en.rows[1].cells == ("unknown", "0", "1")  # as the figures say it
    assert en.rows[1].header == "no-such-ground"
    assert ar.rows[0].header == CATALOGUE.label("ground.essential-interests", Language.AR)
    assert ar.rows[0].cells[0] == "المادة 40(21)(ب)"


def test_numbers_are_formatted_for_the_locale_in_table_and_chart() -> None:
    fr = view(sample(), Language.FR)
    assert fr["kind"].rows[0].cells == ("1\u202f200", "3")
    assert chart_rows(fr["kind"])[0][2] == ["1\u202f200", "3"]
    days = fr["days-outgoing"]
    assert days.rows[0].cells == ("1\u202f040", "2,5", "12")
    assert chart_rows(days)[0][2] == ["2,5", "12"]


def test_response_times_without_requests_have_no_figure() -> None:
    blocks = view(sample())
    days = blocks["days-outgoing"]
    assert [r.cells for r in days.rows] == [
        ("1,040", "2.5", "12"),
        ("0", None, None),
        ("0", None, None),
    ]
    assert chart_rows(days)[1][1:] == ([], [NO_FIGURE, NO_FIGURE])
    assert [c.title for c in days.columns] == ["Requests measured", "Median", "90th percentile"]
    # incoming requests reached no step: the chart says so, the table keeps the zeros
    assert chart_rows(blocks["days-incoming"]) == []
    assert [r.cells[0] for r in blocks["days-incoming"].rows] == ["0", "0", "0"]
    assert blocks["hours-outgoing"].rows[0].cells == ("10", "3", "7.5")


def test_a_long_list_is_cut_in_the_chart_not_in_the_table() -> None:
    codes = ["VNM", "FRA", "DEU", "ESP", "ITA", "CHN", "RUS", "BRA", "IND", "JPN", "KEN", "NGA"]
    codes += ["ZAF", "ARG", "CAN"]
    by_state = {code: 100 - i for i, code in enumerate(codes)}
    flow = Flow(total=sum(by_state.values()), by_state=by_state)
    figures = Figures(state="EGY", period_from=date(2026, 1, 1), period_to=date(2026, 1, 31))
    state = view(replace(figures, outgoing=flow))["state"]
    assert len(state.rows) == len(codes)
    assert len(chart_rows(state)) == MAX_BARS
    assert state.note is not None
    assert str(MAX_BARS) in state.note
    assert [r.code for r in state.rows][:MAX_BARS] == codes[:MAX_BARS]


def test_nothing_in_the_period_gives_empty_blocks() -> None:
    empty = view(Figures(state="EGY", period_from=date(2026, 1, 1), period_to=date(2026, 1, 1)))
    for ident in ("kind", "state", "channel", "urgency", "outcome", "ground"):
        assert empty[ident].rows == (), ident
        assert chart_rows(empty[ident]) == []
    assert empty["ground"].empty == "No refusals in this period."
    assert empty["kind"].empty == "No requests in this period."


def test_preservation_and_evidence_are_tables() -> None:
    blocks = view(sample())
    preservation = blocks["preservation"]
    assert preservation.chart is None
    assert preservation.title == "Expedited preservation (Art. 42)"
    assert [r.cells for r in preservation.rows] == [
        ("40", "0"),
        ("38", "0"),
        ("5", "0"),
        ("30 of 32", "0 of 0"),
    ]
    evidence = blocks["evidence"]
    assert [(r.header, r.cells) for r in evidence.rows] == [
        ("Packages sent", ("4", "3.1 MB")),
        ("Packages received", ("2", "1 kB")),
        ("Packages refused after checking", ("1", None)),
        ("A digest, signature or custody proof did not verify", ("1", None)),
    ]


@pytest.mark.parametrize("language", [Language.EN, Language.AR])
def test_charts_run_the_page_direction_and_have_unique_ids(language: Language) -> None:
    blocks = view(sample(), language)
    ids: list[str] = []
    for block in blocks.values():
        if block.chart is None:
            continue
        root = ET.fromstring(str(block.chart))
        assert root.get("direction") == ("rtl" if language is Language.AR else "ltr")
        ids += [el.get("id", "") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))


def test_every_reason_a_package_is_refused_for_has_words() -> None:
    assert set(PACKAGE_REFUSAL_LABELS) == {reason.value for reason in PackageRefusal}
