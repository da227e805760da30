"""Sample requests, users and walks for the cooperation tests.

Contents are built from each kind's items in the catalogue (field type, value
set), so every kind the catalogue has, or gains, is tested the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hanoi.accounts.model import Role, User
from hanoi.convention import Catalogue, ContentItem, FieldType, RequestKind, default_catalogue
from hanoi.cooperation import (
    CooperationRequest,
    Link,
    Party,
    Relation,
    Side,
    Status,
    TransitionName,
    TransitionRecord,
    Urgency,
    apply,
    new_request,
)
from hanoi.cooperation.kinds import preservation_period
from hanoi.cooperation.table import ROWS

CATALOGUE = default_catalogue()
KINDS = CATALOGUE.kind_keys
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REQUESTING_STATE, REQUESTED_STATE, THIRD_STATE = "EGY", "VNM", "FRA"
STEP = timedelta(minutes=5)
N = TransitionName


def user(role: Role, name: str | None = None, *, disabled: bool = False) -> User:
    return User(
        id=list(Role).index(role) + 1,
        name=name or f"{role.value}-1",
        role=role,
        created_at=T0 - timedelta(days=365),
        disabled=disabled,
    )


SUPERVISOR = user(Role.SUPERVISOR, "supervisor-a")
OFFICER = user(Role.OFFICER, "officer-a")
POINT_OF_CONTACT = user(Role.POINT_OF_CONTACT, "contact-a")
AUDITOR = user(Role.AUDITOR, "auditor-a")
ADMINISTRATOR = user(Role.ADMINISTRATOR, "admin-a")


def scalar(catalogue: Catalogue, item: ContentItem, field_type: FieldType) -> Any:
    if field_type in (FieldType.TEXT, FieldType.LONG_TEXT):
        return f"{item.key}: sample"
    if field_type is FieldType.DATE:
        return "2026-03-01"
    if field_type is FieldType.STATE_CODE:
        return THIRD_STATE
    if field_type is FieldType.ENUM:
        values = catalogue.values_for(item)
        assert values is not None
        return values.keys[0]
    if field_type is FieldType.BOOLEAN:
        return True
    if field_type is FieldType.INTEGER:
        return item.minimum if item.minimum is not None else 1
    raise AssertionError(field_type)


def complete_contents(kind: RequestKind, catalogue: Catalogue = CATALOGUE) -> dict[str, Any]:
    """Every item of the kind with a valid value (so every conditional item is present)."""
    contents: dict[str, Any] = {}
    for item in kind.contents:
        if item.type is FieldType.LIST:
            assert item.item_type is not None
            contents[item.key] = [scalar(catalogue, item, item.item_type)]
        else:
            contents[item.key] = scalar(catalogue, item, item.type)
    return contents


def draft(
    kind: str,
    *,
    id: str | None = None,
    contents: dict[str, Any] | None = None,
    urgency: Urgency | None = None,
    links: Iterable[Link] = (),
    at: datetime = T0,
) -> CooperationRequest:
    spec = CATALOGUE.kind(kind)
    return new_request(
        id=id or f"{REQUESTING_STATE}-2026-{kind}",
        kind=kind,
        requesting=Party(state=REQUESTING_STATE, authority="Ministry of Justice", officer="o1"),
        requested=Party(state=REQUESTED_STATE, authority="Supreme People's Procuracy"),
        created_at=at,
        contents=complete_contents(spec) if contents is None else contents,
        urgency=urgency or Urgency(),
        links=tuple(links),
    )


def actor_for(request: CooperationRequest, name: TransitionName) -> User:
    """A user whose role allows the step."""
    if name in (N.APPROVE, N.RETURN_TO_DRAFT):
        return SUPERVISOR
    return OFFICER


@dataclass
class Walk:
    """A request walked step by step, with the time moving on by ``STEP`` each time."""

    request: CooperationRequest
    at: datetime = T0
    records: list[TransitionRecord] = field(default_factory=list)

    def take(self, name: TransitionName, side: Side | None = None, **kwargs: Any) -> Walk:
        row = ROWS[name]
        at = kwargs.pop("at", self.at + STEP)
        self.request, record = apply(
            self.request,
            transition=name,
            actor=kwargs.pop("actor", actor_for(self.request, name)),
            side=side or row.side,
            at=at,
            **kwargs,
        )
        self.at = at
        self.records.append(record)
        return self

    def steps(self, *names: TransitionName) -> Walk:
        for name in names:
            self.take(name, reasons=f"{name.value}: because")
        return self

    @property
    def status(self) -> Status:
        return self.request.status


def acknowledged(kind: str, **kwargs: Any) -> Walk:
    """A complete request of ``kind``, approved, sent, received and acknowledged."""
    return Walk(draft(kind, **kwargs)).steps(N.APPROVE, N.SEND, N.RECEIVE, N.ACKNOWLEDGE)


def follow_up_for(preservation: CooperationRequest, *, at: datetime) -> Walk:
    """An MLA request for the preserved data, sent and received by the requested State."""
    walk = Walk(
        draft(
            "mla-stored-data",
            id=f"{preservation.id}-mla",
            links=[Link(relation=Relation.FOLLOWS_PRESERVATION, request_id=preservation.id)],
            at=at,
        ),
        at=at,
    )
    return walk.steps(N.APPROVE, N.SEND, N.RECEIVE)


def preservation_days(kind: str) -> timedelta:
    """The catalogue's preservation period for ``kind`` (Art. 42(8))."""
    period = preservation_period(CATALOGUE.kind(kind))
    assert period is not None
    return timedelta(days=period.days)
