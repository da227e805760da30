"""Horizontal bar charts as SVG, drawn on the server. Pure: text in, markup out.

Why on the server (ADR 0037): the page works with no script at all, under the site's
Content-Security-Policy (``style-src 'self'``, so no ``style`` attribute here: colours come
from classes in ``static/hanoi.css``; sizes are SVG attributes, which the policy does not
touch), and a chart is checked by a unit test like any other function.

A chart is a picture for sighted readers: ``role="img"`` with its title as accessible name
and a description that points to the table beside it, which holds the same figures for
screen readers (the page draws it from the same rows). Every text is escaped here, labels
and figures alike, whatever the caller passed.

Right to left (Arabic) mirrors the geometry, not the text: bars grow from the right edge,
labels start on the right, the figure sits at the bar's end on its left, and the SVG says
``direction="rtl"`` so that each text runs from its anchor the right way; numbers are never
flipped. The server cannot measure text, so widths are estimated (a wide East Asian
character counts one em, any other character :data:`NARROW_EM`) and labels are wrapped to
the chart's width on that estimate, generously.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 480
"""The drawing's width in SVG units; the page scales it to its column."""
PAD = 8
FONT = 14
"""Labels and the legend."""
SMALL = 13
"""The figures at the ends of the bars."""
LINE = 19
"""One line of a label."""
BAR = 16
BAR_GAP = 3
ROW_GAP = 14
SWATCH = 12
MAX_LABEL_LINES = 3
NARROW_EM = 0.62
"""The estimated width of a Latin, Cyrillic or Arabic character, in ems: Noto Sans averages
about 0.55, and an estimate a little wide wraps early rather than cuts a word."""
IDENT = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class BarRow:
    """One category: its label, a value per series (None: no figure), and each value as the
    reader should see it (formatted for the locale by the caller)."""

    label: str
    values: tuple[float | None, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BarChart:
    ident: str
    """Unique in the page; the ids of the title, the description and the patterns start
    with it."""
    title: str
    description: str
    series: tuple[str, ...]
    """The legend's names, one per value of a row; series 1 and 3 are hatched as well as
    coloured, so that colour is not the only difference."""
    rows: tuple[BarRow, ...]
    empty: str
    """What the chart says when it has no rows."""

    def __post_init__(self) -> None:
        if not IDENT.match(self.ident):
            raise ValueError(f"a chart's ident is [a-z][a-z0-9-]*: {self.ident!r}")
        if not 1 <= len(self.series) <= 4:
            raise ValueError("a chart has one to four series")
        for row in self.rows:
            if len(row.values) != len(self.series) or len(row.texts) != len(self.series):
                raise ValueError(f"row {row.label!r} needs one value and one text per series")
            if any(v is not None and v < 0 for v in row.values):
                raise ValueError(f"row {row.label!r} has a negative value")


def text_width(text: str, size: float) -> float:
    """An estimate of ``text``'s width at font ``size``, on the wide side."""
    width = 0.0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
            continue
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        width += size * (1.0 if wide else NARROW_EM)
    return width


def wrap(text: str, width: float, size: float, max_lines: int = MAX_LABEL_LINES) -> list[str]:
    """``text`` in lines that fit ``width`` (by estimate): broken at spaces, or anywhere in
    a run without spaces (Chinese), at most ``max_lines``, the last one ended with an
    ellipsis when text was left over."""
    lines: list[str] = []
    current = ""
    for token in re.findall(r"\S+\s*|\s+", text.strip()):
        candidate = current + token
        if text_width(candidate.rstrip(), size) <= width:
            current = candidate
            continue
        if current.strip():
            lines.append(current.rstrip())
            current = ""
        for char in token:
            if text_width((current + char).rstrip(), size) > width and current.strip():
                lines.append(current.rstrip())
                current = ""
            current += char
    if current.strip():
        lines.append(current.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + ELLIPSIS, size) > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + ELLIPSIS]
    return lines or [""]


@dataclass(frozen=True, slots=True)
class _Geometry:
    """Offsets from the start edge (the left, or the right in RTL) made into x."""

    rtl: bool

    def at(self, offset: float) -> float:
        """The x of a point ``offset`` units from the start edge."""
        return WIDTH - PAD - offset if self.rtl else PAD + offset

    def span(self, offset: float, length: float) -> float:
        """The x of the left side of a box ``length`` long starting ``offset`` in."""
        return WIDTH - PAD - offset - length if self.rtl else PAD + offset


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _fill(chart: BarChart, series: int) -> Markup:
    """The fill of a series' shapes: a class for the colour (the page's CSS, because the
    CSP allows no style attribute), or for odd series a hatched pattern of that colour,
    defined once per chart (no class then: a class's CSS fill would win over the
    pattern)."""
    if series % 2:
        return Markup('fill="url(#{}-s{})"').format(chart.ident, series)
    return Markup('class="fill-s{}"').format(series)


def _defs(chart: BarChart) -> Iterator[Markup]:
    hatched = [s for s in range(len(chart.series)) if s % 2]
    if not hatched:
        return
    yield Markup("<defs>")
    for s in hatched:
        yield Markup(
            '<pattern id="{}-s{}" patternUnits="userSpaceOnUse" width="6" height="6" '
            'patternTransform="rotate(45)"><rect width="6" height="6" class="fill-s{}"/>'
            '<rect width="2" height="6" class="hatch"/></pattern>'
        ).format(chart.ident, s, s)
    yield Markup("</defs>")


def _text(x: float, y: float, text: str, css: str, size: int) -> Markup:
    return Markup('<text x="{}" y="{}" class="{}" font-size="{}">{}</text>').format(
        _num(x), _num(y), css, size, text
    )


def _legend(chart: BarChart, g: _Geometry, y: float) -> Iterator[Markup]:
    offset = 0.0
    for s, name in enumerate(chart.series):
        yield Markup('<rect x="{}" y="{}" width="{}" height="{}" {}/>').format(
            _num(g.span(offset, SWATCH)), _num(y), SWATCH, SWATCH, _fill(chart, s)
        )
        offset += SWATCH + 6
        yield _text(g.at(offset), y + SWATCH - 1, name, "legend", FONT)
        offset += text_width(name, FONT) + 20


def _scale(chart: BarChart) -> tuple[float, float]:
    """The largest value and the longest a bar may be: the room left for a figure at the
    end of the longest bar is the widest figure's."""
    largest = max((v for row in chart.rows for v in row.values if v is not None), default=0.0)
    widest = max((text_width(t, SMALL) for row in chart.rows for t in row.texts), default=0.0)
    return largest, WIDTH - 2 * PAD - widest - 6


def _row(
    chart: BarChart, g: _Geometry, index: int, y: float, scale: tuple[float, float]
) -> tuple[list[Markup], float]:
    """One row's label and bars from ``y`` down; and the ``y`` below them."""
    row = chart.rows[index]
    largest, room = scale
    parts = [Markup('<g class="row" data-row="{}">').format(index)]
    for line in wrap(row.label, WIDTH - 2 * PAD, FONT):
        parts.append(_text(g.at(0), y + FONT - 1, line, "label", FONT))
        y += LINE
    for s, (value, text) in enumerate(zip(row.values, row.texts, strict=True)):
        length = value / largest * room if value and largest > 0 else 0.0
        if length > 0:
            parts.append(
                Markup(
                    '<rect x="{}" y="{}" width="{}" height="{}" {} data-series="{}" '
                    'data-value="{}"/>'
                ).format(
                    _num(g.span(0, length)),
                    _num(y),
                    _num(length),
                    BAR,
                    _fill(chart, s),
                    s,
                    _num(value or 0),
                )
            )
        parts.append(_text(g.at(length + 4), y + BAR - 3, text, f"value v{s}", SMALL))
        y += BAR + BAR_GAP
    parts.append(Markup("</g>"))
    return parts, y + ROW_GAP - BAR_GAP


def bar_chart(chart: BarChart, *, rtl: bool = False) -> Markup:
    """The chart as an inline ``<svg>``: a legend when there is more than one series, then
    per row its label (wrapped) and one bar per series with its figure at the end. Bars are
    proportional to their values on one scale for the whole chart; a zero draws no bar,
    and a missing value (None) neither, but its text is shown."""
    g = _Geometry(rtl)
    parts: list[Markup] = list(_defs(chart))
    y = float(PAD)
    if len(chart.series) > 1 and chart.rows:
        parts.extend(_legend(chart, g, y))
        y += SWATCH + 14
    if not chart.rows:
        parts.append(_text(g.at(0), y + FONT, chart.empty, "empty", FONT))
        y += LINE
    scale = _scale(chart)
    for index in range(len(chart.rows)):
        drawn, y = _row(chart, g, index, y, scale)
        parts.extend(drawn)
    height = int(y + PAD)
    head = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'direction="{direction}" aria-labelledby="{ident}-title" '
        'aria-describedby="{ident}-desc"><title id="{ident}-title">{title}</title>'
        '<desc id="{ident}-desc">{description}</desc>'
    ).format(
        width=WIDTH,
        height=height,
        direction="rtl" if rtl else "ltr",
        ident=chart.ident,
        title=chart.title,
        description=chart.description,
    )
    return head + Markup("").join(parts) + Markup("</svg>")
