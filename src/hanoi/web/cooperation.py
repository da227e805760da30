"""Cooperation requests over the API: draft, validate, approve, send, list, show, decide,
attach, assign; deadlines, alerts, consents and onward transfers. Thin: every rule is in
:mod:`hanoi.cooperation`; this module only translates JSON to service calls and back."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hanoi.accounts.model import User
from hanoi.convention import Channel, Finding
from hanoi.cooperation import (
    AttachmentRole,
    Condition,
    Link,
    Relation,
    Side,
    Status,
    SuggestedDeadline,
    TransitionRecord,
    Urgency,
    UrgencyLevel,
)
from hanoi.cooperation.codec import condition_json, record_json, request_json
from hanoi.cooperation.data_conditions import DataConditions
from hanoi.cooperation.model import DocumentKind
from hanoi.cooperation.offline import LetterScan, Registration
from hanoi.cooperation.ports import ListQuery, RequestSummary
from hanoi.cooperation.routes import ChannelRecord, Route
from hanoi.cooperation.service import CooperationService, DraftInput, RequestView, StepInput
from hanoi.cooperation.table import Transition, TransitionName, expected_step
from hanoi.custody.encoding import b64
from hanoi.web.auth import CurrentUser
from hanoi.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["requests"], responses=PROBLEM_RESPONSES)

MAX_CONTENTS_BYTES = 256 * 1024
Text = Annotated[str, Field(min_length=1, max_length=20_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=500)]
StateCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
RequestId = Annotated[str, Field(min_length=1, max_length=128)]


def service_of(request: Request) -> CooperationService:
    cooperation: CooperationService = request.app.state.node.cooperation
    return cooperation


def conditions_of(request: Request) -> DataConditions:
    conditions: DataConditions = request.app.state.node.conditions
    return conditions


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UrgencyIn(Strict):
    level: UrgencyLevel = UrgencyLevel.ROUTINE
    reasons: Text | None = None

    def model(self) -> Urgency:
        return Urgency(level=self.level, reasons=self.reasons)


class DeadlineIn(Strict):
    by: date
    reasons: Text

    def model(self) -> SuggestedDeadline:
        return SuggestedDeadline(by=self.by, reasons=self.reasons)


class ConditionIn(Strict):
    key: Annotated[str, Field(min_length=1, max_length=64)]
    terms: Text
    imposed_by: Side
    retain_until: date | None = None

    def model(self) -> Condition:
        return Condition(
            key=self.key,
            terms=self.terms,
            imposed_by=self.imposed_by,
            retain_until=self.retain_until,
        )


class LinkIn(Strict):
    relation: Relation
    request_id: RequestId
    third_state: StateCode | None = None

    def model(self) -> Link:
        return Link(
            relation=self.relation, request_id=self.request_id, third_state=self.third_state
        )


def _contents_size(value: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(value, ensure_ascii=False)) > MAX_CONTENTS_BYTES:
        raise ValueError(f"the contents are at most {MAX_CONTENTS_BYTES} bytes of JSON")
    return value


class DraftBody(Strict):
    kind: Annotated[str, Field(min_length=1, max_length=64)]
    requested_state: StateCode
    contents: dict[str, Any] = Field(default_factory=dict)
    requested_authority: ShortText | None = None
    authority: ShortText | None = None
    channel: Channel | None = None
    urgency: UrgencyIn = Field(default_factory=UrgencyIn)
    suggested_deadline: DeadlineIn | None = None
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=20)
    links: list[LinkIn] = Field(default_factory=list, max_length=20)

    _size = field_validator("contents")(_contents_size)


class ReviseBody(Strict):
    contents: dict[str, Any] | None = None
    urgency: UrgencyIn | None = None
    suggested_deadline: DeadlineIn | None = None
    conditions: list[ConditionIn] | None = Field(default=None, max_length=20)

    _size = field_validator("contents")(lambda v: v if v is None else _contents_size(v))


class ValidateBody(Strict):
    kind: Annotated[str, Field(min_length=1, max_length=64)]
    contents: dict[str, Any] = Field(default_factory=dict)

    _size = field_validator("contents")(_contents_size)


UploadId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]


class ViaIn(Strict):
    """Off the network (ADR 0028): the channel, the day and the reference of the letter or
    note that carried the step."""

    channel: Route
    on: date
    reference: ShortText

    def model(self) -> ChannelRecord:
        return ChannelRecord(channel=self.channel, on=self.on, reference=self.reference)


class StepBody(Strict):
    step: TransitionName
    reasons: Text | None = None
    grounds: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=20
    )
    until: datetime | None = None
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=20)
    follow_up: RequestId | None = None
    via: ViaIn | None = None
    scan_upload_id: UploadId | None = None
    """Your completed upload of the scanned letter (PDF or image) that carried the step."""


class RegistrationBody(Strict):
    """A request received off the network, registered from its letter (ADR 0028)."""

    kind: Annotated[str, Field(min_length=1, max_length=64)]
    requesting_state: StateCode
    requesting_authority: ShortText
    requested_authority: ShortText | None = None
    channel: Route
    received_on: date
    reference: ShortText
    scan_upload_id: UploadId
    contents: dict[str, Any] = Field(default_factory=dict)
    urgency: UrgencyIn = Field(default_factory=UrgencyIn)

    _size = field_validator("contents")(_contents_size)


class AttachBody(Strict):
    """A file to attach: your completed upload (``upload_id``), or a file already held for
    this request (``sha256`` of one of its evidence items or attachments)."""

    upload_id: Annotated[str | None, Field(pattern=r"^[0-9a-f]{32}$")] = None
    sha256: Annotated[str | None, Field(pattern=r"^[0-9a-f]{64}$")] = None
    role: AttachmentRole = AttachmentRole.DOCUMENT
    title: ShortText | None = None
    document_kind: DocumentKind | None = None
    """For a document: warrant, court-order, supporting-document (the default) or
    translation. A document of the requesting State travels with the request when it is
    sent: at most 16 MiB, 20 per request, added before it is sent (413, 422 otherwise)."""

    @model_validator(mode="after")
    def _one_file(self) -> AttachBody:
        if self.upload_id is None and self.sha256 is None:
            raise ValueError("give upload_id (your completed upload) or sha256")
        if self.document_kind is not None and self.role is not AttachmentRole.DOCUMENT:
            raise ValueError("only a document has a document_kind")
        return self


class AssignBody(Strict):
    user: Annotated[str, Field(min_length=1, max_length=64)]


class ConsentBody(Strict):
    third_state: StateCode
    reference: ShortText
    written: bool = True
    scope: ShortText


class TransferBody(Strict):
    third_state: StateCode


class Problem(BaseModel):
    pointer: str
    detail: str
    article: str | None = None


class Validation(BaseModel):
    valid: bool
    errors: list[Problem]


class RecordOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    sequence: int
    transition: str
    from_status: str
    to_status: str
    side: str
    state: str
    officer: str
    at: str
    article: str
    reasons: str | None


class SummaryOut(BaseModel):
    id: str
    kind: str
    channel: str
    route: str
    """How the request travels: ``hanoi`` (the network) or the channel off it."""
    requesting_state: str
    requested_state: str
    side: str
    status: str
    desired_status: str | None
    urgency: str
    created_at: datetime
    updated_at: datetime


class Page(BaseModel):
    items: list[SummaryOut]
    total: int
    limit: int
    offset: int


class StepChoice(BaseModel):
    step: str
    article: str
    requires: list[str]
    expected: bool = False
    """The step expected next (the page's primary action), of those the caller may take."""


class RequestOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    kind: str
    route: str
    status: str
    desired_status: str | None
    side: str
    document: dict[str, Any]
    conditions: list[dict[str, Any]]
    allowed_steps: list[StepChoice]
    recordable_steps: list[StepChoice]
    """Off the network: the other State's steps you may record from its letters."""
    assignments: list[dict[str, Any]]
    consents: list[dict[str, Any]]
    timeline: list[RecordOut]
    custody: list[dict[str, Any]]


class RequestBrief(BaseModel):
    id: str
    status: str
    desired_status: str | None
    allowed_steps: list[StepChoice]


class StepOut(BaseModel):
    request: RequestBrief
    record: RecordOut


class DueOut(BaseModel):
    request_id: str
    rule: str
    state: str
    due_at: datetime
    seconds_left: int
    side: str
    article: str


class AlertOut(BaseModel):
    request_id: str
    rule: str
    state: str
    due_at: datetime
    side: str
    article: str
    raised_at: datetime


class RefusalOut(BaseModel):
    at: datetime
    user: str
    role: str
    action: str
    request_id: str | None
    detail: str


def _problems(findings: list[Finding]) -> list[Problem]:
    return [Problem(pointer=f.path, detail=f.message, article=f.citation) for f in findings]


def _summary(summary: RequestSummary) -> SummaryOut:
    return SummaryOut(
        id=summary.id,
        kind=summary.kind,
        channel=summary.channel,
        route=summary.route.value,
        requesting_state=summary.requesting_state,
        requested_state=summary.requested_state,
        side=summary.side.value,
        status=summary.status.value,
        desired_status=summary.desired_status.value if summary.desired_status else None,
        urgency=summary.urgency,
        created_at=summary.created_at,
        updated_at=summary.updated_at,
    )


def _record(record: TransitionRecord) -> RecordOut:
    return RecordOut(**record_json(record))


def _choices(rows: tuple[Transition, ...], expected: Transition | None) -> list[StepChoice]:
    """The steps the caller may take now (their side, their role), the expected one marked."""
    return [
        StepChoice(
            step=row.name.value,
            article=row.article,
            requires=sorted(r.value for r in row.requires),
            expected=row is expected,
        )
        for row in rows
    ]


def request_out(view: RequestView) -> RequestOut:
    return RequestOut.model_validate(request_out_json(view))


def _choices_json(rows: tuple[Transition, ...], expected: Transition | None) -> list[Any]:
    """:func:`_choices` as JSON, built directly."""
    return [
        {
            "step": row.name.value,
            "article": row.article,
            "requires": sorted(r.value for r in row.requires),
            "expected": row is expected,
        }
        for row in rows
    ]


def request_out_json(view: RequestView) -> dict[str, Any]:
    """A request as the API shows it (:class:`RequestOut`), as JSON values built directly:
    the draft's answer is serialised from this once, without a model round trip."""
    request = view.request
    return {
        "id": request.id,
        "kind": request.kind,
        "route": request.route.value,
        "status": request.status.value,
        "desired_status": request.desired_status.value if request.desired_status else None,
        "side": view.side.value,
        "document": request_json(request, history=False),
        "conditions": [condition_json(c) for c in request.conditions],
        "allowed_steps": _choices_json(view.allowed, view.expected),
        "recordable_steps": _choices_json(view.recordable, None),
        "assignments": [
            {"user": a.user, "role": a.role, "by": a.by, "at": a.at.isoformat()}
            for a in view.assignments
        ],
        "consents": [
            {
                "third_state": c.third_state,
                "consenting_state": c.consenting_state,
                "written": c.written,
                "reference": c.reference,
                "scope": c.scope,
                "recorded_by": c.recorded_by,
                "recorded_at": c.recorded_at.isoformat(),
            }
            for c in view.consents
        ],
        "timeline": [record_json(r) for r in request.history],
        "custody": [
            {"index": e.index, "event": e.event.to_json(), "salt": b64(e.salt)}
            for e in view.custody
        ],
    }


def _show(service: CooperationService, user: User, request_id: str) -> RequestOut:
    return request_out(service.show(user, request_id))


@router.post(
    "/requests",
    status_code=201,
    summary="Draft a request",
    response_model=None,  # documented below; the answer is serialised once, not validated again
    responses={201: {"model": RequestOut, "description": "Successful Response"}},
)
def draft(body: DraftBody, request: Request, user: CurrentUser) -> JSONResponse:
    service = service_of(request)
    view = service.draft(
        user,
        DraftInput(
            kind=body.kind,
            requested_state=body.requested_state,
            contents=body.contents,
            requested_authority=body.requested_authority,
            authority=body.authority,
            channel=body.channel,
            urgency=body.urgency.model(),
            suggested_deadline=body.suggested_deadline.model() if body.suggested_deadline else None,
            conditions=tuple(c.model() for c in body.conditions),
            links=tuple(link.model() for link in body.links),
        ),
    )
    return JSONResponse(request_out_json(view), status_code=201)


@router.post(
    "/requests/validate",
    summary="Check a draft's contents against the Convention, without storing it",
    response_model=Validation,
)
def validate(body: ValidateBody, request: Request, user: CurrentUser) -> Validation:
    service = service_of(request)
    service.catalogue.kind(body.kind)  # an unknown kind is 404, with the kinds listed
    findings = service.validate(body.kind, body.contents)
    return Validation(valid=not findings, errors=_problems(findings))


@router.get("/requests", summary="The requests of your cases", response_model=Page)
def list_requests(
    request: Request,
    user: CurrentUser,
    status: Annotated[list[Status] | None, Query(max_length=20)] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    side: Side | None = None,
    state: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    urgency: UrgencyLevel | None = None,
    route: Route | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page:
    summaries, total = service_of(request).summaries(
        user,
        ListQuery(
            user_id=user.id,
            statuses=tuple(status or ()),
            kind=kind,
            side=side,
            other_state=state,
            urgency=urgency.value if urgency else None,
            route=route,
            limit=limit,
            offset=offset,
        ),
    )
    return Page(items=[_summary(s) for s in summaries], total=total, limit=limit, offset=offset)


@router.get(
    "/requests/{request_id}", summary="A request with its timeline", response_model=RequestOut
)
def show(request_id: RequestId, request: Request, user: CurrentUser) -> RequestOut:
    return _show(service_of(request), user, request_id)


@router.patch("/requests/{request_id}", summary="Revise a draft", response_model=RequestOut)
def revise(
    request_id: RequestId, body: ReviseBody, request: Request, user: CurrentUser
) -> RequestOut:
    from hanoi.cooperation.drafting import KEEP

    service = service_of(request)
    fields = body.model_fields_set
    service.revise(
        user,
        request_id,
        contents=body.contents if body.contents is not None else KEEP,
        urgency=body.urgency.model() if body.urgency is not None else KEEP,
        suggested_deadline=(
            (body.suggested_deadline.model() if body.suggested_deadline else None)
            if "suggested_deadline" in fields
            else KEEP
        ),
        conditions=[c.model() for c in body.conditions] if body.conditions is not None else KEEP,
    )
    return _show(service, user, request_id)


@router.get(
    "/requests/{request_id}/validation",
    summary="What a stored draft still lacks, item by item, with the article",
    response_model=Validation,
)
def validation(request_id: RequestId, request: Request, user: CurrentUser) -> Validation:
    findings = service_of(request).findings(user, request_id)
    return Validation(valid=not findings, errors=_problems(findings))


def _take(request: Request, user: User, request_id: str, step: StepInput) -> StepOut:
    service = service_of(request)
    after, record = service.take(user, request_id, step)
    allowed = service.allowed(after, user)
    return StepOut(
        request=RequestBrief(
            id=after.id,
            status=after.status.value,
            desired_status=after.desired_status.value if after.desired_status else None,
            allowed_steps=_choices(allowed, expected_step(after.status, allowed)),
        ),
        record=_record(record),
    )


@router.post(
    "/requests/{request_id}/steps",
    summary="Take a step of the transition table (any decision the Convention allows)",
    response_model=StepOut,
)
def take_step(
    request_id: RequestId, body: StepBody, request: Request, user: CurrentUser
) -> StepOut:
    return _take(
        request,
        user,
        request_id,
        StepInput(
            transition=body.step.value,
            reasons=body.reasons,
            grounds=tuple(body.grounds),
            until=body.until,
            conditions=tuple(c.model() for c in body.conditions),
            follow_up=body.follow_up,
            via=body.via.model() if body.via is not None else None,
            scan=LetterScan(upload_id=body.scan_upload_id) if body.scan_upload_id else None,
        ),
    )


@router.post(
    "/registrations",
    status_code=201,
    summary="Register a request received off the network, from its letter",
    response_model=RequestOut,
)
def register(body: RegistrationBody, request: Request, user: CurrentUser) -> RequestOut:
    view = service_of(request).register(
        user,
        Registration(
            kind=body.kind,
            requesting_state=body.requesting_state,
            requesting_authority=body.requesting_authority,
            requested_authority=body.requested_authority,
            via=ChannelRecord(channel=body.channel, on=body.received_on, reference=body.reference),
            contents=body.contents,
            scan=LetterScan(upload_id=body.scan_upload_id),
            urgency=body.urgency.model(),
        ),
    )
    return request_out(view)


@router.post(
    "/requests/{request_id}/approve", summary="Approve a draft (supervisor)", response_model=StepOut
)
def approve(request_id: RequestId, request: Request, user: CurrentUser) -> StepOut:
    return _take(request, user, request_id, StepInput(transition=TransitionName.APPROVE.value))


@router.post(
    "/requests/{request_id}/send", summary="Send an approved request", response_model=StepOut
)
def send(request_id: RequestId, request: Request, user: CurrentUser) -> StepOut:
    return _take(request, user, request_id, StepInput(transition=TransitionName.SEND.value))


@router.post(
    "/requests/{request_id}/attachments",
    status_code=201,
    summary="Attach a stored document or evidence file (your upload, or its SHA-256)",
    response_model=RequestOut,
)
def attach(
    request_id: RequestId, body: AttachBody, request: Request, user: CurrentUser
) -> RequestOut:
    service = service_of(request)
    service.attach(
        user,
        request_id,
        upload_id=body.upload_id,
        sha256=body.sha256,
        role=body.role,
        title=body.title,
        document_kind=body.document_kind,
    )
    return _show(service, user, request_id)


@router.post(
    "/requests/{request_id}/assignments",
    status_code=201,
    summary="Add a colleague to the case",
    response_model=list[dict[str, Any]],
)
def assign(
    request_id: RequestId, body: AssignBody, request: Request, user: CurrentUser
) -> list[dict[str, Any]]:
    team = service_of(request).assign(user, request_id, body.user)
    return [{"user": a.user, "role": a.role, "by": a.by, "at": a.at.isoformat()} for a in team]


@router.post(
    "/requests/{request_id}/consents",
    status_code=201,
    summary="Record consent to pass the data on to a third State (Art. 36(3))",
    response_model=RequestOut,
)
def consent(
    request_id: RequestId, body: ConsentBody, request: Request, user: CurrentUser
) -> RequestOut:
    conditions_of(request).record_consent(
        user,
        request_id,
        third_state=body.third_state,
        reference=body.reference,
        written=body.written,
        scope=body.scope,
    )
    return _show(service_of(request), user, request_id)


@router.post(
    "/requests/{request_id}/onward-transfers",
    status_code=201,
    summary="Pass the request's evidence to a third State, with consent (Art. 36(3))",
    response_model=list[dict[str, Any]],
)
def transfer(
    request_id: RequestId, body: TransferBody, request: Request, user: CurrentUser
) -> list[dict[str, Any]]:
    events = conditions_of(request).transfer_onward(user, request_id, third_state=body.third_state)
    return [e.to_json() for e in events]


@router.get(
    "/deadlines",
    summary="Deadlines overdue or due soon in your cases, soonest first "
    "(with state=running, those still running: preservation periods counting down)",
    response_model=list[DueOut],
)
def deadlines(
    request: Request,
    user: CurrentUser,
    state: Literal["overdue", "due-soon", "running"] | None = None,
) -> list[DueOut]:
    return [
        DueOut(
            request_id=d.request_id,
            rule=d.rule.value,
            state=d.state.value,
            due_at=d.due_at,
            seconds_left=int(d.time_left.total_seconds()),
            side=d.side.value,
            article=d.article,
        )
        for d in service_of(request).overdue(user, running=state == "running")
        if state is None or d.state.value == state
    ]


@router.get(
    "/deadline-alerts",
    summary="Deadline alerts raised in your cases",
    response_model=list[AlertOut],
)
def deadline_alerts(
    request: Request, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[AlertOut]:
    return [
        AlertOut(
            request_id=a.request_id,
            rule=a.rule,
            state=a.state,
            due_at=a.due_at,
            side=a.side,
            article=a.article,
            raised_at=a.raised_at,
        )
        for a in service_of(request).alerts(user, limit=limit)
    ]


@router.get(
    "/audit/refusals",
    summary="Refused attempts (role, case or State), newest first; auditors",
    response_model=list[RefusalOut],
)
def refusals(
    request: Request, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[RefusalOut]:
    return [
        RefusalOut(
            at=r.at,
            user=r.user,
            role=r.role,
            action=r.action,
            request_id=r.request_id,
            detail=r.detail,
        )
        for r in service_of(request).refusals(user, limit=limit)
    ]
