"""The statistics document: what a node writes, another reads back exactly, and anything
that is not counts and durations is refused with its place."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from hanoi.errors import InvalidInput
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
    figures_json,
    parse_figures,
)
from hanoi.statistics.ports import Query

SAMPLE = Figures(
    state="EGY",
    period_from=date(2026, 1, 1),
    period_to=date(2026, 12, 31),
    outgoing=Flow(
        total=3,
        by_kind={"mla-stored-data": 2, "preservation": 1},
        by_state={"VNM": 2, "KEN": 1},
        by_channel={"hanoi": 2, "diplomatic": 1},
        by_urgency={"routine": 2, "urgent": 1},
        by_outcome={Outcome.EXECUTED: 1, Outcome.REFUSED: 1, Outcome.OPEN: 1},
        refusals_by_ground={"dual-criminality": GroundCount(1, "40(21)(b)")},
        response_days={Measure.FIRST_DECISION: Durations(2, 3.5, 6.1)},
        urgent_response_hours={Measure.FIRST_DECISION: Durations(1, 20.0, 20.0)},
    ),
    preservation={Direction.OUTGOING: Preservation(1, 1, 0, 1, 1)},
    evidence=Evidence(1, 2048, 0, 0, 0, {}),
)


def document() -> dict[str, Any]:
    return json.loads(json.dumps(figures_json(SAMPLE)))


def test_a_document_reads_back_as_the_figures_it_was_written_from() -> None:
    back = parse_figures(document())
    assert figures_json(back) == figures_json(SAMPLE)
    assert back.outgoing.by_outcome[Outcome.WITHDRAWN] == 0
    assert back.preservation[Direction.INCOMING] == Preservation()
    assert back.incoming.response_days[Measure.EXECUTION] == Durations()


def test_every_outcome_and_measure_is_written_even_when_zero() -> None:
    data = document()
    assert set(data["incoming"]["by_outcome"]) == {o.value for o in Outcome}
    assert data["incoming"]["response_days"]["evidence-delivered"] == {
        "count": 0,
        "median": None,
        "p90": None,
    }


@pytest.mark.parametrize(
    ("where", "change", "path"),
    [
        (["outgoing"], lambda d: d.update(requester="Amira"), "#/outgoing/requester"),
        ([], lambda d: d.update(cases=["R-1"]), "#/cases"),
        (["outgoing", "by_state"], lambda d: d.update(Egypt=1), "#/outgoing/by_state/Egypt"),
        (["outgoing"], lambda d: d.update(total=4), "#/outgoing/by_kind"),
        (["outgoing"], lambda d: d.update(total=-1), "#/outgoing/total"),
        (["outgoing", "by_kind"], lambda d: d.update({"mla-stored-data": True}), None),
        (["evidence"], lambda d: d.update(refused_at_acceptance=2), "#/evidence/refusal_reasons"),
        (["period"], lambda d: d.update({"from": "2027-01-01"}), "#/period"),
        (["outgoing", "response_days", "first-decision"], lambda d: d.update(p90=1.0), None),
        (["outgoing", "response_days", "execution"], lambda d: d.update(median=2.0), None),
        (["outgoing", "refusals_by_ground", "dual-criminality"], lambda d: d.update(count=2),
         "#/outgoing/refusals_by_ground"),
        ([], lambda d: d.update(version=2), "#/version"),
        ([], lambda d: d.pop("evidence"), "#/evidence"),
    ],
)  # fmt: skip
def test_anything_but_consistent_counts_is_refused_with_its_place(
    where: list[str], change: Any, path: str | None
) -> None:
    data = copy.deepcopy(document())
    target = data
    for key in where:
        target = target[key]
    change(target)
    with pytest.raises(InvalidInput) as caught:
        parse_figures(data)
    if path is not None:
        assert path in [f.path for f in caught.value.fields]


def test_a_query_is_a_real_period() -> None:
    with pytest.raises(InvalidInput, match="starts after"):
        Query(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="at most"):
        Query(date(2000, 1, 1), date(2026, 1, 1))
    assert Query(date(2026, 1, 1), date(2026, 1, 1)).kind is None
