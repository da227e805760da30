"""Evidence in the officers' UI over HTTP, for the functional tests: a node of Egypt with
a draft request and a signed-in client per user (the ``desk`` fixture, imported by name
where it is used), tus uploads through /ui/uploads, the form that records an item, and,
between two nodes, the send form and the package a page links to (the ``federated``
fixture itself is in functional/conftest.py)."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.convention import default_catalogue
from hanoi.cooperation.service import DraftInput
from hanoi.wiring import Node
from support_nodes import T0, build_node
from support_transfers import Pair
from support_ui import PASSWORD, csrf, signed_in
from unit.cooperation.builders import complete_contents

KIND = "mla-stored-data"
TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass
class Desk:
    node: Node
    request_id: str
    clients: dict[str, TestClient]

    def __getitem__(self, name: str) -> TestClient:
        return self.clients[name]


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    """A node of Egypt with a draft MLA request of amira's (samir on the case too); karim
    is an officer outside the case, audrey an auditor."""
    node = build_node(tmp_path / "egy", "EGY", None, FixedClock(T0))
    users = {
        "amira": Role.OFFICER,
        "samir": Role.SUPERVISOR,
        "karim": Role.OFFICER,
        "audrey": Role.AUDITOR,
    }
    for name, role in users.items():
        node.accounts.add_user(name=name, role=role, password=PASSWORD)
    contents = complete_contents(default_catalogue().kind(KIND))
    view = node.cooperation.draft(
        node.accounts.named("amira"),
        DraftInput(kind=KIND, requested_state="VNM", contents=contents),
    )
    node.cooperation.assign(node.accounts.named("amira"), view.request.id, "samir")
    clients = {name: signed_in(node, name) for name in users}
    yield Desk(node=node, request_id=view.request.id, clients=clients)
    for client in clients.values():
        client.__exit__(None, None, None)
    node.engine.dispose()


def create(client: TestClient, length: int, token: str, name: str = "mailbox.mbox") -> Response:
    return client.post(
        "/ui/uploads",
        headers={
            **TUS,
            "Upload-Length": str(length),
            "Upload-Metadata": f"filename {b64(name)},filetype {b64('application/mbox')}",
            "X-CSRF-Token": token,
        },
    )


def patch(client: TestClient, location: str, offset: int, body: bytes, token: str) -> Response:
    return client.patch(
        location,
        content=body,
        headers={
            **TUS,
            "Content-Type": OCTETS,
            "Upload-Offset": str(offset),
            "X-CSRF-Token": token,
        },
    )


def uploaded(client: TestClient, data: bytes, name: str = "mailbox.mbox") -> str:
    """A complete upload through /ui/uploads; its id."""
    token = csrf(client)
    created = create(client, len(data), token, name)
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    assert patch(client, location, 0, data, token).status_code == 204
    return location.rsplit("/", 1)[1]


FORM = {
    "description": "Mailbox of the suspect, January 2026",
    "source_kind": "provider",
    "source": "Example Mail Ltd",
    "method": "production order of 2 March 2026",
    "acquired_at": "2026-03-01T10:30",
    "article": "Art. 44(1)",
}


def record(client: TestClient, request_id: str, **fields: str) -> Response:
    token = csrf(client, f"/ui/requests/{request_id}/evidence")
    return client.post(
        f"/ui/requests/{request_id}/evidence", data={"csrf_token": token, **FORM, **fields}
    )


# --- sending a package between two nodes ------------------------------------------------------


@dataclass
class Federated:
    """The ``federated`` fixture's value (functional/conftest.py)."""

    pair: Pair
    request_id: str
    hoa: TestClient  # VNM supervisor: executes the request, sends the evidence
    nour: TestClient  # EGY supervisor on the case: receives it
    karim: TestClient  # EGY officer outside the case


def send_package(client: TestClient, request_id: str, items: list[str]) -> Response:
    """The request's send form, posted with the ``items`` ticked."""
    token = csrf(client, f"/ui/requests/{request_id}/evidence")
    return client.post(
        f"/ui/requests/{request_id}/evidence/packages",
        data={"csrf_token": token, "items": items, "next": f"/ui/requests/{request_id}"},
    )


def linked_package_id(page: str) -> str:
    """The id of the (first) package the page links to."""
    found = re.search(r'href="/ui/packages/([0-9a-f]{32})"', page)
    assert found is not None
    return found.group(1)
