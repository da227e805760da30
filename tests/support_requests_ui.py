"""The request pages of the officers' UI over HTTP, for the functional tests: a node with
a signed-in client per user (a ``Desk``), and a step taken with the request page's form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from hanoi.accounts.model import Role
from hanoi.convention import default_catalogue
from hanoi.wiring import Node
from support_ui import PASSWORD, csrf, signed_in

CATALOGUE = default_catalogue()
KIND = "mla-stored-data"


@dataclass
class Desk:
    node: Node
    clients: dict[str, TestClient]

    def __getitem__(self, name: str) -> TestClient:
        return self.clients[name]

    def user(self, name: str) -> Any:
        return self.node.accounts.named(name)


def desk_with(node: Node, users: dict[str, Role]) -> Desk:
    """``users`` added to ``node`` with their roles (password ``PASSWORD``), each signed in;
    the caller closes the clients (``client.__exit__``) and disposes of the engine."""
    clients = {}
    for name, role in users.items():
        node.accounts.add_user(name=name, role=role, password=PASSWORD)
        clients[name] = signed_in(node, name)
    return Desk(node=node, clients=clients)


def take_step(client: TestClient, request_id: str, step: str, **fields: Any) -> Any:
    """The request page's steps form, posted with its CSRF token."""
    token = csrf(client, f"/ui/requests/{request_id}")
    return client.post(
        f"/ui/requests/{request_id}/steps", data={"csrf_token": token, "step": step, **fields}
    )
