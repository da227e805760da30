"""What the statistics page shows: a node's figures (:mod:`hanoi.statistics.figures`) put
in the reader's words, as charts and the tables beside them. Pure.

Each block is one question (requests by kind, by State, by channel, by urgency, by
outcome; refusals by ground; response times) drawn once as a bar chart and once as a
table, from the same rows: a sighted reader compares bars, a screen reader reads the
table, and both get the same figures. Outgoing requests (this State sent them) and
incoming ones (it received them) are two series of one chart, so that the two directions
compare at a glance. Preservation and evidence are tables only
(:mod:`~hanoi.web.ui.statistics_blocks`, with what a block is made of).

Codes become words here and nowhere else: kinds and grounds by the Convention catalogue's
labels, States by the UN's names, channels, urgencies, outcomes and measures by
:mod:`hanoi.i18n.labels`; a code the labels do not know is shown as the code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hanoi.convention import Catalogue, default_catalogue
from hanoi.cooperation import UrgencyLevel
from hanoi.i18n.formatting import LocaleFormat, sort_key
from hanoi.i18n.labels import (
    CHANNEL_LABELS,
    MEASURE_LABELS,
    OUTCOME_LABELS,
    URGENCY_LABELS,
)
from hanoi.i18n.messages import N_, Message
from hanoi.statistics.figures import Direction, Durations, Figures, Flow, Measure, Outcome
from hanoi.web.ui.charts import BarChart, BarRow, bar_chart
from hanoi.web.ui.statistics_blocks import (
    NO_REQUESTS,
    Block,
    Column,
    Fact,
    Gettext,
    Row,
    StatisticsView,
    Words,
    directions,
    table_blocks,
)

MAX_BARS = 12
"""Rows drawn in one chart; the table beside it lists them all."""
NO_FIGURE = "—"
"""A median or percentile of no request, in a chart (the table says "none" in words)."""

BY_KIND = N_("Requests by kind")
BY_STATE = N_("Requests by other State")
BY_CHANNEL = N_("Requests by channel")
BY_URGENCY = N_("Requests by urgency")
BY_OUTCOME = N_("Requests by outcome at the end of the period")
BY_GROUND = N_("Refusals by ground")
DAYS = {
    Direction.INCOMING: N_("Response times to requests received, in days"),
    Direction.OUTGOING: N_("Response times to requests sent, in days"),
}
HOURS = {
    Direction.INCOMING: N_("Urgent requests received: response times in hours"),
    Direction.OUTGOING: N_("Urgent requests sent: response times in hours"),
}
KIND = N_("Kind")
STATE = N_("State")
CHANNEL = N_("Channel")
URGENCY = N_("Urgency")
OUTCOME = N_("Outcome")
GROUND = N_("Ground for refusal")
ARTICLE = N_("Article")
MEASURE = N_("Measure")
MEASURED = N_("Requests measured")
MEDIAN = N_("Median")
P90 = N_("90th percentile")

DESCRIPTION = N_("A bar chart. The table after it holds the same figures.")
SHOWN_LARGEST = N_("The chart shows the %(count)s largest; the table lists them all.")
NO_REFUSALS = N_("No refusals in this period.")
NO_TIMES = N_("No request reached these steps in this period.")


TOTAL_OUTGOING = N_("Requests sent (outgoing)")
TOTAL_INCOMING = N_("Requests received (incoming)")
PERIOD = N_("Period")
PERIOD_TEXT = N_("%(start)s to %(end)s")


@dataclass(frozen=True, slots=True)
class _Category:
    code: str
    label: str
    counts: tuple[int, int]
    """Outgoing, incoming."""
    show_code: bool = False


def _count_block(
    w: Words,
    *,
    ident: str,
    title: Message,
    head: Message,
    categories: list[_Category],
    empty: Message,
    extra: tuple[Column, tuple[str, ...]] | None = None,
) -> Block:
    """Counts by category, both directions: a two-series chart of the first
    :data:`MAX_BARS` categories, and the table of all of them."""
    out, inc = directions(w)
    drawn = categories[:MAX_BARS]
    chart = BarChart(
        ident=f"chart-{ident}",
        title=w(title),
        description=w(DESCRIPTION),
        series=(out, inc),
        rows=tuple(
            BarRow(
                label=c.label,
                values=(float(c.counts[0]), float(c.counts[1])),
                texts=(w.fmt.number(c.counts[0]), w.fmt.number(c.counts[1])),
            )
            for c in drawn
        ),
        empty=w(empty),
    )
    columns: tuple[Column, ...] = (Column(out), Column(inc))
    cells: list[tuple[str | None, ...]] = [
        (w.fmt.number(c.counts[0]), w.fmt.number(c.counts[1])) for c in categories
    ]
    if extra is not None:
        columns = (extra[0], *columns)
        cells = [(text, *row) for text, row in zip(extra[1], cells, strict=True)]
    return Block(
        ident=ident,
        title=w(title),
        chart=bar_chart(chart, rtl=w.fmt.direction == "rtl"),
        note=(
            w(SHOWN_LARGEST, count=w.fmt.number(MAX_BARS)) if len(categories) > MAX_BARS else None
        ),
        head=w(head),
        columns=columns,
        rows=tuple(
            Row(header=c.label, code=c.code if c.show_code else None, cells=row)
            for c, row in zip(categories, cells, strict=True)
        ),
        empty=w(empty),
    )


def _by_count(
    out: Mapping[str, int], inc: Mapping[str, int], label: Callable[[str], str], *, codes: bool
) -> list[_Category]:
    """Every code of either direction, the most requests first, then by name."""
    found = [
        _Category(code, label(code), (out.get(code, 0), inc.get(code, 0)), show_code=codes)
        for code in set(out) | set(inc)
    ]
    found.sort(key=lambda c: (-(c.counts[0] + c.counts[1]), sort_key(c.label), c.code))
    return found


def _in_order(
    order: list[str], out: Mapping[str, int], inc: Mapping[str, int], label: Callable[[str], str]
) -> list[_Category]:
    """The codes of a fixed list in its order (then any other code), none when both
    directions have no request."""
    if not any(out.values()) and not any(inc.values()):
        return []
    codes = order + sorted((set(out) | set(inc)) - set(order))
    return [_Category(code, label(code), (out.get(code, 0), inc.get(code, 0))) for code in codes]


def _durations_block(w: Words, direction: Direction, flow: Flow, *, hours: bool) -> Block:
    measures = flow.urgent_response_hours if hours else flow.response_days
    title = (HOURS if hours else DAYS)[direction]
    ident = f"{'hours' if hours else 'days'}-{direction.value}"
    found = {m: measures.get(m, Durations()) for m in Measure}

    def shown(value: float | None) -> str:
        return NO_FIGURE if value is None else w.fmt.decimal(value)

    chart = BarChart(
        ident=f"chart-{ident}",
        title=w(title),
        description=w(DESCRIPTION),
        series=(w(MEDIAN), w(P90)),
        rows=tuple(
            BarRow(
                label=w(MEASURE_LABELS[m]),
                values=(d.median, d.p90),
                texts=(shown(d.median), shown(d.p90)),
            )
            for m, d in found.items()
        )
        if any(d.count for d in found.values())
        else (),
        empty=w(NO_TIMES),
    )
    return Block(
        ident=ident,
        title=w(title),
        chart=bar_chart(chart, rtl=w.fmt.direction == "rtl"),
        note=None,
        head=w(MEASURE),
        columns=(Column(w(MEASURED)), Column(w(MEDIAN)), Column(w(P90))),
        rows=tuple(
            Row(
                header=w(MEASURE_LABELS[m]),
                code=None,
                cells=(
                    w.fmt.number(d.count),
                    None if d.median is None else w.fmt.decimal(d.median),
                    None if d.p90 is None else w.fmt.decimal(d.p90),
                ),
            )
            for m, d in found.items()
        ),
        empty=w(NO_TIMES),
    )


def _chart_blocks(w: Words, figures: Figures) -> list[Block]:
    out, inc = figures.outgoing, figures.incoming
    grounds = _by_count(
        {k: g.count for k, g in out.refusals_by_ground.items()},
        {k: g.count for k, g in inc.refusals_by_ground.items()},
        lambda key: w.label(f"ground.{key}", key),
        codes=False,
    )
    articles = {**out.refusals_by_ground, **inc.refusals_by_ground}
    blocks = [
        _count_block(
            w,
            ident="kind",
            title=BY_KIND,
            head=KIND,
            categories=_by_count(out.by_kind, inc.by_kind, w.kind, codes=False),
            empty=NO_REQUESTS,
        ),
        _count_block(
            w,
            ident="state",
            title=BY_STATE,
            head=STATE,
            categories=_by_count(out.by_state, inc.by_state, w.fmt.territory, codes=True),
            empty=NO_REQUESTS,
        ),
        _count_block(
            w,
            ident="channel",
            title=BY_CHANNEL,
            head=CHANNEL,
            categories=_by_count(
                out.by_channel,
                inc.by_channel,
                lambda code: w.message(CHANNEL_LABELS, code),
                codes=False,
            ),
            empty=NO_REQUESTS,
        ),
        _count_block(
            w,
            ident="urgency",
            title=BY_URGENCY,
            head=URGENCY,
            categories=_in_order(
                [u.value for u in UrgencyLevel],
                out.by_urgency,
                inc.by_urgency,
                lambda code: w.message({u.value: m for u, m in URGENCY_LABELS.items()}, code),
            ),
            empty=NO_REQUESTS,
        ),
        _count_block(
            w,
            ident="outcome",
            title=BY_OUTCOME,
            head=OUTCOME,
            categories=_in_order(
                [o.value for o in Outcome],
                {o.value: n for o, n in out.by_outcome.items()},
                {o.value: n for o, n in inc.by_outcome.items()},
                lambda code: w.message({o.value: m for o, m in OUTCOME_LABELS.items()}, code),
            ),
            empty=NO_REQUESTS,
        ),
        _count_block(
            w,
            ident="ground",
            title=BY_GROUND,
            head=GROUND,
            categories=grounds,
            empty=NO_REFUSALS,
            extra=(
                Column(w(ARTICLE), numeric=False),
                tuple(w.article(articles[c.code].article) for c in grounds),
            ),
        ),
    ]
    for hours in (False, True):
        blocks.extend(_durations_block(w, d, figures.flow(d), hours=hours) for d in Direction)
    return blocks


def statistics_view(
    figures: Figures,
    *,
    fmt: LocaleFormat,
    gettext: Gettext,
    catalogue: Catalogue | None = None,
) -> StatisticsView:
    """The page's facts, its charts with their tables, and its plain tables."""
    w = Words(fmt=fmt, gettext=gettext, catalogue=catalogue or default_catalogue())
    facts = (
        Fact(
            w(PERIOD),
            w(PERIOD_TEXT, start=fmt.date(figures.period_from), end=fmt.date(figures.period_to)),
        ),
        Fact(w(TOTAL_OUTGOING), fmt.number(figures.outgoing.total)),
        Fact(w(TOTAL_INCOMING), fmt.number(figures.incoming.total)),
    )
    return StatisticsView(
        facts=facts, blocks=tuple(_chart_blocks(w, figures)), tables=tuple(table_blocks(w, figures))
    )
