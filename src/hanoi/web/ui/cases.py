"""What the request pages show, put in a reader's words, and what their forms mean.

No rules live here: the cooperation service decides, the Convention catalogue
names. This module labels statuses and steps in the page's language, formats
moments and durations for the locale, draws one form field per content item of
a request kind, and reads those fields back into contents for the service.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from babel.dates import format_datetime, format_timedelta

from hanoi.convention import (
    Catalogue,
    Channel,
    ContentItem,
    Draft,
    FieldType,
    Finding,
    RequestKind,
    validate,
)
from hanoi.cooperation import (
    Condition,
    DueRule,
    GroundNotApplicable,
    IncompleteRequest,
    MissingRequirement,
    Side,
    Status,
    TransitionName,
    TransitionNotAllowed,
    Urgency,
    UrgencyLevel,
)
from hanoi.cooperation.deadlines import Due, DueState
from hanoi.cooperation.model import CooperationRequest, TransitionRecord
from hanoi.cooperation.package_conditions import FIELD_OF
from hanoi.cooperation.service import AUTHORITY_NAMES
from hanoi.cooperation.table import Requirement, Transition, row_named
from hanoi.custody.events import CustodyAction
from hanoi.errors import HanoiError, InvalidInput, PermissionDenied
from hanoi.web.cooperation import MAX_CONTENTS_BYTES
from hanoi.web.ui.i18n import N_, LocaleFormat, Message
from hanoi.web.ui.outcomes import last_day

if TYPE_CHECKING:
    from hanoi.accounts.model import User
    from hanoi.wiring import Node

STATUS_LABELS: dict[Status, Message] = {
    Status.DRAFT: N_("Draft"),
    Status.SUBMITTED: N_("Awaiting approval"),
    Status.APPROVED: N_("Approved"),
    Status.SENT: N_("Sent"),
    Status.RECEIVED: N_("Received"),
    Status.ACKNOWLEDGED: N_("Acknowledged"),
    Status.ADDITIONAL_INFORMATION_REQUESTED: N_("Additional information requested"),
    Status.ADDITIONAL_INFORMATION_PROVIDED: N_("Additional information provided"),
    Status.CONSULTATION: N_("In consultation"),
    Status.IN_EXECUTION: N_("In execution"),
    Status.PARTIALLY_EXECUTED: N_("Partially executed"),
    Status.EXECUTED: N_("Executed"),
    Status.POSTPONED: N_("Postponed"),
    Status.REFUSED: N_("Refused"),
    Status.WITHDRAWN: N_("Withdrawn"),
    Status.CLOSED: N_("Closed"),
    Status.ORDERED: N_("Preservation ordered"),
    Status.ACTIVE: N_("Data preserved"),
    Status.EXTENDED: N_("Preservation extended"),
    Status.RELEASED: N_("Preservation released"),
}

STEP_LABELS: dict[TransitionName, Message] = {
    TransitionName.SUBMIT: N_("Submit for approval"),
    TransitionName.APPROVE: N_("Approve"),
    TransitionName.RETURN_TO_DRAFT: N_("Return to draft"),
    TransitionName.ABANDON: N_("Abandon"),
    TransitionName.SEND: N_("Send"),
    TransitionName.DISPATCH: N_("Send by another channel"),
    TransitionName.REGISTER: N_("Register a request received by letter"),
    TransitionName.RECEIVE: N_("Receive"),
    TransitionName.ACKNOWLEDGE: N_("Acknowledge receipt"),
    TransitionName.REQUEST_ADDITIONAL_INFORMATION: N_("Request additional information"),
    TransitionName.PROVIDE_ADDITIONAL_INFORMATION: N_("Provide additional information"),
    TransitionName.RECORD_ADDITIONAL_INFORMATION: N_("Record the additional information"),
    TransitionName.CONSULT: N_("Consult the requesting State"),
    TransitionName.PROPOSE_TERMS: N_("Propose other terms"),
    TransitionName.AGREE_TO_CONDITIONS: N_("Agree to the conditions"),
    TransitionName.ACCEPT: N_("Accept and execute"),
    TransitionName.EXECUTE_PARTIALLY: N_("Record partial execution"),
    TransitionName.RESUME_EXECUTION: N_("Resume execution"),
    TransitionName.COMPLETE: N_("Record execution"),
    TransitionName.POSTPONE: N_("Postpone"),
    TransitionName.REFUSE: N_("Refuse"),
    TransitionName.WITHDRAW: N_("Withdraw"),
    TransitionName.CONFIRM_WITHDRAWAL: N_("Confirm the withdrawal"),
    TransitionName.CLOSE: N_("Close"),
    TransitionName.ORDER_PRESERVATION: N_("Order preservation"),
    TransitionName.PRESERVE: N_("Record preservation"),
    TransitionName.RENEW_PRESERVATION: N_("Renew preservation"),
    TransitionName.CONTINUE_PRESERVATION: N_("Continue preservation"),
    TransitionName.RELEASE_PRESERVATION: N_("Release the preserved data"),
}


DUE_STATE_LABELS: dict[DueState, Message] = {
    DueState.OVERDUE: N_("Overdue"),
    DueState.DUE_SOON: N_("Due soon"),
    DueState.RUNNING: N_("Running"),
}

SIDE_LABELS: dict[Side, Message] = {
    Side.REQUESTING: N_("Requesting State"),
    Side.REQUESTED: N_("Requested State"),
}

URGENCY_LABELS: dict[UrgencyLevel, Message] = {
    UrgencyLevel.ROUTINE: N_("Routine"),
    UrgencyLevel.URGENT: N_("Urgent"),
    UrgencyLevel.EMERGENCY: N_("Emergency"),
}

DUE_RULE_LABELS: dict[DueRule, Message] = {
    DueRule.ACKNOWLEDGE_POINT_OF_CONTACT: N_("Acknowledge a request to the 24/7 point of contact"),
    DueRule.ACKNOWLEDGE_EMERGENCY: N_("Acknowledge an emergency request"),
    DueRule.PRESERVATION_PERIOD: N_("End of the preservation period"),
    DueRule.SUGGESTED_DEADLINE: N_("Deadline suggested by the requesting State"),
}

CUSTODY_LABELS: dict[CustodyAction, Message] = {
    CustodyAction.CREATED: N_("Created"),
    CustodyAction.COLLECTED: N_("Collected"),
    CustodyAction.PRESERVED: N_("Preserved"),
    CustodyAction.SENT: N_("Sent"),
    CustodyAction.RECEIVED: N_("Received"),
    CustodyAction.ACCESSED: N_("Accessed"),
    CustodyAction.DECRYPTED: N_("Decrypted"),
    CustodyAction.EXPORTED: N_("Exported"),
    CustodyAction.DELETED_UNDER_RETENTION: N_("Deleted at the end of the retention period"),
    CustodyAction.REQUEST_STEP: N_("Step of the request"),
    CustodyAction.ONWARD_TRANSFER: N_("Passed on to a third State"),
}

AUTHORITY_LABELS: dict[str, Message] = {
    AUTHORITY_NAMES[Channel.CENTRAL_AUTHORITY]: N_("central authority"),
    AUTHORITY_NAMES[Channel.POINT_OF_CONTACT]: N_("24/7 point of contact"),
    AUTHORITY_NAMES[Channel.COMPETENT_AUTHORITY]: N_("competent authority"),
}
"""The names a party's authority gets when the drafter names none (the service's
defaults, by channel), in the reader's language; a name an officer typed is shown as is."""

STATE_MISSING = N_("Enter the requested State as a three-letter code, for example FRA.")
URGENCY_REASONS_MISSING = N_("Give the reasons for urgency.")
DRAFT_REFUSED = N_("The node could not save the draft. Check what you entered.")
TOO_LARGE = N_("The contents are too long.")
NO_SUCH_COLLEAGUE = N_("There is no active user of this node with that name.")

STEP_ERRORS: dict[type[HanoiError], Message] = {
    IncompleteRequest: N_("The request lacks items the Convention requires."),
    TransitionNotAllowed: N_("This step is not possible now."),
    GroundNotApplicable: N_("A ground chosen is not a ground for refusing this request."),
    MissingRequirement: N_("Something this step requires is missing."),
    PermissionDenied: N_("Your role does not allow this step."),
    InvalidInput: N_("Check what you entered."),
}
REQUIREMENT_ERRORS: dict[str, Message] = {
    "reasons": N_("Give the reasons, in writing."),
    "grounds": N_("Choose at least one ground for refusal."),
    "consultation": N_("Consult the requesting State before refusing on this ground."),
    "until": N_("Give the date until which the data are preserved."),
    "follow_up": N_("Name the follow-up request for mutual legal assistance."),
    "conditions": N_(
        "The requesting State has not agreed to conditions yet: consult it first, "
        "and accept with conditions once it has agreed."
    ),
}
TERMS_MISSING = N_("Give the terms of this condition.")
BAD_DATE = N_("Enter a date as YYYY-MM-DD, for example 2026-03-01.")
TERMS_REFUSED = N_("Check what you entered.")
STEP_FAILED = N_("The step could not be taken.")

STATE_CODE = re.compile(r"^[A-Z]{3}$")
URGENCY_ITEM = "urgency-reasons"
"""The content item of the reasons for urgency; the draft form's urgency field fills it."""
CONTENT_PREFIX = "c."
"""Form fields of content items are named ``c.<item key>``."""
YES, NO = "yes", "no"


# --- formatting -------------------------------------------------------------------------


def moment(fmt: LocaleFormat, value: datetime) -> str:
    """A date and time in the locale's medium format, in UTC (the node's time)."""
    return format_datetime(value, format="medium", tzinfo=UTC, locale=fmt.locale)


def time_left(fmt: LocaleFormat, value: timedelta) -> str:
    """``in 3 days`` or ``2 hours ago`` in the locale's words."""
    return format_timedelta(
        value, add_direction=True, threshold=1.5, format="long", locale=fmt.locale
    )


def kind_title(fmt: LocaleFormat, catalogue: Catalogue, kind: str) -> str:
    return fmt.label(catalogue.kind(kind).title_key)


def step_label(name: str) -> Message:
    return STEP_LABELS.get(TransitionName(name), Message(name))


def display_value(fmt: LocaleFormat, catalogue: Catalogue, item: ContentItem, value: Any) -> str:
    """A content item's value as the reader sees it."""
    if isinstance(value, list | tuple):
        return "; ".join(_scalar(fmt, catalogue, item, element) for element in value)
    return _scalar(fmt, catalogue, item, value)


def _scalar(fmt: LocaleFormat, catalogue: Catalogue, item: ContentItem, value: Any) -> str:
    values = catalogue.values_for(item)
    if values is not None and isinstance(value, str) and value in values.keys:
        return fmt.label(values.label_key(value))
    element_type = item.item_type or item.type
    if element_type is FieldType.STATE_CODE and isinstance(value, str):
        return f"{fmt.territory(value)} ({value})"
    if element_type is FieldType.DATE and isinstance(value, str):
        try:
            return fmt.date(date.fromisoformat(value), "long")
        except ValueError:
            return value
    if isinstance(value, bool):
        return ""  # the template says yes or no in its language
    if isinstance(value, int):
        return fmt.number(value)
    return str(value)


# --- findings, per field ----------------------------------------------------------------


def localized_findings(
    catalogue: Catalogue, fmt: LocaleFormat, kind: str, contents: Mapping[str, Any]
) -> list[Finding]:
    """The service's findings on these contents, worded in the page's language."""
    return validate(Draft(kind=kind, contents=contents), language=fmt.language, catalogue=catalogue)


def findings_by_item(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    """Findings keyed by content item (``contents.offences[1]`` goes under ``offences``)."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        path = finding.path
        key = (
            path.removeprefix("contents.").split("[", 1)[0] if path.startswith("contents.") else ""
        )
        grouped.setdefault(key, []).append(finding)
    return grouped


# --- the draft form ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemField:
    """One content item as a form field."""

    item: ContentItem
    name: str
    label: str
    citation: str
    widget: str
    """text, textarea, date, state, select, checkboxes, lines, yes-no, integer."""
    value: str
    chosen: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def required(self) -> bool:
        return self.item.required

    @property
    def conditional(self) -> bool:
        return self.item.conditional


def _widget(item: ContentItem) -> str:
    if item.type is FieldType.LIST:
        return "checkboxes" if item.item_type is FieldType.ENUM else "lines"
    return {
        FieldType.TEXT: "text",
        FieldType.LONG_TEXT: "textarea",
        FieldType.DATE: "date",
        FieldType.STATE_CODE: "state",
        FieldType.ENUM: "select",
        FieldType.BOOLEAN: "yes-no",
        FieldType.INTEGER: "integer",
    }[item.type]


def item_fields(
    catalogue: Catalogue,
    fmt: LocaleFormat,
    kind: RequestKind,
    contents: Mapping[str, Any],
    findings: Sequence[Finding] = (),
) -> list[ItemField]:
    """One field per content item of ``kind``, filled from ``contents``."""
    grouped = findings_by_item(findings)
    fields = []
    for item in kind.contents:
        if item.key == URGENCY_ITEM:  # the form's own "Reasons for urgency" fills it
            continue
        values = catalogue.values_for(item)
        options = (
            tuple((key, fmt.label(values.label_key(key))) for key in values.keys)
            if values is not None
            else ()
        )
        value = contents.get(item.key)
        chosen: tuple[str, ...] = ()
        if isinstance(value, list | tuple):
            chosen = tuple(str(element) for element in value)
            text = "\n".join(chosen)
        elif isinstance(value, bool):
            text = YES if value else NO
        elif value is None:
            text = ""
        else:
            text = str(value)
        fields.append(
            ItemField(
                item=item,
                name=CONTENT_PREFIX + item.key,
                label=fmt.label(item.label_key),
                citation=catalogue.cite(item.source, fmt.language),
                widget=_widget(item),
                value=text,
                chosen=chosen,
                options=options,
                findings=tuple(grouped.get(item.key, ())),
            )
        )
    return fields


def read_contents(kind: RequestKind, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The contents a draft form gives; what cannot be read is passed on as typed, for
    the Convention's checks to name it (a draft may be incomplete)."""
    contents: dict[str, Any] = {}
    for item in kind.contents:
        raw = [v for v in form.get(CONTENT_PREFIX + item.key, ()) if isinstance(v, str)]
        value = _read(item, raw)
        if value is not None:
            contents[item.key] = value
    if len(json.dumps(contents, ensure_ascii=False)) > MAX_CONTENTS_BYTES:
        raise InvalidInput(f"the contents are at most {MAX_CONTENTS_BYTES} bytes")
    return contents


def with_urgency(kind: RequestKind, contents: dict[str, Any], urgency: Urgency) -> dict[str, Any]:
    """The contents with the form's reasons for urgency as the kind's item for them (the
    form asks once, not twice; Art. 40(14))."""
    if urgency.reasons and any(item.key == URGENCY_ITEM for item in kind.contents):
        contents[URGENCY_ITEM] = urgency.reasons
    return contents


def _read(item: ContentItem, raw: list[str]) -> Any:
    if item.type is FieldType.LIST:
        if item.item_type is FieldType.ENUM:
            chosen = [v for v in raw if v]
        else:
            chosen = [line.strip() for v in raw for line in v.splitlines() if line.strip()]
            if item.item_type is FieldType.STATE_CODE:
                chosen = [v.upper() for v in chosen]
        return chosen or None
    text = raw[0].strip() if raw else ""
    if not text:
        return None
    if item.type is FieldType.BOOLEAN:
        return {YES: True, NO: False}.get(text, text)
    if item.type is FieldType.INTEGER:
        try:
            return int(text)
        except ValueError:
            return text
    if item.type is FieldType.STATE_CODE:
        return text.upper()
    return raw[0].replace("\r\n", "\n").strip()


def form_lists(form: Any) -> dict[str, list[str]]:
    """A Starlette form as lists of strings (uploads are ignored)."""
    lists: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            lists.setdefault(key, []).append(value)
    return lists


def first(form: Mapping[str, Sequence[str]], name: str, limit: int = 20_000) -> str:
    values = form.get(name, ())
    return values[0][:limit] if values else ""


# --- step forms -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroundChoice:
    key: str
    label: str
    citation: str


@dataclass(frozen=True, slots=True)
class ConditionChoice:
    """A condition of the catalogue that may be set on this kind of request."""

    key: str
    label: str
    citation: str
    retention: bool
    """It may end in the deletion of the data received (``retain_until``)."""


@dataclass(frozen=True, slots=True)
class StepForm:
    """The form for one step the transition table allows now."""

    name: str
    label: Message
    article: str
    reasons: bool
    grounds: tuple[GroundChoice, ...]
    until: bool
    follow_up: bool
    conditions: tuple[ConditionChoice, ...] = ()
    primary: bool = False
    """The step expected next: the page's main button, shown first."""
    via: bool = False
    """The form asks for a channel record: the channel, the day and the reference."""
    recorded: bool = False
    """The other State's step, recorded from its letter (ADR 0028)."""


def condition_choices(
    catalogue: Catalogue, fmt: LocaleFormat, kind: RequestKind
) -> tuple[ConditionChoice, ...]:
    return tuple(
        ConditionChoice(
            key=applied.key,
            label=fmt.label(catalogue.condition(applied.key).label_key),
            citation=catalogue.cite(applied.source, fmt.language),
            retention=FIELD_OF.get(applied.key) == "retention",
        )
        for applied in kind.conditions
    )


def conditions_offered(
    catalogue: Catalogue, fmt: LocaleFormat, kind: str, step: TransitionName
) -> tuple[ConditionChoice, ...]:
    """The conditions the form of ``step`` offers (the step of the table that takes them)."""
    if Requirement.CONDITIONS_AGREED not in row_named(step).requires:
        return ()
    return condition_choices(catalogue, fmt, catalogue.kind(kind))


def step_forms(
    catalogue: Catalogue,
    fmt: LocaleFormat,
    kind: RequestKind,
    rows: Sequence[Transition],
    expected: Transition | None = None,
    *,
    recorded: bool = False,
) -> list[StepForm]:
    """One form per step the reader may take, the expected one first and primary; with
    ``recorded``, the other State's steps to record from its letters, each asking for
    the channel record."""
    choices = tuple(
        GroundChoice(
            key=applied.key,
            label=fmt.label(catalogue.refusal_ground(applied.key).label_key),
            citation=catalogue.cite(applied.source, fmt.language),
        )
        for applied in kind.refusal_grounds
    )
    conditions = condition_choices(catalogue, fmt, kind)
    forms = []
    ordered = sorted(rows, key=lambda row: row is not expected)  # stable: table order after
    for row in ordered:
        requires = row.requires
        forms.append(
            StepForm(
                name=row.name.value,
                label=STEP_LABELS[row.name],
                article=catalogue.cite(row.source, fmt.language),
                reasons=bool(requires & {Requirement.REASONS, Requirement.GROUNDS}),
                grounds=choices if Requirement.GROUNDS in requires else (),
                until=Requirement.PRESERVATION_END in requires,
                follow_up=bool(
                    requires & {Requirement.FOLLOW_UP_RECEIVED, Requirement.PRESERVATION_MAY_END}
                ),
                conditions=conditions if Requirement.CONDITIONS_AGREED in requires else (),
                primary=row is expected,
                via=recorded or Requirement.CHANNEL_RECORD in requires,
                recorded=recorded,
            )
        )
    return forms


# --- conditions set with a step -----------------------------------------------------------

CONDITION_FIELD = "conditions"
TERMS_PREFIX = "terms."
RETAIN_PREFIX = "retain_until."
"""A chosen condition is ``conditions=<key>``, its terms ``terms.<key>``, and the day after
which the data received are deleted ``retain_until.<key>``."""
MAX_CONDITIONS = 20
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True, slots=True)
class ConditionsForm:
    """The conditions a step form gives: what the service takes, and what to show again."""

    conditions: tuple[Condition, ...]
    errors: dict[str, Message]
    chosen: tuple[str, ...]
    terms: dict[str, str]
    retain_until: dict[str, str]


def read_conditions(
    choices: Sequence[ConditionChoice], form: Mapping[str, Sequence[str]], side: Side
) -> ConditionsForm:
    """The conditions ticked in a step form, set by ``side``; a condition without terms or
    with a malformed date is an error beside its field, and is not passed on."""
    offered = {choice.key: choice for choice in choices}
    chosen = tuple(dict.fromkeys(form.get(CONDITION_FIELD, ())))[:MAX_CONDITIONS]
    if any(key not in offered for key in chosen):
        raise InvalidInput("a condition that is not offered for this step")
    errors: dict[str, Message] = {}
    terms = {key: first(form, TERMS_PREFIX + key).strip() for key in offered}
    retain = {key: first(form, RETAIN_PREFIX + key, 32).strip() for key in offered}
    conditions = []
    for key in chosen:
        day = _retention_day(retain[key], errors, RETAIN_PREFIX + key)
        if not offered[key].retention:
            day = None
        if not terms[key]:
            errors[TERMS_PREFIX + key] = TERMS_MISSING
            continue
        try:
            conditions.append(
                Condition(key=key, terms=terms[key], imposed_by=side, retain_until=day)
            )
        except InvalidInput:
            errors[TERMS_PREFIX + key] = TERMS_REFUSED
    return ConditionsForm(
        conditions=tuple(conditions) if not errors else (),
        errors=errors,
        chosen=chosen,
        terms=terms,
        retain_until=retain,
    )


def _retention_day(text: str, errors: dict[str, Message], name: str) -> date | None:
    if not text:
        return None
    try:
        if ISO_DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    errors[name] = BAD_DATE
    return None


def consultation(request: CooperationRequest) -> TransitionRecord | None:
    """While a request is in consultation, its latest proposal: the requested State's
    conditions (``consult``) or the requesting State's other terms (``propose-terms``),
    in its reasons (Art. 40(27))."""
    if request.status is not Status.CONSULTATION:
        return None
    proposals = {TransitionName.CONSULT, TransitionName.PROPOSE_TERMS}
    return next((r for r in reversed(request.history) if r.transition in proposals), None)


# --- deadlines and alerts ---------------------------------------------------------------


def alert_count(node: Node, user: User) -> int:
    """The alerts the home page counts: deadlines overdue or due soon in the user's cases,
    and misbehaviour of custody logs that this node's witness detected."""
    return len(node.cooperation.overdue(user)) + len(node.witness.alerts())


DAY_RULES = frozenset({DueRule.PRESERVATION_PERIOD.value, DueRule.SUGGESTED_DEADLINE.value})
"""Deadlines entered as days (kept as the midnight UTC that ends the day)."""


def due_text(fmt: LocaleFormat, rule: str, at: datetime) -> str:
    """When a deadline falls due: the day itself for a deadline entered as a day (the
    same day in every time zone: 15 January, never "16 January, 00:00"), else the
    moment in UTC."""
    if rule in DAY_RULES:
        return fmt.date(last_day(at))
    return moment(fmt, at)


def due_rows(
    fmt: LocaleFormat, catalogue: Catalogue, items: Sequence[Due], url: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Deadlines overdue or due soon, as the deadlines and alerts pages list them."""
    return [
        {
            "id": d.request_id,
            "url": url(d.request_id),
            "rule": DUE_RULE_LABELS[d.rule],
            "state": d.state.value,
            "state_label": DUE_STATE_LABELS[d.state],
            "due_at": d.due_at,
            "due_text": due_text(fmt, d.rule.value, d.due_at),
            "left": time_left(fmt, d.time_left),
            "side": SIDE_LABELS[d.side],
            "article": catalogue.cite(d.source, fmt.language),
        }
        for d in items
    ]


@dataclass(frozen=True, slots=True)
class StepError:
    """Why a step failed, beside its form: a message in the reader's language, the
    service's own words (English), the article, and the items at fault."""

    message: Message
    detail: str
    article: str | None
    fields: dict[str, Message] = field(default_factory=dict)
    allowed: tuple[Message, ...] = ()
    items: tuple[Finding, ...] = ()


def step_error(error: HanoiError, localized: Sequence[Finding]) -> StepError:
    message = next(
        (text for family, text in STEP_ERRORS.items() if isinstance(error, family)), STEP_FAILED
    )
    articles = [f.article for f in error.fields if f.article]
    fields = {
        f.path: REQUIREMENT_ERRORS[f.path] for f in error.fields if f.path in REQUIREMENT_ERRORS
    }
    allowed: tuple[Message, ...] = ()
    if isinstance(error, TransitionNotAllowed):
        allowed = tuple(step_label(name) for name, _side in error.allowed)
    return StepError(
        message=message,
        detail=error.detail,
        article="; ".join(dict.fromkeys(articles)) or None,
        fields=fields,
        allowed=allowed,
        items=tuple(localized) if isinstance(error, IncompleteRequest) else (),
    )


def end_of_day(text: str) -> datetime | None:
    """A date from a form as the end of that day in UTC; None when empty or malformed."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
