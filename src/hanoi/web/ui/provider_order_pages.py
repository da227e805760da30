"""Ordering a service provider from a request's page (``POST
/ui/requests/{id}/provider-orders``): the form of ``_request_provider_orders.html``, read
into an :class:`~hanoi.providers.orders.OrderInput` for ``node.provider_orders.issue``.

Thin, like the other pages: the case, the role, the request's status and the order's
rules are the service's (:mod:`hanoi.providers.ordering`). A user who may not see the
request gets the same 404 as for one that does not exist; a role that may never order,
403. A field the form can tell is wrong is shown beside it (422, values kept); a provider
that cannot be reached or answers garbage, as a sentence above the form (502, the order
kept as not delivered); a provider that refuses, as the order's status and reason in the
list, after the redirect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData, UploadFile

from hanoi.accounts.model import Action, User
from hanoi.cooperation.service import RequestView
from hanoi.errors import HanoiError, InvalidInput, NotFound, PeerError, PermissionDenied
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.messages import Message
from hanoi.providers.errors import OrderNotAllowed
from hanoi.providers.orders import IDENTIFIER_FORMAT, OrderInput
from hanoi.web.ui import forms
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.flash import flash
from hanoi.web.ui.provider_orders_panel import (
    DATE_BAD,
    DEADLINE_MISSING,
    FIELD_BAD,
    FIELD_LIMITS,
    FILE_MISSING,
    FILE_TOO_LARGE,
    IDENTIFIERS_BAD,
    IDENTIFIERS_MISSING,
    IDENTIFIERS_TOO_MANY,
    LEGAL_BASIS_MISSING,
    MAX_IDENTIFIERS,
    MAX_ORDER_BYTES,
    NOT_ALLOWED,
    NOT_SENT,
    ORDER_STATUS_LABELS,
    PROVIDER_MISSING,
    REFERENCE_MISSING,
    REFUSALS,
    REFUSED,
    REQUEST_TYPE_BAD,
    SENT,
    UNREACHABLE,
    WINDOW_ORDER,
    OrderForm,
    order_form,
    provider_orders_section,
)
from hanoi.web.ui.requests_pages import request_page
from hanoi.web.ui.routes import csrf_guard, see_other
from hanoi.web.ui.site import PREFIX, UiSite, request_language, request_url

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])

MAX_ID = 128
FILE_FIELD = "order_document"
SERVICE_FIELDS = {
    "provider_id": "provider_id",
    "identifiers": "identifiers",
    "deadline": "deadline",
    "domestic_reference": "domestic_reference",
    "legal_basis": "legal_basis",
    "order_document": FILE_FIELD,
    "request_type": "request_type",
    "window_start": "window_start",
    "window_end": "window_end",
}
"""The service's field names (a problem's path up to ``/``) as the form's."""


def _read(form: Mapping[str, Sequence[str]]) -> dict[str, str]:
    return {
        name: forms.first(form, name, limit + 1).replace("\r\n", "\n").strip()[:limit]
        for name, limit in FIELD_LIMITS.items()
    }


def _day(text: str, *, end: bool) -> datetime | None:
    """A date as the start (or, ``end``, the end) of that day in UTC; ValueError if bad."""
    if end:
        moment = forms.end_of_day(text)
        if moment is None:
            raise ValueError(text)
        return moment
    return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)


def _identifiers(text: str, errors: dict[str, Message]) -> tuple[tuple[str, str], ...]:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines:
        errors["identifiers"] = IDENTIFIERS_MISSING
        return ()
    if len(lines) > MAX_IDENTIFIERS:
        errors["identifiers"] = IDENTIFIERS_TOO_MANY
        return ()
    pairs = []
    for line in lines:
        name, sep, value = line.partition("=")
        if not sep or not IDENTIFIER_FORMAT.fullmatch(name.strip()) or not value.strip():
            errors["identifiers"] = IDENTIFIERS_BAD
            return ()
        pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


def _dates(
    values: Mapping[str, str], errors: dict[str, Message]
) -> tuple[datetime | None, datetime | None, datetime | None]:
    found: dict[str, datetime | None] = {}
    for name, end in (("window_start", False), ("window_end", True), ("deadline", True)):
        found[name] = None
        if values[name]:
            try:
                found[name] = _day(values[name], end=end)
            except ValueError:
                errors[name] = DATE_BAD
    if not values["deadline"]:
        errors["deadline"] = DEADLINE_MISSING
    start, stop = found["window_start"], found["window_end"]
    if start is not None and stop is not None and stop <= start:
        errors["window_end"] = WINDOW_ORDER
    return start, stop, found["deadline"]


async def _document(form_data: object, errors: dict[str, Message]) -> tuple[bytes, str, str]:
    """The uploaded order: its bytes, media type and name; an error beside the field."""
    upload = form_data
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors[FILE_FIELD] = FILE_MISSING
        return b"", "", ""
    content = await upload.read(MAX_ORDER_BYTES + 1)
    if len(content) > MAX_ORDER_BYTES:
        errors[FILE_FIELD] = FILE_TOO_LARGE
        return b"", "", ""
    if not content:
        errors[FILE_FIELD] = FILE_MISSING
        return b"", "", ""
    media_type = (upload.content_type or "application/octet-stream")[:256]
    return content, media_type, upload.filename[:200]


def _refusal(exc: HanoiError, errors: dict[str, Message]) -> str | None:
    """Where the service's refusal shows; its English words when no sentence says it."""
    if isinstance(exc, InvalidInput) and exc.fields:
        for problem in exc.fields:
            name = SERVICE_FIELDS.get(problem.path.split("/", 1)[0])
            if name is not None:
                errors.setdefault(name, FIELD_BAD)
        if errors:
            errors.setdefault("form", NOT_SENT)
            return exc.detail
    if isinstance(exc, OrderNotAllowed):
        errors["form"] = NOT_ALLOWED
        return exc.detail
    if isinstance(exc, NotFound):  # the provider, disabled or removed meanwhile
        errors["provider_id"] = PROVIDER_MISSING
        return None
    if isinstance(exc, PeerError):
        errors["form"] = UNREACHABLE
        return exc.detail
    errors["form"] = NOT_SENT
    return exc.detail


def _page(
    request: Request,
    ui: UiSite,
    user: User,
    view: RequestView,
    *,
    values: Mapping[str, str],
    errors: Mapping[str, Message],
    problem: str | None,
    status: int,
) -> HTMLResponse:
    fmt = LocaleFormat(request_language(request))
    section = provider_orders_section(
        ui.node, user, view, fmt, values=values, errors=errors, problem=problem
    )
    return request_page(request, ui, user, view, provider_orders=section, status=status)


@router.post("/requests/{request_id}/provider-orders", response_model=None)
async def order_provider(
    request_id: str, request: Request, user: UiUser, ui: Site
) -> HTMLResponse | RedirectResponse:
    data = await request.form()  # parsed already by the CSRF guard; closed whatever happens
    try:
        require_action(user, Action.ORDER_PROVIDERS)
        view = ui.node.cooperation.show(user, request_id[:MAX_ID])  # 404 first for a stranger
        fmt = LocaleFormat(request_language(request))
        form = order_form(ui.node, user, view, fmt)
        if form is None:
            raise PermissionDenied("providers are not ordered for this request now")
        return await _order(request, ui, user, view, form, fmt, data)
    finally:
        await data.close()  # the uploaded order's spooled file


async def _order(
    request: Request,
    ui: UiSite,
    user: User,
    view: RequestView,
    form: OrderForm,
    fmt: LocaleFormat,
    data: FormData,
) -> HTMLResponse | RedirectResponse:
    req = view.request
    values = _read(forms.form_lists(data))
    errors: dict[str, Message] = {}
    if not values["provider_id"]:
        errors["provider_id"] = PROVIDER_MISSING
    identifiers = _identifiers(values["identifiers"], errors)
    if values["request_type"] not in form.request_types:
        errors["request_type"] = REQUEST_TYPE_BAD
    start, stop, deadline = _dates(values, errors)
    if not values["domestic_reference"]:
        errors["domestic_reference"] = REFERENCE_MISSING
    if not values["legal_basis"]:
        errors["legal_basis"] = LEGAL_BASIS_MISSING
    document, media_type, name = await _document(data.get(FILE_FIELD), errors)
    problem = None
    if not errors and deadline is not None:
        order = OrderInput(
            provider_id=values["provider_id"],
            identifiers=identifiers,
            deadline=deadline,
            domestic_reference=values["domestic_reference"],
            legal_basis=values["legal_basis"],
            order_document=document,
            order_media_type=media_type,
            order_name=name,
            request_type=values["request_type"],
            window_start=start,
            window_end=stop,
        )
        try:
            issued = await run_in_threadpool(ui.node.provider_orders.issue, user, req.id, order)
        except HanoiError as exc:
            problem = _refusal(exc, errors)
        else:
            labels = {"status": ORDER_STATUS_LABELS[issued.status]}
            if issued.status in REFUSALS:
                reason = issued.error or "-"
                flash(request, REFUSED, labels=labels, provider=issued.provider_id, reason=reason)
            else:
                flash(request, SENT, labels=labels, provider=issued.provider_id)
            return see_other(f"{request_url(req.id)}#provider-order-{issued.id}")
    status = 413 if errors.get(FILE_FIELD) == FILE_TOO_LARGE else 422
    if errors.get("form") == UNREACHABLE:
        status = 502
    shown = ui.node.cooperation.show(user, req.id)
    return _page(
        request, ui, user, shown, values=values, errors=errors, problem=problem, status=status
    )
