"""The statistics page's bar charts: SVG drawn on the server, read back here as XML, so that
what is checked is what the browser gets: bars proportional to their values on one scale,
nothing drawn for zero or for no figure, the geometry mirrored right to left with the text
left as it is, every text escaped, and the accessible name and description in place."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from hanoi.web.ui.charts import (
    ELLIPSIS,
    PAD,
    WIDTH,
    BarChart,
    BarRow,
    bar_chart,
    text_width,
    wrap,
)

SVG = "{http://www.w3.org/2000/svg}"


def chart(rows: list[tuple[str, tuple[float | None, ...]]], *, series: int = 2) -> BarChart:
    return BarChart(
        ident="chart-test",
        title="Requests by kind",
        description="The table after it holds the same figures.",
        series=("Outgoing", "Incoming", "Third", "Fourth")[:series],
        rows=tuple(
            BarRow(
                label=label,
                values=values,
                texts=tuple("—" if v is None else f"{v:g}" for v in values),
            )
            for label, values in rows
        ),
        empty="No requests in this period.",
    )


def parse(svg: Markup) -> ET.Element:
    return ET.fromstring(str(svg))


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if "data-series" in r.attrib]


def texts(root: ET.Element, css: str) -> list[ET.Element]:
    return [t for t in root.iter(f"{SVG}text") if css in t.get("class", "").split()]


def test_bars_are_proportional_to_their_values_on_one_scale() -> None:
    root = parse(bar_chart(chart([("a", (40, 10)), ("b", (20, 5)), ("c", (30, 0.5))])))
    found = bars(root)
    assert len(found) == 6
    widths = [float(b.get("width", "")) for b in found]
    values = [float(b.get("data-value", "")) for b in found]
    assert values == [40, 10, 20, 5, 30, 0.5]
    scale = max(widths) / max(values)
    for width, value in zip(widths, values, strict=True):  # one scale, both series
        assert width == pytest.approx(value * scale, abs=0.011)  # drawn to 0.01 unit
    assert max(widths) <= WIDTH - 2 * PAD
    # the longest bar leaves room for its figure inside the drawing
    longest = max(found, key=lambda b: float(b.get("width", "")))
    assert float(longest.get("x", "")) + float(longest.get("width", "")) < WIDTH - PAD


def test_each_bar_belongs_to_its_row_and_series_in_order() -> None:
    root = parse(bar_chart(chart([("a", (3, 1)), ("b", (2, 4))])))
    rows = [g for g in root.iter(f"{SVG}g") if g.get("class") == "row"]
    assert [g.get("data-row") for g in rows] == ["0", "1"]
    second = [(b.get("data-series"), b.get("data-value")) for b in bars(rows[1])]
    assert second == [("0", "2"), ("1", "4")]
    assert [t.text for t in texts(rows[1], "label")] == ["b"]
    assert [t.text for t in texts(rows[1], "value")] == ["2", "4"]


def test_zero_and_missing_figures_draw_no_bar_but_say_so() -> None:
    root = parse(bar_chart(chart([("a", (0, None)), ("b", (5, 0))])))
    assert [(b.get("data-series"), b.get("data-value")) for b in bars(root)] == [("0", "5")]
    assert [t.text for t in texts(root, "value")] == ["0", "—", "5", "0"]


def test_all_zero_draws_no_bar_and_does_not_divide_by_zero() -> None:
    root = parse(bar_chart(chart([("a", (0, 0)), ("b", (0, 0))])))
    assert bars(root) == []
    assert [t.text for t in texts(root, "value")] == ["0", "0", "0", "0"]


def test_an_empty_chart_says_there_is_nothing_and_draws_no_legend() -> None:
    root = parse(bar_chart(chart([])))
    assert bars(root) == []
    assert [t.text for t in texts(root, "empty")] == ["No requests in this period."]
    assert texts(root, "legend") == []


def test_right_to_left_mirrors_the_bars_and_keeps_the_text() -> None:
    data = chart([("Viet Nam", (12, 3)), ("فرنسا", (1_234.5, 7))])
    ltr, rtl = parse(bar_chart(data)), parse(bar_chart(data, rtl=True))
    assert ltr.get("direction") == "ltr"
    assert rtl.get("direction") == "rtl"
    for left, right in zip(bars(ltr), bars(rtl), strict=True):
        width = float(left.get("width", ""))
        assert float(right.get("width", "")) == width
        assert float(left.get("x", "")) == PAD  # grows from the left edge
        assert float(right.get("x", "")) + width == pytest.approx(WIDTH - PAD)  # the right one
    # labels start at the right edge; figures sit at the bar's end, on its left
    assert {t.get("x") for t in texts(rtl, "label")} == {str(WIDTH - PAD)}
    for bar, value in zip(bars(rtl), texts(rtl, "value"), strict=True):
        assert float(value.get("x", "")) < float(bar.get("x", ""))
    # the words and numbers themselves are not reversed
    assert [t.text for t in texts(rtl, "label")] == ["Viet Nam", "فرنسا"]
    assert [t.text for t in texts(rtl, "value")] == ["12", "3", "1234.5", "7"]


def test_the_legend_runs_from_the_start_side() -> None:
    data = chart([("a", (1, 2))])
    ltr = [float(t.get("x", "")) for t in texts(parse(bar_chart(data)), "legend")]
    rtl = [float(t.get("x", "")) for t in texts(parse(bar_chart(data, rtl=True)), "legend")]
    assert ltr == sorted(ltr)
    assert ltr[0] < WIDTH / 2
    assert rtl == sorted(rtl, reverse=True)
    assert rtl[0] > WIDTH / 2


def test_hostile_text_is_escaped_everywhere() -> None:
    hostile = '</text><script>alert("x")</script><text>&amp; \'"'
    data = BarChart(
        ident="chart-hostile",
        title=hostile,
        description=hostile,
        series=(hostile, "b"),
        rows=(BarRow(label=hostile, values=(1, 2), texts=(hostile, "2")),),
        empty=hostile,
    )
    svg = bar_chart(data)
    assert "<script" not in svg
    root = parse(svg)  # still well-formed XML
    assert list(root.iter(f"{SVG}script")) == []
    assert list(root.iter("script")) == []
    assert root.findtext(f"{SVG}title") == hostile
    assert root.findtext(f"{SVG}desc") == hostile
    shown = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert shown.count(hostile) >= 2  # the legend and the figure kept the text, escaped


def test_the_chart_is_an_image_named_by_its_title_and_described() -> None:
    root = parse(bar_chart(chart([("a", (1, 2))])))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert root.get("aria-labelledby") == title.get("id") == "chart-test-title"
    assert root.get("aria-describedby") == desc.get("id") == "chart-test-desc"
    assert next(iter(root)) is title  # the first child, as SVG wants the title
    # no style attribute and no script: the site's CSP allows neither inline
    assert all("style" not in el.attrib for el in root.iter())
    assert all(not name.startswith("on") for el in root.iter() for name in el.attrib)


def test_the_second_series_is_hatched_not_only_coloured() -> None:
    root = parse(bar_chart(chart([("a", (1, 2))])))
    pattern = root.find(f"{SVG}defs/{SVG}pattern")
    assert pattern is not None
    assert pattern.get("id") == "chart-test-s1"
    first, second = bars(root)
    assert first.get("class") == "fill-s0"
    assert first.get("fill") is None
    assert second.get("fill") == "url(#chart-test-s1)"
    assert second.get("class") is None


def test_long_labels_wrap_to_the_width_and_stop_with_an_ellipsis() -> None:
    words = "Execution is likely to prejudice the sovereignty, security, ordre public " * 3
    lines = wrap(words, 300, 14)
    assert len(lines) == 3
    assert lines[-1].endswith(ELLIPSIS)
    assert all(text_width(line, 14) <= 300 for line in lines)
    chinese = "执行请求可能损害被请求国的主权安全公共秩序或其他基本利益"
    lines = wrap(chinese, 200, 14)
    assert "".join(lines) == chinese  # broken between characters, nothing lost
    assert all(text_width(line, 14) <= 200 for line in lines)
    assert wrap("short", 300, 14) == ["short"]


def test_labels_in_the_drawing_fit_its_width() -> None:
    label = "Mutual legal assistance: accessing stored electronic data, " * 4
    root = parse(bar_chart(chart([(label, (1, 2))])))
    lines = texts(root, "label")
    assert 1 < len(lines) <= 3
    assert all(text_width(t.text or "", 14) <= WIDTH - 2 * PAD for t in lines)


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ({"ident": "Has Space"}, "ident"),
        ({"series": ()}, "one to four series"),
        ({"rows": (BarRow("a", (1,), ("1",)),)}, "one value and one text per series"),
        ({"rows": (BarRow("a", (-1, 2), ("-1", "2")),)}, "negative"),
    ],
)
def test_a_chart_that_cannot_be_drawn_is_refused(bad: dict[str, object], why: str) -> None:
    fields: dict[str, object] = {
        "ident": "chart-x",
        "title": "t",
        "description": "d",
        "series": ("a", "b"),
        "rows": (),
        "empty": "e",
        **bad,
    }
    with pytest.raises(ValueError, match=why):
        BarChart(**fields)  # type: ignore[arg-type]
