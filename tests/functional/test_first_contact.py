"""A node's first contact with a person: its address in a browser, and the tab's icon.

``GET /`` sends a browser (one that names ``text/html``) to the UI, which speaks its
language; API clients keep the JSON they always had. ``/favicon.ico`` is not a 404.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hanoi.settings import load_settings
from hanoi.web.app import create_app, prefers_html
from hanoi.wiring import Node, open_node

LOOPBACK = "http://127.0.0.1"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROMIUM = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)


@pytest.fixture(scope="module")
def node(node_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    copy = tmp_path_factory.mktemp("first-contact") / "node"
    shutil.copytree(node_dir, copy)
    opened = open_node(load_settings(copy))
    yield opened
    opened.engine.dispose()


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    with TestClient(
        create_app(node, background=False),
        base_url=LOOPBACK,
        raise_server_exceptions=False,
        follow_redirects=False,
    ) as test_client:
        yield test_client


def _root_json(node: Node) -> dict[str, object]:
    return {
        "node": node.identity.as_json(),
        "api": "/api/v1",
        "openapi": "/api/v1/openapi.json",
        "docs": "/api/v1/docs",
    }


@pytest.mark.parametrize("accept", [FIREFOX, CHROMIUM, "text/html"])
def test_a_browser_at_the_root_is_sent_to_the_ui_in_its_language(
    client: TestClient, accept: str
) -> None:
    response = client.get("/", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/"
    assert "accept" in response.headers["vary"].lower()
    page = client.get(
        "/", headers={"Accept": accept, "Accept-Language": "fr-CH, fr;q=0.9"}, follow_redirects=True
    )
    assert page.status_code == 200
    assert page.url.path == "/ui/login"
    assert '<html lang="fr"' in page.text


@pytest.mark.parametrize(
    "accept",
    ["application/json", "*/*", "application/json, text/html;q=0.5", "text/html;q=0, */*"],
)
def test_api_clients_at_the_root_keep_the_json(client: TestClient, node: Node, accept: str) -> None:
    response = client.get("/", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == _root_json(node)


def test_a_client_that_sends_no_accept_keeps_the_json(client: TestClient, node: Node) -> None:
    del client.headers["accept"]  # httpx sends */* unless told not to
    response = client.get("/")
    assert "accept" not in {name.lower() for name in response.request.headers}
    assert response.status_code == 200
    assert response.json() == _root_json(node)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, False),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("text/*", False),
        ("TEXT/HTML", True),
        ("text/html;level=1;q=0.4, application/json;q=0.3", True),
        ("text/html, application/json", False),
        ("text/html;q=nonsense", False),
        (FIREFOX, True),
    ],
)
def test_what_counts_as_a_browser(accept: str | None, expected: bool) -> None:
    assert prefers_html(accept) is expected


def test_the_favicon_is_served_and_linked_from_every_page(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code != 404
    assert icon.headers["location"] == "/ui/static/favicon.svg"
    svg = client.get("/favicon.ico", follow_redirects=True)
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert ET.fromstring(svg.content).tag == "{http://www.w3.org/2000/svg}svg"
    login = client.get("/ui/login")
    assert '<link rel="icon" href="/ui/static/favicon.svg" type="image/svg+xml">' in login.text
    assert "img-src 'self'" in login.headers["content-security-policy"]
