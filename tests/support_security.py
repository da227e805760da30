"""A node with one case and users of every role on and off it, for the security tests.

Each role has two users: ``<role>-on`` is assigned to the case, ``<role>-off`` is not.
The case is a draft MLA request by ``officer-on``, with one evidence item; each user who
may upload has one completed upload of their own, kept for the tests to attach or record.
The provider directory holds two enabled entries (mutual TLS).
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from hanoi.accounts.model import Action, Role, User
from hanoi.clock import FixedClock
from hanoi.convention import default_catalogue
from hanoi.cooperation.service import DraftInput
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.federation.ports import PackageRow
from hanoi.providers.hi1.orders import OrderKind
from hanoi.providers.orders import OrderStatus, ProviderOrder
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.provider_orders_repo import ProviderOrdersRepository
from hanoi.storage.transfers_repo import TransfersRepository
from hanoi.web.app import create_app
from hanoi.wiring import Node
from support_nodes import T0, build_node
from support_providers import make_pki
from unit.cooperation.builders import complete_contents

TUS = {"Tus-Resumable": "1.0.0"}
ROLES = tuple(Role)


def user_name(role: Role, on_case: bool) -> str:
    return f"{role.value}-{'on' if on_case else 'off'}"


@dataclass
class World:
    node: Node
    client: TestClient
    users: dict[str, User]
    tokens: dict[str, str]
    request_id: str
    item: EvidenceItem
    uploads: dict[str, str] = field(default_factory=dict)
    """A completed upload of each user who may upload: name to upload id."""
    package_id: str = ""
    """An evidence package of the case (offered by VNM, not fetched)."""
    provider_id: str = ""
    """An enabled entry of the provider directory."""
    order_id: str = ""
    """An order of the case to that provider (kept as sent, the provider never asked)."""
    spare_provider_id: str = ""
    """Another entry, for the routes that disable and enable one."""

    def headers(self, name: str | None) -> dict[str, str]:
        return {} if name is None else {"Authorization": f"Bearer {self.tokens[name]}"}

    def call(self, method: str, path: str, name: str | None, body: Any = None) -> Any:
        return self.client.request(method, path, json=body, headers=self.headers(name))

    def upload(self, name: str, data: bytes, *, sha256: bool = True) -> str:
        """A completed tus upload of ``data`` by ``name``; its id."""
        headers = {**TUS, **self.headers(name), "Upload-Length": str(len(data))}
        if sha256:
            import base64

            digest = hashlib.sha256(data).hexdigest().encode()
            headers["Upload-Metadata"] = "sha256 " + base64.b64encode(digest).decode()
        created = self.client.post("/api/v1/uploads", headers=headers)
        assert created.status_code == 201, created.text
        location = created.headers["Location"]
        patched = self.client.patch(
            location,
            content=data,
            headers={
                **TUS,
                **self.headers(name),
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        assert patched.status_code == 204, patched.text
        return str(location.rsplit("/", 1)[1])


def acquisition(request_id: str, officer: str, **changes: Any) -> Acquisition:
    values: dict[str, Any] = {
        "original_name": "mailbox.mbox",
        "media_type": "application/mbox",
        "source_kind": SourceKind.PROVIDER,
        "source": "Example Mail Ltd",
        "method": "production order",
        "acquired_at": T0,
        "officer": officer,
        "request_ref": request_id,
        "article": "Art. 44",
        **changes,
    }
    return Acquisition(**values)


@contextmanager
def world(folder: Path, database_url: str | None) -> Iterator[World]:
    """The node of EGY on ``database_url`` (SQLite in ``folder`` if None), served in process."""
    node = build_node(folder / "egy", "EGY", database_url, FixedClock(T0))
    users: dict[str, User] = {}
    tokens: dict[str, str] = {}
    for role in ROLES:
        for on_case in (True, False):
            created = node.accounts.add_user(
                name=user_name(role, on_case), role=role, with_token=True
            )
            assert created.token is not None
            users[created.user.name] = created.user
            tokens[created.user.name] = created.token
    author = users["officer-on"]
    kind = default_catalogue().kind("mla-stored-data")
    view = node.cooperation.draft(
        author,
        DraftInput(kind=kind.key, requested_state="VNM", contents=complete_contents(kind)),
    )
    request_id = view.request.id
    for role in ROLES:
        name = user_name(role, True)
        if name != author.name:
            node.cooperation.assign(author, request_id, name)
    item = node.evidence.ingest(
        author, io.BytesIO(os.urandom(4096)), acquisition(request_id, author.name)
    ).item
    package_id = "c" * 32
    TransfersRepository(node.engine).add(
        PackageRow(id=package_id, request_id=request_id, direction="incoming", peer="VNM",
                   sha256="d" * 64, size=1000, status="offered", received=0, error=None,
                   created_at=T0, updated_at=T0)
    )  # fmt: skip
    pki = make_pki()
    for provider_id in ("vnm-telecom", "vnm-spare"):
        node.providers.create(
            users["administrator-on"], provider_id, pki.fields(unique_identifier=provider_id)
        )
    order_id = "e" * 32
    ProviderOrdersRepository(node.engine, CustodyRepository(node.engine)).add(
        ProviderOrder(id=order_id, request_id=request_id, provider_id="vnm-telecom",
                      kind=OrderKind.DISCLOSURE, status=OrderStatus.AWAITING,
                      officer=author.name, issued_at=T0, domestic_reference="PO-1",
                      legal_basis="Production order PO-1", order_sha256="f" * 64,
                      transaction_id=str(uuid.UUID(int=1)), task_id=str(uuid.UUID(int=2)),
                      authorisation_id=str(uuid.UUID(int=3)), document_id=str(uuid.UUID(int=4)),
                      task_reference=None),
        [],
    )  # fmt: skip
    client = TestClient(create_app(node, background=False))
    built = World(
        node, client, users, tokens, request_id, item, package_id=package_id,
        provider_id="vnm-telecom", spare_provider_id="vnm-spare", order_id=order_id,
    )  # fmt: skip
    with client:
        for name, user in users.items():
            if user.may(Action.UPLOAD_EVIDENCE):
                built.uploads[name] = built.upload(name, os.urandom(1024) + name.encode())
        yield built
    node.engine.dispose()
