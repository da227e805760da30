"""The figures as rows: the CSV that the CLI writes and the statistics page offers for
download, and the CLI's readable table. Pure.

One row per figure, five columns: ``section`` (``report``, ``requests``, ``refusals``,
``response-days``, ``urgent-response-hours``, ``preservation``, ``evidence``),
``direction`` (``outgoing``, ``incoming``, or empty), ``dimension`` (what the figure is
counted by: ``total``, ``kind``, ``state``, ``channel``, ``urgency``, ``outcome``,
``ground``, a measure, a counter), ``key`` (the code counted: a kind, a State, a ground,
``median``...) and ``value``. Every key and value comes from the figures document, which
holds only codes, counts and durations (:mod:`hanoi.statistics.figures`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from hanoi.statistics.figures import (
    Direction,
    Durations,
    Figures,
    Flow,
    Measure,
    Outcome,
    figures_json,
)

HEADER = ("section", "direction", "dimension", "key", "value")

Row = tuple[str, str, str, str, str]


def _value(value: Any) -> str:
    return "" if value is None else str(value)


def _durations(
    section: str, direction: str, measures: Mapping[Measure, Durations]
) -> Iterator[Row]:
    for measure in Measure:
        d = measures.get(measure, Durations())
        for key, value in (("count", d.count), ("median", d.median), ("p90", d.p90)):
            yield section, direction, measure.value, key, _value(value)


def _flow(direction: Direction, flow: Flow) -> Iterator[Row]:
    d = direction.value
    yield "requests", d, "total", "", str(flow.total)
    for dimension, counts in (
        ("kind", flow.by_kind),
        ("state", flow.by_state),
        ("channel", flow.by_channel),
        ("urgency", flow.by_urgency),
    ):
        for key in sorted(counts):
            yield "requests", d, dimension, key, str(counts[key])
    for outcome, count in outcomes(flow).items():
        yield "requests", d, "outcome", outcome, str(count)
    for ground in sorted(flow.refusals_by_ground):
        g = flow.refusals_by_ground[ground]
        yield "refusals", d, "ground", ground, str(g.count)
        yield "refusals", d, "article", ground, g.article
    yield from _durations("response-days", d, flow.response_days)
    yield from _durations("urgent-response-hours", d, flow.urgent_response_hours)


def outcomes(flow: Flow) -> dict[str, int]:
    """Every outcome, in the document's order, a missing one as 0."""
    return {o.value: flow.by_outcome.get(o, 0) for o in Outcome}


def figure_rows(figures: Figures) -> list[Row]:
    """The figures as rows of (section, direction, dimension, key, value)."""
    rows: list[Row] = [
        ("report", "", "state", "", figures.state),
        ("report", "", "period", "from", figures.period_from.isoformat()),
        ("report", "", "period", "to", figures.period_to.isoformat()),
    ]
    for direction in Direction:
        rows.extend(_flow(direction, figures.flow(direction)))
    document = figures_json(figures)
    for direction in Direction:
        for name, count in document["preservation"][direction.value].items():
            rows.append(("preservation", direction.value, name, "", str(count)))
    evidence = document["evidence"]
    for name in ("packages_sent", "bytes_sent", "packages_received", "bytes_received",
                 "refused_at_acceptance"):  # fmt: skip
        rows.append(("evidence", "", name, "", str(evidence[name])))
    for reason, count in evidence["refusal_reasons"].items():
        rows.append(("evidence", "incoming", "refusal_reason", reason, str(count)))
    return rows


def figures_csv(figures: Figures) -> str:
    """The figures as CSV (RFC 4180, CRLF line ends), with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(figure_rows(figures))
    return out.getvalue()


def figures_text(figures: Figures) -> str:
    """A table for people at a terminal: one block per direction, then the rest."""
    lines = [f"Statistics of {figures.state}, {figures.period_from} to {figures.period_to}"]
    for direction in Direction:
        flow = figures.flow(direction)
        lines += ["", f"{direction.value} requests: {flow.total}"]
        for label, counts in (
            ("by kind", flow.by_kind),
            ("by State", flow.by_state),
            ("by channel", flow.by_channel),
            ("by urgency", flow.by_urgency),
            ("by outcome", outcomes(flow)),
        ):
            lines.append(f"  {label}:")
            lines += [f"    {key:<40} {counts[key]:>8}" for key in sorted(counts)] or ["    -"]
        lines.append("  refusals by ground:")
        lines += [
            f"    {ground:<40} {g.count:>8}  (Art. {g.article})"
            for ground, g in sorted(flow.refusals_by_ground.items())
        ] or ["    -"]
        for label, unit, measures in (
            ("response times (days)", "d", flow.response_days),
            ("urgent requests (hours)", "h", flow.urgent_response_hours),
        ):
            lines.append(f"  {label}:")
            for measure in Measure:
                d = measures.get(measure, Durations())
                shown = (
                    "-"
                    if d.count == 0
                    else f"median {d.median}{unit}, 90th percentile {d.p90}{unit}"
                )
                lines.append(f"    {measure.value:<20} n={d.count:<6} {shown}")
    document = figures_json(figures)
    lines += ["", "preservation (Art. 42):"]
    for direction in Direction:
        values = document["preservation"][direction.value]
        lines.append(f"  {direction.value}: " + ", ".join(f"{k} {v}" for k, v in values.items()))
    evidence = document["evidence"]
    lines += ["", "evidence packages:"]
    lines.append(f"  sent {evidence['packages_sent']} ({evidence['bytes_sent']} bytes)")
    lines.append(
        f"  received {evidence['packages_received']} ({evidence['bytes_received']} bytes), "
        f"refused at acceptance {evidence['refused_at_acceptance']}"
        + "".join(f"; {r} {c}" for r, c in evidence["refusal_reasons"].items())
    )
    return "\n".join(lines) + "\n"
