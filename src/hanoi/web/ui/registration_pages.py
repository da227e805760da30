"""Registering a request received off the network, from its letter (ADR 0028).

Thin: the form gives the letter's facts (requesting State and authority, channel, day
received, reference), the scanned letter (uploaded first, by ``static/upload.js``, like
a document) and the contents as the draft form reads them; the cooperation service
registers it. What the letter lacks is not an error here: the request page lists it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from hanoi.accounts.model import Action, User
from hanoi.convention import RequestKind
from hanoi.convention.state_names import state_names
from hanoi.cooperation.documents import MAX_DOCUMENT_BYTES
from hanoi.cooperation.offline import LetterScan, Registration
from hanoi.cooperation.routes import OFF_NETWORK, ChannelRecord
from hanoi.errors import HanoiError, InvalidInput, NotFound
from hanoi.i18n.formatting import LocaleFormat, sort_key
from hanoi.i18n.labels import ROUTE_LABELS
from hanoi.i18n.messages import N_, Message
from hanoi.web.ui import draft_states, forms, session_uploads
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.document_panel import CHUNK_BYTES
from hanoi.web.ui.evidence_pages import UPLOAD_PAGE_CSP
from hanoi.web.ui.requests_pages import read_urgency
from hanoi.web.ui.routes import csrf_guard, see_other
from hanoi.web.ui.site import PREFIX, UiSite, request_language, request_url

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])

FIELDS = ("requesting_state", "requesting_authority", "channel", "received_on", "reference")
MISSING = N_("Fill in this field.")
NO_SCAN = N_("Choose the scanned letter and wait for its upload to finish.")
NOT_REGISTERED = N_("The request could not be registered.")


def _states(ui: UiSite, fmt: LocaleFormat) -> list[tuple[str, str]]:
    """Every other State, from the directory when the node holds one, else every State
    the UN names (a letter may come from a State the directory does not list)."""
    choices = draft_states.state_choices(ui.node, fmt)
    codes = [c.code for c in choices] if choices else list(state_names())
    own = ui.node.identity.state
    named = [(code, fmt.territory(code)) for code in codes if code != own and code != "EU"]
    return sorted(named, key=lambda pair: (sort_key(pair[1]), pair[0]))


def _page(
    request: Request,
    ui: UiSite,
    user: User,
    kind: RequestKind,
    *,
    values: dict[str, str],
    contents: dict[str, Any],
    errors: dict[str, Message] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    fmt = LocaleFormat(request_language(request))
    catalogue = ui.node.cooperation.catalogue
    response = ui.page(
        request,
        "requests_register.html",
        user=user,
        status=status,
        kind=kind,
        kind_title=fmt.label(kind.title_key),
        kind_citation=catalogue.cite(kind.source, fmt.language),
        fields=forms.item_fields(catalogue, fmt, kind, contents),
        states=_states(ui, fmt),
        channels=[(route.value, ROUTE_LABELS[route]) for route in OFF_NETWORK],
        values=values,
        errors=errors or {},
        problem=problem,
        today=ui.node.clock.now().date().isoformat(),
        uploads_url=session_uploads.UPLOADS,
        chunk_bytes=CHUNK_BYTES,
        max_bytes=MAX_DOCUMENT_BYTES,
        max_size_text=fmt.bytes(MAX_DOCUMENT_BYTES),
        yes=forms.YES,
        no=forms.NO,
    )
    response.headers["Content-Security-Policy"] = UPLOAD_PAGE_CSP
    return response


@router.get("/registrations/new")
def registration_form(
    request: Request,
    user: UiUser,
    ui: Site,
    kind: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    require_action(user, Action.DECIDE)
    catalogue = ui.node.cooperation.catalogue
    if not kind:
        fmt = LocaleFormat(request_language(request))
        kinds = [
            {
                "key": k.key,
                "title": fmt.label(k.title_key),
                "description": fmt.label(k.description_key),
                "citation": catalogue.cite(k.source, fmt.language),
            }
            for k in catalogue.kinds
        ]
        return ui.page(request, "requests_kinds.html", user=user, kinds=kinds, register=True)
    values = dict.fromkeys(FIELDS, "")
    return _page(request, ui, user, catalogue.kind(kind[:64]), values=values, contents={})


@router.post("/registrations", response_model=None)
async def register(request: Request, user: UiUser, ui: Site) -> HTMLResponse | RedirectResponse:
    require_action(user, Action.DECIDE)
    form = forms.form_lists(await request.form())
    kind = ui.node.cooperation.catalogue.kind(forms.first(form, "kind", 64))
    values = {name: forms.first(form, name, 500).strip() for name in FIELDS}
    values["requesting_state"] = values["requesting_state"].upper()
    errors: dict[str, Message] = {name: MISSING for name, value in values.items() if not value}
    upload_id = forms.first(form, "upload_id", 64)
    if not upload_id:
        errors["file"] = NO_SCAN
    urgency = read_urgency(form, errors)
    try:
        contents = forms.with_urgency(kind, forms.read_contents(kind, form), urgency)
    except InvalidInput:
        contents, errors["contents"] = {}, forms.TOO_LARGE
    problem = None
    if not errors:
        try:
            route: Any = values["channel"]  # checked by the channel record
            view = ui.node.cooperation.register(
                user,
                Registration(
                    kind=kind.key,
                    requesting_state=values["requesting_state"],
                    requesting_authority=values["requesting_authority"],
                    via=ChannelRecord(
                        channel=route,
                        on=date.fromisoformat(values["received_on"]),
                        reference=values["reference"],
                    ),
                    contents=contents,
                    scan=LetterScan(upload_id=upload_id),
                    urgency=urgency,
                ),
            )
        except ValueError:
            errors["received_on"] = forms.BAD_DATE
        except HanoiError as exc:
            if isinstance(exc, NotFound) and "upload" not in exc.detail:
                raise
            problem = exc.detail
            errors["form"] = NOT_REGISTERED
        else:
            return see_other(request_url(view.request.id))
    return _page(
        request, ui, user, kind, values=values, contents=contents, errors=errors,
        problem=problem, status=422,
    )  # fmt: skip
