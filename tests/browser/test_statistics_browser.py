"""The statistics page in a real Chromium, in English and in Arabic: Viet Nam's node, after
a fortnight of real requests (Egypt's, delivered in process as the federation inbox would;
one registered from France's diplomatic note; one of Viet Nam's own, sent to France by
e-mail), served by ``hanoi serve``. The charts are drawn and named, each has its table,
the page passes the accessibility checks, and in Arabic the bars grow from the right.

Full-page screenshots land in test-output/screenshots/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FloatRect, Page, expect

from conftest import serving
from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.convention import default_catalogue
from hanoi.cooperation import Urgency, UrgencyLevel
from hanoi.cooperation.offline import LetterScan, Registration
from hanoi.cooperation.routes import ChannelRecord, Route
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.wiring import Node
from support_a11y import check_accessible
from support_cooperation import deliver
from support_nodes import build_node
from support_ui import PASSWORD, sign_in_page
from unit.cooperation.builders import complete_contents

pytestmark = pytest.mark.slow

CATALOGUE = default_catalogue()
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
CHARTS = 10


@dataclass(frozen=True)
class Statistics:
    base_url: str
    period: dict[str, str]


def _case_book(egy: Node, vnm: Node, clock: FixedClock) -> None:
    """Five requests from Egypt (executed, refused, open, postponed, an urgent
    preservation), one registered from France, one sent to France."""
    amira = egy.accounts.add_user(name="amira", role=Role.OFFICER, password=None).user
    samir = egy.accounts.add_user(name="samir", role=Role.SUPERVISOR, password=None).user
    lan = vnm.accounts.add_user(name="lan", role=Role.SUPERVISOR, password=PASSWORD).user
    minh = vnm.accounts.add_user(name="minh", role=Role.POINT_OF_CONTACT, password=None).user
    start = clock.now()

    def made(kind: str, offset: timedelta, urgency: Urgency | None = None) -> str:
        clock.advance(start + offset - clock.now())
        spec = DraftInput(
            kind=kind,
            requested_state="VNM",
            contents=complete_contents(CATALOGUE.kind(kind)),
            **({"urgency": urgency} if urgency else {}),  # type: ignore[arg-type]
        )
        request_id = egy.cooperation.draft(amira, spec).request.id
        egy.cooperation.assign(amira, request_id, "samir")
        egy.cooperation.take(samir, request_id, StepInput(transition="approve"))
        egy.cooperation.take(samir, request_id, StepInput(transition="send"))
        deliver(egy.cooperation.held(request_id), to=vnm)
        return request_id

    def steps(request_id: str, *taken: tuple[timedelta, StepInput], by: object = lan) -> None:
        begun = clock.now()
        for after, step in taken:
            clock.advance(begun + after - clock.now())
            vnm.cooperation.take(by, request_id, step)  # type: ignore[arg-type]

    def s(name: str, **kwargs: object) -> StepInput:
        return StepInput(transition=name, **kwargs)  # type: ignore[arg-type]

    steps(
        made("mla-stored-data", timedelta(0)),
        (DAY, s("acknowledge")),
        (2 * DAY, s("accept")),
        (6 * DAY, s("complete")),
    )
    steps(
        made("mla-stored-data", 2 * HOUR),
        (HOUR, s("acknowledge")),
        (DAY, s("consult", reasons="About essential interests.")),
        (3 * DAY, s("refuse", grounds=("essential-interests",), reasons="Sovereignty.")),
    )
    made("mla-stored-data", 4 * HOUR)
    steps(
        made("mla-general", 6 * HOUR),
        (HOUR, s("acknowledge")),
        (2 * DAY, s("consult", reasons="An investigation of ours runs.")),
        (4 * DAY, s("postpone", reasons="Until our trial ends.")),
    )
    urgent = Urgency(level=UrgencyLevel.URGENT, reasons="The provider deletes logs weekly.")
    steps(
        made("expedited-preservation", 8 * HOUR, urgent),
        (HOUR, s("acknowledge")),
        (4 * HOUR, s("order-preservation")),
        (14 * HOUR, s("preserve", until=start + 100 * DAY)),
        by=minh,
    )
    clock.advance(start + 9 * DAY - clock.now())
    vnm.cooperation.register(
        lan,
        Registration(
            kind="mla-general",
            requesting_state="FRA",
            requesting_authority="Bureau de l'entraide pénale internationale",
            via=ChannelRecord(channel=Route.DIPLOMATIC, on=clock.now().date(), reference="NV 12"),
            contents=complete_contents(CATALOGUE.kind("mla-general")),
            scan=LetterScan(data=b"%PDF-1.4 scan of the note", title="Note verbale"),
        ),
    )
    own = vnm.cooperation.draft(
        lan,
        DraftInput(
            kind="mla-stored-data",
            requested_state="FRA",
            contents=complete_contents(CATALOGUE.kind("mla-stored-data")),
        ),
    ).request.id
    vnm.cooperation.take(lan, own, StepInput(transition="approve"))
    via = ChannelRecord(channel=Route.EMAIL, on=clock.now().date(), reference="<m1@vnm>")
    vnm.cooperation.take(lan, own, StepInput(transition="dispatch", via=via))


@pytest.fixture(scope="module")
def statistics_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Statistics]:
    """Viet Nam's node with the case book, served; the period that holds it."""
    folder = tmp_path_factory.mktemp("browser-statistics")
    now = datetime.now(UTC)
    clock = FixedClock((now - 20 * DAY).replace(microsecond=0))
    egy = build_node(folder / "egy", "EGY", None, clock)
    vnm = build_node(folder / "vnm", "VNM", None, clock)
    first = clock.now().date()
    try:
        _case_book(egy, vnm, clock)
    finally:
        egy.close()
        vnm.close()
    period = {"from": first.isoformat(), "to": (first + 12 * DAY).isoformat()}
    with serving(folder / "vnm") as server:
        yield Statistics(base_url=server.url, period=period)


def _bars(page: Page, title: str) -> list[FloatRect]:
    """The boxes of a chart's bars on screen, and of the chart itself last."""
    chart = page.locator(f'svg[role="img"]:has(title:text-is("{title}"))')
    boxes = [r.bounding_box() for r in chart.locator("rect[data-series]").all()]
    whole = chart.bounding_box()
    assert whole is not None
    assert all(box is not None for box in boxes)
    return [*(box for box in boxes if box is not None), whole]


def test_the_statistics_page_in_english_and_arabic(
    chromium: Browser, statistics_node: Statistics, screenshots: Path
) -> None:
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_page(page, statistics_node.base_url, "lan")
    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("link", name="Statistics").click()
    expect(page.locator("h1")).to_have_text("Statistics")
    page.get_by_label("First day").fill(statistics_node.period["from"])
    page.get_by_label("Last day").fill(statistics_node.period["to"])
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert f"from={statistics_node.period['from']}" in page.url

    charts = page.locator('svg[role="img"]')
    expect(charts).to_have_count(CHARTS)
    for title in ("Requests by kind", "Requests by other State", "Refusals by ground"):
        expect(page.get_by_role("img", name=title)).to_be_visible()
        expect(page.get_by_role("table", name=title)).to_be_visible()
    by_state = page.get_by_role("table", name="Requests by other State")
    expect(by_state.get_by_role("rowheader", name="Egypt EGY")).to_be_visible()
    expect(by_state.get_by_role("rowheader", name="France FRA")).to_be_visible()
    egypt = by_state.get_by_role("row").filter(has_text="Egypt").get_by_role("cell")
    expect(egypt).to_have_text(["0", "5"])
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    # the bars grow from the left edge of their chart
    *bars, whole = _bars(page, "Requests by other State")
    assert bars
    assert all(abs(bar["x"] - whole["x"]) < 12 for bar in bars)
    # the chart sits beside its table on a wide screen
    table_box = by_state.bounding_box()
    assert table_box is not None
    assert table_box["x"] > whole["x"] + whole["width"] - 1
    check_accessible(page)
    page.screenshot(path=screenshots / "statistics-en.png", full_page=True)

    page.locator("#language-select").select_option("ar")
    page.locator("form.language button").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("الإحصاءات")
    expect(page.locator('svg[role="img"]')).to_have_count(CHARTS)
    expect(page.get_by_role("img", name="الطلبات حسب الدولة الأخرى")).to_be_visible()
    expect(page.get_by_role("table", name="الطلبات حسب الدولة الأخرى")).to_be_visible()
    # right to left: the bars grow from the right edge, the table is on the chart's left
    *bars, whole = _bars(page, "الطلبات حسب الدولة الأخرى")
    assert bars
    right = whole["x"] + whole["width"]
    assert all(abs(bar["x"] + bar["width"] - right) < 12 for bar in bars)
    table_box = page.get_by_role("table", name="الطلبات حسب الدولة الأخرى").bounding_box()
    assert table_box is not None
    assert table_box["x"] + table_box["width"] < whole["x"] + 1
    check_accessible(page)
    page.screenshot(path=screenshots / "statistics-ar.png", full_page=True)

    narrow = chromium.new_context(locale="ar", viewport={"width": 390, "height": 844})
    small = narrow.new_page()
    sign_in_page(small, statistics_node.base_url, "lan")
    period = "&".join(f"{k}={v}" for k, v in statistics_node.period.items())
    small.goto(f"{statistics_node.base_url}/ui/statistics?{period}")
    expect(small.locator('svg[role="img"]')).to_have_count(CHARTS)
    small.screenshot(path=screenshots / "statistics-ar-narrow.png", full_page=True)
    wider = small.evaluate(
        """[...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().left < -1
                       || e.getBoundingClientRect().right > innerWidth + 1)
             .filter(e => !e.closest('.table-scroll'))
             .map(e => e.tagName + '.' + (e.getAttribute('class') || ''))"""
    )
    assert wider == [], "the page scrolls sideways on a phone"
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    check_accessible(small)
    narrow.close()
    context.close()
