"""The request pages: inbox and outbox, one request with its steps, drafting, deadlines.

Thin, like :mod:`hanoi.web.ui.routes`: every rule is the cooperation service's
(``node.cooperation``); this module reads forms, calls it, and renders. A
request the user may not see answers the same 404 as one that does not exist
(the service raises ``NotFound`` for both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from hanoi.accounts.model import Action, User
from hanoi.convention import RequestKind
from hanoi.cooperation import DueState, Side, Status, TransitionName, Urgency, UrgencyLevel
from hanoi.cooperation.kinds import CONSULTATION_SOURCE
from hanoi.cooperation.model import CooperationRequest
from hanoi.cooperation.ports import ListQuery
from hanoi.cooperation.routes import OFF_NETWORK, ChannelRecord, Route
from hanoi.cooperation.service import DraftInput, RequestView, StepInput
from hanoi.errors import HanoiError, InvalidInput, NotFound
from hanoi.i18n.formatting import LocaleFormat, display_value
from hanoi.i18n.labels import (
    AUTHORITY_LABELS,
    CUSTODY_LABELS,
    ROUTE_LABELS,
    SIDE_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    URGENCY_LABELS,
    kind_title,
    step_label,
)
from hanoi.i18n.messages import N_, Message
from hanoi.web.ui import draft_states, forms, outcomes
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.consultation import consultation
from hanoi.web.ui.deadlines import due_rows
from hanoi.web.ui.document_panel import DocumentsPanel, documents_section
from hanoi.web.ui.evidence_pages import UPLOAD_PAGE_CSP, evidence_section
from hanoi.web.ui.flash import flash
from hanoi.web.ui.letter_panel import letter_section
from hanoi.web.ui.provider_orders_panel import provider_orders_section
from hanoi.web.ui.routes import csrf_guard, see_other
from hanoi.web.ui.site import PREFIX, UiSite, request_language, request_url
from hanoi.web.ui.step_forms import (
    NO_SUCH_COLLEAGUE,
    REQUIREMENT_ERRORS,
    STEP_FAILED,
    StepError,
    conditions_offered,
    read_conditions,
    step_error,
    step_forms,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])

PAGE_SIZE = 100
MAX_ID = 128


def _fmt(request: Request) -> LocaleFormat:
    return LocaleFormat(request_language(request))


# --- inbox and outbox -------------------------------------------------------------------


def _parse_side(value: str) -> Side | None:
    if not value:
        return None
    try:
        return Side(value)
    except ValueError:
        raise InvalidInput("unknown side") from None


def _parse_status(value: str) -> Status | None:
    if not value:
        return None
    try:
        return Status(value)
    except ValueError:
        raise InvalidInput("unknown status") from None


@router.get("/requests")
def requests_list(
    request: Request,
    user: UiUser,
    ui: Site,
    side: Annotated[str, Query(max_length=32)] = "",
    status: Annotated[str, Query(max_length=64)] = "",
    channel: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    require_action(user, Action.READ)
    chosen_side, chosen_status = _parse_side(side), _parse_status(status)
    chosen_route = next((route for route in Route if route.value == channel), None)
    service = ui.node.cooperation
    summaries, total = service.summaries(
        user,
        ListQuery(
            user_id=user.id,
            statuses=(chosen_status,) if chosen_status else (),
            side=chosen_side,
            route=chosen_route,
            limit=PAGE_SIZE,
        ),
    )
    fmt = _fmt(request)
    rows = [
        {
            "id": s.id,
            "url": request_url(s.id),
            "kind": kind_title(fmt, service.catalogue, s.kind),
            "side": SIDE_LABELS[s.side],
            "other": s.requested_state if s.side is Side.REQUESTING else s.requesting_state,
            "status": STATUS_LABELS[s.status],
            "desired": STATUS_LABELS[s.desired_status] if s.desired_status else None,
            "urgency": URGENCY_LABELS[UrgencyLevel(s.urgency)],
            "urgent": s.urgency != UrgencyLevel.ROUTINE.value,
            "route": ROUTE_LABELS[s.route],
            "off_network": not s.route.on_network,
            "updated": s.updated_at,
            "updated_text": fmt.moment(s.updated_at),
        }
        for s in summaries
    ]
    return ui.page(
        request,
        "requests_list.html",
        user=user,
        rows=rows,
        total=total,
        shown=len(rows),
        side=chosen_side.value if chosen_side else "",
        chosen_status=chosen_status.value if chosen_status else "",
        statuses=[(s.value, STATUS_LABELS[s]) for s in Status],
        chosen_channel=chosen_route.value if chosen_route else "",
        channels=[(route.value, ROUTE_LABELS[route]) for route in Route],
        may_draft=user.may(Action.DRAFT),
        may_register=user.may(Action.DECIDE),
    )


# --- drafting ---------------------------------------------------------------------------


def _kind(ui: UiSite, key: str) -> RequestKind:
    return ui.node.cooperation.catalogue.kind(key[:64])  # an unknown kind is 404


def _draft_page(
    request: Request,
    ui: UiSite,
    user: User,
    kind: RequestKind,
    *,
    contents: Mapping[str, Any],
    requested_state: str,
    urgency: str,
    urgency_reasons: str,
    errors: Mapping[str, Message] | None = None,
    problem: str | None = None,
    saved: Any = None,
    documents: Mapping[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The draft form: new (``saved`` is None) or a saved draft with its findings and its
    documents (``documents``: :func:`~hanoi.web.ui.document_panel.documents_section`)."""
    fmt = _fmt(request)
    catalogue = ui.node.cooperation.catalogue
    findings = (
        forms.localized_findings(catalogue, fmt, kind.key, contents) if saved is not None else []
    )
    fields = forms.item_fields(catalogue, fmt, kind, contents, findings)
    response = ui.page(
        request,
        "requests_draft.html",
        state_choices=draft_states.state_choices(ui.node, fmt),
        state_facts=draft_states.requested_state(ui.node, fmt, requested_state)
        if forms.STATE_CODE.match(requested_state)
        else None,
        user=user,
        status=status,
        kind=kind,
        kind_title=fmt.label(kind.title_key),
        kind_citation=catalogue.cite(kind.source, fmt.language),
        fields=fields,
        findings=findings,
        requested_state=requested_state,
        urgency=urgency,
        urgency_reasons=urgency_reasons,
        urgencies=[(u.value, URGENCY_LABELS[u]) for u in UrgencyLevel],
        errors=errors or {},
        problem=problem,
        saved=saved,
        yes=forms.YES,
        no=forms.NO,
        documents_panel=(documents or {}).get("documents_panel"),
    )
    return _with_uploads(response, documents)


def _with_uploads(response: HTMLResponse, documents: Mapping[str, Any] | None) -> HTMLResponse:
    """A page whose documents form uploads (``upload.js``) may connect to this node."""
    panel = (documents or {}).get("documents_panel")
    if isinstance(panel, DocumentsPanel) and panel.add is not None:
        response.headers["Content-Security-Policy"] = UPLOAD_PAGE_CSP
    return response


@router.get("/requests/new")
def new_request_form(
    request: Request,
    user: UiUser,
    ui: Site,
    kind: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    require_action(user, Action.DRAFT)
    if not kind:
        fmt = _fmt(request)
        catalogue = ui.node.cooperation.catalogue
        kinds = [
            {
                "key": k.key,
                "title": fmt.label(k.title_key),
                "description": fmt.label(k.description_key),
                "citation": catalogue.cite(k.source, fmt.language),
            }
            for k in catalogue.kinds
        ]
        return ui.page(request, "requests_kinds.html", user=user, kinds=kinds)
    return _draft_page(
        request,
        ui,
        user,
        _kind(ui, kind),
        contents={},
        requested_state="",
        urgency=UrgencyLevel.ROUTINE.value,
        urgency_reasons="",
    )


def read_urgency(form: Mapping[str, Sequence[str]], errors: dict[str, Message]) -> Urgency:
    level_text = forms.first(form, "urgency", 32)
    try:
        level = UrgencyLevel(level_text or UrgencyLevel.ROUTINE.value)
    except ValueError:
        raise InvalidInput("unknown urgency") from None
    reasons = forms.first(form, "urgency_reasons").strip()
    if level is not UrgencyLevel.ROUTINE and not reasons:
        errors["urgency_reasons"] = forms.URGENCY_REASONS_MISSING
        return Urgency()
    return Urgency(level=level, reasons=reasons or None)


@router.post("/requests/new", response_model=None)
async def new_request(request: Request, user: UiUser, ui: Site) -> HTMLResponse | RedirectResponse:
    require_action(user, Action.DRAFT)
    form = forms.form_lists(await request.form())
    kind = _kind(ui, forms.first(form, "kind", 64))
    state = forms.first(form, "requested_state", 16).strip().upper()
    errors: dict[str, Message] = {}
    if not forms.STATE_CODE.match(state):
        errors["requested_state"] = forms.STATE_MISSING
    urgency = read_urgency(form, errors)
    problem = None
    try:
        contents = forms.with_urgency(kind, forms.read_contents(kind, form), urgency)
    except InvalidInput:
        contents, errors["contents"] = {}, forms.TOO_LARGE
    if not errors:
        try:
            view = ui.node.cooperation.draft(
                user,
                DraftInput(
                    kind=kind.key, requested_state=state, contents=contents, urgency=urgency
                ),
            )
        except HanoiError as exc:
            if isinstance(exc, NotFound):
                raise
            problem = exc.detail
            errors["form"] = forms.DRAFT_REFUSED
        else:
            return see_other(f"{request_url(view.request.id)}/edit?saved=true")
    return _draft_page(
        request,
        ui,
        user,
        kind,
        contents=contents,
        requested_state=state,
        urgency=forms.first(form, "urgency", 32),
        urgency_reasons=forms.first(form, "urgency_reasons"),
        errors=errors,
        problem=problem,
        status=422,
    )


@router.get("/requests/{request_id}/edit", response_model=None)
def edit_draft_form(
    request_id: str, request: Request, user: UiUser, ui: Site, saved: bool = False
) -> HTMLResponse | RedirectResponse:
    view = ui.node.cooperation.show(user, request_id[:MAX_ID])
    draft = view.request
    if draft.status is not Status.DRAFT or view.side is not Side.REQUESTING:
        return see_other(request_url(draft.id))
    documents = documents_section(request, ui, user, view, back="edit")
    return draft_page(request, ui, user, view, documents=documents, just_saved=saved)


def draft_page(
    request: Request,
    ui: UiSite,
    user: User,
    view: RequestView,
    *,
    documents: Mapping[str, Any],
    status: int = 200,
    just_saved: bool = False,
) -> HTMLResponse:
    """A saved draft's page as stored, with ``documents`` (its form's values and errors)."""
    draft = view.request
    return _draft_page(
        request,
        ui,
        user,
        _kind(ui, draft.kind),
        contents=draft.contents,
        requested_state=draft.requested_state,
        urgency=draft.urgency.level.value,
        urgency_reasons=draft.urgency.reasons or str(draft.contents.get(forms.URGENCY_ITEM, "")),
        saved={"id": draft.id, "url": request_url(draft.id), "just_saved": just_saved},
        documents=documents,
        status=status,
    )


@router.post("/requests/{request_id}/edit", response_model=None)
async def edit_draft(
    request_id: str, request: Request, user: UiUser, ui: Site
) -> HTMLResponse | RedirectResponse:
    service = ui.node.cooperation
    view = service.show(user, request_id[:MAX_ID])
    draft = view.request
    kind = _kind(ui, draft.kind)
    form = forms.form_lists(await request.form())
    errors: dict[str, Message] = {}
    urgency = read_urgency(form, errors)
    problem = None
    try:
        contents = forms.with_urgency(kind, forms.read_contents(kind, form), urgency)
    except InvalidInput:
        contents, errors["contents"] = dict(draft.contents), forms.TOO_LARGE
    if not errors:
        try:
            service.revise(user, draft.id, contents=contents, urgency=urgency)
        except HanoiError as exc:
            if isinstance(exc, NotFound):
                raise
            problem = exc.detail
            errors["form"] = forms.DRAFT_REFUSED
        else:
            return see_other(f"{request_url(draft.id)}/edit?saved=true")
    return _draft_page(
        request,
        ui,
        user,
        kind,
        contents=contents,
        requested_state=draft.requested_state,
        urgency=forms.first(form, "urgency", 32),
        urgency_reasons=forms.first(form, "urgency_reasons"),
        errors=errors,
        problem=problem,
        saved={"id": draft.id, "url": request_url(draft.id), "just_saved": False},
        documents=documents_section(request, ui, user, view, back="edit"),
        status=422,
    )


# --- one request ------------------------------------------------------------------------


def _request_page(
    request: Request,
    ui: UiSite,
    user: User,
    view: RequestView,
    *,
    status: int = 200,
    failed: str | None = None,
    error: StepError | None = None,
    values: Mapping[str, Any] | None = None,
    documents: Mapping[str, Any] | None = None,
    letter: Mapping[str, Any] | None = None,
    provider_orders: Mapping[str, Any] | None = None,
) -> HTMLResponse:
    fmt = _fmt(request)
    service = ui.node.cooperation
    catalogue = service.catalogue
    req = view.request
    kind = catalogue.kind(req.kind)
    findings = (
        forms.localized_findings(catalogue, fmt, req.kind, req.contents)
        if req.status in (Status.DRAFT, Status.APPROVED) and view.side is Side.REQUESTING
        else []
    )
    grouped = forms.findings_by_item(findings)
    contents = [
        {
            "key": item.key,
            "label": fmt.label(item.label_key),
            "citation": catalogue.cite(item.source, fmt.language),
            "value": req.contents.get(item.key),
            "text": display_value(fmt, catalogue, item, req.contents.get(item.key))
            if item.key in req.contents
            else "",
            "present": item.key in req.contents,
            "findings": grouped.get(item.key, []),
        }
        for item in kind.contents
        if item.key in req.contents or item.key in grouped
    ]
    conditions = [
        {
            "label": fmt.label(catalogue.condition(c.key).label_key),
            "citation": catalogue.cite(catalogue.condition(c.key).source, fmt.language),
            "terms": c.terms,
            "imposed_by": SIDE_LABELS[c.imposed_by],
            "theirs": c.imposed_by is view.side.other,
            "retain_until": c.retain_until,
        }
        for c in req.conditions
    ]
    consulted = consultation(req)
    proposal = (
        {
            "state": consulted.state,
            "officer": consulted.officer,
            "at": consulted.at,
            "at_text": fmt.moment(consulted.at),
            "reasons": consulted.reasons or "",
            "article": catalogue.cite(CONSULTATION_SOURCE, fmt.language),
            "ours": consulted.side is view.side,
            "counter": consulted.transition is TransitionName.PROPOSE_TERMS,
        }
        if consulted is not None
        else None
    )
    timeline = [
        {
            "sequence": r.sequence,
            "step": STEP_LABELS[r.transition],
            "from": STATUS_LABELS[r.from_status],
            "to": STATUS_LABELS[r.to_status],
            "officer": r.officer,
            "state": r.state,
            "at": r.at,
            "at_text": fmt.moment(r.at),
            "article": r.article,
            "reasons": r.reasons,
            "grounds": [fmt.label(catalogue.refusal_ground(g).label_key) for g in r.grounds],
            "until": r.until,
        }
        for r in req.history
    ]
    custody = [
        {
            "index": logged.index,
            "action": CUSTODY_LABELS.get(logged.event.action, Message(logged.event.action)),
            "step": step_label(str(logged.event.unknown["step"]))
            if "step" in logged.event.unknown
            else None,
            "officer": logged.event.officer,
            "node": logged.event.node,
            "at": logged.event.time,
            "at_text": fmt.moment(logged.event.time),
            "article": logged.event.article,
            "evidence": logged.event.evidence_sha256,
        }
        for logged in view.custody
    ]
    other = req.party(view.side.other)
    evidence = evidence_section(request, ui, user, view)
    panel = evidence["evidence_panel"]
    decided = outcomes.outcome(req, kind, catalogue, fmt)
    period = outcomes.preservation(req, ui.node.clock.now())
    documents = documents or documents_section(request, ui, user, view)
    response = ui.page(
        request,
        "requests_show.html",
        user=user,
        status=status,
        req=req,
        url=request_url(req.id),
        side=SIDE_LABELS[view.side],
        other_side=SIDE_LABELS[view.side.other],
        other=other,
        other_authority=AUTHORITY_LABELS.get(other.authority),
        kind_title=fmt.label(kind.title_key),
        kind_citation=catalogue.cite(kind.source, fmt.language),
        status_label=STATUS_LABELS[req.status],
        desired_label=STATUS_LABELS[req.desired_status] if req.desired_status else None,
        urgency_label=URGENCY_LABELS[req.urgency.level],
        confidential=req.contents.get("confidentiality-required") is True,
        contents=contents,
        findings=findings,
        editable=req.status is Status.DRAFT and view.side is Side.REQUESTING,
        conditions=conditions,
        proposal=proposal,
        timeline=timeline,
        custody=custody,
        assignments=view.assignments,
        steps=step_forms(catalogue, fmt, kind, view.allowed, view.expected),
        recordable=step_forms(catalogue, fmt, kind, view.recordable, recorded=True),
        route_label=ROUTE_LABELS[req.route],
        off_network=not req.route.on_network,
        channels=[(route.value, ROUTE_LABELS[route]) for route in OFF_NETWORK],
        today=ui.node.clock.now().date().isoformat(),
        waiting=outcomes.waiting(req, view.side, catalogue) if view.expected is None else None,
        desired_explained=outcomes.DESIRED_EXPLAINED.get(req.desired_status)
        if req.desired_status
        else None,
        outcome=decided,
        outcome_at=fmt.moment(decided.record.at) if decided else "",
        preservation=period,
        preservation_left=fmt.time_left(period.left) if period and period.left else "",
        failed=failed,
        error=error,
        values=values or {},
        report_url=f"{request_url(req.id)}/report.pdf",
        show_report=bool(panel.rows or panel.packages),
        **evidence,
        **documents,
        **(letter or letter_section(request, ui, user, view)),
        **(provider_orders or provider_orders_section(ui.node, user, view, fmt)),
    )
    return _with_uploads(response, documents)


def request_page(
    request: Request,
    ui: UiSite,
    user: User,
    view: RequestView,
    *,
    documents: Mapping[str, Any] | None = None,
    letter: Mapping[str, Any] | None = None,
    provider_orders: Mapping[str, Any] | None = None,
    status: int,
) -> HTMLResponse:
    """The request's page with ``documents``, ``letter`` or ``provider_orders`` (a form's
    values and errors)."""
    return _request_page(
        request,
        ui,
        user,
        view,
        status=status,
        documents=documents,
        letter=letter,
        provider_orders=provider_orders,
    )


@router.get("/requests/{request_id}")
def show_request(request_id: str, request: Request, user: UiUser, ui: Site) -> HTMLResponse:
    view = ui.node.cooperation.show(user, request_id[:MAX_ID])
    return _request_page(request, ui, user, view)


@router.post("/requests/{request_id}/steps", response_model=None)
async def take_step(
    request_id: str, request: Request, user: UiUser, ui: Site
) -> HTMLResponse | RedirectResponse:
    service = ui.node.cooperation
    request_id = request_id[:MAX_ID]
    view = service.show(user, request_id)  # 404 before anything else for a stranger
    form = forms.form_lists(await request.form())
    step = forms.first(form, "step", 64)
    try:
        name = TransitionName(step)
    except ValueError:
        raise InvalidInput("unknown step") from None
    fmt = _fmt(request)
    offered = conditions_offered(service.catalogue, fmt, view.request.kind, name)
    conditions = read_conditions(offered, form, view.side)
    reasons = forms.first(form, "reasons").strip()
    grounds = tuple(g[:64] for g in form.get("grounds", ())[:20])
    until_text = forms.first(form, "until", 32)
    follow_up = forms.first(form, "follow_up", MAX_ID).strip()
    via, via_errors, via_values = _via(form)
    values = {
        **via_values,
        "reasons": reasons,
        "grounds": grounds,
        "until": until_text,
        "follow_up": follow_up,
        "conditions": conditions.chosen,
        "terms": conditions.terms,
        "retain_until": conditions.retain_until,
    }
    if conditions.errors or via_errors:
        unread = StepError(
            message=STEP_FAILED,
            detail="",
            article=None,
            fields={**conditions.errors, **via_errors},
        )
        return _request_page(
            request, ui, user, view, status=422, failed=step, error=unread, values=values
        )
    step_input = StepInput(
        transition=step,
        reasons=reasons or None,
        grounds=grounds,
        until=forms.end_of_day(until_text) if until_text else None,
        conditions=conditions.conditions,
        follow_up=follow_up or None,
        via=via,
    )
    taken = _take(ui, user, view, step_input, fmt)
    if not isinstance(taken, StepError):
        _confirm(request, view, taken, name, fmt)
        return see_other(request_url(view.request.id))
    error = taken
    view = service.show(user, request_id)
    return _request_page(
        request, ui, user, view, status=422, failed=step, error=error, values=values
    )


CHANNEL_FIELDS = ("channel", "on", "reference")
CHANNEL_MISSING = N_("Give the channel, the day and the reference of the letter or note.")
CHANNEL_BAD = N_("The channel, the day or the reference is not valid.")


def _via(
    form: Mapping[str, Sequence[str]],
) -> tuple[ChannelRecord | None, dict[str, Message], dict[str, str]]:
    """The channel record a step form gives (ADR 0028), what is wrong with it, and what to
    show again. No field at all: no channel record (a step over the network)."""
    given = {name: forms.first(form, name, 500).strip() for name in CHANNEL_FIELDS}
    if not any(given.values()):
        return None, {}, given
    missing = {name: CHANNEL_MISSING for name, value in given.items() if not value}
    if missing:
        return None, missing, given
    try:
        route: Any = given["channel"]
        return (
            ChannelRecord(
                channel=route, on=date.fromisoformat(given["on"]), reference=given["reference"]
            ),
            {},
            given,
        )
    except (ValueError, HanoiError):
        return None, {"channel": CHANNEL_BAD}, given


def _confirm(
    request: Request,
    before: RequestView,
    after: CooperationRequest,
    step: TransitionName,
    fmt: LocaleFormat,
) -> None:
    """The confirmation the next page shows: what the step did, and what comes next."""
    other = fmt.territory(after.party(before.side.other).state)
    message = outcomes.DONE.get(step)
    if message is not None:
        flash(request, message, state=other)
        return
    labels = {"step": STEP_LABELS[step], "status": STATUS_LABELS[after.status]}
    flash(request, outcomes.STEP_DONE, labels=labels)


def _take(
    ui: UiSite, user: User, view: RequestView, step: StepInput, fmt: LocaleFormat
) -> CooperationRequest | StepError:
    """Take the step: the request after it, or why not, to show beside its form."""
    service = ui.node.cooperation
    try:
        after, _record = service.take(user, view.request.id, step)
    except NotFound:
        if not step.follow_up:
            raise
        return StepError(
            message=REQUIREMENT_ERRORS["follow_up"],
            detail=f"no request {step.follow_up!r} among your cases",
            article=None,
            fields={"follow_up": REQUIREMENT_ERRORS["follow_up"]},
        )
    except HanoiError as exc:
        localized = forms.localized_findings(
            service.catalogue, fmt, view.request.kind, view.request.contents
        )
        return step_error(exc, localized)
    return after


@router.post("/requests/{request_id}/assignments", response_model=None)
async def assign(
    request_id: str, request: Request, user: UiUser, ui: Site
) -> HTMLResponse | RedirectResponse:
    service = ui.node.cooperation
    request_id = request_id[:MAX_ID]
    view = service.show(user, request_id)
    form = forms.form_lists(await request.form())
    name = forms.first(form, "colleague", 64).strip()
    try:
        service.assign(user, request_id, name)
    except HanoiError:
        error = StepError(message=NO_SUCH_COLLEAGUE, detail="", article=None)
        return _request_page(
            request, ui, user, view, status=422, failed="assign", error=error, values={}
        )
    flash(request, outcomes.COLLEAGUE_ADDED, name=name)
    return see_other(request_url(view.request.id))


# --- deadlines --------------------------------------------------------------------------


@router.get("/deadlines")
def deadlines(request: Request, user: UiUser, ui: Site) -> HTMLResponse:
    require_action(user, Action.READ)
    service = ui.node.cooperation
    found = service.overdue(user, running=True)
    rows = due_rows(_fmt(request), service.catalogue, found, request_url)
    return ui.page(
        request,
        "deadlines.html",
        user=user,
        overdue=[r for r in rows if r["state"] == DueState.OVERDUE],
        due_soon=[r for r in rows if r["state"] == DueState.DUE_SOON],
        running=[r for r in rows if r["state"] == DueState.RUNNING],
    )
