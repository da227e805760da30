"""Documents travel with the request between two real nodes, each served by uvicorn on
loopback, on SQLite and PostgreSQL (ADR 0024).

Egypt's officer adds a warrant and a translation to a draft; once it is sent, Egypt's
outbox delivers the ``request`` message and then one ``document`` message per document,
sealed to Viet Nam's node and signed by Egypt's. Viet Nam holds the same bytes, lists the
documents, and logs their arrival in its custody log. Hostile ``document`` messages,
signed by Egypt's real key, are refused and store nothing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
from typing import Any

import httpx
import pytest

from hanoi.accounts.model import User
from hanoi.cooperation.model import DocumentKind
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.crypto.agekeys import AgeRecipient
from hanoi.custody.events import CustodyAction
from hanoi.federation.envelope import seal
from hanoi.federation.messages import Message, MessageType, new_message_id
from hanoi.federation.receipts import ReceiptOutcome, verify_receipt
from hanoi.node.folder import load_keys
from hanoi.wiring import Node
from support_transfers import CATALOGUE, KIND, Pair
from unit.cooperation.builders import complete_contents

pytestmark = pytest.mark.slow

WARRANT = b"%PDF-1.7\n" + os.urandom(1024 * 1024 + 123)  # above the ordinary 1 MiB envelope
TRANSLATION = "Mandat de perquisition n° 12/2026 — traduction".encode()


@pytest.fixture
def p(pair: Pair) -> Pair:
    """Egypt (requesting) and Viet Nam (requested), each served on loopback."""
    return pair


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def uploaded(node: Node, user: User, data: bytes, media_type: str) -> str:
    """A completed upload of ``data`` by ``user``, as the draft page's script makes it."""
    upload = node.uploads.create(
        user=user,
        length=len(data),
        metadata={"filename": "doc.bin", "filetype": media_type, "sha256": sha256(data)},
    )
    node.uploads.append(
        user=user, upload_id=upload.id, offset=0, body=io.BytesIO(data), checksum=None
    )
    return upload.id


def drafted_with_documents(p: Pair) -> str:
    contents = complete_contents(CATALOGUE.kind(KIND))
    draft = p.egy.cooperation.draft(
        p.amira, DraftInput(kind=KIND, requested_state="VNM", contents=contents)
    )
    request_id = draft.request.id
    for data, kind, title, media_type in (
        (WARRANT, DocumentKind.WARRANT, "Search warrant 12/2026", "application/pdf"),
        (TRANSLATION, DocumentKind.TRANSLATION, "Warrant, French translation", "text/plain"),
    ):
        p.egy.cooperation.add_document(
            p.amira,
            request_id,
            upload_id=uploaded(p.egy, p.amira, data, media_type),
            kind=kind,
            title=title,
        )
    return request_id


def sent(p: Pair, request_id: str) -> None:
    p.egy.cooperation.assign(p.amira, request_id, "samir")
    p.egy.cooperation.take(p.samir, request_id, StepInput(transition="approve"))
    p.egy.cooperation.take(p.amira, request_id, StepInput(transition="send"))


def outbox_of(node: Node, request_id: str) -> list[Any]:
    return [e for e in node.federation.store.outbox(limit=50) if e.request_id == request_id]


def test_documents_reach_the_requested_state_whole_and_logged(p: Pair) -> None:
    request_id = drafted_with_documents(p)
    sent(p, request_id)
    rows = sorted(outbox_of(p.egy, request_id), key=lambda e: e.created_at)
    assert [e.type for e in rows] == ["request", "document", "document"]
    assert all(len(e.message) < 1000 for e in rows[1:])  # the outbox never holds the bytes
    assert p.egy.federation.deliver_due() == 3
    assert {e.status for e in outbox_of(p.egy, request_id)} == {"delivered"}

    # Viet Nam holds the same bytes, and its copy of the request lists the documents.
    view = p.vnm.cooperation.show(p.lan, request_id)
    listed = [
        (a.document_kind, a.title, a.size, a.sha256, a.media_type) for a in view.request.attachments
    ]
    assert listed == [
        (DocumentKind.WARRANT, "Search warrant 12/2026", len(WARRANT), sha256(WARRANT),
         "application/pdf"),
        (DocumentKind.TRANSLATION, "Warrant, French translation", len(TRANSLATION),
         sha256(TRANSLATION), "text/plain"),
    ]  # fmt: skip
    for data in (WARRANT, TRANSLATION):
        with p.vnm.blobs.open(sha256(data)) as stored:
            assert stored.read() == data

    # Both logs record each document under its digest: collected and sent in Egypt,
    # received in Viet Nam, each naming the request and Art. 40(15).
    for node in (p.egy, p.vnm):
        node.custody.sequence()
    for data in (WARRANT, TRANSLATION):
        egy = [e.event for e in p.egy.custody.events_for(f"sha256:{sha256(data)}")]
        vnm = [e.event for e in p.vnm.custody.events_for(f"sha256:{sha256(data)}")]
        assert [(e.action, e.node) for e in egy] == [
            (CustodyAction.COLLECTED, "EGY"),
            (CustodyAction.SENT, "EGY"),
        ]
        assert [(e.action, e.node) for e in vnm] == [(CustodyAction.RECEIVED, "VNM")]
        for event in (*egy, *vnm):
            assert (event.request_id, event.article) == (request_id, "Art. 40(15)")
        assert vnm[0].unknown["message_type"] == "document"
        assert vnm[0].unknown["message_sha256"] == egy[1].unknown["message_sha256"]
    # The request page's custody log shows them on both sides.
    shown = p.vnm.cooperation.show(p.lan, request_id).custody
    documents = {sha256(WARRANT), sha256(TRANSLATION)}
    assert {e.event.evidence_sha256 for e in shown if e.event.evidence_sha256} == documents
    # The inbox keeps each message, but never the document's bytes.
    with p.vnm.engine.connect() as connection:
        from sqlalchemy import select

        from hanoi.storage.tables import inbox_messages

        kept = connection.execute(
            select(inbox_messages.c.message).where(inbox_messages.c.type == "document")
        ).scalars()
        bodies = [json.loads(text)["body"] for text in kept]
    assert sorted(b["sha256"] for b in bodies) == sorted([sha256(WARRANT), sha256(TRANSLATION)])
    assert all("content" not in b for b in bodies)


# --- hostile messages, signed with Egypt's real key ------------------------------------------


def post_document(p: Pair, request_id: str, body: dict[str, Any]) -> httpx.Response:
    """A ``document`` message signed by EGY's node and sealed to VNM's, posted to its inbox."""
    keys = load_keys(p.egy.settings)
    message = Message(
        id=new_message_id(),
        type=MessageType.DOCUMENT,
        sender="EGY",
        recipient="VNM",
        sent_at=p.egy.clock.now(),
        request_id=request_id,
        body=body,
    )
    recipient = AgeRecipient.parse(p.egy.federation.directory.entry("VNM").age_recipient)
    envelope = seal(message, signing_key=keys.signing, recipient=recipient)
    return p.http.post(f"{p.vnm_url}/federation/v1/inbox", content=envelope, timeout=60)


def body_for(data: bytes, *, attachment_id: str, listed_sha256: str | None = None) -> Any:
    return {
        "attachment_id": attachment_id,
        "sha256": listed_sha256 or sha256(data),
        "size": len(data),
        "media_type": "application/pdf",
        "content": base64.b64encode(data).decode(),
    }


def test_a_document_not_listed_or_not_its_bytes_is_refused_and_nothing_is_stored(p: Pair) -> None:
    request_id = drafted_with_documents(p)
    sent(p, request_id)
    assert p.egy.federation.deliver_due() == 3
    warrant = p.vnm.cooperation.show(p.lan, request_id).request.attachments[0]
    p.vnm.custody.sequence()
    logged = p.vnm.custody.events_for(f"sha256:{warrant.sha256}")

    forged = os.urandom(2048)
    cases = [  # what each message claims, and the answer
        (body_for(forged, attachment_id="not-listed"), 404),
        (body_for(forged, attachment_id=warrant.id), 422),  # other bytes, their own digest
        (body_for(forged, attachment_id=warrant.id, listed_sha256=warrant.sha256), 422),
        (body_for(TRANSLATION, attachment_id=warrant.id), 422),  # another listed document
    ]
    for body, status in cases:
        answer = post_document(p, request_id, body)
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
    # A document of a request Viet Nam does not hold is refused the same way.
    nowhere = post_document(p, "EGY-2026-NOSUCH", body_for(forged, attachment_id="x"))
    assert nowhere.status_code == 404

    assert not p.vnm.blobs.exists(sha256(forged))
    p.vnm.custody.sequence()
    assert p.vnm.custody.events_for(f"sha256:{sha256(forged)}") == []
    assert p.vnm.custody.events_for(f"sha256:{warrant.sha256}") == logged  # nothing new
    with p.vnm.blobs.open(warrant.sha256) as stored:
        assert stored.read() == WARRANT
    refusals = p.vnm.federation.store.refusals(limit=10)
    assert {r["problem"] for r in refusals} >= {"not-found", "integrity-failure"}
    assert sum(r["count"] for r in refusals) == len(cases) + 1


def test_a_document_delivered_again_is_stored_and_logged_once(p: Pair) -> None:
    request_id = drafted_with_documents(p)
    sent(p, request_id)
    assert p.egy.federation.deliver_due() == 3
    row = next(e for e in outbox_of(p.egy, request_id) if e.type == "document")
    documents = p.egy.federation.documents
    assert documents is not None
    value = documents.with_content(json.loads(row.message))  # the message as it was sent
    keys = load_keys(p.egy.settings)
    again = Message(
        id=value["id"],
        type=MessageType.DOCUMENT,
        sender="EGY",
        recipient="VNM",
        sent_at=p.egy.clock.now(),
        request_id=request_id,
        body=value["body"],
    )
    recipient = AgeRecipient.parse(p.egy.federation.directory.entry("VNM").age_recipient)
    answer = p.http.post(
        f"{p.vnm_url}/federation/v1/inbox",
        content=seal(again, signing_key=keys.signing, recipient=recipient),
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    receipt = verify_receipt(answer.content, message=again, keys=p.egy.federation.directory)
    assert receipt.outcome is ReceiptOutcome.DUPLICATE  # answered, not applied again
    p.vnm.custody.sequence()
    digest = value["body"]["sha256"]
    assert len(p.vnm.custody.events_for(f"sha256:{digest}")) == 1


def test_a_node_that_takes_no_documents_still_gets_the_request(p: Pair) -> None:
    """A node that predates documents refuses the ``document`` messages: the request itself
    arrives and works, and the documents wait in the sender's outbox with the reason."""
    p.vnm.federation.documents = None  # as a node without the message type answers
    request_id = drafted_with_documents(p)
    sent(p, request_id)
    assert p.egy.federation.deliver_due() == 1
    assert p.vnm.cooperation.show(p.lan, request_id).request.status.value == "received"
    waiting = [e for e in outbox_of(p.egy, request_id) if e.type == "document"]
    assert len(waiting) == 2
    for entry in waiting:
        assert (entry.status, entry.attempts) == ("pending", 1)
        assert "does not take 'document' messages" in (entry.last_error or "")
