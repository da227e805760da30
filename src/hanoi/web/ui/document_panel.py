"""The documents of a request as its pages show them (``_request_documents.html``): the
list, with a download link for each document this node holds, and, while the request is
still this State's draft, the form that adds one (uploaded with ``static/upload.js``).

Values only: the routes are :mod:`hanoi.web.ui.document_pages`; the rules are the
cooperation service's (:mod:`hanoi.cooperation.documents`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from starlette.requests import Request

from hanoi.accounts.model import Action, User
from hanoi.cooperation.documents import (
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENTS,
    documents,
    may_add_documents,
    may_add_letters,
)
from hanoi.cooperation.model import Attachment, DocumentKind
from hanoi.cooperation.service import RequestView
from hanoi.cooperation.statuses import Side
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.messages import N_, Message
from hanoi.web.ui import session_uploads
from hanoi.web.ui.site import UiSite, request_language, request_url

CHUNK_BYTES = 4 * 1024 * 1024
"""What ``upload.js`` sends in one PATCH of a document (half a 16 MiB document at most)."""
FIELD_LIMITS = {"upload_id": 64, "document_kind": 32, "title": 500, "back": 8}
BACK_TO = ("request", "edit")
"""Where the form returns: the request page, or the draft's edit page."""

DOCUMENT_KIND_LABELS: dict[DocumentKind, Message] = {
    DocumentKind.WARRANT: N_("Warrant"),
    DocumentKind.COURT_ORDER: N_("Court order"),
    DocumentKind.SUPPORTING_DOCUMENT: N_("Supporting document"),
    DocumentKind.TRANSLATION: N_("Translation"),
    DocumentKind.LETTER: N_("Letter or note (off the network)"),
}
UNKNOWN_KIND = N_("Document")

KIND_MISSING = N_("Choose the kind of document.")
TITLE_MISSING = N_("Give the document a title.")
TITLE_BAD = N_("Use at most 500 characters, on one line.")
UPLOAD_MISSING = N_("Choose a file and upload it.")
UPLOAD_UNKNOWN = N_("The upload was not found. Choose the file again.")
UPLOAD_INCOMPLETE = N_("The upload is not complete. Resume it, then add the document.")
TOO_LARGE = N_("A document is at most %(size)s. Choose a smaller file, or split it.")
TOO_MANY = N_("A request carries at most %(count)s documents.")
EMPTY = N_("The file is empty.")
CLOSED = N_("Documents can no longer be added: the request has been sent.")
NOT_ADDED = N_("The document could not be added to this request.")
ADDED = N_("Document added: %(title)s.")


@dataclass(frozen=True, slots=True)
class DocumentRow:
    id: str
    title: str
    kind: Message
    added_by: Side
    size_text: str
    sha256: str
    url: str | None
    """Where to download it; None while this node does not hold its bytes (not arrived)."""


@dataclass(frozen=True, slots=True)
class AddForm:
    request_id: str
    action: str
    back: str
    kinds: tuple[tuple[str, Message], ...]
    values: Mapping[str, str]
    errors: Mapping[str, Message]
    max_bytes: int
    chunk_bytes: int
    uploads_url: str


@dataclass(frozen=True, slots=True)
class DocumentsPanel:
    """What ``_request_documents.html`` shows: the documents and the form to add one."""

    rows: tuple[DocumentRow, ...]
    add: AddForm | None
    ours: bool
    """Whether this State is the requesting one (whose documents these are)."""
    errors: Mapping[str, Message] = field(default_factory=dict)
    """Why the document sent last was not added, by field (``form``: the whole form)."""
    problem: str | None = None
    """The service's own words (English), for a refusal the page has no sentence for."""
    max_size_text: str = ""
    max_documents: int = MAX_DOCUMENTS
    full: bool = False
    """The request holds :data:`MAX_DOCUMENTS` documents already."""


def document_url(request_id: str, attachment_id: str) -> str:
    return f"{request_url(request_id)}/documents/{quote(attachment_id, safe='')}"


def kind_label(kind: DocumentKind | None) -> Message:
    return DOCUMENT_KIND_LABELS[kind] if kind is not None else UNKNOWN_KIND


def _row(ui: UiSite, fmt: LocaleFormat, request_id: str, document: Attachment) -> DocumentRow:
    held = ui.node.blobs.exists(document.sha256)
    size = document.size
    if size is None and held:  # a document attached before sizes were recorded
        size = ui.node.blobs.size(document.sha256)
    return DocumentRow(
        id=document.id,
        title=document.title or "",
        kind=kind_label(document.document_kind),
        added_by=document.added_by,
        size_text=fmt.bytes(size) if size is not None else "",
        sha256=document.sha256,
        url=document_url(request_id, document.id) if held else None,
    )


def may_add(user: User, view: RequestView) -> bool:
    """Whether the page offers ``user`` the form (the service decides on the POST)."""
    return user.may(Action.DRAFT) and (
        may_add_documents(view.request, view.side) or may_add_letters(view.request)
    )


def kinds_offered(view: RequestView) -> tuple[DocumentKind, ...]:
    """Before it leaves, the documents that travel with the request; off the network, once
    it has left or arrived, the other State's letters (ADR 0028)."""
    if may_add_documents(view.request, view.side):
        return tuple(kind for kind in DocumentKind if kind is not DocumentKind.LETTER)
    return (DocumentKind.LETTER,)


def documents_section(
    request: Request,
    ui: UiSite,
    user: User,
    view: RequestView,
    *,
    back: str = "request",
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, Message] | None = None,
    problem: str | None = None,
) -> dict[str, DocumentsPanel]:
    """The values of ``_request_documents.html`` for a request the user may see (``view``
    from ``node.cooperation.show``): ``{"documents_panel": DocumentsPanel}``."""
    fmt = LocaleFormat(request_language(request))
    req = view.request
    rows = tuple(_row(ui, fmt, req.id, a) for a in documents(req))
    theirs = documents(req, side=view.side)
    add = None
    if may_add(user, view):
        add = AddForm(
            request_id=req.id,
            action=f"{request_url(req.id)}/documents",
            back=back if back in BACK_TO else "request",
            kinds=tuple((k.value, DOCUMENT_KIND_LABELS[k]) for k in kinds_offered(view)),
            values=values or dict.fromkeys(FIELD_LIMITS, ""),
            errors=errors or {},
            max_bytes=MAX_DOCUMENT_BYTES,
            chunk_bytes=CHUNK_BYTES,
            uploads_url=session_uploads.UPLOADS,
        )
    return {
        "documents_panel": DocumentsPanel(
            rows=rows,
            add=add,
            ours=view.side is Side.REQUESTING,
            errors=errors or {},
            problem=problem,
            max_size_text=fmt.bytes(MAX_DOCUMENT_BYTES),
            full=len(theirs) >= MAX_DOCUMENTS,
        )
    }
