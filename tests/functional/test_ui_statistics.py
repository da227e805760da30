"""The statistics page over HTTP, on two nodes with real requests: Egypt sends two MLA
requests to Viet Nam, which refuses one on the ground of essential interests
(Art. 40(21)(b), after consulting: Art. 40(27)) and leaves the other open. Viet Nam's
supervisors, auditors and administrators see the figures as charts and tables and download
them as CSV; an officer gets the page-not-found page; filters narrow the figures, and a
wrong filter is named beside its field."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.web.ui.statistics_filters import REVERSED
from hanoi.web.ui.treaty import BAD_DATE
from support_cooperation import deliver
from support_nodes import T0, build_node
from support_requests_ui import CATALOGUE, KIND, Desk, desk_with
from support_ui import csrf
from unit.cooperation.builders import complete_contents

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
YEAR_TO_DATE = {"from": "2026-01-01", "to": T0.date().isoformat()}


@pytest.fixture(scope="module")
def desks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Desk, Desk]]:
    folder = tmp_path_factory.mktemp("ui-statistics")
    clock = FixedClock(T0)
    egy = desk_with(
        build_node(folder / "egy", "EGY", None, clock),
        {"amira": Role.OFFICER, "samir": Role.SUPERVISOR},
    )
    vnm = desk_with(
        build_node(folder / "vnm", "VNM", None, clock),
        {
            "lan": Role.SUPERVISOR,
            "vera": Role.AUDITOR,
            "admin": Role.ADMINISTRATOR,
            "thao": Role.OFFICER,
            "minh": Role.POINT_OF_CONTACT,
        },
    )
    service, amira, samir = egy.node.cooperation, egy.user("amira"), egy.user("samir")
    sent = []
    for _ in range(2):
        contents = complete_contents(CATALOGUE.kind(KIND))
        view = service.draft(amira, DraftInput(kind=KIND, requested_state="VNM", contents=contents))
        request_id = view.request.id
        service.assign(amira, request_id, "samir")
        service.take(samir, request_id, StepInput(transition="approve"))
        service.take(samir, request_id, StepInput(transition="send"))
        deliver(service.held(request_id), to=vnm.node)
        sent.append(request_id)
    lan = vnm.user("lan")
    for step in (
        StepInput(transition="acknowledge"),
        StepInput(transition="consult", reasons="About essential interests."),
        StepInput(transition="refuse", grounds=("essential-interests",), reasons="Sovereignty."),
    ):
        vnm.node.cooperation.take(lan, sent[0], step)
    yield egy, vnm
    for desk in (egy, vnm):
        for client in desk.clients.values():
            client.__exit__(None, None, None)
        desk.node.close()


def charts(page: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in SVG.findall(page)]


def test_the_figures_show_as_charts_with_their_tables(desks: tuple[Desk, Desk]) -> None:
    _, vnm = desks
    page = vnm["vera"].get("/ui/statistics")
    assert page.status_code == 200, page.text
    text = page.text
    assert "<h1>Statistics</h1>" in text
    # the current calendar year to today, filled in the form
    assert 'name="from" type="date" value="2026-01-01"' in text
    assert 'name="to" type="date" value="2026-03-02"' in text
    assert "January 1, 2026 to March 2, 2026" in text
    drawn = charts(text)
    assert len(drawn) == 10  # six counts, four response times
    assert all(svg.get("role") == "img" for svg in drawn)
    for block in ("kind", "state", "channel", "urgency", "outcome", "ground"):
        assert f'id="chart-{block}-title"' in text
        assert f'<caption id="{block}-caption"' in text
    # Viet Nam received both requests from Egypt: a bar for each, and the same in the table
    by_state = text.split('<caption id="state-caption"')[1].split("</table>")[0]
    assert "Egypt" in by_state
    assert '<bdi class="code">EGY</bdi>' in by_state
    assert re.search(r'<td class="number">0</td>\s*<td class="number">2</td>', by_state)
    state_chart = next(svg for svg in drawn if svg.get("aria-labelledby") == "chart-state-title")
    values = [r.get("data-value") for r in state_chart.iter() if r.get("data-series") == "1"]
    assert values == ["2"]
    # the refusal under its ground, with the article
    grounds = text.split('<caption id="ground-caption"')[1].split("</table>")[0]
    assert CATALOGUE.label("ground.essential-interests") in grounds
    assert "Art. 40(21)(b)" in grounds
    outcomes = text.split('<caption id="outcome-caption"')[1].split("</table>")[0]
    refused = outcomes.split("Refused</th>")[1].split("</tr>")[0]
    assert re.findall(r">(\d+)</td>", refused) == ["0", "1"]
    still_open = outcomes.split("Still open</th>")[1].split("</tr>")[0]
    assert re.findall(r">(\d+)</td>", still_open) == ["0", "1"]
    # the page keeps to the CSP: no inline style, no script
    assert " style=" not in text
    assert "<script" not in text
    assert "style-src 'self'" in page.headers["content-security-policy"]


def test_the_csv_holds_the_same_figures(desks: tuple[Desk, Desk]) -> None:
    _, vnm = desks
    page = vnm["lan"].get("/ui/statistics", params={**YEAR_TO_DATE, "state": "EGY"}).text
    link = re.search(r'href="(/ui/statistics\.csv\?[^"]+)"', page)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    assert "state=EGY" in url
    assert "from=2026-01-01" in url
    download = vnm["lan"].get(url)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    assert "statistics-VNM-2026-01-01-2026-03-02.csv" in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.text)))
    assert ["requests", "incoming", "total", "", "2"] in rows
    assert ["requests", "incoming", "state", "EGY", "2"] in rows
    assert ["refusals", "incoming", "ground", "essential-interests", "1"] in rows


def test_only_those_who_oversee_see_the_page_and_its_link(desks: tuple[Desk, Desk]) -> None:
    egy, vnm = desks
    for name in ("lan", "vera", "admin"):
        home = vnm[name].get("/ui/").text
        assert 'href="/ui/statistics"' in home, name
        assert vnm[name].get("/ui/statistics").status_code == 200, name
    for name in ("thao", "minh"):
        home = vnm[name].get("/ui/").text
        assert 'href="/ui/statistics"' not in home, name
        refused = vnm[name].get("/ui/statistics")
        assert refused.status_code == 404, name
        assert "Page not found" in refused.text
        assert "Egypt" not in refused.text.split("<main")[1]
        assert vnm[name].get("/ui/statistics.csv").status_code == 404
    assert egy["amira"].get("/ui/statistics", params={"from": "bad"}).status_code == 404
    # the service recorded the refusals, for auditors
    recorded = vnm.node.cooperation.refusals(vnm.user("vera"))
    assert {(r.user, r.action) for r in recorded} >= {("thao", "read the statistics")}
    # not signed in: to the login form, as any page
    anonymous = vnm["vera"].__class__(vnm["vera"].app, base_url="http://127.0.0.1")
    gone = anonymous.get("/ui/statistics", follow_redirects=False)
    assert gone.status_code == 303
    assert gone.headers["location"].startswith("/ui/login")


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "2026-02-30"}, "from", BAD_DATE),
        ({"to": "2 March"}, "to", BAD_DATE),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "from", REVERSED),
        ({"from": "2000-01-01", "to": "2026-03-01"}, "to", "at most ten years"),
        ({"kind": "mla-of-everything"}, "kind", "Choose a kind of request from the list."),
        ({"state": "VNM"}, "state", "Choose a State from the list."),
    ],
)
def test_a_wrong_filter_is_named_beside_its_field(
    desks: tuple[Desk, Desk], params: dict[str, str], field: str, message: str
) -> None:
    _, vnm = desks
    page = vnm["lan"].get("/ui/statistics", params=params)
    assert page.status_code == 422
    text = page.text
    assert f'id="field-{field}-error"' in text
    assert message in text
    assert f'aria-describedby="field-{field}-error"' in text
    assert 'aria-invalid="true"' in text
    assert "<svg" not in text  # no figures for a query that was not asked
    assert "statistics.csv" not in text
    for name, value in params.items():
        if name in ("from", "to"):
            assert f'value="{value}"' in text  # kept as typed
    csv_answer = vnm["lan"].get("/ui/statistics.csv", params=params)
    assert csv_answer.status_code == 422
    assert csv_answer.headers["content-type"].startswith("text/html")


def test_filters_narrow_the_figures(desks: tuple[Desk, Desk]) -> None:
    _, vnm = desks

    def incoming(**params: str) -> str:
        text = vnm["lan"].get("/ui/statistics", params={**YEAR_TO_DATE, **params}).text
        return text.split("Requests received (incoming)</dt>")[1].split("</dd>")[0]

    assert incoming().strip().endswith("2")
    assert incoming(state="EGY").strip().endswith("2")
    assert incoming(state="FRA").strip().endswith("0")
    assert incoming(kind=KIND).strip().endswith("2")
    assert incoming(kind="expedited-preservation").strip().endswith("0")
    assert incoming(**{"from": "2025-01-01", "to": "2025-12-31"}).strip().endswith("0")
    empty = vnm["lan"].get("/ui/statistics", params={"state": "FRA"}).text
    assert "No requests in this period." in empty
    assert '<option value="FRA" selected>' in empty


def test_the_page_in_arabic_runs_right_to_left(desks: tuple[Desk, Desk]) -> None:
    _, vnm = desks
    client = vnm["admin"]
    chosen = client.post(
        "/ui/language",
        data={"csrf_token": csrf(client), "language": "ar", "next": "/ui/statistics"},
    )
    assert chosen.status_code == 303
    try:
        text = client.get("/ui/statistics").text
        assert 'dir="rtl"' in text
        assert "<h1>الإحصاءات</h1>" in text
        drawn = charts(text)
        assert drawn
        assert {svg.get("direction") for svg in drawn} == {"rtl"}
        assert "مصر" in text  # Egypt, by its UN name in Arabic
        assert "المادة 40(21)(ب)" in text
    finally:
        client.post(
            "/ui/language",
            data={"csrf_token": csrf(client), "language": "en", "next": "/ui/"},
        )
