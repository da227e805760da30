"""The figures a node reports on its cooperation for a period, and their JSON form. Pure.

They answer what the Conference of the States Parties (Art. 57) and reviews of mutual
legal assistance ask: how many requests, of which kinds, with whom, by which channel,
how they ended, how fast, and on which grounds they were refused (Art. 40(21), 40(24)).
A node computes them from its own records (:mod:`hanoi.statistics.ports`); a State may
publish them signed, and anyone may sum the published files of many States.

Counts and durations only: no figure names a person, a case, a request or an item, and
:func:`parse_figures` refuses a document with anything else in it, so that a signed file
cannot carry case content out under the name of statistics. The JSON is described field
by field in ``docs/statistics.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from hanoi.errors import FieldProblem, InvalidInput

VERSION = 1
TYPE = "hanoi-statistics"
MAX_COUNT = 10**12
"""No node holds this many of anything; a larger count is a forged or broken file."""
MAX_KEY = 64
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.()\-_ ]{0,63}$")
_STATE = re.compile(r"^[A-Z]{3}$")


class Direction(StrEnum):
    """Whose request: ``outgoing`` ones this State sent (it is the requesting State),
    ``incoming`` ones it received (the requested State)."""

    OUTGOING = "outgoing"
    INCOMING = "incoming"


class Outcome(StrEnum):
    """Where a request stood at the end of the period (Art. 40(24)-(26); a preservation
    carried out, active, extended or released, counts as executed: Art. 42)."""

    EXECUTED = "executed"
    PARTIALLY_EXECUTED = "partially-executed"
    REFUSED = "refused"
    POSTPONED = "postponed"
    WITHDRAWN = "withdrawn"
    OPEN = "open"


class Measure(StrEnum):
    """A response time, always counted from the day the requested State received the
    request (Art. 40(25): "as expeditiously as possible")."""

    FIRST_DECISION = "first-decision"
    """To the first decision on it: accepted for execution, consulted on, postponed,
    refused, additional information asked for, or a preservation ordered."""
    EXECUTION = "execution"
    """To its execution: executed (whole) or the preservation carried out."""
    EVIDENCE_DELIVERED = "evidence-delivered"
    """To the first evidence package the requesting State accepted."""


@dataclass(frozen=True, slots=True)
class Durations:
    """One measure over the requests that reached it in the period: how many, their
    median and 90th percentile (days, or hours for urgent requests), to one decimal.
    Both are None when ``count`` is 0."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass(frozen=True, slots=True)
class GroundCount:
    """Refusals on one ground, and the article that provides for the ground."""

    count: int
    article: str


@dataclass(frozen=True, slots=True)
class Flow:
    """The requests of one direction made in the period (outgoing: sent or dispatched;
    incoming: received or registered), by what they were and how they ended."""

    total: int = 0
    by_kind: Mapping[str, int] = field(default_factory=dict)
    by_state: Mapping[str, int] = field(default_factory=dict)
    """By the other State of the request (ISO 3166-1 alpha-3)."""
    by_channel: Mapping[str, int] = field(default_factory=dict)
    """``hanoi`` for the network, otherwise the channel it went by (ADR 0028)."""
    by_urgency: Mapping[str, int] = field(default_factory=dict)
    by_outcome: Mapping[Outcome, int] = field(default_factory=dict)
    refusals_by_ground: Mapping[str, GroundCount] = field(default_factory=dict)
    response_days: Mapping[Measure, Durations] = field(default_factory=dict)
    urgent_response_hours: Mapping[Measure, Durations] = field(default_factory=dict)
    """The same measures over urgent requests only, in hours (Art. 40(14), 41)."""


@dataclass(frozen=True, slots=True)
class Preservation:
    """Expedited preservation requests of one direction (Art. 42)."""

    requests: int = 0
    periods_granted: int = 0
    """Preservations carried out (Art. 42(8): a period of at least 60 days)."""
    extensions: int = 0
    """Periods renewed or continued pending a request for the data (Art. 42(8)-(9))."""
    confirmed: int = 0
    """Preservations carried out whose requesting State had the confirmation in time
    (``docs/statistics.md`` says which deadline)."""
    confirmable: int = 0
    """Preservation requests whose confirmation deadline fell in the period."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Evidence packages between nodes (Art. 40(3)), by the day they were offered."""

    packages_sent: int = 0
    bytes_sent: int = 0
    packages_received: int = 0
    bytes_received: int = 0
    refused_at_acceptance: int = 0
    """Packages this node refused after checking them (received), by reason below."""
    refusal_reasons: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Figures:
    """A State's figures for the days ``period_from`` to ``period_to``, both included
    (UTC)."""

    state: str
    period_from: date
    period_to: date
    outgoing: Flow = Flow()
    incoming: Flow = Flow()
    preservation: Mapping[Direction, Preservation] = field(default_factory=dict)
    evidence: Evidence = Evidence()

    def flow(self, direction: Direction) -> Flow:
        return self.outgoing if direction is Direction.OUTGOING else self.incoming


# --- JSON -----------------------------------------------------------------------------------


def figures_json(figures: Figures) -> dict[str, Any]:
    """The JSON object of ``figures`` (keys sorted where they are data, so that two nodes
    computing the same figures write the same bytes)."""
    return {
        "version": VERSION,
        "type": TYPE,
        "state": figures.state,
        "period": {
            "from": figures.period_from.isoformat(),
            "to": figures.period_to.isoformat(),
        },
        "outgoing": _flow_json(figures.outgoing),
        "incoming": _flow_json(figures.incoming),
        "preservation": {
            d.value: _preservation_json(figures.preservation.get(d, Preservation()))
            for d in Direction
        },
        "evidence": {
            "packages_sent": figures.evidence.packages_sent,
            "bytes_sent": figures.evidence.bytes_sent,
            "packages_received": figures.evidence.packages_received,
            "bytes_received": figures.evidence.bytes_received,
            "refused_at_acceptance": figures.evidence.refused_at_acceptance,
            "refusal_reasons": _sorted(figures.evidence.refusal_reasons),
        },
    }


def _sorted(counts: Mapping[str, int]) -> dict[str, int]:
    return {str(k): counts[k] for k in sorted(counts)}


def _durations_json(measures: Mapping[Measure, Durations]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for measure in Measure:
        d = measures.get(measure, Durations())
        out[measure.value] = {"count": d.count, "median": d.median, "p90": d.p90}
    return out


def _flow_json(flow: Flow) -> dict[str, Any]:
    return {
        "total": flow.total,
        "by_kind": _sorted(flow.by_kind),
        "by_state": _sorted(flow.by_state),
        "by_channel": _sorted(flow.by_channel),
        "by_urgency": _sorted(flow.by_urgency),
        "by_outcome": {o.value: flow.by_outcome.get(o, 0) for o in Outcome},
        "refusals_by_ground": {
            ground: {"count": g.count, "article": g.article}
            for ground, g in sorted(flow.refusals_by_ground.items())
        },
        "response_days": _durations_json(flow.response_days),
        "urgent_response_hours": _durations_json(flow.urgent_response_hours),
    }


def _preservation_json(p: Preservation) -> dict[str, int]:
    return {
        "requests": p.requests,
        "periods_granted": p.periods_granted,
        "extensions": p.extensions,
        "confirmed": p.confirmed,
        "confirmable": p.confirmable,
    }


class _Reader:
    """Reads a figures document strictly, collecting every problem with its JSON pointer."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(FieldProblem(path, message))

    def record(self, value: object, path: str, keys: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return {}
        for key in sorted(set(value) - keys):
            self.fail(f"{path}/{key}", "is not a field of statistics (counts only)")
        for key in sorted(keys - set(value)):
            self.fail(f"{path}/{key}", "is missing")
        return value

    def count(self, value: object, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            self.fail(path, f"must be a whole number from 0 to {MAX_COUNT}")
            return 0
        return value

    def number(self, value: object, path: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            self.fail(path, "must be a number of 0 or more, or null")
            return None
        if value > MAX_COUNT:
            self.fail(path, f"must be at most {MAX_COUNT}")
            return None
        return float(value)

    def counts(self, value: object, path: str, *, key: re.Pattern[str] = _KEY) -> dict[str, int]:
        if not isinstance(value, dict):
            self.fail(path, "must be an object of counts")
            return {}
        out: dict[str, int] = {}
        for k, v in value.items():
            if not key.match(k):
                self.fail(f"{path}/{k[:MAX_KEY]}", "is not a known kind of key")
                continue
            out[k] = self.count(v, f"{path}/{k}")
        return out

    def day(self, value: object, path: str) -> date:
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.fail(path, "must be a day, YYYY-MM-DD")
            return date.min

    def durations(self, value: object, path: str) -> dict[Measure, Durations]:
        data = self.record(value, path, {m.value for m in Measure})
        out: dict[Measure, Durations] = {}
        for measure in Measure:
            if measure.value not in data:
                continue
            at = f"{path}/{measure.value}"
            d = self.record(data[measure.value], at, {"count", "median", "p90"})
            count = self.count(d.get("count"), f"{at}/count")
            median = self.number(d.get("median"), f"{at}/median")
            p90 = self.number(d.get("p90"), f"{at}/p90")
            if (count == 0) != (median is None) or (count == 0) != (p90 is None):
                self.fail(at, "median and p90 are null exactly when count is 0")
            elif median is not None and p90 is not None and p90 < median:
                self.fail(at, "p90 cannot be below the median")
            out[measure] = Durations(count, median, p90)
        return out

    def flow(self, value: object, path: str) -> Flow:
        data = self.record(
            value,
            path,
            {
                "total",
                "by_kind",
                "by_state",
                "by_channel",
                "by_urgency",
                "by_outcome",
                "refusals_by_ground",
                "response_days",
                "urgent_response_hours",
            },
        )
        outcomes = self.record(
            data.get("by_outcome", {}), f"{path}/by_outcome", {o.value for o in Outcome}
        )
        grounds: dict[str, GroundCount] = {}
        raw_grounds = data.get("refusals_by_ground", {})
        if not isinstance(raw_grounds, dict):
            self.fail(f"{path}/refusals_by_ground", "must be an object")
            raw_grounds = {}
        for ground, g in raw_grounds.items():
            at = f"{path}/refusals_by_ground/{ground[:MAX_KEY]}"
            if not _KEY.match(ground):
                self.fail(at, "is not a known kind of key")
                continue
            item = self.record(g, at, {"count", "article"})
            article = item.get("article")
            if not isinstance(article, str) or not _KEY.match(article):
                self.fail(f"{at}/article", "must name an article, e.g. 40(21)(a)")
                article = ""
            grounds[ground] = GroundCount(self.count(item.get("count"), f"{at}/count"), article)
        total = self.count(data.get("total"), f"{path}/total")
        flow = Flow(
            total=total,
            by_kind=self.counts(data.get("by_kind", {}), f"{path}/by_kind"),
            by_state=self.counts(data.get("by_state", {}), f"{path}/by_state", key=_STATE),
            by_channel=self.counts(data.get("by_channel", {}), f"{path}/by_channel"),
            by_urgency=self.counts(data.get("by_urgency", {}), f"{path}/by_urgency"),
            by_outcome={
                o: self.count(outcomes.get(o.value, 0), f"{path}/by_outcome/{o.value}")
                for o in Outcome
            },
            refusals_by_ground=grounds,
            response_days=self.durations(data.get("response_days", {}), f"{path}/response_days"),
            urgent_response_hours=self.durations(
                data.get("urgent_response_hours", {}), f"{path}/urgent_response_hours"
            ),
        )
        for name in ("by_kind", "by_state", "by_channel", "by_urgency", "by_outcome"):
            counts: Mapping[Any, int] = getattr(flow, name)
            if sum(counts.values()) != total:
                self.fail(f"{path}/{name}", f"does not add up to the total ({total})")
        refused = flow.by_outcome.get(Outcome.REFUSED, 0)
        if any(g.count > refused for g in grounds.values()):
            self.fail(f"{path}/refusals_by_ground", "counts more refusals than were made")
        return flow

    def preservation(self, value: object, path: str) -> Preservation:
        keys = {"requests", "periods_granted", "extensions", "confirmed", "confirmable"}
        data = self.record(value, path, keys)
        p = Preservation(**{k: self.count(data.get(k, 0), f"{path}/{k}") for k in sorted(keys)})
        if p.confirmed > p.confirmable:
            self.fail(f"{path}/confirmed", "cannot exceed confirmable")
        return p


def parse_figures(value: object) -> Figures:
    """The figures of a JSON object, checked strictly: every field present, nothing else,
    counts that add up; :class:`~hanoi.errors.InvalidInput` naming each problem."""
    r = _Reader()
    top = r.record(
        value,
        "#",
        {"version", "type", "state", "period", "outgoing", "incoming", "preservation", "evidence"},
    )
    if top.get("version") != VERSION:
        r.fail("#/version", f"must be {VERSION}")
    if top.get("type") != TYPE:
        r.fail("#/type", f"must be {TYPE!r}")
    state = top.get("state")
    if not isinstance(state, str) or not _STATE.match(state):
        r.fail("#/state", "must be an ISO 3166-1 alpha-3 code")
        state = ""
    period = r.record(top.get("period", {}), "#/period", {"from", "to"})
    start = r.day(period.get("from"), "#/period/from")
    end = r.day(period.get("to"), "#/period/to")
    if start > end:
        r.fail("#/period", "from is after to")
    keeping = r.record(top.get("preservation", {}), "#/preservation", {d.value for d in Direction})
    evidence_keys = {
        "packages_sent",
        "bytes_sent",
        "packages_received",
        "bytes_received",
        "refused_at_acceptance",
        "refusal_reasons",
    }
    ev = r.record(top.get("evidence", {}), "#/evidence", evidence_keys)
    evidence = Evidence(
        **{
            k: r.count(ev.get(k, 0), f"#/evidence/{k}")
            for k in sorted(evidence_keys - {"refusal_reasons"})
        },
        refusal_reasons=r.counts(ev.get("refusal_reasons", {}), "#/evidence/refusal_reasons"),
    )
    if sum(evidence.refusal_reasons.values()) != evidence.refused_at_acceptance:
        r.fail("#/evidence/refusal_reasons", "does not add up to refused_at_acceptance")
    figures = Figures(
        state=state,
        period_from=start,
        period_to=end,
        outgoing=r.flow(top.get("outgoing", {}), "#/outgoing"),
        incoming=r.flow(top.get("incoming", {}), "#/incoming"),
        preservation={
            d: r.preservation(keeping.get(d.value, {}), f"#/preservation/{d.value}")
            for d in Direction
        },
        evidence=evidence,
    )
    if r.problems:
        raise InvalidInput("these are not statistics Hanoi can read", fields=tuple(r.problems[:20]))
    return figures
