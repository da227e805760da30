"""The cooperation API over HTTP, for the functional tests: a node's app with a bearer token
per user (a ``Desk``), a draft posted with complete contents, a completed tus upload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from hanoi.accounts.model import Role
from hanoi.convention import default_catalogue
from hanoi.web.app import create_app
from hanoi.wiring import Node
from unit.cooperation.builders import complete_contents

CATALOGUE = default_catalogue()
PROBLEM = "application/problem+json"


@dataclass
class Desk:
    node: Node
    client: TestClient
    tokens: dict[str, str]

    def as_(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def post(self, user: str, path: str, body: Any = None) -> Any:
        return self.client.post(path, json=body, headers=self.as_(user))

    def get(self, user: str, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.as_(user))


def desk_with(node: Node, users: dict[str, Role]) -> Desk:
    """``node``'s app (not entered: use its client in a ``with`` block) and a token for
    each of ``users``, added with their roles."""
    tokens = {}
    for name, role in users.items():
        created = node.accounts.add_user(name=name, role=role, with_token=True)
        assert created.token is not None
        tokens[name] = created.token
    return Desk(node=node, client=TestClient(create_app(node, background=False)), tokens=tokens)


def uploaded(desk: Desk, user: str, data: bytes) -> str:
    """A completed tus upload of ``data`` by ``user``; its id."""
    tus = {"Tus-Resumable": "1.0.0", **desk.as_(user)}
    created = desk.client.post("/api/v1/uploads", headers={**tus, "Upload-Length": str(len(data))})
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    patched = desk.client.patch(
        location,
        content=data,
        headers={**tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert patched.status_code == 204, patched.text
    return location.rsplit("/", 1)[1]


def new_draft(egy: Desk, kind: str = "mla-stored-data", contents: Any = None) -> dict[str, Any]:
    """amira's draft to Viet Nam, with a use limitation; complete unless ``contents`` is given.
    The request as the API returned it."""
    body = {
        "kind": kind,
        "requested_state": "VNM",
        "contents": complete_contents(CATALOGUE.kind(kind)) if contents is None else contents,
        "conditions": [
            {"key": "use-limitation", "terms": "only for case 17/2026", "imposed_by": "requesting"}
        ],
    }
    response = egy.post("amira", "/api/v1/requests", body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created
