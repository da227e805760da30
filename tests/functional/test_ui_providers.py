"""The provider directory's pages: an administrator adds, changes, disables and enables a
provider in the browser's forms (CSRF, 303 and a confirmation); a refused form comes back
with each field's problem and without the private key; the pages show certificates by
fingerprint and never the key; in Arabic they read right to left; an officer finds no such
pages and no menu entry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from fastapi.testclient import TestClient

from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.wiring import Node
from support_nodes import T0, build_node
from support_providers import issue, make_pki
from support_ui import PASSWORD, csrf, signed_in

PKI = make_pki(start=T0)
SECRET = PKI.client.key_pem.splitlines()[1]


@dataclass
class Desk:
    node: Node
    admin: TestClient
    officer: TestClient

    def get(self, path: str, client: TestClient | None = None) -> str:
        answer = (client or self.admin).get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        assert SECRET not in answer.text
        return answer.text

    def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        answer = self.admin.post(path, data={"csrf_token": csrf(self.admin), **data})
        assert SECRET not in answer.text
        return answer


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    node = build_node(tmp_path / "vnm", "VNM", None, FixedClock(T0))
    node.accounts.add_user(name="admin", role=Role.ADMINISTRATOR, password=PASSWORD)
    node.accounts.add_user(name="lan", role=Role.OFFICER, password=PASSWORD)
    admin, officer = signed_in(node, "admin"), signed_in(node, "lan")
    try:
        yield Desk(node, admin, officer)
    finally:
        admin.__exit__(None, None, None)
        officer.__exit__(None, None, None)
        node.close()


def form(**changes: str) -> dict[str, str]:
    return {
        "id": "vnm-telecom",
        "name": "Viet Nam Telecom",
        "endpoint": "https://hi1.telecom.example.vn/etsi",
        "country_code": "VN",
        "unique_identifier": "vnm-telecom-hi1",
        "client_certificate_chain": PKI.client.pem,
        "client_private_key": PKI.client.key_pem,
        "ca_bundle": PKI.server_ca.pem,
        **changes,
    }


def test_an_administrator_adds_changes_disables_and_enables_a_provider(desk: Desk) -> None:
    listing = desk.get("/ui/providers")
    assert 'href="/ui/providers/new"' in listing
    assert 'href="/ui/providers" aria-current="page"' in listing  # the menu entry
    assert "/ui/providers/new" in desk.get("/ui/providers/new")
    added = desk.post("/ui/providers", form())
    assert added.status_code == 303
    assert added.headers["location"] == "/ui/providers/vnm-telecom"
    page = desk.get("/ui/providers/vnm-telecom")
    assert "Provider added: Viet Nam Telecom." in page
    assert PKI.client.certificate.fingerprint(hashes.SHA256()).hex() in page
    assert "Kept on the node, never shown (EC P-256)." in page
    assert "Not fetched yet" in page

    edit = desk.get("/ui/providers/vnm-telecom/edit")
    assert 'value="Viet Nam Telecom"' in edit
    assert "Leave it empty to keep the current one." in edit
    changed = desk.post(
        "/ui/providers/vnm-telecom",
        {"name": "VNPT", "endpoint": "https://hi1.telecom.example.vn/etsi",
         "country_code": "VN", "unique_identifier": "vnm-telecom-hi1"},
    )  # fmt: skip
    assert changed.status_code == 303
    assert "Provider saved: VNPT." in desk.get("/ui/providers/vnm-telecom")
    desk.post("/ui/providers/vnm-telecom/disable", {})
    page = desk.get("/ui/providers/vnm-telecom")
    assert "Provider disabled: VNPT." in page
    assert "officers do not see it" in page
    desk.post("/ui/providers/vnm-telecom/enable", {})
    page = desk.get("/ui/providers/vnm-telecom")
    history = page[page.index("history-caption") :]
    assert re.findall(r"<td>(Added|Changed|Disabled|Enabled)</td>", history) == [
        "Enabled", "Disabled", "Changed", "Added"
    ]  # fmt: skip
    assert desk.node.providers.provider("vnm-telecom").name == "VNPT"


def test_a_refused_form_names_each_field_and_never_sends_the_key_back(desk: Desk) -> None:
    refused = desk.post(
        "/ui/providers",
        form(endpoint="http://hi1.telecom.example.vn/", country_code="Viet Nam",
             client_certificate_chain=issue(PKI.client_ca, "other").pem),
    )  # fmt: skip
    assert refused.status_code == 422
    text = refused.text
    assert "There is a problem" in text
    for name in ("endpoint", "country_code", "client_private_key"):
        assert f'href="#field-{name}"' in text
    assert "plain http only on a loopback address" in text
    assert 'value="Viet Nam Telecom"' in text  # what was typed comes back
    key_box = text[text.index('id="field-client_private_key"') :]
    assert key_box[: key_box.index("</textarea>")].endswith(">")  # empty
    assert desk.node.providers.providers(desk.node.accounts.named("admin")) == []
    missing = desk.post("/ui/providers", {"id": "vnm-telecom"})
    assert missing.status_code == 422
    assert missing.text.count("Fill in this field.") >= 4
    desk.post("/ui/providers", form())
    taken = desk.post("/ui/providers", form(unique_identifier="other"))
    assert taken.status_code == 409
    assert "exists already" in taken.text


def test_the_pages_read_right_to_left_in_arabic(desk: Desk) -> None:
    desk.post("/ui/providers", form())
    desk.admin.post(
        "/ui/language", data={"csrf_token": csrf(desk.admin), "language": "ar", "next": "/ui/"}
    )
    for path in ("/ui/providers", "/ui/providers/vnm-telecom", "/ui/providers/new"):
        page = desk.get(path)
        assert '<html lang="ar" dir="rtl">' in page
        assert "مقدمو الخدمات" in page
    assert '<bdi class="endpoint" dir="ltr">' in desk.get("/ui/providers")


def test_an_officer_finds_no_such_pages(desk: Desk) -> None:
    desk.post("/ui/providers", form())
    home = desk.get("/ui/", desk.officer)
    assert "/ui/providers" not in home
    for path in ("/ui/providers", "/ui/providers/new", "/ui/providers/vnm-telecom"):
        assert desk.officer.get(path).status_code == 404
    token = csrf(desk.officer)
    answer = desk.officer.post("/ui/providers/vnm-telecom/disable", data={"csrf_token": token})
    assert answer.status_code == 404
    assert desk.node.providers.provider("vnm-telecom").enabled
    forged = desk.admin.post("/ui/providers/vnm-telecom/disable", data={"csrf_token": "forged"})
    assert forged.status_code == 403
