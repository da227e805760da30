"""Summing States' figures: counts add up, times are medians of medians and say so, a
request between two reporting States is counted once, and figures that cannot be summed
are refused."""

from __future__ import annotations

import json
from datetime import date

import pytest

from hanoi.statistics.aggregate import (
    NotSummable,
    Pair,
    aggregate,
    aggregate_json,
    weighted_median,
)
from hanoi.statistics.figures import Direction, Durations, Measure, Outcome
from hanoi.statistics.table import aggregate_table
from unit.statistics.figures_builder import YEAR, figures, signed

# EGY sent 5 to VNM (VNM counted 4 of them) and 2 to BRA (which does not report); VNM
# sent 3 to EGY (EGY counted 3); FRA received 6 from NGA (which does not report) and 1
# from EGY, which EGY did not count.
EGY = figures("EGY", sent={"VNM": 5, "BRA": 2}, received={"VNM": 3}, refused=1,
              days=Durations(3, 2.0, 4.0))  # fmt: skip
VNM = figures("VNM", sent={"EGY": 3}, received={"EGY": 4}, days=Durations(4, 10.0, 20.0))
FRA = figures("FRA", received={"NGA": 6, "EGY": 1}, refused=2, days=Durations(7, 5.0, 30.0))
ALL = [signed(EGY), signed(VNM), signed(FRA)]


def test_counts_are_summed_by_direction_kind_outcome_and_ground() -> None:
    result = aggregate(ALL)
    assert result.outgoing.total == 7 + 3 + 0
    assert result.incoming.total == 3 + 4 + 7
    assert result.incoming.by_kind == {"mla-stored-data": 14}
    assert result.incoming.by_channel == {"hanoi": 14}
    assert result.incoming.by_outcome[Outcome.REFUSED] == 3
    assert result.incoming.by_outcome[Outcome.EXECUTED] == 11
    ground = result.incoming.refusals_by_ground["dual-criminality"]
    assert (ground.count, ground.articles) == (3, ("40(21)(b)",))
    assert result.preservation[Direction.INCOMING].requests == 6
    assert result.preservation[Direction.OUTGOING].requests == 0
    assert (result.evidence.packages_received, result.evidence.bytes_received) == (6, 9000)
    assert result.evidence.refusal_reasons == {"hash-mismatch": 3}
    assert [r.state for r in result.reporters] == ["EGY", "FRA", "VNM"]


def test_a_request_between_two_reporting_states_is_counted_once() -> None:
    result = aggregate(ALL)
    # all outgoing of the reporters (10), and incoming from those who did not report (NGA 6)
    assert result.distinct_requests == 10 + 6
    assert result.distinct_requests < result.outgoing.total + result.incoming.total


def test_pairs_show_both_sides_and_flag_those_that_differ() -> None:
    pairs = {(p.requesting, p.requested): p for p in aggregate(ALL).pairs}
    assert pairs["EGY", "VNM"] == Pair("EGY", "VNM", 5, 4)
    assert pairs["EGY", "VNM"].agreement == "mismatch"
    assert pairs["VNM", "EGY"].agreement == "agree"
    assert pairs["EGY", "BRA"] == Pair("EGY", "BRA", 2, None)
    assert pairs["EGY", "BRA"].agreement == "requesting-only"
    assert pairs["NGA", "FRA"].agreement == "requested-only"
    assert pairs["EGY", "FRA"] == Pair("EGY", "FRA", 0, 1)  # EGY reported, and counted none
    assert {p.agreement for p in aggregate(ALL).mismatches} == {"mismatch"}
    assert len(aggregate(ALL).mismatches) == 2


def test_response_times_are_the_weighted_median_of_the_states_medians() -> None:
    spread = aggregate(ALL).incoming.response_days[Measure.FIRST_DECISION]
    # medians 2.0 (3 requests), 5.0 (7), 10.0 (4): the 7th and 8th of 14 are both 5.0
    assert (spread.states, spread.requests, spread.median) == (3, 14, 5.0)
    # p90s 4.0 (3), 20.0 (4), 30.0 (7): the 7th is 20.0, the 8th 30.0
    assert spread.p90 == 25.0
    assert (spread.lowest, spread.highest) == (2.0, 10.0)
    assert "not the median of all 14 requests" in spread.note
    assert "range from 2.0 to 10.0 days" in spread.note
    unmeasured = aggregate(ALL).incoming.response_days[Measure.EXECUTION]
    assert (unmeasured.states, unmeasured.median) == (0, None)
    only = aggregate([signed(EGY)]).incoming.response_days[Measure.FIRST_DECISION]
    assert (only.median, only.p90) == (2.0, 4.0)
    assert "one State only" in only.note


@pytest.mark.parametrize(
    ("values", "middle"),
    [
        ([(3.0, 1)], 3.0),
        ([(1.0, 1), (9.0, 1)], 5.0),
        ([(1.0, 1), (9.0, 2)], 9.0),
        ([(1.0, 100), (9.0, 1), (4.0, 1)], 1.0),
        ([(1.0, 0)], None),
        ([], None),
    ],
)
def test_weighted_median(values: list[tuple[float, int]], middle: float | None) -> None:
    assert weighted_median(values) == middle
    # the order the States come in does not change it
    assert weighted_median(reversed(values)) == middle


def test_files_of_different_periods_are_not_summed() -> None:
    half = figures("FRA", period=(date(2026, 1, 1), date(2026, 6, 30)))
    with pytest.raises(NotSummable, match="different periods") as caught:
        aggregate([signed(EGY), signed(half)])
    assert "2026-01-01 to 2026-06-30: FRA" in caught.value.detail
    assert "2026-01-01 to 2026-12-31: EGY" in caught.value.detail


def test_two_files_of_one_state_are_not_summed() -> None:
    with pytest.raises(NotSummable, match="two files of EGY"):
        aggregate([signed(EGY), signed(VNM), signed(EGY)])
    with pytest.raises(NotSummable, match="no statistics"):
        aggregate([])


def test_figures_signed_before_the_period_ended_are_marked_partial() -> None:
    early = signed(EGY, at=signed(EGY).signed_at.replace(year=2026, month=12, day=31))
    result = aggregate([early, signed(VNM)])
    assert [(r.state, r.complete) for r in result.reporters] == [("EGY", False), ("VNM", True)]
    assert "EGY: signed 2026-12-31" in aggregate_table(result)
    assert "partial figures" in aggregate_table(result)


def test_the_table_says_what_each_figure_is() -> None:
    text = aggregate_table(aggregate(ALL))
    assert text.startswith(f"Cooperation under the Convention: {YEAR[0]} to {YEAR[1]}")
    assert "Distinct requests: 16" in text
    assert "EGY → VNM: 5 by EGY, 4 by VNM" in text
    assert "MISMATCH" in text
    assert "not the median of all 14 requests" in text
    assert "Art. 40(21)(b)" in text
    lines = text.splitlines()
    kind = next(line for line in lines if line.strip().startswith("mla-stored-data"))
    assert kind.split()[1:] == ["10", "14"]
    # aligned: the two columns of each block of counts end at the same place
    block = lines[lines.index(next(x for x in lines if x.strip().startswith("By kind"))) :][:3]
    assert len({len(line) for line in block}) == 1


def test_the_json_form() -> None:
    value = aggregate_json(aggregate(ALL))
    json.dumps(value)  # plain JSON
    assert value["type"] == "hanoi.statistics-aggregate"
    assert value["period"] == {"from": "2026-01-01", "to": "2026-12-31"}
    assert value["distinct_requests"]["count"] == 16
    assert [s["state"] for s in value["states"]] == ["EGY", "FRA", "VNM"]
    assert value["states"][0]["directory_version"] == 7
    pair = next(p for p in value["pairs"] if (p["requesting"], p["requested"]) == ("EGY", "VNM"))
    assert pair == {"requesting": "EGY", "requested": "VNM", "by_requesting": 5,
                    "by_requested": 4, "agreement": "mismatch"}  # fmt: skip
    first = value["incoming"]["response_days"]["first-decision"]
    assert first["method"] == "median-of-state-medians-weighted-by-requests"
    assert (first["median"], first["p90"], first["states"]) == (5.0, 25.0, 3)
    assert value["incoming"]["refusals_by_ground"]["dual-criminality"] == {
        "count": 3,
        "articles": ["40(21)(b)"],
    }
    assert value["evidence"]["refusal_reasons"] == {"hash-mismatch": 3}
