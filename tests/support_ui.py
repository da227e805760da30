"""Signing in to a node's UI in functional tests: a TestClient on loopback HTTP (so the
session cookie is not Secure), the CSRF token read from a page, the login form posted."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from hanoi.web.app import create_app
from hanoi.wiring import Node

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
