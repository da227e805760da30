"""Evidence in the officers' UI: upload a file (tus, resumable), record it as an evidence
item of a request, and send items back to the requesting State (a package's own page
is :mod:`hanoi.web.ui.package_pages`).

Thin, like the other pages: the rules are the services' (``node.uploads``,
``node.evidence``, ``node.cooperation``, ``node.transfers``; which items a package
already holds: :mod:`hanoi.federation.outgoing`). The upload page's script
(``static/upload.js``) sends the file to :mod:`hanoi.web.ui.session_uploads`. What an
action did is said once on the page it leads to (:mod:`hanoi.web.ui.flash`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from hanoi.accounts.model import Action, User
from hanoi.convention import Language
from hanoi.cooperation import Side
from hanoi.cooperation.model import AttachmentRole
from hanoi.cooperation.routes import OFF_NETWORK, Route
from hanoi.cooperation.service import RequestView
from hanoi.cooperation.statuses import NO_EVIDENCE
from hanoi.errors import HanoiError, InvalidInput, NotFound
from hanoi.evidence.items import MAX_CHANNEL_REFERENCE, Acquisition, EvidenceItem, SourceKind
from hanoi.evidence.uploads import Upload
from hanoi.federation.outgoing import AlreadySent, holding
from hanoi.federation.ports import NOT_SENT_YET, PackageRow, PackageStatus
from hanoi.federation.sending import Sent
from hanoi.federation.transfers import Received
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.labels import ROUTE_LABELS, kind_title
from hanoi.i18n.messages import N_, Message
from hanoi.web.ui import draft_states, forms, session_uploads
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.flash import flash
from hanoi.web.ui.package_pages import DIRECTION_LABELS, PACKAGE_STATUS_LABELS, package_url
from hanoi.web.ui.routes import csrf_guard, see_other
from hanoi.web.ui.site import (
    PREFIX,
    SECURITY_HEADERS,
    UiSite,
    request_language,
    request_url,
)

CHUNK_BYTES = 8 * 1024 * 1024
"""What ``upload.js`` sends in one PATCH: a dropped connection costs at most this much."""
UPLOAD_PAGE_CSP = SECURITY_HEADERS["Content-Security-Policy"] + "; connect-src 'self'"
"""The upload page's script talks to /ui/uploads; no other page may connect anywhere."""
MAX_ID = 128
MAX_TEXT = 500
MAX_ITEMS = 100

SOURCE_KIND_LABELS: dict[SourceKind, Message] = {
    SourceKind.PROVIDER: N_("A service provider, under a production order"),
    SourceKind.SYSTEM: N_("An information and communications technology system, searched"),
    SourceKind.DEVICE: N_("A seized device or electronic data storage medium"),
}

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
RECEIVED_FROM_MISSING = N_("Choose the State that sent the evidence.")
RECEIVED_FROM_BAD = N_("Enter the three-letter code of the State, in capitals, for example GHA.")
RECEIVED_FROM_OWN = N_(
    "Evidence received off the network comes from another State than this node's."
)
CHANNEL_MISSING = N_("Choose the channel the evidence came by.")
CHANNEL_REFERENCE_MISSING = N_(
    "Give the reference of the consignment, for example the number of the diplomatic note."
)
CHANNEL_REFERENCE_BAD = N_("Use at most 200 characters, on one line.")
NOT_ATTACHED = N_("The evidence could not be attached to this request.")
NOTHING_CHOSEN = N_("Choose at least one evidence item to send.")
NOT_SENT = N_("The package could not be sent.")
IN_ANOTHER_PACKAGE = N_(
    "An item you chose is already in package %(package)s, with other items: nothing was "
    "sent. Choose only items not sent yet, or exactly the items of that package."
)

RECORDED = N_("Evidence recorded: %(name)s.")
PACKAGE_SENT = N_("Package sent to %(state)s. Items: %(count)s.")
PACKAGE_STORED = N_(
    "The package for %(state)s is stored: it leaves once witnesses of other States have "
    "cosigned its custody proofs. Items: %(count)s."
)
SENT_BEFORE = N_("These items are already in package %(package)s: nothing was packed again.")
"""Confirmations shown once on the page a form leads to (``flash``)."""

FIELD_LIMITS = {
    "upload_id": 64,
    "description": MAX_TEXT,
    "source_kind": 32,
    "source": MAX_TEXT,
    "method": MAX_TEXT,
    "acquired_at": 32,
    "article": MAX_TEXT,
    "legal_basis": MAX_TEXT,
    "authority": MAX_TEXT,
    "received_from": 3,
    "channel": 16,
    "channel_reference": MAX_CHANNEL_REFERENCE,
}
RECEIPT_MESSAGES = {
    "received_from": (RECEIVED_FROM_MISSING, RECEIVED_FROM_BAD),
    "channel": (CHANNEL_MISSING, CHANNEL_MISSING),
    "channel_reference": (CHANNEL_REFERENCE_MISSING, CHANNEL_REFERENCE_BAD),
}
"""The optional fieldset for evidence received off the network: all three fields or none;
what to say of one left empty, and of one that is wrong."""
ACQUISITION_FIELDS = {
    "original_name": "file",
    "media_type": "file",
    "source": "source",
    "method": "method",
    "article": "article",
    "acquired_at": "acquired_at",
    "legal_basis": "legal_basis",
    "authority": "authority",
    "received_from": "received_from",
    "channel": "channel",
    "channel_reference": "channel_reference",
}
"""Where a problem the evidence service finds in a description shows on the form."""
_ACQUISITION_MESSAGES = {
    "file": FILE_NAME_BAD,
    "form": NOT_ATTACHED,
    **{name: bad for name, (_missing, bad) in RECEIPT_MESSAGES.items()},
}
OCTETS = "application/octet-stream"
_STATE = re.compile(r"[A-Z]{3}")

router = APIRouter(prefix=PREFIX, include_in_schema=False)
pages = APIRouter(dependencies=[Depends(csrf_guard)])


def _fmt(request: Request) -> LocaleFormat:
    return LocaleFormat(request_language(request))


# --- the evidence of a request: the partial on the request page ----------------------------


@dataclass(frozen=True, slots=True)
class HeldBy:
    """The live outgoing package that holds an item: it is not offered for sending again."""

    id: str
    url: str
    at: datetime
    waiting: bool
    """Not offered yet (being packed, or waiting for witnesses)."""


@dataclass(frozen=True, slots=True)
class ReceivedOffNetwork:
    """Where an item another State sent off the network came from, as the list says it."""

    state: str
    state_name: str
    channel: Message
    reference: str


@dataclass(frozen=True, slots=True)
class ItemRow:
    id: str
    name: str
    description: str | None
    size_text: str
    sha256: str
    recorded_at: datetime
    received: bool
    sent: HeldBy | None = None
    off_network: ReceivedOffNetwork | None = None
    """Sent by a State without a node, on media (by courier, in the diplomatic bag)."""


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
class SendError:
    """Why the send form came back: a message (with its values) and the service's detail."""

    message: Message
    values: Mapping[str, str]
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class SendForm:
    action: str
    back: str
    """The page the form was shown on, where a send that succeeds leads (``next``)."""
    peer: str
    choices: tuple[ItemRow, ...]
    """The items collected here; those already sent (``sent``) cannot be chosen."""
    chosen: frozenset[str]
    error: SendError | None

    @property
    def sendable(self) -> int:
        return sum(1 for item in self.choices if item.sent is None)


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
    held = holding((r.package for r in received), items)
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
            sent=_held_by(held.get(item.id)),
            off_network=_off_network(fmt, item),
        )
        for item in sorted(items, key=lambda i: i.recorded_at)
    )


def _off_network(fmt: LocaleFormat, item: EvidenceItem) -> ReceivedOffNetwork | None:
    a = item.acquisition
    if a.received_from is None or a.channel is None or a.channel_reference is None:
        return None
    return ReceivedOffNetwork(
        state=a.received_from,
        state_name=fmt.territory(a.received_from),
        channel=ROUTE_LABELS[a.channel],
        reference=a.channel_reference,
    )


def _held_by(row: PackageRow | None) -> HeldBy | None:
    if row is None:
        return None
    waiting = row.status in NOT_SENT_YET
    return HeldBy(row.id, package_url(row.id), row.created_at, waiting)


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
    return user.may(Action.UPLOAD_EVIDENCE) and view.request.status not in NO_EVIDENCE


def evidence_section(
    request: Request,
    ui: UiSite,
    user: User,
    view: RequestView,
    *,
    back: str | None = None,
    send_error: SendError | None = None,
    chosen: Sequence[str] = (),
) -> dict[str, Any]:
    """The values ``_request_evidence.html`` needs, for a request the user may see
    (``view`` from ``node.cooperation.show``): ``{"evidence_panel": EvidencePanel}``.
    ``back``: the page it is shown on (default: the request's page), where a package sent
    from it leads."""
    fmt = _fmt(request)
    req = view.request
    received = ui.node.transfers.packages(user, req.id)
    rows = _item_rows(fmt, view, ui.node.evidence.for_request(user, req.id), received)
    packages = tuple(_package_line(fmt, r.package) for r in received)
    send = None
    collected = tuple(r for r in rows if not r.received)
    if view.side is Side.REQUESTED and user.may(Action.UPLOAD_EVIDENCE) and collected:
        send = SendForm(
            action=f"{request_url(req.id)}/evidence/packages",
            back=_back_page(req.id, back),
            peer=req.requesting_state,
            choices=collected,
            chosen=frozenset(chosen),
            error=send_error,
        )
    panel = EvidencePanel(
        request_id=req.id,
        add_url=f"{request_url(req.id)}/evidence" if _may_add(user, view) else None,
        rows=rows,
        packages=packages,
        send=send,
    )
    return {"evidence_panel": panel}


def _evidence_page(request_id: str) -> str:
    return f"{request_url(request_id)}/evidence"


def _back_page(request_id: str, wanted: str | None) -> str:
    """Where a send leads: the request's page or its evidence page, whichever the form was
    on; anything else (an old form, a page that only answers POST) is the request's page."""
    pages = (request_url(request_id), _evidence_page(request_id))
    return wanted if wanted in pages else pages[0]


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
    send_error: SendError | None = None,
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
        kind_title=kind_title(fmt, ui.node.cooperation.catalogue, req.kind),
        action=_evidence_page(req.id),
        open=_may_add(user, view),
        values=values,
        errors=errors or {},
        problem=problem_detail,
        uploaded=uploaded,
        source_kinds=[(k.value, SOURCE_KIND_LABELS[k]) for k in SourceKind],
        sending_states=draft_states.state_choices(ui.node, fmt),
        channels=[(route.value, ROUTE_LABELS[route]) for route in OFF_NETWORK],
        max_bytes=limits.max_bytes,
        max_size_text=fmt.bytes(limits.max_bytes),
        chunk_bytes=CHUNK_BYTES,
        uploads_url=session_uploads.UPLOADS,
        **evidence_section(
            request,
            ui,
            user,
            view,
            back=_evidence_page(req.id),
            send_error=send_error,
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
    values["authority"] = ui.node.settings.name
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


def _receipt(
    ui: UiSite, request: Request, values: Mapping[str, str], errors: dict[str, Message]
) -> dict[str, Any]:
    """The optional fieldset "Received from another State off the network", as the
    acquisition's fields: all three or none, each problem beside its field."""
    names = tuple(RECEIPT_MESSAGES)
    if not any(values[name] for name in names):
        return {}
    for name in names:
        if not values[name]:
            errors.setdefault(name, RECEIPT_MESSAGES[name][0])
    state = values["received_from"]
    if state:
        choices = draft_states.state_choices(ui.node, _fmt(request))
        if state == ui.node.identity.state:
            errors.setdefault("received_from", RECEIVED_FROM_OWN)
        elif choices is not None and state not in {c.code for c in choices}:
            errors.setdefault("received_from", RECEIVED_FROM_MISSING)
        elif choices is None and not _STATE.fullmatch(state):
            errors.setdefault("received_from", RECEIVED_FROM_BAD)
    channel = values["channel"]
    if channel and channel not in {route.value for route in OFF_NETWORK}:
        errors.setdefault("channel", CHANNEL_MISSING)
    if any(name in errors for name in names):
        return {}
    return {
        "received_from": state,
        "channel": Route(channel),
        "channel_reference": values["channel_reference"],
    }


def _acquisition(
    user: User,
    request_id: str,
    upload: Upload,
    values: Mapping[str, str],
    acquired_at: datetime,
    errors: dict[str, Message],
    receipt: Mapping[str, Any],
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
                legal_basis=values["legal_basis"] or None,
                authority=values["authority"] or None,
                **receipt,
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
        value = forms.first(form, name, limit + 1).strip()
        if len(value) > limit or any(c in value for c in "\r\n"):
            errors[name] = _too_long(name)
        values[name] = value[:limit]
    return values


def _too_long(name: str) -> Message:
    if name == "upload_id":
        return UPLOAD_UNKNOWN
    if name in RECEIPT_MESSAGES:
        return RECEIPT_MESSAGES[name][1]
    return TEXT_BAD


@pages.post("/requests/{request_id}/evidence", response_model=None)
async def record_evidence(
    request_id: str, request: Request, user: UiUser, ui: Site
) -> HTMLResponse | RedirectResponse:
    view = _show(ui, user, request_id)
    req = view.request
    errors: dict[str, Message] = {}
    values = _read_values(forms.form_lists(await request.form()), errors)
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
    receipt = _receipt(ui, request, values, errors)
    problem_detail = None
    if not errors and upload is not None and acquired_at is not None:
        acquisition = _acquisition(user, req.id, upload, values, acquired_at, errors, receipt)
        if acquisition is not None:
            try:
                await run_in_threadpool(
                    _attach_and_record, ui, user, req.id, upload, values, acquisition
                )
            except HanoiError as exc:
                errors["form"] = NOT_ATTACHED
                problem_detail = exc.detail
            else:
                flash(request, RECORDED, name=_isolated(acquisition.original_name))
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
        upload_id=upload.id,
        role=AttachmentRole.EVIDENCE,
        title=values["description"],
    )
    ui.node.evidence.from_upload(user=user, upload_id=upload.id, acquisition=acquisition)


def _isolated(text: str) -> str:
    """A name or code set apart from the sentence around it (FIRST STRONG ISOLATE ... POP
    DIRECTIONAL ISOLATE, as ``<bdi>``): a confirmation's values are text, not HTML."""
    return f"\u2068{text}\u2069"


def _short(package_id: str) -> str:
    return _isolated(f"{package_id[:12]}…")


def _confirm(request: Request, sent: Sent, count: int) -> None:
    """Say once, on the page the send leads to, what it did."""
    fmt = _fmt(request)
    row = sent.package
    if not sent.new:
        flash(request, SENT_BEFORE, package=_short(row.id))
        return
    waiting = row.status in NOT_SENT_YET
    message = PACKAGE_STORED if waiting else PACKAGE_SENT
    flash(request, message, state=fmt.territory(row.peer), count=fmt.number(count))


@pages.post("/requests/{request_id}/evidence/packages", response_model=None)
async def send_package(
    request_id: str, request: Request, user: UiUser, ui: Site
) -> HTMLResponse | RedirectResponse:
    """Send the chosen items; the same items again give the package that holds them. On
    success, back to the page the form was on (a package still waiting for witnesses: its
    own page, which says for whom; ADR 0022)."""
    view = _show(ui, user, request_id)
    req = view.request
    form = forms.form_lists(await request.form())
    chosen = list(dict.fromkeys(value[:64] for value in form.get("items", [])[:MAX_ITEMS]))
    back = _back_page(req.id, forms.first(form, "next", 2000))
    error, status = SendError(NOTHING_CHOSEN, {}), 422
    if chosen:
        try:
            sent = await run_in_threadpool(ui.node.transfers.send, user, req.id, chosen)
        except AlreadySent as exc:
            values = {"package": _short(exc.package.id)}
            error, status = SendError(IN_ANOTHER_PACKAGE, values, exc.detail), 409
        except HanoiError as exc:
            error = SendError(NOT_SENT, {}, exc.detail)
        else:
            _confirm(request, sent, len(chosen))
            waiting = sent.package.status == PackageStatus.AWAITING_WITNESSES
            return see_other(package_url(sent.package.id) if waiting else back)
    values = dict.fromkeys(FIELD_LIMITS, "")
    values["article"] = _article_of(ui, view)
    return _upload_page(
        request, ui, user, view, values=values, status=status, send_error=error, chosen=chosen
    )


router.include_router(pages)
