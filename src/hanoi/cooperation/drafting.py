"""Making and editing a request, outside its status. Pure.

:func:`new_request` makes a draft; :func:`revise` changes a draft's contents,
urgency, deadline or conditions (only while it is a draft: once approved, the
text that leaves the State is fixed). :func:`attach`, :func:`link` and
:func:`assign` add documents, related requests and the officer responsible at any
time before closure. None of them changes a status: only
:func:`hanoi.cooperation.apply` does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from hanoi.convention import Catalogue, Channel, RequestKind, default_catalogue
from hanoi.cooperation.errors import WorkflowViolation
from hanoi.cooperation.model import (
    ROUTINE,
    Attachment,
    AttachmentRole,
    Condition,
    CooperationRequest,
    Link,
    Party,
    SuggestedDeadline,
    Urgency,
)
from hanoi.cooperation.statuses import FINAL, NO_EVIDENCE, Side, Status
from hanoi.errors import InvalidInput

DEADLINE_ITEM = "suggested-deadline"
DEADLINE_REASONS_ITEM = "deadline-reasons"
"""The content items of the MLA kinds that carry the suggested deadline (Art. 40(25))."""


class Keep(Enum):
    """``revise`` leaves a field as it is when given ``KEEP``."""

    KEEP = "keep"


KEEP = Keep.KEEP


def new_request(
    *,
    id: str,
    kind: str,
    requesting: Party,
    requested: Party,
    created_at: datetime,
    contents: Mapping[str, Any],
    channel: Channel | None = None,
    urgency: Urgency = ROUTINE,
    suggested_deadline: SuggestedDeadline | None = None,
    conditions: Sequence[Condition] = (),
    attachments: Sequence[Attachment] = (),
    links: Sequence[Link] = (),
    catalogue: Catalogue | None = None,
) -> CooperationRequest:
    """A draft request. Its contents may be incomplete; approval checks them.

    ``channel`` defaults to the kind's preferred channel. A suggested deadline given in
    the contents (the MLA kinds' ``suggested-deadline`` item) becomes the request's.
    """
    spec = (catalogue or default_catalogue()).kind(kind)
    chosen = channel or spec.channel
    if chosen not in {rule.channel for rule in spec.channels}:
        raise InvalidInput(f"a {kind!r} request does not travel on the {chosen} channel")
    request = CooperationRequest(
        id=id,
        kind=kind,
        channel=chosen,
        requesting=requesting,
        requested=requested,
        created_at=created_at,
        contents=contents,
        urgency=urgency,
        suggested_deadline=_deadline(contents, suggested_deadline),
        conditions=tuple(conditions),
        attachments=tuple(attachments),
        links=tuple(links),
    )
    _check_conditions(spec, request.conditions, catalogue or default_catalogue())
    return request


def revise(
    request: CooperationRequest,
    *,
    contents: Mapping[str, Any] | Keep = KEEP,
    urgency: Urgency | Keep = KEEP,
    suggested_deadline: SuggestedDeadline | Keep | None = KEEP,
    conditions: Sequence[Condition] | Keep = KEEP,
    catalogue: Catalogue | None = None,
) -> CooperationRequest:
    """A draft with some fields replaced. Only a draft can be revised."""
    if request.status is not Status.DRAFT:
        raise WorkflowViolation(
            f"only a draft can be revised; the request is {request.status.value!r} "
            "(return it to draft first, if it has not been sent)"
        )
    new_contents = request.contents if isinstance(contents, Keep) else contents
    if isinstance(suggested_deadline, Keep):
        deadline = _deadline(new_contents, None) or request.suggested_deadline
    else:
        deadline = _deadline(new_contents, suggested_deadline)
    revised = dataclasses.replace(
        request,
        contents=new_contents,
        urgency=request.urgency if isinstance(urgency, Keep) else urgency,
        suggested_deadline=deadline,
        conditions=request.conditions if isinstance(conditions, Keep) else tuple(conditions),
    )
    cat = catalogue or default_catalogue()
    _check_conditions(cat.kind(request.kind), revised.conditions, cat)
    return revised


def attach(request: CooperationRequest, attachment: Attachment) -> CooperationRequest:
    """The request with one more document or item of evidence (ETSI Document)."""
    _open(request, "attach a document to")
    if attachment.role is AttachmentRole.EVIDENCE and request.status in NO_EVIDENCE:
        raise WorkflowViolation(
            f"no evidence is recorded for a request that is {request.status.value} "
            "(Art. 40(24)-(25))"
        )
    if attachment.added_by is Side.REQUESTED and request.status in {
        Status.DRAFT,
        Status.APPROVED,
    }:
        raise WorkflowViolation("the requested State attaches nothing before it receives it")
    return dataclasses.replace(request, attachments=(*request.attachments, attachment))


def link(request: CooperationRequest, related: Link) -> CooperationRequest:
    """The request with a link to a related request (ETSI associated object)."""
    _open(request, "link")
    return dataclasses.replace(request, links=(*request.links, related))


def assign(request: CooperationRequest, *, side: Side, officer: str) -> CooperationRequest:
    """The request with the officer responsible on ``side`` set."""
    _open(request, "assign")
    party = dataclasses.replace(request.party(side), officer=officer)
    if side is Side.REQUESTING:
        return dataclasses.replace(request, requesting=party)
    return dataclasses.replace(request, requested=party)


def _open(request: CooperationRequest, verb: str) -> None:
    if request.status in FINAL:
        raise WorkflowViolation(f"cannot {verb} a closed request")


def _check_conditions(
    kind: RequestKind, conditions: Sequence[Condition], catalogue: Catalogue
) -> None:
    allowed = {applied.key for applied in kind.conditions}
    for condition in conditions:
        if condition.key not in allowed:
            names = ", ".join(sorted(allowed)) or "none"
            catalogue.condition(condition.key)  # an unknown key is NotFound
            raise InvalidInput(
                f"the condition {condition.key!r} does not apply to a {kind.key!r} request; "
                f"the catalogue allows: {names}"
            )


def _deadline(
    contents: Mapping[str, Any], given: SuggestedDeadline | None
) -> SuggestedDeadline | None:
    """The suggested deadline: the one given, or the one in the contents; they must agree."""
    by = _as_date(contents.get(DEADLINE_ITEM))
    reasons = contents.get(DEADLINE_REASONS_ITEM)
    if by is None or not isinstance(reasons, str) or not reasons.strip():
        return given
    from_contents = SuggestedDeadline(by=by, reasons=reasons)
    if given is not None and given.by != from_contents.by:
        raise InvalidInput(
            f"the suggested deadline {given.by} differs from the one in the contents, {by}"
        )
    return given or from_contents


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
