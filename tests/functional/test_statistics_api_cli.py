"""``GET /api/v1/statistics`` and ``hanoi stats`` on SQLite and PostgreSQL: the same
figures over HTTP and at a terminal (JSON, CSV, a table), for the roles that may read them,
and every kind of bad input refused with problem+json or one line and a non-zero exit."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conftest import run_hanoi
from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.statistics.figures import parse_figures
from support_databases import templates as database_templates
from support_nodes import T0, build_node
from support_requests_api import PROBLEM, Desk, desk_with, new_draft

DAY = T0.date().isoformat()  # 2026-03-02
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture(params=["sqlite", "postgresql"])
def egy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Desk, dict[str, str]]]:
    clock = FixedClock(T0)
    users = {"amira": Role.OFFICER, "samir": Role.SUPERVISOR, "nour": Role.AUDITOR}
    if request.param == "sqlite":
        desk = desk_with(build_node(tmp_path / "egy", "EGY", None, clock), users)
        with desk.client:
            yield desk, {}
        desk.node.close()
        return
    request.getfixturevalue("postgres_url")
    with database_templates().clones() as databases:
        url = databases.postgres()
        desk = desk_with(build_node(tmp_path / "egy", "EGY", url, clock), users)
        with desk.client:
            yield desk, {"HANOI_DATABASE_URL": url}
        desk.node.close()


def _dispatched(egy: Desk) -> str:
    request_id: str = new_draft(egy)["id"]
    assert egy.post("amira", f"/api/v1/requests/{request_id}/assignments", {"user": "samir"})
    assert egy.post("samir", f"/api/v1/requests/{request_id}/approve").status_code == 200
    via = {"channel": "diplomatic", "on": DAY, "reference": "Note 14/2026"}
    sent = egy.post(
        "amira", f"/api/v1/requests/{request_id}/steps", {"step": "dispatch", "via": via}
    )
    assert sent.status_code == 200, sent.text
    return request_id


def test_the_api_and_the_cli_give_the_same_figures(
    egy: tuple[Desk, dict[str, str]],
) -> None:
    desk, env = egy
    _dispatched(desk)
    new_draft(desk)  # never sent: counted nowhere
    answer = desk.get("samir", "/api/v1/statistics", **MARCH)
    assert answer.status_code == 200, answer.text
    document = answer.json()
    figures = parse_figures(document)
    assert figures.state == "EGY"
    assert (figures.period_from, figures.period_to) == (date(2026, 3, 1), date(2026, 3, 31))
    assert figures.outgoing.total == 1
    assert figures.outgoing.by_channel == {"diplomatic": 1}
    assert figures.outgoing.by_state == {"VNM": 1}
    assert figures.incoming.total == 0
    assert desk.get("nour", "/api/v1/statistics", **MARCH).json() == document
    filtered = desk.get("nour", "/api/v1/statistics", **MARCH, kind="mla-general", state="VNM")
    assert filtered.status_code == 200
    assert filtered.json()["outgoing"]["total"] == 0

    node = str(desk.node.settings.node_dir)
    folder = ["--dir", node, "--from", MARCH["from"], "--to", MARCH["to"]]
    printed = run_hanoi("stats", *folder, "--json", env=env)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == document
    table = run_hanoi("stats", *folder, env=env)
    assert table.returncode == 0, table.stderr
    assert "outgoing requests: 1" in table.stdout
    assert "diplomatic" in table.stdout
    rows = list(csv.reader(io.StringIO(run_hanoi("stats", *folder, "--csv", env=env).stdout)))
    assert rows[0] == ["section", "direction", "dimension", "key", "value"]
    assert ["requests", "outgoing", "total", "", "1"] in rows
    assert ["requests", "outgoing", "channel", "diplomatic", "1"] in rows
    assert ["report", "", "state", "", "EGY"] in rows
    assert all(len(row) == 5 for row in rows)


def test_only_those_who_oversee_read_the_figures(egy: tuple[Desk, dict[str, str]]) -> None:
    desk, _ = egy
    refused = desk.get("amira", "/api/v1/statistics", **MARCH)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert desk.client.get("/api/v1/statistics", params=MARCH).status_code == 401


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"to": "2026-03-31"}, "from"),
        ({"from": "2026-03-01"}, "to"),
        ({"from": "1 March 2026", "to": "2026-03-31"}, "from"),
        ({"from": "2026-02-30", "to": "2026-03-31"}, "from"),
        ({**MARCH, "kind": "mla-of-everything"}, "kind"),
        ({**MARCH, "state": "XXX"}, "state"),
        ({**MARCH, "state": "egypt"}, "state"),
        ({**MARCH, "state": "EGY"}, "state"),  # the node's own State is no counterpart
    ],
)
def test_bad_input_is_a_problem_naming_the_parameter(
    egy: tuple[Desk, dict[str, str]], params: dict[str, str], pointer: str
) -> None:
    desk, _ = egy
    answer = desk.get("samir", "/api/v1/statistics", **params)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    problem = answer.json()
    assert pointer in json.dumps(problem.get("errors", problem))


def test_a_reversed_or_too_long_period_is_refused(egy: tuple[Desk, dict[str, str]]) -> None:
    desk, env = egy
    for params in ({"from": "2026-03-31", "to": "2026-03-01"},
                   {"from": "2000-01-01", "to": "2026-03-01"}):  # fmt: skip
        answer = desk.get("samir", "/api/v1/statistics", **params)
        assert answer.status_code == 400
        assert answer.headers["content-type"].startswith(PROBLEM)
    folder = ["--dir", str(desk.node.settings.node_dir)]
    for args in (
        ["--from", "2026-03-31", "--to", "2026-03-01"],
        ["--from", "2026-03-01"],
        ["--from", "2026-03-01", "--to", "2026-03-31", "--kind", "nothing"],
        ["--from", "2026-03-01", "--to", "2026-03-31", "--json", "--csv"],
    ):
        result = run_hanoi("stats", *folder, *args, env=env)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("hanoi: invalid input:")
