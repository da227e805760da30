"""Taking a step of the transition table: the only way a request's status changes. Pure.

:func:`apply` looks the step up in :data:`hanoi.cooperation.table.TABLE`, checks
it in a fixed order, and returns the request with one more history record, and
that record (which the service layer turns into a custody event and a status
message to the other State):

1. the step exists from the current status, for this kind, and (for the requested
   State's answers to the requesting State) the requesting State asked for it;
2. the side taking it is the side the row names; off the network, an officer may also
   record the other side's step from its letter, with a channel record (ADR 0028);
3. the actor's role allows the row's action (on the 24/7 channel, handling urgent
   requests also allows it);
4. the arguments are those the step takes, and each requirement of the row holds.

Nothing here reads the clock: ``at`` is a parameter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime

from hanoi.accounts.model import Action, User
from hanoi.convention import Catalogue, Draft, default_catalogue, validate
from hanoi.cooperation import preservation
from hanoi.cooperation.errors import (
    GroundNotApplicable,
    IncompleteRequest,
    TransitionNotAllowed,
    WrongSide,
)
from hanoi.cooperation.kinds import (
    CONSULTATION_SOURCE,
    KindTrait,
    consultation_required,
    ground_source,
    is_point_of_contact,
    traits,
)
from hanoi.cooperation.model import (
    Condition,
    CooperationRequest,
    TransitionRecord,
    require_aware,
    require_text,
)
from hanoi.cooperation.routes import ChannelRecord
from hanoi.cooperation.statuses import Side, Status, StatusField
from hanoi.cooperation.steps import Step
from hanoi.cooperation.table import (
    ROWS,
    TABLE,
    URGENT_ACTION,
    Requirement,
    Transition,
    TransitionName,
)
from hanoi.errors import FieldProblem, InvalidInput, PermissionDenied

TRAIT_RULES: dict[KindTrait, str] = {
    KindTrait.MLA: "only mutual legal assistance requests are consulted on or postponed "
    "(Art. 40(26)-(27))",
    KindTrait.EXECUTED: "a preservation request is ordered and preserved, not executed (Art. 42)",
    KindTrait.PRESERVATION: "only expedited preservation requests are preserved (Art. 42)",
    KindTrait.REFUSABLE: "the Convention gives no ground for refusing this kind of request",
}


def allowed_transitions(
    request: CooperationRequest, *, side: Side | None = None, catalogue: Catalogue | None = None
) -> tuple[Transition, ...]:
    """The steps possible now (for ``side``, or for either State), in table order."""
    kind_traits = traits((catalogue or default_catalogue()).kind(request.kind))
    return tuple(
        row
        for row in TABLE
        if _obstacle(row, request, kind_traits) is None and (side is None or row.side is side)
    )


def recordable_steps(
    request: CooperationRequest, actor: User, *, side: Side, catalogue: Catalogue | None = None
) -> tuple[Transition, ...]:
    """Off the network, the other State's steps ``actor`` may record from its letters
    (none on a request that travels over the network: there the other node speaks)."""
    if request.route.on_network:
        return ()
    return steps_for(request, actor, side=side.other, catalogue=catalogue)


def steps_for(
    request: CooperationRequest,
    actor: User,
    *,
    side: Side,
    catalogue: Catalogue | None = None,
) -> tuple[Transition, ...]:
    """The steps ``actor`` may take now on ``side``: possible from where the request
    stands, and allowed by the actor's role (case assignment is the caller's check).
    What a page offers and the API lists as ``allowed_steps``; :func:`apply` refuses
    the rest."""
    return tuple(
        row
        for row in allowed_transitions(request, side=side, catalogue=catalogue)
        if permits(row, request, actor)
    )


def permits(row: Transition, request: CooperationRequest, actor: User) -> bool:
    """Whether the actor's role allows the row's action (on the 24/7 channel, handling
    urgent requests allows every step: Art. 41(1), (4))."""
    return any(actor.may(action) for action in _actions(row, request))


def apply(
    request: CooperationRequest,
    *,
    transition: TransitionName | str,
    actor: User,
    side: Side,
    at: datetime,
    reasons: str | None = None,
    grounds: Sequence[str] = (),
    until: datetime | None = None,
    conditions: Sequence[Condition] = (),
    follow_up: CooperationRequest | None = None,
    via: ChannelRecord | None = None,
    catalogue: Catalogue | None = None,
) -> tuple[CooperationRequest, TransitionRecord]:
    """Take one step; return the request after it and the record of it.

    ``via`` is the channel record of a step off the network: required by ``dispatch`` and
    ``register``, and by a step of the other side recorded by hand on a request that
    travels off the network; allowed on this side's own steps there (how the answer
    left); refused on a request that travels over the network.

    Raises :class:`TransitionNotAllowed` (naming the status and the allowed next
    steps), :class:`WrongSide`, :class:`hanoi.errors.PermissionDenied`,
    :class:`IncompleteRequest`, :class:`MissingRequirement`,
    :class:`GroundNotApplicable` or :class:`hanoi.errors.InvalidInput`.
    """
    cat = catalogue or default_catalogue()
    kind = cat.kind(request.kind)
    row = _row(transition)
    moment = require_aware("the time of the step", at)
    if moment < request.last_at:
        raise InvalidInput("a step cannot be dated before the request's last step")
    obstacle = _obstacle(row, request, traits(kind))
    if obstacle is not None:
        raise _not_allowed(TransitionNotAllowed, obstacle, row, request, cat)
    recorded = side is not row.side
    _check_route(row, request, via, at=moment)
    if recorded and via is None:
        message = f"{row.name.value!r} is taken by the {row.side.label}"
        raise _not_allowed(WrongSide, message, row, request, cat)
    _check_permission(row, request, actor)
    step = Step(
        row=row,
        request=request,
        kind=kind,
        catalogue=cat,
        at=moment,
        reasons=reasons if reasons is not None and reasons.strip() else None,
        grounds=tuple(grounds),
        until=None if until is None else require_aware("the end date", until),
        conditions=tuple(conditions),
        follow_up=follow_up,
        via=via,
        recorded=recorded,
    )
    _check_arguments(step)
    for requirement, check in CHECKS:
        if requirement in row.requires:
            check(step)
    return _record(step, actor)


def register(
    request: CooperationRequest,
    *,
    actor: User,
    at: datetime,
    via: ChannelRecord,
    catalogue: Catalogue | None = None,
) -> tuple[CooperationRequest, TransitionRecord]:
    """Open a request received off the network (a new request, with no history) with its
    ``register`` record: received, with its channel record (ADR 0028). The contents are
    not required complete: a letter that lacks an item is still a request received."""
    cat = catalogue or default_catalogue()
    row = ROWS[TransitionName.REGISTER]
    if request.history:
        raise InvalidInput("'register' opens a new request received off the network")
    moment = require_aware("the time of the step", at)
    _check_route(row, request, via, at=moment)
    _check_permission(row, request, actor)
    step = Step(
        row=row,
        request=request,
        kind=cat.kind(request.kind),
        catalogue=cat,
        at=moment,
        reasons=None,
        grounds=(),
        until=None,
        conditions=(),
        follow_up=None,
        via=via,
    )
    return _record(step, actor)


def _check_route(
    row: Transition,
    request: CooperationRequest,
    via: ChannelRecord | None,
    *,
    at: datetime,
) -> None:
    """Where a channel record is needed, allowed or refused (ADR 0028)."""
    name = row.name.value
    if via is None:
        if Requirement.CHANNEL_RECORD in row.requires:
            raise InvalidInput(
                f"{name!r} needs a channel record: the channel, the day and the reference"
            )
        return
    via.check_not_after(at.date())
    if Requirement.CHANNEL_RECORD not in row.requires and request.route.on_network:
        raise InvalidInput(
            "this request travels over the Hanoi network: the other State's node takes its "
            "own steps, and no channel record is given"
        )


def _row(transition: TransitionName | str) -> Transition:
    try:
        return ROWS[TransitionName(transition)]
    except ValueError:
        names = ", ".join(name.value for name in TransitionName)
        raise InvalidInput(f"unknown step {transition!r}; the steps are: {names}") from None


def _obstacle(
    row: Transition, request: CooperationRequest, kind_traits: frozenset[KindTrait]
) -> str | None:
    """Why the step is impossible from where the request stands, or None."""
    name = row.name.value
    if request.status not in row.sources:
        return f"{name!r} is not a step from {request.status.value!r}"
    if row.only_for is not None and row.only_for not in kind_traits:
        return f"{name!r} does not apply to a {request.kind!r} request: {TRAIT_RULES[row.only_for]}"
    if row.sets is StatusField.DESIRED and request.desired_status is row.target:
        return f"the requesting State has already asked for {row.target.value!r}"
    if Requirement.DESIRED in row.requires and request.desired_status is not row.target:
        return f"{name!r} answers the requesting State, which has not asked for it"
    return None


def _not_allowed(
    error: type[TransitionNotAllowed],
    message: str,
    row: Transition,
    request: CooperationRequest,
    catalogue: Catalogue,
) -> TransitionNotAllowed:
    allowed = allowed_transitions(request, catalogue=catalogue)
    return error(
        message,
        status=request.status.value,
        transition=row.name.value,
        allowed=[(r.name.value, r.side.value) for r in allowed],
    )


def _actions(row: Transition, request: CooperationRequest) -> list[Action]:
    actions = [row.action]
    if is_point_of_contact(request.channel):
        actions.append(URGENT_ACTION)
    return actions


def _check_permission(row: Transition, request: CooperationRequest, actor: User) -> None:
    actions = _actions(row, request)
    if not permits(row, request, actor):
        needed = " or ".join(repr(action.value) for action in actions)
        state = "a disabled user" if actor.disabled else f"a user with role {actor.role.value!r}"
        raise PermissionDenied(f"{state} may not {row.name.value!r}; it needs {needed}")


def _check_arguments(step: Step) -> None:
    requires, name = step.row.requires, step.row.name.value
    takes = {
        "grounds": (bool(step.grounds), Requirement.GROUNDS in requires),
        "until": (step.until is not None, Requirement.PRESERVATION_END in requires),
        "conditions": (bool(step.conditions), Requirement.CONDITIONS_AGREED in requires),
        "follow_up": (
            step.follow_up is not None,
            bool(requires & {Requirement.FOLLOW_UP_RECEIVED, Requirement.PRESERVATION_MAY_END}),
        ),
    }
    for argument, (given, accepted) in takes.items():
        if given and not accepted:
            raise InvalidInput(f"{name!r} takes no {argument}")
    if step.reasons is not None:
        require_text("the reasons", step.reasons)


def _reasons(step: Step) -> None:
    if step.reasons is None:
        raise step.missing("reasons", "reasons, in writing")


def _complete(step: Step) -> None:
    draft = Draft(kind=step.request.kind, contents=step.request.contents)
    findings = validate(draft, catalogue=step.catalogue)
    if findings:
        items = "; ".join(f"{f.path} ({f.citation or 'form'})" for f in findings)
        raise IncompleteRequest(
            f"the request cannot be {step.row.target.value}: {items}",
            fields=tuple(finding.as_field_problem() for finding in findings),
        )


def _grounds(step: Step) -> None:
    if not step.grounds:
        raise step.missing("grounds", "at least one ground for refusal")
    if len(set(step.grounds)) != len(step.grounds):
        raise InvalidInput("each ground for refusal is named once")
    kind = step.kind
    excluded = {applied.key: applied.source for applied in kind.excluded_grounds}
    for excluded_ground in step.catalogue.excluded_grounds:
        excluded.setdefault(excluded_ground.key, excluded_ground.source)
    allowed = ", ".join(applied.key for applied in kind.refusal_grounds)
    for ground in step.grounds:
        if ground in excluded:
            cited = excluded[ground].citation()
            message = f"{ground!r} is not a ground for refusal"
            raise GroundNotApplicable(
                f"{message} ({cited})", fields=(FieldProblem("grounds", message, cited),)
            )
        if ground_source(kind, ground) is None:
            message = f"{ground!r} is not a ground for refusing a {kind.key!r} request"
            raise GroundNotApplicable(
                f"{message}; the Convention gives: {allowed}",
                fields=(FieldProblem("grounds", message),),
            )


def _consultation(step: Step) -> None:
    needing = [g for g in step.grounds if consultation_required(step.kind, g)]
    if needing and step.request.reached(Status.CONSULTATION) is None:
        raise step.missing(
            "consultation",
            f"a consultation with the requesting State before refusing on {', '.join(needing)} "
            f"(take 'consult' first)",
            CONSULTATION_SOURCE.citation(),
        )


def _conditions(step: Step) -> None:
    if not step.conditions:
        return
    if step.request.desired_status is not step.row.target:
        raise step.missing(
            "conditions",
            "the requesting State's agreement to the conditions ('agree-to-conditions')",
            CONSULTATION_SOURCE.citation(),
        )
    allowed = {applied.key for applied in step.kind.conditions}
    for condition in step.conditions:
        if condition.imposed_by is not step.row.side or condition.key not in allowed:
            raise InvalidInput(
                f"the condition {condition.key!r} is not one the {step.row.side.label} "
                f"may impose on a {step.kind.key!r} request"
            )
        ends = condition.retention_ends_at
        if ends is not None and ends <= step.at:
            raise InvalidInput(
                f"the data received under the condition {condition.key!r} would have to be "
                f"deleted after {condition.retain_until}, a day already past: give a later day"
            )


CHECKS: tuple[tuple[Requirement, Callable[[Step], None]], ...] = (
    (Requirement.COMPLETE_CONTENTS, _complete),
    (Requirement.REASONS, _reasons),
    (Requirement.GROUNDS, _grounds),
    (Requirement.CONSULTATION_BEFORE_REFUSAL, _consultation),
    (Requirement.CONDITIONS_AGREED, _conditions),
    (Requirement.PRESERVATION_END, preservation.check_end),
    (Requirement.FOLLOW_UP_RECEIVED, preservation.check_follow_up),
    (Requirement.PRESERVATION_MAY_END, preservation.check_may_end),
)
"""The order in which requirements are checked; DESIRED is checked with the status."""


def _article(step: Step) -> str:
    citations = [step.row.article]
    for ground in step.grounds:
        source = ground_source(step.kind, ground)
        if source is not None and source.citation() not in citations:
            citations.append(source.citation())
    return "; ".join(citations)


def _record(step: Step, actor: User) -> tuple[CooperationRequest, TransitionRecord]:
    request, row = step.request, step.row
    record = TransitionRecord(
        sequence=len(request.history) + 1,
        request_id=request.id,
        transition=row.name,
        sets=row.sets,
        from_status=request.status,
        to_status=row.target,
        side=row.side,
        state=request.party(row.side).state,
        officer=actor.name,
        role=actor.role,
        at=step.at,
        article=_article(step),
        reasons=step.reasons,
        grounds=step.grounds,
        until=step.until,
        conditions=tuple(condition.key for condition in step.conditions),
        follow_up=step.follow_up.id if step.follow_up is not None else None,
        via=step.via,
    )
    after = dataclasses.replace(
        request,
        history=(*request.history, record),
        conditions=(*request.conditions, *step.conditions),
        links=preservation.links_after(step),
    )
    return after, record
