"""The documents of a request: the warrant, the court order, the supporting documents and
their translations that the requesting State sends with it (Art. 40(15)). Pure.

A document is an :class:`~hanoi.cooperation.model.Attachment` of role ``document`` with
its kind, size and media type. The requesting State adds documents while the request is
still its own (a draft, submitted for approval, or approved) and they leave with it: when
the request is sent, each document's bytes follow the ``request`` message in a
``document`` message of their own (``hanoi.federation.documents``, ADR 0024). So the
limits here bound what one message carries and what one request makes the other State
receive: :data:`MAX_DOCUMENT_BYTES` each, :data:`MAX_DOCUMENTS` per request. Both nodes
must agree on them, so they are constants of the protocol, not settings.

Adding a document logs a ``collected`` custody event (:func:`document_event`) in the
transaction that stores it, with the document's SHA-256, under Art. 40(15).
"""

from __future__ import annotations

from datetime import datetime

from hanoi.cooperation.drafting import attach
from hanoi.cooperation.errors import WorkflowViolation
from hanoi.cooperation.model import MEDIA_TYPE, Attachment, AttachmentRole, CooperationRequest
from hanoi.cooperation.statuses import FINAL, Side, Status
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.errors import InvalidInput, PayloadTooLarge, RuleViolation

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
"""The largest document a request carries (16 MiB): a scanned warrant or order fits."""
MAX_DOCUMENTS = 20
"""The most documents one State adds to one request."""
DOCUMENT_ARTICLE = "Art. 40(15)"
"""What a request contains, documents included: the article of their custody events."""
BEFORE_SENDING = frozenset({Status.DRAFT, Status.SUBMITTED, Status.APPROVED})
"""While the requesting State may add documents: they must be there when it is sent."""


class DocumentTooLarge(PayloadTooLarge):
    """A document above :data:`MAX_DOCUMENT_BYTES` (413)."""


class TooManyDocuments(RuleViolation):
    """A request already holding :data:`MAX_DOCUMENTS` documents of this State (422)."""


class EmptyDocument(InvalidInput):
    """A document of no bytes at all (400): nothing to send."""


class DocumentsClosed(WorkflowViolation):
    """The request has left (or is not this State's to add documents to) (422)."""


def documents(request: CooperationRequest, *, side: Side | None = None) -> tuple[Attachment, ...]:
    """The request's documents (added by ``side``, if given), in the order added."""
    return tuple(
        a
        for a in request.attachments
        if a.role is AttachmentRole.DOCUMENT and (side is None or a.added_by is side)
    )


def travelling(request: CooperationRequest) -> tuple[Attachment, ...]:
    """The documents whose bytes go with the request when it is sent: the requesting
    State's, of a known size within the limit (one attached by a node that predates
    documents travelling has no size and stays a reference)."""
    return tuple(
        a
        for a in documents(request, side=Side.REQUESTING)
        if a.size is not None and 0 < a.size <= MAX_DOCUMENT_BYTES
    )


def check_document_size(size: int) -> None:
    """Raise unless ``size`` bytes make a document that may travel."""
    if size <= 0:
        raise EmptyDocument("the file is empty: a document has at least one byte")
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(
            f"the document is {size} bytes; a request carries documents of at most "
            f"{MAX_DOCUMENT_BYTES} bytes ({MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB) each"
        )


def clean_media_type(declared: str | None) -> str | None:
    """A declared media type (``Application/PDF; charset=x``) as a plain lower-case
    ``type/subtype``, or None when there is none or it is not well formed (a browser may
    declare anything: the file is then served as bytes)."""
    text = (declared or "").split(";", 1)[0].strip().lower()
    return text if MEDIA_TYPE.match(text) else None


def may_add_documents(request: CooperationRequest, side: Side) -> bool:
    """Whether ``side`` may add a document to ``request`` now (before it leaves)."""
    return side is Side.REQUESTING and request.status in BEFORE_SENDING


def may_add_letters(request: CooperationRequest) -> bool:
    """Whether the other State's letters may be added: off the network, once the request
    has left or arrived, until it is closed (ADR 0028)."""
    return not request.route.on_network and request.status not in FINAL


def require_open(request: CooperationRequest, side: Side) -> None:
    """Raise :class:`DocumentsClosed` unless ``side`` may add a document now."""
    if not may_add_documents(request, side):
        raise DocumentsClosed(
            "documents travel with the request: the requesting State adds them before it is "
            f"sent; the request is {request.status.value!r} ({DOCUMENT_ARTICLE})"
        )


def add_document(
    request: CooperationRequest, document: Attachment, *, side: Side
) -> CooperationRequest:
    """The request with one more document of the requesting State, by the rules above."""
    if document.role is not AttachmentRole.DOCUMENT or document.added_by is not side:
        raise InvalidInput("a document of the request is added by this node's own side")
    if document.document_kind is None or document.size is None:
        raise InvalidInput("a document has a kind and a size")
    require_open(request, side)
    check_document_size(document.size)
    if len(documents(request, side=side)) >= MAX_DOCUMENTS:
        raise TooManyDocuments(f"a request carries at most {MAX_DOCUMENTS} documents")
    return attach(request, document)


def document_event(
    request: CooperationRequest,
    document: Attachment,
    *,
    node: str,
    officer: str,
    at: datetime,
) -> CustodyEvent:
    """The custody event of a document added to a request: ``collected``, with its digest,
    its attachment id and kind, under Art. 40(15)."""
    extra: dict[str, object] = {"attachment_id": document.id, "role": document.role.value}
    if document.document_kind is not None:
        extra["document_kind"] = document.document_kind.value
    return CustodyEvent(
        action=CustodyAction.COLLECTED,
        time=at,
        node=node,
        officer=officer,
        request_id=request.id,
        article=DOCUMENT_ARTICLE,
        evidence_sha256=document.sha256,
        unknown=extra,
    )
