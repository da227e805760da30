"""Evidence in the officers' UI: upload a file (tus, resumable), record it as an evidence
item of a request, send items back to the requesting State, and one package's page.

Thin, like the other pages: the rules are the services' (``node.uploads``,
``node.evidence``, ``node.cooperation``, ``node.transfers``). The tus protocol is the
API's own (:mod:`hanoi.web.uploads`); here it answers at ``/ui/uploads`` to the
signed-in session, with the CSRF token in a header on every call that changes
something, and answers problem+json (401, 403, 404...) rather than pages, because a
script calls it. ``static/upload.js`` is the client.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from hanoi.accounts.model import Action, User
from hanoi.convention import Language
from hanoi.cooperation import Side
from hanoi.cooperation.model import AttachmentRole
from hanoi.cooperation.service import RequestView
from hanoi.cooperation.statuses import FINAL
from hanoi.custody.events import CustodyAction
from hanoi.errors import HanoiError, InvalidInput, NotFound
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.evidence.uploads import Upload
from hanoi.federation.transfers import KeptReport, Received
from hanoi.storage.transfers_repo import PackageRow
from hanoi.web.problems import problem, status_for
from hanoi.web.ui import cases
from hanoi.web.ui.auth import Site, UiUser, require_action, safe_next, session_user
from hanoi.web.ui.i18n import N_, LocaleFormat, Message
from hanoi.web.ui.routes import csrf_guard, see_other
from hanoi.web.ui.sessions import CsrfRejected, check_csrf
from hanoi.web.ui.site import (
    HOME,
    PREFIX,
    SECURITY_HEADERS,
    UiSite,
    request_language,
    request_url,
)
from hanoi.web.uploads import (
    TusHeaders,
    tus_append,
    tus_cancel,
    tus_capabilities,
    tus_create,
    tus_status,
)

UPLOADS = f"{PREFIX}/uploads"
PACKAGES = f"{PREFIX}/packages"
CSRF_HEADER = "X-CSRF-Token"
CHUNK_BYTES = 8 * 1024 * 1024
"""What ``upload.js`` sends in one PATCH: a dropped connection costs at most this much."""
UPLOAD_PAGE_CSP = SECURITY_HEADERS["Content-Security-Policy"] + "; connect-src 'self'"
"""The upload page's script talks to /ui/uploads; no other page may connect anywhere."""
MAX_ID = 128
MAX_TEXT = 500
MAX_ITEMS = 100
SHOWN_ROWS = 500
"""Checks, custody steps and files shown on a package page; the rest are counted."""

SOURCE_KIND_LABELS: dict[SourceKind, Message] = {
    SourceKind.PROVIDER: N_("A service provider, under a production order"),
    SourceKind.SYSTEM: N_("An information and communications technology system, searched"),
    SourceKind.DEVICE: N_("A seized device or electronic data storage medium"),
}
DIRECTION_LABELS: dict[str, Message] = {
    "outgoing": N_("This State sent it"),
    "incoming": N_("This State received it"),
}
PACKAGE_STATUS_LABELS: dict[str, Message] = {
    "offered": N_("Offered"),
    "fetching": N_("Downloading"),
    "accepted": N_("Verified and accepted"),
    "rejected": N_("Not accepted"),
}
CHECK_AREA_LABELS: dict[str, Message] = {
    "bag": N_("BagIt bag"),
    "statement": N_("Signed statement"),
    "custody": N_("Custody proofs"),
    "description": N_("CASE/UCO description"),
    "payload": N_("Files"),
}
CONDITION_LABELS: dict[str, Message] = {
    "use_limitation": N_("Use limitation"),
    "confidentiality": N_("Confidentiality"),
    "retention": N_("Retention of personal data"),
    "onward_transfer": N_("Transfer to a third State"),
}
VERDICT_LABELS: dict[str, Message] = {
    "verified": N_(
        "Verified: the bag, the signature, the custody proofs and every file were checked "
        "before the package was accepted."
    ),
    "not-verified": N_("Not verified. These checks held before the one that failed:"),
    "sent": N_(
        "Signed and encrypted by this node for the requesting State, which verifies it in "
        "full before accepting it."
    ),
}
NOT_VERIFIED_YET = N_("The package has not been verified yet.")
NO_REPORT = N_("No verification report was kept for this package.")

UPLOAD_MISSING = N_("Choose a file and upload it.")
UPLOAD_UNKNOWN = N_("The upload was not found. Choose the file again.")
UPLOAD_INCOMPLETE = N_("The upload is not complete. Resume it, then record the evidence.")
FILE_NAME_BAD = N_("This file name is not accepted: use at most 255 characters.")
DESCRIPTION_MISSING = N_("Describe the evidence.")
SOURCE_KIND_MISSING = N_("Choose the kind of source.")
SOURCE_MISSING = N_("Say where or from whom the evidence was obtained.")
METHOD_MISSING = N_("Say how the evidence was obtained.")
ACQUIRED_MISSING = N_("Enter the date and time the evidence was obtained, in UTC.")
ACQUIRED_FUTURE = N_("The date and time the evidence was obtained cannot be in the future.")
ARTICLE_MISSING = N_("Give the article under which the evidence was obtained.")
TEXT_BAD = N_("Use at most 500 characters, on one line.")
NOT_ATTACHED = N_("The evidence could not be attached to this request.")
NOTHING_CHOSEN = N_("Choose at least one evidence item to send.")
NOT_SENT = N_("The package could not be sent.")

FIELD_LIMITS = {
    "upload_id": 64,
    "description": MAX_TEXT,
    "source_kind": 32,
    "source": MAX_TEXT,
    "method": MAX_TEXT,
    "acquired_at": 32,
    "article": MAX_TEXT,
}
ACQUISITION_FIELDS = {
    "original_name": "file",
    "media_type": "file",
    "source": "source",
    "method": "method",
    "article": "article",
    "acquired_at": "acquired_at",
}
"""Where a problem the evidence service finds in a description shows on the form."""
_ACQUISITION_MESSAGES = {"file": FILE_NAME_BAD, "form": NOT_ATTACHED}
OCTETS = "application/octet-stream"

router = APIRouter(prefix=PREFIX, include_in_schema=False)
pages = APIRouter(dependencies=[Depends(csrf_guard)])
tus = APIRouter(prefix="/uploads")


def package_url(package_id: str) -> str:
    return f"{PACKAGES}/{quote(package_id, safe='')}"


def _fmt(request: Request) -> LocaleFormat:
    return LocaleFormat(request_language(request))


# --- the evidence of a request: the partial on the request page ----------------------------


@dataclass(frozen=True, slots=True)
class ItemRow:
    id: str
    name: str
    description: str | None
    size_text: str
    sha256: str
    recorded_at: datetime
    received: bool


@dataclass(frozen=True, slots=True)
class PackageLine:
    id: str
    url: str
    direction: Message
    peer: str
    status: Message
    size_text: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SendForm:
    action: str
    peer: str
    choices: tuple[ItemRow, ...]
    chosen: frozenset[str]
    error: Message | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class EvidencePanel:
    """What ``_request_evidence.html`` shows: the items, the packages, the send form."""

    request_id: str
    add_url: str | None
    rows: tuple[ItemRow, ...]
    packages: tuple[PackageLine, ...]
    send: SendForm | None


def _item_rows(
    fmt: LocaleFormat,
    view: RequestView,
    items: Sequence[EvidenceItem],
    received: Sequence[Received],
) -> tuple[ItemRow, ...]:
    from_packages = {item.id for r in received for item in r.items}
    titles = {
        a.sha256: a.title
        for a in view.request.attachments
        if a.role is AttachmentRole.EVIDENCE and a.title
    }
    return tuple(
        ItemRow(
            id=item.id,
            name=item.acquisition.original_name,
            description=titles.get(item.sha256),
            size_text=fmt.bytes(item.size),
            sha256=item.sha256,
            recorded_at=item.recorded_at,
            received=item.id in from_packages,
        )
        for item in sorted(items, key=lambda i: i.recorded_at)
    )


def _package_line(fmt: LocaleFormat, row: PackageRow) -> PackageLine:
    return PackageLine(
        id=row.id,
        url=package_url(row.id),
        direction=DIRECTION_LABELS.get(row.direction, Message(row.direction)),
        peer=row.peer,
        status=PACKAGE_STATUS_LABELS.get(row.status, Message(row.status)),
        size_text=fmt.bytes(row.size),
        updated_at=row.updated_at,
    )


def _may_add(user: User, view: RequestView) -> bool:
    return user.may(Action.UPLOAD_EVIDENCE) and view.request.status not in FINAL


def evidence_section(
    request: Request,
    ui: UiSite,
    user: User,
    view: RequestView,
    *,
    send_error: Message | None = None,
    send_detail: str | None = None,
    chosen: Sequence[str] = (),
) -> dict[str, Any]:
    """The values ``_request_evidence.html`` needs, for a request the user may see
    (``view`` from ``node.cooperation.show``): ``{"evidence_panel": EvidencePanel}``."""
    fmt = _fmt(request)
    req = view.request
    received = ui.node.transfers.packages(user, req.id)
    rows = _item_rows(fmt, view, ui.node.evidence.for_request(req.id), received)
    packages = tuple(_package_line(fmt, r.package) for r in received)
    send = None
    collected = tuple(r for r in rows if not r.received)
    if view.side is Side.REQUESTED and user.may(Action.UPLOAD_EVIDENCE) and collected:
        send = SendForm(
            action=f"{request_url(req.id)}/evidence/packages",
            peer=req.requesting_state,
            choices=collected,
            chosen=frozenset(chosen),
            error=send_error,
            detail=send_detail,
        )
    panel = EvidencePanel(
        request_id=req.id,
        add_url=f"{request_url(req.id)}/evidence" if _may_add(user, view) else None,
        rows=rows,
        packages=packages,
        send=send,
    )
    return {"evidence_panel": panel}


# --- the upload page --------------------------------------------------------------------


def _article_of(ui: UiSite, view: RequestView) -> str:
    catalogue = ui.node.cooperation.catalogue
    return catalogue.cite(catalogue.kind(view.request.kind).source, Language.EN)


def _upload_page(
    request: Request,
    ui: UiSite,
    user: User,
    view: RequestView,
    *,
    values: Mapping[str, str],
    errors: Mapping[str, Message] | None = None,
    problem_detail: str | None = None,
    upload: Upload | None = None,
    status: int = 200,
    send_error: Message | None = None,
    send_detail: str | None = None,
    chosen: Sequence[str] = (),
) -> HTMLResponse:
    fmt = _fmt(request)
    req = view.request
    limits = ui.node.uploads.limits
    uploaded = None
    if upload is not None and upload.complete:
        uploaded = {
            "name": upload.metadata.get("filename", ""),
            "size_text": fmt.bytes(upload.length),
        }
    response = ui.page(
        request,
        "request_evidence.html",
        user=user,
        status=status,
        req=req,
        request_page=request_url(req.id),
        kind_title=cases.kind_title(fmt, ui.node.cooperation.catalogue, req.kind),
        action=f"{request_url(req.id)}/evidence",
        open=_may_add(user, view),
        values=values,
        errors=errors or {},
        problem=problem_detail,
        uploaded=uploaded,
        source_kinds=[(k.value, SOURCE_KIND_LABELS[k]) for k in SourceKind],
        max_bytes=limits.max_bytes,
        max_size_text=fmt.bytes(limits.max_bytes),
        chunk_bytes=CHUNK_BYTES,
        uploads_url=UPLOADS,
        **evidence_section(
            request,
            ui,
            user,
            view,
            send_error=send_error,
            send_detail=send_detail,
            chosen=chosen,
        ),
    )
    response.headers["Content-Security-Policy"] = UPLOAD_PAGE_CSP
    return response


def _show(ui: UiSite, user: User, request_id: str) -> RequestView:
    """The request, if the user may add evidence to requests and sees this one; else 404."""
    require_action(user, Action.UPLOAD_EVIDENCE)
    return ui.node.cooperation.show(user, request_id[:MAX_ID])


@pages.get("/requests/{request_id}/evidence")
def evidence_form(request_id: str, request: Request, user: UiUser, ui: Site) -> HTMLResponse:
    view = _show(ui, user, request_id)
    values = dict.fromkeys(FIELD_LIMITS, "")
    values["article"] = _article_of(ui, view)
    return _upload_page(request, ui, user, view, values=values)


def _moment(text: str, now: datetime, errors: dict[str, Message]) -> datetime | None:
    """A ``datetime-local`` value (``2026-03-02T09:30``), read as UTC."""
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not None:
        errors["acquired_at"] = ACQUIRED_MISSING
        return None
    moment = moment.replace(tzinfo=UTC)
    if moment > now + timedelta(minutes=5):
        errors["acquired_at"] = ACQUIRED_FUTURE
        return None
    return moment


def _completed_upload(
    ui: UiSite, user: User, upload_id: str, errors: dict[str, Message]
) -> Upload | None:
    if not upload_id:
        errors["file"] = UPLOAD_MISSING
        return None
    try:
        upload = ui.node.uploads.status(user=user, upload_id=upload_id)
    except NotFound:
        errors["file"] = UPLOAD_UNKNOWN
        return None
    if not upload.complete:
        errors["file"] = UPLOAD_INCOMPLETE
    return upload


def _acquisition(
    user: User,
    request_id: str,
    upload: Upload,
    values: Mapping[str, str],
    acquired_at: datetime,
    errors: dict[str, Message],
) -> Acquisition | None:
    """The description the evidence service records; its problems shown beside the fields."""
    given = upload.metadata.get("filetype", "").strip().lower()[:200]
    for media_type in (given, OCTETS) if given else (OCTETS,):
        try:
            return Acquisition(
                original_name=upload.metadata.get("filename", ""),
                media_type=media_type,
                source_kind=SourceKind(values["source_kind"]),
                source=values["source"],
                method=values["method"],
                acquired_at=acquired_at,
                officer=user.name,
                request_ref=request_id,
                article=values["article"],
            )
        except InvalidInput as exc:
            if {f.path for f in exc.fields} == {"media_type"}:
                continue  # a media type the browser made up: recorded as bytes
            for problem_field in exc.fields:
                name = ACQUISITION_FIELDS.get(problem_field.path, "form")
                errors.setdefault(name, _ACQUISITION_MESSAGES.get(name, TEXT_BAD))
            return None
    return None  # pragma: no cover - application/octet-stream is always accepted


def _read_values(form: Mapping[str, Sequence[str]], errors: dict[str, Message]) -> dict[str, str]:
    """The form's values, each cut at its limit; a text longer than that is an error."""
    values = {}
    for name, limit in FIELD_LIMITS.items():
        value = cases.first(form, name, limit + 1).strip()
        if len(value) > limit or any(c in value for c in "\r\n"):
            errors[name] = UPLOAD_UNKNOWN if name == "upload_id" else TEXT_BAD
        values[name] = value[:limit]
    return values


@pages.post("/requests/{request_id}/evidence", response_model=None)
async def record_evidence(
    request_id: str, request: Request, user: UiUser, ui: Site
) -> HTMLResponse | RedirectResponse:
    view = _show(ui, user, request_id)
    req = view.request
    errors: dict[str, Message] = {}
    values = _read_values(cases.form_lists(await request.form()), errors)
    if "upload_id" in errors:
        errors["file"] = errors.pop("upload_id")
        upload = None
    else:
        upload = _completed_upload(ui, user, values["upload_id"], errors)
    if upload is None:
        values["upload_id"] = ""
    for name, message in (
        ("description", DESCRIPTION_MISSING),
        ("source", SOURCE_MISSING),
        ("method", METHOD_MISSING),
        ("article", ARTICLE_MISSING),
    ):
        if not values[name]:
            errors.setdefault(name, message)
    if values["source_kind"] not in {k.value for k in SourceKind}:
        errors["source_kind"] = SOURCE_KIND_MISSING
    acquired_at = _moment(values["acquired_at"], ui.node.clock.now(), errors)
    problem_detail = None
    if not errors and upload is not None and acquired_at is not None:
        acquisition = _acquisition(user, req.id, upload, values, acquired_at, errors)
        if acquisition is not None:
            try:
                await run_in_threadpool(
                    _attach_and_record, ui, user, req.id, upload, values, acquisition
                )
            except HanoiError as exc:
                errors["form"] = NOT_ATTACHED
                problem_detail = exc.detail
            else:
                return see_other(request_url(req.id))
    return _upload_page(
        request,
        ui,
        user,
        view,
        values=values,
        errors=errors,
        problem_detail=problem_detail,
        upload=upload,
        status=422,
    )


def _attach_and_record(
    ui: UiSite,
    user: User,
    request_id: str,
    upload: Upload,
    values: Mapping[str, str],
    acquisition: Acquisition,
) -> None:
    """Attach first (the service checks the case, the role and the request's state), then
    record the item and its custody event, which the log keeps for ever."""
    assert upload.digest is not None
    ui.node.cooperation.attach(
        user,
        request_id,
        sha256=upload.digest,
        role=AttachmentRole.EVIDENCE,
        title=values["description"],
    )
    ui.node.evidence.from_upload(user=user, upload_id=upload.id, acquisition=acquisition)


@pages.post("/requests/{request_id}/evidence/packages", response_model=None)
async def send_package(
    request_id: str, request: Request, user: UiUser, ui: Site
) -> HTMLResponse | RedirectResponse:
    view = _show(ui, user, request_id)
    req = view.request
    form = cases.form_lists(await request.form())
    chosen = [value[:64] for value in form.get("items", [])[:MAX_ITEMS]]
    next_page = safe_next(cases.first(form, "next", 2000))
    if next_page == HOME:
        next_page = request_url(req.id)
    error, detail = NOTHING_CHOSEN, None
    if chosen:
        try:
            await run_in_threadpool(ui.node.transfers.offer, user, req.id, chosen)
        except HanoiError as exc:
            error, detail = NOT_SENT, exc.detail
        else:
            return see_other(next_page)
    values = dict.fromkeys(FIELD_LIMITS, "")
    values["article"] = _article_of(ui, view)
    return _upload_page(
        request,
        ui,
        user,
        view,
        values=values,
        status=422,
        send_error=error,
        send_detail=detail,
        chosen=chosen,
    )


# --- one package ------------------------------------------------------------------------


def _limited(rows: Sequence[Any]) -> tuple[tuple[Any, ...], int]:
    return tuple(rows[:SHOWN_ROWS]), max(0, len(rows) - SHOWN_ROWS)


def _report_values(fmt: LocaleFormat, row: PackageRow) -> dict[str, Any]:
    report = None
    if row.report is not None:
        try:
            report = KeptReport.from_json(row.report)
        except InvalidInput:
            report = None
    if report is None:
        pending = row.status in ("offered", "fetching") and row.direction == "incoming"
        return {"report": None, "no_report": NOT_VERIFIED_YET if pending else NO_REPORT}
    checks, more_checks = _limited(
        [(CHECK_AREA_LABELS.get(c.area, Message(c.area)), c.detail) for c in report.checks]
    )
    steps, more_steps = _limited(
        [
            {
                "action": _custody_label(s.action),
                "time": s.time,
                "time_text": cases.moment(fmt, s.time),
                "officer": s.officer,
                "node": s.node,
                "article": s.article,
                "entry": f"{s.log_origin} #{s.index}",
                "witnesses": s.witnesses,
            }
            for s in report.custody
        ]
    )
    files, more_files = _limited(
        [{"name": f.name, "size_text": fmt.bytes(f.size), "sha256": f.sha256} for f in report.files]
    )
    return {
        "report": report,
        "verdict": VERDICT_LABELS.get(report.verdict, Message(report.verdict)),
        "checks": checks,
        "more_checks": more_checks,
        "unchecked": report.unchecked[:SHOWN_ROWS],
        "steps": steps,
        "more_steps": more_steps,
        "files": files,
        "more_files": more_files,
        "conditions": [
            (CONDITION_LABELS.get(name, Message(name)), text) for name, text in report.conditions
        ],
    }


def _custody_label(value: str) -> Message:
    try:
        return cases.CUSTODY_LABELS.get(CustodyAction(value), Message(value))
    except ValueError:
        return Message(value)


@pages.get("/packages/{package_id}")
def package_page(package_id: str, request: Request, user: UiUser, ui: Site) -> HTMLResponse:
    require_action(user, Action.READ)
    received = ui.node.transfers.package(user, package_id[:64])
    row = received.package
    fmt = _fmt(request)
    return ui.page(
        request,
        "package.html",
        user=user,
        package=row,
        request_page=request_url(row.request_id),
        direction=DIRECTION_LABELS.get(row.direction, Message(row.direction)),
        status_label=PACKAGE_STATUS_LABELS.get(row.status, Message(row.status)),
        size_text=fmt.bytes(row.size),
        received_text=fmt.bytes(row.received),
        recorded=len(received.items),
        **_report_values(fmt, row),
    )


# --- tus at /ui/uploads, for the signed-in session ----------------------------------------------


def _refused(request: Request, status: int, title: str, detail: str, slug: str) -> JSONResponse:
    return problem(
        status=status, title=title, detail=detail, type_slug=slug, instance=request.url.path
    )


def _tus_user(request: Request, *, changes: bool) -> User | JSONResponse:
    """The session's user; on a call that changes something, also the CSRF header. A script
    is calling: refusals are problem+json, never a redirect to the login page."""
    user = session_user(request)
    if user is None:
        return _refused(request, 401, "Sign in", "sign in to the UI first", "unauthenticated")
    if changes:
        try:
            check_csrf(request.session, request.headers.get(CSRF_HEADER))
        except CsrfRejected as exc:
            return _refused(request, 403, exc.title, exc.detail, exc.type_slug)
    return user


def _answer(request: Request, exc: HanoiError) -> JSONResponse:
    return _refused(request, status_for(exc), exc.title, exc.detail, exc.type_slug)


def _tus_call(request: Request, *, changes: bool, call: Callable[[User], Response]) -> Response:
    user = _tus_user(request, changes=changes)
    if isinstance(user, JSONResponse):
        return user
    try:
        return call(user)
    except HanoiError as exc:
        return _answer(request, exc)


def _location(upload_id: str) -> str:
    return f"{UPLOADS}/{upload_id}"


@tus.options("")
def ui_tus_capabilities(request: Request, ui: Site) -> Response:
    return _tus_call(request, changes=True, call=lambda _: tus_capabilities(ui.node.uploads))


@tus.post("")
def ui_tus_create(request: Request, ui: Site) -> Response:
    return _tus_call(
        request,
        changes=True,
        call=lambda user: tus_create(
            ui.node.uploads, user, TusHeaders.of(request), location=_location
        ),
    )


@tus.head("/{upload_id}")
def ui_tus_status(upload_id: str, request: Request, ui: Site) -> Response:
    return _tus_call(
        request,
        changes=False,
        call=lambda user: tus_status(ui.node.uploads, user, upload_id, TusHeaders.of(request)),
    )


@tus.patch("/{upload_id}")
async def ui_tus_append(upload_id: str, request: Request, ui: Site) -> Response:
    user = _tus_user(request, changes=True)
    if isinstance(user, JSONResponse):
        return user
    try:
        return await tus_append(
            ui.node.uploads, user, upload_id, TusHeaders.of(request), request.stream()
        )
    except HanoiError as exc:
        return _answer(request, exc)


@tus.delete("/{upload_id}")
def ui_tus_cancel(upload_id: str, request: Request, ui: Site) -> Response:
    return _tus_call(
        request,
        changes=True,
        call=lambda user: tus_cancel(ui.node.uploads, user, upload_id, TusHeaders.of(request)),
    )


router.include_router(pages)
router.include_router(tus)
