"""Signing in to a node's UI in functional tests: a TestClient on loopback HTTP (so the
session cookie is not Secure), the CSRF token read from a page, the login form posted; and
in browser tests, the login form filled in a real page (:func:`sign_in_page`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from hanoi.web.app import create_app
from hanoi.wiring import Node

if TYPE_CHECKING:
    from playwright.sync_api import Page

LOOPBACK = "http://127.0.0.1"
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: TestClient, path: str = "/ui/") -> str:
    """The session's CSRF token, from the form fields of ``path``."""
    found = CSRF.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def signed_in(node: Node, name: str, *, enter: bool = True) -> TestClient:
    """A client of ``node``'s app signed in as ``name`` (password :data:`PASSWORD`);
    entered (the app's start-up run) unless ``enter`` is false, for a ``with`` block."""
    client = TestClient(
        create_app(node, background=False),
        base_url=LOOPBACK,
        raise_server_exceptions=False,
        follow_redirects=False,
    )
    if enter:
        client.__enter__()
    answer = client.post(
        "/ui/login",
        data={"csrf_token": csrf(client, "/ui/login"), "name": name, "password": PASSWORD},
    )
    assert answer.status_code == 303, answer.text
    return client


def sign_in_page(page: Page, base_url: str, name: str) -> None:
    """Sign in as ``name`` (password :data:`PASSWORD`) in a browser page, by the form's
    field ids (the form may be in any language); back on the home page."""
    page.goto(f"{base_url}/ui/login")
    page.locator("#field-name").fill(name)
    page.locator("#field-password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base_url}/ui/")
