"""The forms of a request's steps, the conditions set with a step, and why a step failed.

The transition table says which steps the reader may take now and what each requires
(reasons, grounds for refusal, a date, a follow-up request, conditions, a channel
record); this module turns that into one form per step, with the catalogue's grounds and
conditions to choose from, reads the conditions ticked back for the cooperation service,
and words the service's refusal of a step beside its form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from hanoi.convention import Catalogue, Finding, RequestKind
from hanoi.cooperation import (
    Condition,
    GroundNotApplicable,
    IncompleteRequest,
    MissingRequirement,
    Side,
    TransitionName,
    TransitionNotAllowed,
)
from hanoi.cooperation.table import Requirement, Transition, row_named
from hanoi.errors import HanoiError, InvalidInput, PermissionDenied
from hanoi.evidence.package_conditions import FIELD_OF
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.labels import STEP_LABELS, step_label
from hanoi.i18n.messages import N_, Message
from hanoi.web.ui.forms import BAD_DATE, first

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
TERMS_REFUSED = N_("Check what you entered.")
STEP_FAILED = N_("The step could not be taken.")


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


# --- why a step failed -------------------------------------------------------------------


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
