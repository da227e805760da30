"""Signing in to a node's UI in functional tests: a TestClient on loopback HTTP (so the
session cookie is not Secure), the CSRF token read from a page, the login form posted; and
in browser tests, the login form filled in a real page (:func:`sign_in_page`).

The clients of one node share one app (``app_of``), as a node's users share the one app it
serves: FastAPI prepares an app's routes at its first request (about 55 ms of CPU), which
tests that sign in four users paid four times. Each client keeps its own cookies."""

from __future__ import annotations

import re
import weakref
from typing import TYPE_CHECKING

from fastapi import FastAPI
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


_APPS: dict[int, weakref.ref[FastAPI]] = {}


def app_of(node: Node) -> FastAPI:
    """``node``'s app without background threads (``create_app(node, background=False)``),
    the same one while any client still holds it. Only a weak reference is kept here: the
    app holds its node, and a test's node must go (its engine, its connections) with the
    test's clients."""
    held = _APPS.get(id(node))
    app = held() if held is not None else None
    if app is None or app.state.node is not node:
        app = create_app(node, background=False)
        _APPS[id(node)] = weakref.ref(app)
    return app


def signed_in(node: Node, name: str, *, enter: bool = True) -> TestClient:
    """A client of ``node``'s app (``app_of``) signed in as ``name`` (password
    :data:`PASSWORD`); entered (the app's start-up run) unless ``enter`` is false, for a
    ``with`` block."""
    client = TestClient(
        app_of(node),
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
