"""The ``document`` message: its body, who may send it, its own size limit in the envelope,
the outbox rows that hold it without its bytes, and the checks a receiving node makes
before it stores anything (ADR 0024)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
from datetime import timedelta
from typing import Any

import pytest

from hanoi.clock import FixedClock
from hanoi.cooperation import Attachment, AttachmentRole, Side
from hanoi.cooperation.documents import MAX_DOCUMENT_BYTES, add_document
from hanoi.cooperation.model import DocumentKind
from hanoi.errors import IntegrityError, InvalidInput, NotFound
from hanoi.federation.announce import MessageAnnouncer
from hanoi.federation.documents import document_stubs, listed_document, without_content
from hanoi.federation.envelope import (
    EnvelopeLimits,
    MemorySenderKeys,
    check_sender_may_send,
    open_envelope,
    seal,
)
from hanoi.federation.errors import MalformedMessage, MessageTooLarge, SenderNotAllowed
from hanoi.federation.messages import Message, MessageType, base64_length, message_from_json
from unit.cooperation.builders import N, Walk, draft
from unit.federation.support import NOW, Peer, make_message

DATA = b"%PDF-1.7 search warrant 12/2026"
DIGEST = hashlib.sha256(DATA).hexdigest()


def document_body(data: bytes = DATA, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "attachment_id": "doc-1",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "media_type": "application/pdf",
        "content": base64.b64encode(data).decode(),
    }
    body.update(changes)
    return body


def document_message(body: dict[str, Any] | None = None, **overrides: Any) -> Message:
    return make_message(
        type=MessageType.DOCUMENT, body=body or document_body(), request_id="REQ-1", **overrides
    )


def with_document(request: Any, *, data: bytes = DATA, id: str = "doc-1") -> Any:
    return add_document(
        request,
        Attachment(
            id=id,
            sha256=hashlib.sha256(data).hexdigest(),
            role=AttachmentRole.DOCUMENT,
            added_by=Side.REQUESTING,
            title="Search warrant",
            document_kind=DocumentKind.WARRANT,
            size=len(data),
            media_type="application/pdf",
        ),
        side=Side.REQUESTING,
    )


# --- the body -------------------------------------------------------------------------------


def test_a_document_message_is_request_bound_and_round_trips() -> None:
    message = document_message()
    assert message_from_json(json.loads(message.canonical())) == message
    with pytest.raises(MalformedMessage, match="/request_id"):
        make_message(type=MessageType.DOCUMENT, body=document_body(), request_id=None)


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"attachment_id": "no spaces"}, "/body/attachment_id"),
        ({"sha256": "AB" * 32}, "/body/sha256"),
        ({"size": 0}, "/body/size"),
        ({"size": MAX_DOCUMENT_BYTES + 1}, "/body/size"),
        ({"size": True}, "/body/size"),
        ({"media_type": "pdf"}, "/body/media_type"),
        ({"content": None}, "/body/content"),
        ({"content": "JVBERi0="}, "/body/content"),  # not the length of `size` bytes
    ],
)
def test_a_malformed_document_body_is_refused(changes: dict[str, Any], pointer: str) -> None:
    with pytest.raises(MalformedMessage) as refused:
        document_message(document_body(**changes))
    assert pointer in {f.path for f in refused.value.fields}


def test_only_the_requesting_state_sends_a_document() -> None:
    message = document_message()
    check_sender_may_send(message, requesting_state="AAA", requested_state="BBB")
    with pytest.raises(SenderNotAllowed, match="sent by the requesting State"):
        check_sender_may_send(message, requesting_state="BBB", requested_state="AAA")


# --- the envelope: a document's own limit ------------------------------------------------------


def test_the_largest_document_seals_within_its_limit_and_opens(
    aaa: Peer, bbb: Peer, directory: MemorySenderKeys
) -> None:
    data = os.urandom(MAX_DOCUMENT_BYTES)
    message = document_message(document_body(data, attachment_id="d" * 128))
    sealed = seal(message, signing_key=aaa.signing, recipient=bbb.recipient)
    limits = EnvelopeLimits()
    assert limits.max_envelope_bytes < len(sealed) <= limits.max_document_envelope_bytes
    assert limits.max_inbox_bytes == limits.max_document_envelope_bytes < 30 * 1024 * 1024
    opened = open_envelope(sealed, identities=[bbb.age], keys=directory, me="BBB", now=NOW)
    assert opened.message.body["content"] == base64.b64encode(data).decode()


def test_any_other_message_above_the_ordinary_limit_is_refused_once_opened(
    aaa: Peer, bbb: Peer, directory: MemorySenderKeys
) -> None:
    """The type is inside the envelope, so the inbox reads up to a document's limit; a step
    that large is refused as soon as it is read, before its signature is even checked."""
    padded = make_message(
        body={"transition": "withdraw", "record": {}, "padding": "x" * (1024 * 1024)}
    )
    sealed = seal(padded, signing_key=aaa.signing, recipient=bbb.recipient)
    with pytest.raises(MessageTooLarge, match="a step message is at most 1048576 bytes"):
        open_envelope(sealed, identities=[bbb.age], keys=directory, me="BBB", now=NOW)


# --- the outbox rows ---------------------------------------------------------------------------


def test_sending_queues_each_document_after_the_request_without_its_bytes() -> None:
    request = with_document(with_document(draft("mla-stored-data")), data=b"order", id="doc-2")
    sent = Walk(request).steps(N.APPROVE, N.SEND)
    announcer = MessageAnnouncer(node_state="EGY", clock=FixedClock(NOW))
    first, *rows = announcer.announce(sent.request, sent.records[-1])
    assert first.type == "request"
    assert [r.type for r in rows] == ["document", "document"]
    assert first.created_at < rows[0].created_at < rows[1].created_at  # claimed in that order
    for row, (attachment_id, data) in zip(
        rows, [("doc-1", DATA), ("doc-2", b"order")], strict=True
    ):
        value = json.loads(row.message)
        assert (row.recipient, row.request_id, value["id"]) == ("VNM", sent.request.id, row.id)
        assert value["body"] == {
            "attachment_id": attachment_id,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "media_type": "application/pdf",
        }
        value["body"]["content"] = base64.b64encode(data).decode()
        assert message_from_json(value).type is MessageType.DOCUMENT  # valid once filled
    # Every other step announces one message, as before.
    assert len(announcer.announce(sent.request, sent.records[0])) == 0  # approve: local


def test_a_request_without_documents_announces_the_request_alone() -> None:
    sent = Walk(draft("mla-stored-data")).steps(N.APPROVE, N.SEND)
    assert document_stubs(sent.request, sender="EGY", recipient="VNM", now=NOW) == []
    rows = MessageAnnouncer(node_state="EGY", clock=FixedClock(NOW)).announce(
        sent.request, sent.records[-1]
    )
    assert [r.type for r in rows] == ["request"]


def test_the_inbox_records_a_document_message_without_its_bytes() -> None:
    stored = json.loads(without_content(document_message()))
    assert "content" not in stored["body"]
    assert stored["body"]["sha256"] == DIGEST


# --- the receiving node's checks ---------------------------------------------------------------


def received() -> Any:
    return Walk(with_document(draft("mla-stored-data"))).steps(N.APPROVE, N.SEND, N.RECEIVE).request


def test_a_listed_document_with_its_exact_bytes_is_accepted() -> None:
    listed, data = listed_document(received(), document_body())
    assert (listed.id, data) == ("doc-1", DATA)


@pytest.mark.parametrize(
    ("body", "error", "match"),
    [
        (document_body(attachment_id="doc-9"), NotFound, "lists no document 'doc-9'"),
        (document_body(b"other bytes"), IntegrityError, "listed with SHA-256"),
        (document_body(size=len(DATA) + 3), IntegrityError, "listed with 31 bytes"),
        (  # the listed digest, other bytes of the same length
            document_body(content=base64.b64encode(DATA.upper()).decode()),
            IntegrityError,
            "hash to",
        ),
        (document_body(content="!" * base64_length(len(DATA))), InvalidInput, "not base64"),
    ],
)
def test_a_document_that_is_not_the_one_listed_is_refused(
    body: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        listed_document(received(), body)


def test_a_document_the_requested_state_attached_is_not_the_requesting_states_to_send() -> None:
    request = received()
    theirs = Attachment(
        id="doc-9",
        sha256=DIGEST,
        role=AttachmentRole.DOCUMENT,
        added_by=Side.REQUESTED,
        size=len(DATA),
    )
    request = dataclasses.replace(request, attachments=(*request.attachments, theirs))
    with pytest.raises(NotFound):
        listed_document(request, document_body(attachment_id="doc-9"))


def test_a_stub_is_claimed_a_microsecond_after_the_request() -> None:
    request = with_document(draft("mla-stored-data"))
    [row] = document_stubs(request, sender="EGY", recipient="VNM", now=NOW)
    assert row.created_at == NOW + timedelta(microseconds=1)
