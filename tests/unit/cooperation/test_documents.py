"""Documents of a request: the kind on the attachment, its JSON (old documents still read),
and the rules for adding one (who, when, how large, how many) and its custody event."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import pytest

from hanoi.cooperation import Attachment, AttachmentRole, Side, WorkflowViolation
from hanoi.cooperation.codec import request_from_json, request_json
from hanoi.cooperation.documents import (
    DOCUMENT_ARTICLE,
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENTS,
    DocumentsClosed,
    DocumentTooLarge,
    EmptyDocument,
    TooManyDocuments,
    add_document,
    clean_media_type,
    document_event,
    documents,
    may_add_documents,
    travelling,
)
from hanoi.cooperation.model import DocumentKind
from hanoi.custody.events import CustodyAction, parse_event
from hanoi.errors import InvalidInput, PayloadTooLarge, RuleViolation
from unit.cooperation.builders import T0, N, Walk, draft

MLA = "mla-stored-data"
DIGEST = hashlib.sha256(b"warrant").hexdigest()


def document(
    id: str = "doc-1", *, size: int = 7, side: Side = Side.REQUESTING, **changes: Any
) -> Attachment:
    values: dict[str, Any] = {
        "id": id,
        "sha256": DIGEST,
        "role": AttachmentRole.DOCUMENT,
        "added_by": side,
        "title": "Search warrant 12/2026",
        "document_kind": DocumentKind.WARRANT,
        "size": size,
        "media_type": "application/pdf",
    }
    values.update(changes)
    return Attachment(**values)


# --- the model and its JSON ---------------------------------------------------------------


def test_a_document_carries_its_kind_size_and_media_type_through_json() -> None:
    request = add_document(draft(MLA), document(), side=Side.REQUESTING)
    value = request_json(request)
    assert value["attachments"] == [
        {
            "id": "doc-1",
            "sha256": DIGEST,
            "role": "document",
            "added_by": "requesting",
            "title": "Search warrant 12/2026",
            "document_kind": "warrant",
            "size": 7,
            "media_type": "application/pdf",
        }
    ]
    assert request_from_json(value) == request


def test_an_attachment_without_the_new_members_reads_and_writes_as_before() -> None:
    """A document stored, or sent by a node, from before documents travelled."""
    old = {"id": "a", "sha256": DIGEST, "role": "document", "added_by": "requesting", "title": None}
    value = request_json(draft(MLA))
    value["attachments"] = [old]
    request = request_from_json(value)
    [attachment] = request.attachments
    assert (attachment.document_kind, attachment.size, attachment.media_type) == (None, None, None)
    assert request_json(request)["attachments"] == [old]  # the same document, byte for byte
    assert travelling(request) == ()  # no size: it stays a reference


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("document_kind", "affidavit"),
        ("document_kind", 3),
        ("size", -1),
        ("size", "7"),
        ("size", True),
        ("media_type", "PDF"),
        ("media_type", "text/html; charset=utf-8"),
    ],
)
def test_malformed_document_members_are_refused(member: str, value: Any) -> None:
    document_value = request_json(add_document(draft(MLA), document(), side=Side.REQUESTING))
    document_value["attachments"][0][member] = value
    with pytest.raises(InvalidInput):
        request_from_json(document_value)


def test_only_a_document_has_a_document_kind() -> None:
    with pytest.raises(InvalidInput, match="only a document"):
        document(role=AttachmentRole.EVIDENCE)


@pytest.mark.parametrize(
    ("declared", "kept"),
    [
        ("application/pdf", "application/pdf"),
        ("Application/PDF; charset=binary", "application/pdf"),
        ("", None),
        (None, None),
        ("not a type", None),
        ("image/" + "x" * 100, None),
    ],
)
def test_a_declared_media_type_is_kept_only_when_well_formed(
    declared: str | None, kept: str | None
) -> None:
    assert clean_media_type(declared) == kept


# --- the rules of adding one --------------------------------------------------------------


@pytest.mark.parametrize("steps", [(), (N.SUBMIT,), (N.APPROVE,)])
def test_the_requesting_state_adds_documents_until_the_request_is_sent(
    steps: tuple[N, ...],
) -> None:
    walk = Walk(draft(MLA)).steps(*steps)
    assert may_add_documents(walk.request, Side.REQUESTING)
    added = add_document(walk.request, document(), side=Side.REQUESTING)
    assert documents(added) == travelling(added) == (document(),)
    assert added.status is walk.request.status  # adding a document is not a step


def test_no_document_is_added_once_the_request_is_sent() -> None:
    walk = Walk(draft(MLA)).steps(N.APPROVE, N.SEND)
    assert not may_add_documents(walk.request, Side.REQUESTING)
    with pytest.raises(DocumentsClosed, match=r"'sent' \(Art\. 40\(15\)\)") as refused:
        add_document(walk.request, document(), side=Side.REQUESTING)
    assert isinstance(refused.value, WorkflowViolation)


def test_the_requested_state_adds_no_travelling_document() -> None:
    walk = Walk(draft(MLA)).steps(N.APPROVE, N.SEND, N.RECEIVE)
    assert not may_add_documents(walk.request, Side.REQUESTED)
    with pytest.raises(DocumentsClosed):
        add_document(walk.request, document(side=Side.REQUESTED), side=Side.REQUESTED)
    with pytest.raises(InvalidInput, match="own side"):
        add_document(draft(MLA), document(side=Side.REQUESTED), side=Side.REQUESTING)


def test_a_document_has_a_kind_and_a_size() -> None:
    for missing in ({"document_kind": None}, {"size": None}):
        with pytest.raises(InvalidInput, match="a kind and a size"):
            add_document(draft(MLA), document(**missing), side=Side.REQUESTING)


def test_a_document_is_at_most_16_mib_and_not_empty() -> None:
    request = draft(MLA)
    largest = add_document(request, document(size=MAX_DOCUMENT_BYTES), side=Side.REQUESTING)
    assert travelling(largest)[0].size == MAX_DOCUMENT_BYTES == 16 * 1024 * 1024
    with pytest.raises(DocumentTooLarge, match="at most 16777216 bytes") as refused:
        add_document(request, document(size=MAX_DOCUMENT_BYTES + 1), side=Side.REQUESTING)
    assert isinstance(refused.value, PayloadTooLarge)  # 413
    with pytest.raises(EmptyDocument):
        add_document(request, document(size=0), side=Side.REQUESTING)


def test_a_request_carries_at_most_20_documents() -> None:
    request = draft(MLA)
    for n in range(MAX_DOCUMENTS):
        request = add_document(request, document(f"doc-{n}"), side=Side.REQUESTING)
    assert len(travelling(request)) == MAX_DOCUMENTS == 20
    with pytest.raises(TooManyDocuments, match="at most 20 documents") as refused:
        add_document(request, document("doc-21"), side=Side.REQUESTING)
    assert isinstance(refused.value, RuleViolation)  # 422


def test_evidence_and_other_states_documents_do_not_travel() -> None:
    walk = Walk(draft(MLA))
    request = add_document(walk.request, document(), side=Side.REQUESTING)
    evidence = dataclasses.replace(
        document("ev-1"), role=AttachmentRole.EVIDENCE, document_kind=None
    )
    request = dataclasses.replace(request, attachments=(*request.attachments, evidence))
    assert [a.id for a in travelling(request)] == ["doc-1"]
    assert [a.id for a in documents(request)] == ["doc-1"]


def test_adding_a_document_is_a_collected_custody_event_under_art_40_15() -> None:
    request = draft(MLA)
    event = document_event(request, document(), node="EGY", officer="amira", at=T0)
    assert event.action is CustodyAction.COLLECTED
    assert (event.node, event.officer, event.request_id) == ("EGY", "amira", request.id)
    assert event.article == DOCUMENT_ARTICLE == "Art. 40(15)"
    assert event.evidence_sha256 == DIGEST
    assert dict(event.unknown) == {
        "attachment_id": "doc-1",
        "role": "document",
        "document_kind": "warrant",
    }
    assert parse_event(event.canonical()) == event
