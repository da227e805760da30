"""Documents of a request in the officers' UI over HTTP: the draft page and the request page
list them and, while the request is this State's own, add one uploaded through /ui/uploads
(its kind, its title, a confirmation, a custody event); the limits (16 MiB, 20 documents)
and the errors beside the fields; who may add and download; the download itself; and the
API's request JSON with the document kind (issue 15, point 7)."""

from __future__ import annotations

import base64
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from hanoi.accounts.model import Role, User
from hanoi.clock import FixedClock
from hanoi.convention import default_catalogue
from hanoi.cooperation.documents import MAX_DOCUMENT_BYTES, MAX_DOCUMENTS
from hanoi.cooperation.model import Attachment, DocumentKind
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.custody.events import CustodyAction
from hanoi.web.app import create_app
from hanoi.wiring import Node
from support_cooperation import deliver
from support_documents import TUS, b64, sha256, uploaded
from support_nodes import T0, build_node
from support_ui import LOOPBACK, PASSWORD, csrf, signed_in
from unit.cooperation.builders import complete_contents

KIND = "mla-stored-data"
WARRANT = b"%PDF-1.7\n" + b"search warrant 12/2026 " * 200


@dataclass
class Desk:
    node: Node
    request_id: str
    clients: dict[str, TestClient]

    def __getitem__(self, name: str) -> TestClient:
        return self.clients[name]

    def user(self, name: str) -> User:
        return self.node.accounts.named(name)

    @property
    def page(self) -> str:
        return f"/ui/requests/{self.request_id}"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    """Egypt's node with a draft MLA request of amira's (samir, a supervisor, and audrey, an
    auditor, on the case too); karim is an officer outside the case."""
    node = build_node(tmp_path / "egy", "EGY", None, FixedClock(T0))
    users = {
        "amira": Role.OFFICER,
        "samir": Role.SUPERVISOR,
        "karim": Role.OFFICER,
        "audrey": Role.AUDITOR,
    }
    for name, role in users.items():
        node.accounts.add_user(name=name, role=role, password=PASSWORD)
    amira = node.accounts.named("amira")
    contents = complete_contents(default_catalogue().kind(KIND))
    view = node.cooperation.draft(
        amira, DraftInput(kind=KIND, requested_state="VNM", contents=contents)
    )
    for colleague in ("samir", "audrey"):
        node.cooperation.assign(amira, view.request.id, colleague)
    clients = {name: signed_in(node, name) for name in users}
    yield Desk(node=node, request_id=view.request.id, clients=clients)
    for client in clients.values():
        client.__exit__(None, None, None)
    node.engine.dispose()


def add(client: TestClient, request_id: str, **fields: str) -> Response:
    token = csrf(client, f"/ui/requests/{request_id}")
    form = {"document_kind": "warrant", "title": "Search warrant 12/2026", "back": "edit"}
    return client.post(
        f"/ui/requests/{request_id}/documents", data={"csrf_token": token, **form, **fields}
    )


def attachments(desk: Desk) -> tuple[Attachment, ...]:
    return desk.node.cooperation.show(desk.user("amira"), desk.request_id).request.attachments


def add_by_service(desk: Desk, data: bytes, *, title: str = "Annex") -> None:
    amira = desk.user("amira")
    upload = desk.node.uploads.create(
        user=amira, length=len(data), metadata={"filetype": "text/plain"}
    )
    desk.node.uploads.append(
        user=amira, upload_id=upload.id, offset=0, body=io.BytesIO(data), checksum=None
    )
    desk.node.cooperation.add_document(
        amira,
        desk.request_id,
        upload_id=upload.id,
        kind=DocumentKind.SUPPORTING_DOCUMENT,
        title=title,
    )


# --- adding a document to a draft -----------------------------------------------------------


def test_a_draft_offers_the_documents_form_and_lists_what_is_added(desk: Desk) -> None:
    amira = desk["amira"]
    edit = amira.get(f"{desk.page}/edit")
    assert edit.status_code == 200
    assert 'id="documents-form"' in edit.text
    assert 'data-upload-key="document"' in edit.text
    assert f'data-max-size="{MAX_DOCUMENT_BYTES}"' in edit.text
    assert "No document has been added to this request." in edit.text
    assert "connect-src 'self'" in edit.headers["content-security-policy"]  # upload.js
    assert "Upload complete. Adding the document\\u2026" in edit.text  # upload.js says it

    added = add(amira, desk.request_id, upload_id=uploaded(amira, WARRANT))
    assert added.status_code == 303, added.text
    assert added.headers["location"] == f"{desk.page}/edit"
    page = amira.get(f"{desk.page}/edit").text
    assert "Document added: Search warrant 12/2026." in page  # the confirmation, once
    assert "Document added" not in amira.get(f"{desk.page}/edit").text

    [document] = attachments(desk)
    assert (document.document_kind, document.title) == (
        DocumentKind.WARRANT,
        "Search warrant 12/2026",
    )
    assert (document.size, document.sha256, document.media_type) == (
        len(WARRANT),
        sha256(WARRANT),
        "application/pdf",
    )
    shown = amira.get(desk.page).text
    row = re.search(rf'<tr id="document-{document.id}">.*?</tr>', shown, re.S)
    assert row is not None
    assert "Search warrant 12/2026" in row.group(0)
    assert "Warrant" in row.group(0)
    assert sha256(WARRANT) in row.group(0)
    assert f'href="{desk.page}/documents/{document.id}"' in row.group(0)

    # Adding it logged a custody event under its digest, which the request page shows.
    desk.node.custody.sequence()
    [event] = [e.event for e in desk.node.custody.events_for(f"sha256:{sha256(WARRANT)}")]
    assert (event.action, event.officer, event.article) == (
        CustodyAction.COLLECTED,
        "amira",
        "Art. 40(15)",
    )
    assert event.unknown["attachment_id"] == document.id
    assert "Collected" in amira.get(desk.page).text


def test_the_download_is_the_documents_bytes_never_a_page(desk: Desk) -> None:
    amira = desk["amira"]
    add(amira, desk.request_id, upload_id=uploaded(amira, WARRANT), title="Mandat n° 12/2026")
    [document] = attachments(desk)
    url = f"{desk.page}/documents/{document.id}"
    for reader in ("amira", "samir", "audrey"):  # the case team, whatever its role
        got = desk[reader].get(url)
        assert got.status_code == 200
        assert got.content == WARRANT
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    disposition = got.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="document-{document.id}.pdf"')
    assert "filename*=UTF-8''Mandat%20n%C2%B0%2012_2026.pdf" in disposition
    digest = base64.b64encode(bytes.fromhex(sha256(WARRANT))).decode()
    assert got.headers["repr-digest"] == f"sha-256=:{digest}:"


def test_a_document_declared_as_html_is_still_only_a_download(desk: Desk) -> None:
    amira = desk["amira"]
    page = b"<script>alert(1)</script>"
    add(amira, desk.request_id, upload_id=uploaded(amira, page, "text/html"), title="Annex")
    [document] = attachments(desk)
    got = amira.get(f"{desk.page}/documents/{document.id}")
    assert got.headers["content-type"] == "text/html"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["content-security-policy"] == "default-src 'none'; sandbox"


def test_the_form_says_what_is_missing_beside_each_field(desk: Desk) -> None:
    amira = desk["amira"]
    empty = add(amira, desk.request_id, document_kind="", title="")
    assert empty.status_code == 422
    for message in (
        "Choose a file and upload it.",
        "Choose the kind of document.",
        "Give the document a title.",
    ):
        assert message in empty.text
    assert 'id="field-document_kind-error"' in empty.text
    assert "<h1>Draft " in empty.text  # the draft page again, its form as it was
    on_request_page = add(amira, desk.request_id, back="request", upload_id="0" * 32)
    assert on_request_page.status_code == 422
    assert "The upload was not found. Choose the file again." in on_request_page.text
    assert 'id="contents-heading"' in on_request_page.text  # the request page
    two_lines = add(amira, desk.request_id, title="a\nb", upload_id=uploaded(amira, WARRANT))
    assert two_lines.status_code == 422
    assert "Use at most 500 characters, on one line." in two_lines.text
    # The upload is kept for the next attempt: the same form, sent again, adds it.
    kept = re.search(
        r'name="upload_id" id="field-upload_id" value="([0-9a-f]{32})"', two_lines.text
    )
    assert kept is not None
    assert add(amira, desk.request_id, upload_id=kept.group(1)).status_code == 303
    # The same upload twice (two tabs): added once.
    again = add(amira, desk.request_id, upload_id=kept.group(1))
    assert again.status_code == 422
    assert (
        len(desk.node.cooperation.show(desk.user("amira"), desk.request_id).request.attachments)
        == 1
    )


# --- the limits -------------------------------------------------------------------------------


def test_a_document_above_16_mib_is_refused(desk: Desk) -> None:
    amira = desk["amira"]
    big = os.urandom(MAX_DOCUMENT_BYTES + 1)
    refused = add(amira, desk.request_id, upload_id=uploaded(amira, big))
    assert refused.status_code == 413
    assert "A document is at most 16.8 MB. Choose a smaller file, or split it." in refused.text
    assert attachments(desk) == ()
    empty = add(amira, desk.request_id, upload_id=uploaded(amira, b""))
    assert empty.status_code == 422
    assert "The file is empty." in empty.text


def test_a_request_carries_at_most_20_documents(desk: Desk) -> None:
    for n in range(MAX_DOCUMENTS):
        add_by_service(desk, f"annex {n}".encode(), title=f"Annex {n}")
    amira = desk["amira"]
    page = amira.get(desk.page).text
    assert 'id="documents-form"' not in page
    assert "A request carries at most 20 documents." in page
    refused = add(amira, desk.request_id, back="request", upload_id=uploaded(amira, WARRANT))
    assert refused.status_code == 422
    assert "A request carries at most 20 documents." in refused.text
    assert (
        len(desk.node.cooperation.show(desk.user("amira"), desk.request_id).request.attachments)
        == 20
    )


# --- who may add and read ---------------------------------------------------------------------


def test_a_stranger_gets_the_404_of_a_missing_request(desk: Desk) -> None:
    amira, karim = desk["amira"], desk["karim"]
    add(amira, desk.request_id, upload_id=uploaded(amira, WARRANT))
    [document] = attachments(desk)
    missing = karim.get("/ui/requests/EGY-2026-NOSUCH/documents/x")
    for answer in (
        karim.get(f"{desk.page}/documents/{document.id}"),
        add(karim, desk.request_id, upload_id=uploaded(karim, WARRANT)),
    ):
        assert answer.status_code == missing.status_code == 404
        assert WARRANT not in answer.content
    # A document the request does not list, on a request the user sees: 404 too.
    assert amira.get(f"{desk.page}/documents/nosuch").status_code == 404
    # An auditor on the case reads the document but may not add one.
    auditor = desk["audrey"]
    assert 'id="documents-form"' not in auditor.get(desk.page).text
    assert add(auditor, desk.request_id, upload_id="0" * 32).status_code == 404


def test_no_document_is_added_once_the_request_is_sent(desk: Desk, tmp_path: Path) -> None:
    amira, samir = desk.user("amira"), desk.user("samir")
    add(desk["amira"], desk.request_id, upload_id=uploaded(desk["amira"], WARRANT))
    for user, step in ((samir, "approve"), (amira, "send")):
        desk.node.cooperation.take(user, desk.request_id, StepInput(transition=step))
    page = desk["amira"].get(desk.page)
    assert 'id="documents-form"' not in page.text
    assert "connect-src" not in page.headers["content-security-policy"]
    assert "Search warrant 12/2026" in page.text  # still listed
    refused = add(
        desk["amira"], desk.request_id, back="request", upload_id=uploaded(desk["amira"], b"late")
    )
    assert refused.status_code == 422
    assert "Documents can no longer be added: the request has been sent." in refused.text

    # Viet Nam's node lists the document from the request it received; until its bytes
    # arrive (the document message), there is nothing to download.
    vnm = build_node(tmp_path / "vnm", "VNM", None, FixedClock(T0))
    try:
        lan = vnm.accounts.add_user(
            name="lan", role=Role.SUPERVISOR, password="correct horse battery staple"
        ).user
        deliver(desk.node.cooperation.show(amira, desk.request_id).request, vnm)
        client = signed_in(vnm, "lan")
        try:
            shown = client.get(desk.page)
            assert shown.status_code == 200
            assert "Search warrant 12/2026" in shown.text
            assert "Not received yet" in shown.text
            assert 'id="documents-form"' not in shown.text
            [document] = vnm.cooperation.show(lan, desk.request_id).request.attachments
            assert client.get(f"{desk.page}/documents/{document.id}").status_code == 404
        finally:
            client.__exit__(None, None, None)
    finally:
        vnm.engine.dispose()


# --- the API ----------------------------------------------------------------------------------


def test_the_api_attaches_a_document_with_its_kind(desk: Desk) -> None:
    amira = desk.user("amira")
    token = desk.node.accounts.issue_token(amira)
    with TestClient(create_app(desk.node, background=False), base_url=LOOPBACK) as api:
        auth = {"Authorization": f"Bearer {token}"}
        metadata = f"filetype {b64('application/pdf')}"
        headers = {**TUS, **auth, "Upload-Length": str(len(WARRANT)), "Upload-Metadata": metadata}
        upload = api.post("/api/v1/uploads", headers=headers)
        location = upload.headers["location"]
        api.patch(location, content=WARRANT, headers={**TUS, **auth, "Upload-Offset": "0",
                  "Content-Type": "application/offset+octet-stream"})  # fmt: skip
        path = f"/api/v1/requests/{desk.request_id}/attachments"
        body = {
            "upload_id": location.rsplit("/", 1)[1],
            "title": "Order",
            "document_kind": "court-order",
        }
        attached = api.post(path, json=body, headers=auth)
        assert attached.status_code == 201, attached.text
        [listed] = attached.json()["document"]["attachments"]
        assert listed["document_kind"] == "court-order"
        assert (listed["size"], listed["media_type"]) == (len(WARRANT), "application/pdf")
        wrong = api.post(path, json={**body, "role": "evidence"}, headers=auth)
        assert wrong.status_code == 422
        assert wrong.headers["content-type"] == "application/problem+json"
