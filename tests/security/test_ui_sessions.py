"""Finding 7 (logout): a UI session lived in its signed cookie alone, so a cookie copied
before logout kept working for 8 hours. Sessions are now rows in the database: logout,
"sign out everywhere" and expiry end them on the server, whatever cookie is replayed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from conftest import run_hanoi
from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.settings import load_settings
from hanoi.storage.tables import ui_sessions
from hanoi.web.app import create_app
from hanoi.wiring import Node, open_node
from support_ui import LOOPBACK, PASSWORD, csrf, signed_in

COOKIE = "hanoi_ui_session"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def node(node_dir: Path, tmp_path: Path, clock: FixedClock) -> Iterator[Node]:
    copy = tmp_path / "node"
    shutil.copytree(node_dir, copy)
    opened = open_node(load_settings(copy), clock=clock)
    opened.accounts.add_user(name="amira.hassan", role=Role.OFFICER, password=PASSWORD)
    opened.accounts.add_user(name="duc.nguyen", role=Role.SUPERVISOR, password=PASSWORD)
    yield opened
    opened.engine.dispose()


def _replay(client: TestClient, cookie: str) -> int:
    """GET the home page with exactly this session cookie; the status code."""
    client.cookies.clear()
    client.cookies.set(COOKIE, cookie, domain="127.0.0.1", path="/ui")
    return client.get("/ui/").status_code


def test_a_cookie_copied_before_logout_is_signed_out(node: Node) -> None:
    client = signed_in(node, "amira.hassan")
    stolen = client.cookies[COOKIE]
    assert client.get("/ui/").status_code == 200
    out = client.post("/ui/logout", data={"csrf_token": csrf(client)})
    assert out.headers["location"] == "/ui/login?signed_out=true"
    replayed = _replay(client, stolen)
    assert replayed == 303  # to the login page, as if never signed in
    assert client.get("/ui/").headers["location"] == "/ui/login"
    client.__exit__(None, None, None)


def test_sign_out_everywhere_ends_every_session_of_the_user(node: Node) -> None:
    office = signed_in(node, "amira.hassan")
    laptop = signed_in(node, "amira.hassan")
    colleague = signed_in(node, "duc.nguyen")
    laptop_cookie = laptop.cookies[COOKIE]
    home = office.get("/ui/")
    assert 'action="/ui/sign-out-everywhere"' in home.text
    out = office.post("/ui/sign-out-everywhere", data={"csrf_token": csrf(office)})
    assert out.status_code == 303
    assert out.headers["location"] == "/ui/login?signed_out=true"
    assert office.get("/ui/").status_code == 303
    assert laptop.get("/ui/").status_code == 303
    assert _replay(laptop, laptop_cookie) == 303
    assert colleague.get("/ui/").status_code == 200  # another user's session is untouched
    for client in (office, laptop, colleague):
        client.__exit__(None, None, None)


def test_sign_out_everywhere_needs_the_csrf_token(node: Node) -> None:
    client = signed_in(node, "amira.hassan")
    assert client.post("/ui/sign-out-everywhere", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/ui/").status_code == 200
    client.__exit__(None, None, None)


def test_the_cli_signs_a_user_out_everywhere(node: Node) -> None:
    first = signed_in(node, "amira.hassan")
    second = signed_in(node, "amira.hassan")
    colleague = signed_in(node, "duc.nguyen")
    result = run_hanoi("user", "sign-out", "amira.hassan", "--dir", str(node.settings.node_dir))
    assert result.returncode == 0, result.stderr
    assert '"sessions_ended": 2' in result.stdout
    assert first.get("/ui/").status_code == 303
    assert second.get("/ui/").status_code == 303
    assert colleague.get("/ui/").status_code == 200
    unknown = run_hanoi("user", "sign-out", "nobody", "--dir", str(node.settings.node_dir))
    assert unknown.returncode == 3
    for client in (first, second, colleague):
        client.__exit__(None, None, None)


def test_an_expired_session_row_is_refused(node: Node, clock: FixedClock) -> None:
    client = signed_in(node, "amira.hassan")
    with node.engine.connect() as connection:
        expires_at = connection.execute(select(ui_sessions.c.expires_at)).scalar_one()
    now = datetime.now(UTC)
    assert now + timedelta(hours=7, minutes=59) < expires_at <= now + timedelta(hours=8)
    # Sessions live in the browser's time: a test's jump of the node's clock leaves them be.
    clock.advance(timedelta(days=30))
    assert client.get("/ui/").status_code == 200
    with node.engine.begin() as connection:
        connection.execute(update(ui_sessions).values(expires_at=now - timedelta(seconds=1)))
    assert client.get("/ui/").headers["location"] == "/ui/login"
    with node.engine.connect() as connection:
        assert connection.execute(select(ui_sessions.c.id)).first() is None  # and it is gone
    client.__exit__(None, None, None)


def test_the_cookie_from_before_sign_in_stays_signed_out(node: Node) -> None:
    """Session fixation: sign-in starts a new session; the one planted before stays empty."""
    with TestClient(
        create_app(node, background=False), base_url=LOOPBACK, follow_redirects=False
    ) as client:
        token = csrf(client, "/ui/login")
        planted = client.cookies[COOKIE]
        answer = client.post(
            "/ui/login", data={"csrf_token": token, "name": "amira.hassan", "password": PASSWORD}
        )
        assert answer.status_code == 303
        assert client.cookies[COOKIE] != planted
        assert client.get("/ui/").status_code == 200
        assert _replay(client, planted) == 303


def test_one_logout_ends_one_session(node: Node) -> None:
    first = signed_in(node, "amira.hassan")
    second = signed_in(node, "amira.hassan")
    first.post("/ui/logout", data={"csrf_token": csrf(first)})
    assert first.get("/ui/").status_code == 303
    assert second.get("/ui/").status_code == 200
    for each in (first, second):
        each.__exit__(None, None, None)
