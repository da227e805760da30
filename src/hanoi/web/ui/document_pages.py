"""Documents of a request in the officers' UI: add one to a draft (``POST
/ui/requests/{id}/documents``, after ``upload.js`` has uploaded the file to ``/ui/uploads``)
and download one (``GET /ui/requests/{id}/documents/{attachment id}``).

Thin, like the other pages: the case, the role, the request's status and the limits are
the cooperation service's (``node.cooperation.add_document``, ``node.cooperation.show``); a
request the user may not see, and a document it does not list, answer the same 404 as a
request that does not exist.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import BinaryIO
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from hanoi.accounts.model import Action, User
from hanoi.cooperation.documents import (
    MAX_DOCUMENT_BYTES,
    DocumentsClosed,
    DocumentTooLarge,
    EmptyDocument,
    TooManyDocuments,
    documents,
)
from hanoi.cooperation.model import Attachment, DocumentKind
from hanoi.cooperation.service import RequestView
from hanoi.cooperation.statuses import Side, Status
from hanoi.errors import HanoiError, NotFound
from hanoi.i18n.messages import Message
from hanoi.web.ui import forms
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.document_panel import (
    ADDED,
    BACK_TO,
    CLOSED,
    EMPTY,
    FIELD_LIMITS,
    KIND_MISSING,
    NOT_ADDED,
    TITLE_BAD,
    TITLE_MISSING,
    TOO_LARGE,
    TOO_MANY,
    UPLOAD_INCOMPLETE,
    UPLOAD_MISSING,
    UPLOAD_UNKNOWN,
    documents_section,
)
from hanoi.web.ui.flash import flash
from hanoi.web.ui.report_pages import repr_digest
from hanoi.web.ui.requests_pages import draft_page, request_page
from hanoi.web.ui.routes import csrf_guard, see_other
from hanoi.web.ui.site import PREFIX, SECURITY_HEADERS, UiSite, request_url

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])

MAX_ID = 128
OCTETS = "application/octet-stream"
DOWNLOAD_CHUNK = 1024 * 1024
DOWNLOAD_CSP = "default-src 'none'; sandbox"
"""A document is never a page of this site, whatever its media type says."""
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


# --- adding a document --------------------------------------------------------------------


def _read(form: Mapping[str, Sequence[str]], errors: dict[str, Message]) -> dict[str, str]:
    """The form's values, each cut at its limit; a title too long or on two lines is an
    error beside it."""
    values = {}
    for name, limit in FIELD_LIMITS.items():
        value = forms.first(form, name, limit + 1).strip()
        if name == "title" and (len(value) > limit or any(c in value for c in "\r\n")):
            errors["title"] = TITLE_BAD
        values[name] = value[:limit]
    if values["back"] not in BACK_TO:
        values["back"] = "request"
    return values


def _kind(text: str, errors: dict[str, Message]) -> DocumentKind | None:
    try:
        return DocumentKind(text)
    except ValueError:
        errors["document_kind"] = KIND_MISSING
        return None


def _check_upload(ui: UiSite, user: User, upload_id: str, errors: dict[str, Message]) -> bool:
    """Whether ``upload_id`` names the user's completed upload; why not, beside the file."""
    if not upload_id:
        errors["file"] = UPLOAD_MISSING
        return False
    try:
        upload = ui.node.uploads.status(user=user, upload_id=upload_id)
    except NotFound:
        errors["file"] = UPLOAD_UNKNOWN
        return False
    if not upload.complete:
        errors["file"] = UPLOAD_INCOMPLETE
        return False
    if upload.length > MAX_DOCUMENT_BYTES:
        errors["file"] = TOO_LARGE
        return False
    return True


def _refusal(exc: HanoiError, errors: dict[str, Message]) -> str | None:
    """Where the service's refusal shows; the English detail, for one without a sentence."""
    if isinstance(exc, DocumentTooLarge):
        errors["file"] = TOO_LARGE
    elif isinstance(exc, EmptyDocument):
        errors["file"] = EMPTY
    elif isinstance(exc, NotFound):  # the upload, gone meanwhile (taken in another tab)
        errors["file"] = UPLOAD_UNKNOWN
    elif isinstance(exc, TooManyDocuments):
        errors["form"] = TOO_MANY
    elif isinstance(exc, DocumentsClosed):
        errors["form"] = CLOSED
    else:
        errors["form"] = NOT_ADDED
        return exc.detail
    return None


@router.post("/requests/{request_id}/documents", response_model=None)
async def add_document(
    request_id: str, request: Request, user: UiUser, ui: Site
) -> HTMLResponse | RedirectResponse:
    require_action(user, Action.DRAFT)
    view = ui.node.cooperation.show(user, request_id[:MAX_ID])  # 404 first for a stranger
    req = view.request
    errors: dict[str, Message] = {}
    values = _read(forms.form_lists(await request.form()), errors)
    kind = _kind(values["document_kind"], errors)
    if not values["title"]:
        errors.setdefault("title", TITLE_MISSING)
    uploaded = _check_upload(ui, user, values["upload_id"], errors)
    problem = None
    if not errors and kind is not None and uploaded:
        try:
            await run_in_threadpool(
                ui.node.cooperation.add_document,
                user,
                req.id,
                upload_id=values["upload_id"],
                kind=kind,
                title=values["title"],
            )
        except HanoiError as exc:
            problem = _refusal(exc, errors)
        else:
            flash(request, ADDED, title=values["title"])
            return see_other(_back(req.id, values["back"]))
    if "file" in errors:
        values["upload_id"] = ""  # the file is chosen again
    status = 413 if errors.get("file") == TOO_LARGE else 422
    shown = ui.node.cooperation.show(user, req.id)
    section = documents_section(
        request, ui, user, shown, back=values["back"], values=values, errors=errors, problem=problem
    )
    if values["back"] == "edit" and _editable(shown):
        return draft_page(request, ui, user, shown, documents=section, status=status)
    return request_page(request, ui, user, shown, documents=section, status=status)


def _editable(view: RequestView) -> bool:
    return view.request.status is Status.DRAFT and view.side is Side.REQUESTING


def _back(request_id: str, back: str) -> str:
    url = request_url(request_id)
    return f"{url}/edit" if back == "edit" else f"{url}#documents-heading"


# --- downloading one ----------------------------------------------------------------------


def download_name(document: Attachment) -> tuple[str, str]:
    """The file name a download suggests: an ASCII one for old clients, and the title's own
    (RFC 6266 ``filename*``), each with the extension of its media type."""
    extension = mimetypes.guess_extension(document.media_type or "") or ""
    if extension == ".bin" or len(extension) > 8:
        extension = ""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", f"document-{document.id}")[:140] + extension
    title = _UNSAFE_NAME.sub("_", document.title or "").strip(" ._")[:120]
    return fallback, (title + extension if title else fallback)


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(DOWNLOAD_CHUNK):
            yield chunk


@router.get("/requests/{request_id}/documents/{attachment_id}")
def download_document(request_id: str, attachment_id: str, user: UiUser, ui: Site) -> Response:
    require_action(user, Action.READ)
    view = ui.node.cooperation.show(user, request_id[:MAX_ID])
    document = next((a for a in documents(view.request) if a.id == attachment_id[:MAX_ID]), None)
    if document is None:
        raise NotFound(f"request {view.request.id} lists no such document")
    stream = ui.node.blobs.open(document.sha256)  # NotFound while it has not arrived
    fallback, name = download_name(document)
    headers = {
        **SECURITY_HEADERS,
        "Content-Security-Policy": DOWNLOAD_CSP,
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''"
        + quote(name, safe=""),
        "Content-Length": str(ui.node.blobs.size(document.sha256)),
        "Repr-Digest": repr_digest(document.sha256),
        "Content-Type": document.media_type or OCTETS,  # as declared: no charset added
    }
    return StreamingResponse(_chunks(stream), headers=headers)
