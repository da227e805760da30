"""The figures of many States for one period, summed. Pure.

What a secretariat publishes from the States' signed files
(:mod:`hanoi.statistics.signed`), each checked before it gets here. Three rules shape it
(``docs/adr/0034-signed-statistics.md``):

- **Counts add up; times do not.** Counts are summed. A median cannot be rebuilt from
  other medians, so a response time across States is the median of the States' own
  medians (and of their 90th percentiles), each State weighted by the number of requests
  it measured, so that a State with two requests does not weigh as much as one with two
  thousand. Every such figure says so (:attr:`Spread.note`) and gives the range of the
  States' medians.
- **A request has two sides.** The requesting State counts it as outgoing, the requested
  State as incoming. Sums by direction therefore overlap; the pairs of States
  (:class:`Pair`) show both counts side by side and flag those that differ, and
  :attr:`Aggregate.distinct_requests` counts each request once: every outgoing request of
  the reporting States, plus the incoming ones from States that did not report.
- **One file per State, one period.** Files of different periods, or two files of one
  State, are refused (:class:`NotSummable`): their sum would mean nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hanoi.errors import InvalidInput
from hanoi.statistics.figures import (
    Direction,
    Durations,
    Evidence,
    Flow,
    Measure,
    Outcome,
    Preservation,
)
from hanoi.statistics.signed import SignedStatistics
from hanoi.wire import format_time

AGGREGATE_VERSION = 1
AGGREGATE_TYPE = "hanoi.statistics-aggregate"
METHOD = "median-of-state-medians-weighted-by-requests"


class NotSummable(InvalidInput):
    """Files whose figures cannot be added together."""


@dataclass(frozen=True, slots=True)
class Reporter:
    """A State whose signed figures are in the sum."""

    state: str
    directory_version: int | None
    signed_at: datetime
    key_id: str
    complete: bool
    """Signed after the last day of the period: its figures cover the whole period."""


@dataclass(frozen=True, slots=True)
class Spread:
    """One response time across the States that measured it."""

    states: int
    requests: int
    median: float | None
    """The weighted median of the States' medians; None when no State measured it."""
    p90: float | None
    """The weighted median of the States' 90th percentiles."""
    lowest: float | None
    """The lowest and highest of the States' medians."""
    highest: float | None
    unit: str

    @property
    def note(self) -> str:
        if self.states == 0:
            return "no reporting State measured it"
        if self.states == 1:
            return (
                f"measured by one State only: its own median and 90th percentile, over its "
                f"{self.requests} request(s)"
            )
        return (
            f"not the median of all {self.requests} requests, which cannot be computed from "
            f"published figures: the middle of the {self.states} States' own medians (and of "
            f"their 90th percentiles), each State counted as many times as it had requests; "
            f"the States' medians range from {self.lowest} to {self.highest} {self.unit}"
        )


@dataclass(frozen=True, slots=True)
class GroundTotal:
    count: int
    articles: tuple[str, ...]
    """The articles the States gave for the ground (one, unless they disagree)."""


@dataclass(frozen=True, slots=True)
class FlowTotals:
    """One direction, summed over the States that reported it."""

    total: int
    by_kind: Mapping[str, int]
    by_channel: Mapping[str, int]
    by_urgency: Mapping[str, int]
    by_outcome: Mapping[Outcome, int]
    refusals_by_ground: Mapping[str, GroundTotal]
    response_days: Mapping[Measure, Spread]
    urgent_response_hours: Mapping[Measure, Spread]


@dataclass(frozen=True, slots=True)
class Pair:
    """The requests one State made to another, as each of the two counted them (None:
    that State did not report)."""

    requesting: str
    requested: str
    by_requesting: int | None
    by_requested: int | None

    @property
    def agreement(self) -> str:
        if self.by_requesting is None:
            return "requested-only"
        if self.by_requested is None:
            return "requesting-only"
        return "agree" if self.by_requesting == self.by_requested else "mismatch"


@dataclass(frozen=True, slots=True)
class Aggregate:
    period_from: date
    period_to: date
    reporters: tuple[Reporter, ...]
    outgoing: FlowTotals
    incoming: FlowTotals
    pairs: tuple[Pair, ...]
    distinct_requests: int
    preservation: Mapping[Direction, Preservation]
    evidence: Evidence

    def flow(self, direction: Direction) -> FlowTotals:
        return self.outgoing if direction is Direction.OUTGOING else self.incoming

    @property
    def mismatches(self) -> tuple[Pair, ...]:
        return tuple(p for p in self.pairs if p.agreement == "mismatch")


# --- summing --------------------------------------------------------------------------------


def weighted_median(values: Iterable[tuple[float, int]]) -> float | None:
    """The value in the middle when each value is repeated as many times as its weight
    (the mean of the two middle ones when the total weight is even and they differ)."""
    items = sorted((v, w) for v, w in values if w > 0)
    total = sum(w for _, w in items)
    if not total:
        return None
    low_rank, high_rank = (total + 1) // 2, total // 2 + 1
    seen, low, high = 0, None, None
    for value, weight in items:
        seen += weight
        if low is None and seen >= low_rank:
            low = value
        if seen >= high_rank:
            high = value
            break
    assert low is not None
    assert high is not None
    return round((low + high) / 2, 1)


def _spread(measured: Sequence[Durations], unit: str) -> Spread:
    reported = [d for d in measured if d.count and d.median is not None and d.p90 is not None]
    medians = [d.median for d in reported if d.median is not None]
    return Spread(
        states=len(reported),
        requests=sum(d.count for d in reported),
        median=weighted_median((d.median, d.count) for d in reported if d.median is not None),
        p90=weighted_median((d.p90, d.count) for d in reported if d.p90 is not None),
        lowest=min(medians) if medians else None,
        highest=max(medians) if medians else None,
        unit=unit,
    )


def _sum(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    return {k: total[k] for k in sorted(total)}


def _flow_totals(flows: Sequence[Flow]) -> FlowTotals:
    grounds: dict[str, tuple[int, set[str]]] = {}
    for flow in flows:
        for ground, g in flow.refusals_by_ground.items():
            count, articles = grounds.get(ground, (0, set()))
            grounds[ground] = (count + g.count, articles | {g.article})
    return FlowTotals(
        total=sum(f.total for f in flows),
        by_kind=_sum(f.by_kind for f in flows),
        by_channel=_sum(f.by_channel for f in flows),
        by_urgency=_sum(f.by_urgency for f in flows),
        by_outcome={o: sum(f.by_outcome.get(o, 0) for f in flows) for o in Outcome},
        refusals_by_ground={
            ground: GroundTotal(count, tuple(sorted(articles)))
            for ground, (count, articles) in sorted(grounds.items())
        },
        response_days={
            m: _spread([f.response_days.get(m, Durations()) for f in flows], "days")
            for m in Measure
        },
        urgent_response_hours={
            m: _spread([f.urgent_response_hours.get(m, Durations()) for f in flows], "hours")
            for m in Measure
        },
    )


def _pairs(reports: Sequence[SignedStatistics]) -> tuple[Pair, ...]:
    by_state = {r.state: r.figures for r in reports}
    keys = {(r.state, other) for r in reports for other in r.figures.outgoing.by_state}
    keys |= {(other, r.state) for r in reports for other in r.figures.incoming.by_state}
    pairs = []
    for requesting, requested in sorted(keys):
        sent, received = by_state.get(requesting), by_state.get(requested)
        pair = Pair(
            requesting,
            requested,
            None if sent is None else sent.outgoing.by_state.get(requested, 0),
            None if received is None else received.incoming.by_state.get(requesting, 0),
        )
        if pair.by_requesting or pair.by_requested:
            pairs.append(pair)
    return tuple(pairs)


def _check_summable(reports: Sequence[SignedStatistics]) -> None:
    if not reports:
        raise NotSummable("no statistics to sum")
    states = Counter(r.state for r in reports)
    twice = sorted(s for s, n in states.items() if n > 1)
    if twice:
        raise NotSummable(
            f"two files of {', '.join(twice)}: give one file per State, or the State's "
            "requests would be counted twice"
        )
    periods: dict[tuple[date, date], list[str]] = {}
    for r in reports:
        periods.setdefault(r.period, []).append(r.state)
    if len(periods) > 1:
        listed = "; ".join(
            f"{start.isoformat()} to {end.isoformat()}: {', '.join(sorted(states))}"
            for (start, end), states in sorted(periods.items())
        )
        raise NotSummable(
            f"the files cover different periods ({listed}): figures are summed for one period only"
        )


def aggregate(reports: Sequence[SignedStatistics]) -> Aggregate:
    """The sum of the verified figures of ``reports``, one per State, all of one period;
    :class:`NotSummable` otherwise."""
    _check_summable(reports)
    reports = sorted(reports, key=lambda r: r.state)
    start, end = reports[0].period
    reporting = {r.state for r in reports}
    figures = [r.figures for r in reports]
    from_others = sum(
        count
        for f in figures
        for other, count in f.incoming.by_state.items()
        if other not in reporting
    )
    return Aggregate(
        period_from=start,
        period_to=end,
        reporters=tuple(
            Reporter(
                r.state,
                r.directory_version,
                r.signed_at,
                r.key_id,
                complete=r.signed_at.date() > end,
            )
            for r in reports
        ),
        outgoing=_flow_totals([f.outgoing for f in figures]),
        incoming=_flow_totals([f.incoming for f in figures]),
        pairs=_pairs(reports),
        distinct_requests=sum(f.outgoing.total for f in figures) + from_others,
        preservation={
            d: Preservation(
                **{
                    name: sum(getattr(f.preservation.get(d, Preservation()), name) for f in figures)
                    for name in Preservation.__dataclass_fields__
                }
            )
            for d in Direction
        },
        evidence=Evidence(
            packages_sent=sum(f.evidence.packages_sent for f in figures),
            bytes_sent=sum(f.evidence.bytes_sent for f in figures),
            packages_received=sum(f.evidence.packages_received for f in figures),
            bytes_received=sum(f.evidence.bytes_received for f in figures),
            refused_at_acceptance=sum(f.evidence.refused_at_acceptance for f in figures),
            refusal_reasons=_sum(f.evidence.refusal_reasons for f in figures),
        ),
    )


# --- JSON -----------------------------------------------------------------------------------


DISTINCT_RULE = (
    "each request once: every outgoing request of the reporting States, plus the incoming "
    "requests they received from States that did not report; a request between two "
    "reporting States is counted as its requesting State reported it"
)
OVERLAP_NOTE = (
    "outgoing and incoming overlap: a request between two reporting States is counted as "
    "outgoing by the requesting State and as incoming by the requested State"
)


def _spread_json(spread: Spread) -> dict[str, Any]:
    return {
        "states": spread.states,
        "requests": spread.requests,
        "median": spread.median,
        "p90": spread.p90,
        "lowest_state_median": spread.lowest,
        "highest_state_median": spread.highest,
        "method": METHOD,
        "note": spread.note,
    }


def _flow_json(flow: FlowTotals) -> dict[str, Any]:
    return {
        "total": flow.total,
        "by_kind": dict(flow.by_kind),
        "by_channel": dict(flow.by_channel),
        "by_urgency": dict(flow.by_urgency),
        "by_outcome": {o.value: flow.by_outcome.get(o, 0) for o in Outcome},
        "refusals_by_ground": {
            ground: {"count": g.count, "articles": list(g.articles)}
            for ground, g in flow.refusals_by_ground.items()
        },
        "response_days": {m.value: _spread_json(s) for m, s in flow.response_days.items()},
        "urgent_response_hours": {
            m.value: _spread_json(s) for m, s in flow.urgent_response_hours.items()
        },
    }


def aggregate_json(result: Aggregate) -> dict[str, Any]:
    """The aggregate as JSON (``docs/statistics-publishing.md`` describes each member)."""
    return {
        "version": AGGREGATE_VERSION,
        "type": AGGREGATE_TYPE,
        "period": {"from": result.period_from.isoformat(), "to": result.period_to.isoformat()},
        "states": [
            {
                "state": r.state,
                "directory_version": r.directory_version,
                "signed_at": format_time(r.signed_at),
                "key_id": r.key_id,
                "complete": r.complete,
            }
            for r in result.reporters
        ],
        "distinct_requests": {"count": result.distinct_requests, "rule": DISTINCT_RULE},
        "overlap": OVERLAP_NOTE,
        "outgoing": _flow_json(result.outgoing),
        "incoming": _flow_json(result.incoming),
        "pairs": [
            {
                "requesting": p.requesting,
                "requested": p.requested,
                "by_requesting": p.by_requesting,
                "by_requested": p.by_requested,
                "agreement": p.agreement,
            }
            for p in result.pairs
        ],
        "preservation": {
            d.value: {
                "requests": p.requests,
                "periods_granted": p.periods_granted,
                "extensions": p.extensions,
                "confirmed": p.confirmed,
                "confirmable": p.confirmable,
                "confirmed_share": round(p.confirmed / p.confirmable, 3) if p.confirmable else None,
            }
            for d, p in result.preservation.items()
        },
        "evidence": {
            "packages_sent": result.evidence.packages_sent,
            "bytes_sent": result.evidence.bytes_sent,
            "packages_received": result.evidence.packages_received,
            "bytes_received": result.evidence.bytes_received,
            "refused_at_acceptance": result.evidence.refused_at_acceptance,
            "refusal_reasons": dict(result.evidence.refusal_reasons),
        },
    }
