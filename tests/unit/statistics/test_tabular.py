"""The figures as CSV and as a table: one row per figure, codes and numbers only."""

from __future__ import annotations

import csv
import io
from datetime import date

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
from hanoi.statistics.tabular import HEADER, figure_rows, figures_csv, figures_text
from hanoi.storage.statistics_repo import _percentile

FIGURES = Figures(
    state="EGY",
    period_from=date(2026, 1, 1),
    period_to=date(2026, 12, 31),
    outgoing=Flow(
        total=3,
        by_kind={"mla-stored-data": 2, "expedited-preservation": 1},
        by_state={"VNM": 2, "KEN": 1},
        by_channel={"hanoi": 2, "diplomatic": 1},
        by_urgency={"routine": 2, "urgent": 1},
        by_outcome={Outcome.EXECUTED: 1, Outcome.REFUSED: 1, Outcome.OPEN: 1},
        refusals_by_ground={"essential-interests": GroundCount(1, "40(21)(b)")},
        response_days={Measure.FIRST_DECISION: Durations(2, 3.5, 6.1)},
    ),
    preservation={Direction.OUTGOING: Preservation(1, 1, 0, 1, 1)},
    evidence=Evidence(1, 2048, 1, 10, 1, {"integrity": 1}),
)


def test_one_row_per_figure_with_five_columns() -> None:
    rows = list(csv.reader(io.StringIO(figures_csv(FIGURES))))
    assert tuple(rows[0]) == HEADER
    assert all(len(row) == 5 for row in rows)
    body = [tuple(r) for r in rows[1:]]
    assert body == figure_rows(FIGURES)
    assert ("requests", "outgoing", "kind", "mla-stored-data", "2") in body
    assert ("requests", "incoming", "outcome", "withdrawn", "0") in body
    assert ("refusals", "outgoing", "article", "essential-interests", "40(21)(b)") in body
    assert ("response-days", "outgoing", "first-decision", "p90", "6.1") in body
    assert ("response-days", "outgoing", "execution", "median", "") in body
    assert ("preservation", "outgoing", "confirmed", "", "1") in body
    assert ("evidence", "incoming", "refusal_reason", "integrity", "1") in body
    counted = sum(int(r[4]) for r in body if r[:3] == ("requests", "outgoing", "outcome"))
    assert counted == FIGURES.outgoing.total


def test_the_table_shows_each_direction() -> None:
    table = figures_text(FIGURES)
    assert "outgoing requests: 3" in table
    assert "incoming requests: 0" in table
    assert "essential-interests" in table
    assert "Art. 40(21)(b)" in table


def test_quantiles_interpolate_between_ranks_as_percentile_cont() -> None:
    values = {1: 1.0, 2: 2.0, 3: 4.0, 4: 6.0}
    assert _percentile(values, 4, 1, 2) == 3.0  # between the 2nd and 3rd
    assert _percentile(values, 4, 9, 10) == 5.4  # 4 + 0.7 * (6 - 4)
    assert _percentile({1: 7.0}, 1, 9, 10) == 7.0
