"""The documents of a request travel with it: one ``document`` message per document,
right after the ``request`` message (ADR 0024).

Sending. When a request is sent, :func:`document_stubs` gives one outbox row per document
of :func:`~hanoi.cooperation.documents.travelling`, in the transaction of the ``send`` step
and ordered after the ``request`` message. A row holds the message *without* its bytes
(``body.content``): the outbox never holds a document, and a batch of due rows stays small.
At each delivery attempt :meth:`RequestDocuments.with_content` reads the bytes from the
blob store (checked against their SHA-256 as they are read) and puts them in, in base64;
the message is then signed and sealed like every other (ADR 0012), so the bytes are
encrypted end to end to the requested State's node.

Body: ``attachment_id``, ``sha256``, ``size`` (1 to 16 MiB), ``media_type`` and
``content`` (the bytes, standard padded base64). Unknown members are kept, as for every
message.

Receiving. After the inbox's envelope checks (signature, addressing, freshness, and that
the requesting State of the request sent it), :meth:`RequestDocuments.apply` holds these
rules, in order, and stores nothing unless all hold:

1. The request is held here (``NotFound``).
2. It lists a document of the requesting State with that attachment id (``NotFound``).
3. With that SHA-256, and that size if the list gives one (``IntegrityError``).
4. The content is canonical base64 of exactly ``size`` bytes (``InvalidInput``).
5. Those bytes hash to that SHA-256 (``IntegrityError``).

Only then are the bytes put in the blob store (content-addressed, so a delivery applied
again before a crash and again after stores them once). The inbox records the message
without its content, with a ``received`` custody event carrying the document's SHA-256
(``FederationService._event``), in one transaction; a duplicate delivery is answered from
the inbox and applied no more. A refused message stores nothing and is recorded only as an
inbox refusal.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from hanoi.blobs import BlobStore
from hanoi.cooperation.documents import MAX_DOCUMENT_BYTES, travelling
from hanoi.cooperation.model import Attachment, AttachmentRole, CooperationRequest
from hanoi.cooperation.ports import Outgoing
from hanoi.cooperation.service import CooperationService
from hanoi.cooperation.statuses import Side
from hanoi.errors import IntegrityError, InvalidInput, NotFound, Unavailable
from hanoi.federation.envelope import VerifiedMessage
from hanoi.federation.messages import Message, MessageType, new_message_id
from hanoi.wire import canonical_json, format_time, thaw

log = logging.getLogger("hanoi.federation")

OCTETS = "application/octet-stream"
CONTENT = "content"
"""The body member that carries the bytes: absent from the outbox row and the inbox record."""
DOCUMENT_ARTICLE = "Art. 40(15)"


def document_stubs(
    request: CooperationRequest, *, sender: str, recipient: str, now: datetime
) -> list[Outgoing]:
    """The outbox rows of the request's travelling documents: each a ``document`` message
    without its content, ordered after the ``request`` message queued at ``now``."""
    rows = []
    for position, document in enumerate(travelling(request), start=1):
        assert document.size is not None  # travelling() keeps documents of a known size
        queued = now + timedelta(microseconds=position)  # claimed after the request message
        message_id = new_message_id()
        value = {
            "version": 1,
            "id": message_id,
            "type": MessageType.DOCUMENT.value,
            "sender": sender,
            "recipient": recipient,
            "sent_at": format_time(queued),
            "request_id": request.id,
            "body": {
                "attachment_id": document.id,
                "sha256": document.sha256,
                "size": document.size,
                "media_type": document.media_type or OCTETS,
            },
        }
        rows.append(
            Outgoing(
                id=message_id,
                recipient=recipient,
                type=MessageType.DOCUMENT.value,
                request_id=request.id,
                message=canonical_json(value).decode(),
                created_at=queued,
            )
        )
    return rows


def without_content(message: Message) -> str:
    """The message as canonical JSON with the document's bytes left out: what the inbox
    records (the bytes are in the blob store; a message table never holds documents)."""
    value = message.to_json()
    value["body"] = {k: v for k, v in value["body"].items() if k != CONTENT}
    return canonical_json(value).decode()


def listed_document(
    request: CooperationRequest, body: Mapping[str, Any]
) -> tuple[Attachment, bytes]:
    """Rules 2 to 5: the document the request lists, and the bytes the body carries, once
    they are exactly those of that document. Pure."""
    attachment_id = str(body["attachment_id"])
    listed = next(
        (
            a
            for a in request.attachments
            if a.id == attachment_id
            and a.role is AttachmentRole.DOCUMENT
            and a.added_by is Side.REQUESTING
        ),
        None,
    )
    if listed is None:
        raise NotFound(f"request {request.id} lists no document {attachment_id[:128]!r}")
    sha256, size = str(body["sha256"]), int(body["size"])
    if listed.sha256 != sha256:
        raise IntegrityError(
            f"document {attachment_id} of {request.id} is listed with SHA-256 {listed.sha256}; "
            f"the message names {sha256}"
        )
    if listed.size is not None and listed.size != size:
        raise IntegrityError(
            f"document {attachment_id} of {request.id} is listed with {listed.size} bytes; "
            f"the message names {size}"
        )
    data = _decode(str(body[CONTENT]))
    if len(data) != size:
        raise IntegrityError(f"document {attachment_id} holds {len(data)} bytes, not {size}")
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise IntegrityError(
            f"the bytes of document {attachment_id} hash to {actual}, not to the {sha256} "
            "the request lists"
        )
    return listed, data


def _decode(text: str) -> bytes:
    """Canonical standard base64 (padded, no whitespace, no stray bits), or InvalidInput."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("the document's content is not base64") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise InvalidInput("the document's content is not canonical base64")
    return data


class RequestDocuments:
    """Both ends of a document's journey: :meth:`with_content` for the sending node's
    outbox, :meth:`apply` for the receiving node's inbox."""

    def __init__(self, *, cooperation: CooperationService, blobs: BlobStore) -> None:
        self._cooperation = cooperation
        self._blobs = blobs

    # --- the sending node --------------------------------------------------------------

    def with_content(self, value: dict[str, Any]) -> dict[str, Any]:
        """An outbox row's ``document`` message with its bytes put in, read from the blob
        store and checked against the SHA-256 and size the row names."""
        body = dict(value["body"])
        sha256, size = str(body["sha256"]), int(body["size"])
        if not 0 < size <= MAX_DOCUMENT_BYTES:
            raise InvalidInput(f"a document of {size} bytes does not travel")
        try:
            with self._blobs.open(sha256) as stream:
                data = stream.read(MAX_DOCUMENT_BYTES + 1)
        except NotFound:
            raise Unavailable(f"the bytes of document {body['attachment_id']} are gone") from None
        if len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
            raise IntegrityError(
                f"the stored bytes of document {body['attachment_id']} are not {sha256}"
            )
        body[CONTENT] = base64.b64encode(data).decode("ascii")
        return {**value, "body": body}

    # --- the receiving node ------------------------------------------------------------

    def apply(self, verified: VerifiedMessage) -> None:
        """A ``document`` message from the inbox (envelope and sender checked): store its
        bytes once they are exactly those of a document the request lists."""
        message = verified.message
        request = self._cooperation.held(message.request_id or "")
        listed, data = listed_document(request, thaw(message.body))
        self._blobs.put(io.BytesIO(data), expected_digest=listed.sha256, max_size=len(data))
        log.info(
            "document %s of %s received from %s: %d bytes",
            listed.id,
            request.id,
            message.sender,
            len(data),
        )
