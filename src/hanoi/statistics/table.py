"""The aggregate as a plain-text table a Conference secretariat can publish. Pure.

Aligned columns, numbers to the right, and beside every figure that is not a plain sum
the words that say what it is: the overlap of outgoing and incoming, the pairs whose two
States disagree, and the response times that are medians of medians.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from hanoi.statistics.aggregate import (
    DISTINCT_RULE,
    OVERLAP_NOTE,
    Aggregate,
    FlowTotals,
    Spread,
)
from hanoi.statistics.figures import Direction, Measure, Outcome
from hanoi.wire import format_time

_MEASURES = {
    Measure.FIRST_DECISION: "to the first decision",
    Measure.EXECUTION: "to execution",
    Measure.EVIDENCE_DELIVERED: "to evidence delivered",
}
_INDENT = "  "
WIDTH = 96


def columns(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, left: Sequence[int] = (0,)
) -> list[str]:
    """``rows`` under ``header``: the columns numbered in ``left`` (words) to the left, the
    others (numbers) to the right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return (_INDENT + "  ".join(cells)).rstrip()

    return [line(header), _INDENT + "  ".join("-" * w for w in widths), *map(line, rows)]


def wrapped(text: str, *, indent: str = _INDENT) -> list[str]:
    """A paragraph of notes, in lines of at most :data:`WIDTH` characters."""
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _number(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _both(
    title: str, out: Mapping[str, int], inc: Mapping[str, int], order: Sequence[str] = ()
) -> list[str]:
    keys = [*order, *sorted((set(out) | set(inc)) - set(order))]
    rows = [[k, _number(out.get(k, 0)), _number(inc.get(k, 0))] for k in keys]
    return ["", *columns([title, "Outgoing", "Incoming"], rows or [["(none)", "0", "0"]])]


def _grounds(result: Aggregate) -> list[str]:
    out, inc = result.outgoing.refusals_by_ground, result.incoming.refusals_by_ground
    rows = []
    for ground in sorted(set(out) | set(inc)):
        articles = sorted({*(out[ground].articles if ground in out else ()),
                           *(inc[ground].articles if ground in inc else ())})  # fmt: skip
        rows.append(
            [
                ground,
                ", ".join(f"Art. {a}" for a in articles),
                _number(out[ground].count if ground in out else 0),
                _number(inc[ground].count if ground in inc else 0),
            ]
        )
    header = ["Refusals by ground", "Article", "Outgoing", "Incoming"]
    return ["", *columns(header, rows or [["(none)", "", "0", "0"]], left=(0, 1))]


def _pairs(result: Aggregate) -> list[str]:
    notes = {
        "agree": "both States count the same",
        "mismatch": "MISMATCH: the two States count differently",
        "requesting-only": "requested State did not report",
        "requested-only": "requesting State did not report",
    }
    rows = [
        [
            f"{p.requesting} → {p.requested}",
            _number(p.by_requesting),
            _number(p.by_requested),
            notes[p.agreement],
        ]
        for p in result.pairs
    ]
    header = ["Requests between States", "Counted by requesting", "by requested", ""]
    return ["", *columns(header, rows or [["(none)", "", "", ""]], left=(0, 3))]


def _fixed(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _times(flow: FlowTotals, direction: Direction) -> list[str]:
    lines: list[str] = []
    for title, measured in (
        ("days", flow.response_days),
        ("urgent requests, hours", flow.urgent_response_hours),
    ):
        rows: list[list[str]] = []
        notes: list[str] = []
        for measure, label in _MEASURES.items():
            spread: Spread = measured[measure]
            rows.append(
                [
                    f"{label}",
                    _number(spread.requests),
                    _number(spread.states),
                    _fixed(spread.median),
                    _fixed(spread.p90),
                ]
            )
            if spread.states:
                notes += wrapped(f"{label}: {spread.note}.", indent=_INDENT * 2)
        head = f"{direction.value.capitalize()}, from receipt, {title}"
        lines += ["", *columns([head, "Requests", "States", "Median", "90th pct."], rows)]
        lines += notes or [f"{_INDENT * 2}(-: no reporting State measured it)"]
    return lines


def _preservation(result: Aggregate) -> list[str]:
    names = ["requests", "periods_granted", "extensions", "confirmed", "confirmable"]
    out, inc = result.preservation[Direction.OUTGOING], result.preservation[Direction.INCOMING]
    rows = [
        [n.replace("_", " "), _number(getattr(out, n)), _number(getattr(inc, n))] for n in names
    ]
    rows.append(["confirmed in time", share(out.confirmed, out.confirmable),
                 share(inc.confirmed, inc.confirmable)])  # fmt: skip
    return ["", *columns(["Preservation (Art. 42)", "Outgoing", "Incoming"], rows)]


def share(part: int, whole: int) -> str:
    return "-" if not whole else f"{100 * part / whole:.0f}%"


def _evidence(result: Aggregate) -> list[str]:
    e = result.evidence
    rows = [
        ["packages sent", _number(e.packages_sent)],
        ["bytes sent", _number(e.bytes_sent)],
        ["packages received", _number(e.packages_received)],
        ["bytes received", _number(e.bytes_received)],
        ["refused at acceptance", _number(e.refused_at_acceptance)],
        *([f"  {reason}", _number(n)] for reason, n in e.refusal_reasons.items()),
    ]
    return ["", *columns(["Evidence between nodes", "Count"], rows)]


def aggregate_table(result: Aggregate) -> str:
    """The whole publication, as lines of text ending with a line feed."""
    states = ", ".join(r.state for r in result.reporters)
    lines = [
        f"Cooperation under the Convention: {result.period_from.isoformat()} to "
        f"{result.period_to.isoformat()}",
        f"Figures of {len(result.reporters)} State(s), each signed by its node and verified: "
        f"{states}",
    ]
    for r in result.reporters:
        version = "none" if r.directory_version is None else str(r.directory_version)
        partial = "" if r.complete else " (signed before the period ended: partial figures)"
        lines.append(
            f"{_INDENT}{r.state}: signed {format_time(r.signed_at)} with key {r.key_id}, "
            f"directory version {version}{partial}"
        )
    lines += [
        "",
        f"Distinct requests: {result.distinct_requests:,}",
        *wrapped(f"{DISTINCT_RULE[0].upper()}{DISTINCT_RULE[1:]}."),
        "",
        *wrapped(f"Note: {OVERLAP_NOTE}.", indent=""),
    ]
    out, inc = result.outgoing, result.incoming
    lines += _both("Requests", {"total": out.total}, {"total": inc.total})
    lines += _both("By kind", out.by_kind, inc.by_kind)
    lines += _both("By channel", out.by_channel, inc.by_channel)
    lines += _both("By urgency", out.by_urgency, inc.by_urgency)
    lines += _both(
        "Outcome",
        {o.value: n for o, n in out.by_outcome.items()},
        {o.value: n for o, n in inc.by_outcome.items()},
        order=[o.value for o in Outcome],
    )
    lines += _grounds(result)
    lines += _pairs(result)
    if result.mismatches:
        lines.append(f"{_INDENT}Counted differently by the two States:")
        lines += [
            f"{_INDENT * 2}{p.requesting} → {p.requested}: {p.by_requesting} by {p.requesting}, "
            f"{p.by_requested} by {p.requested}"
            for p in result.mismatches
        ]
    lines += _times(out, Direction.OUTGOING)
    lines += _times(inc, Direction.INCOMING)
    lines += _preservation(result)
    lines += _evidence(result)
    return "\n".join(lines) + "\n"
