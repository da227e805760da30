"""Who may take a step: the role's actions, the 24/7 channel, disabled users."""

from __future__ import annotations

import pytest

from hanoi.accounts.model import Role, User
from hanoi.convention import Channel
from hanoi.cooperation import Status, TransitionName, allowed_transitions, apply
from hanoi.cooperation.kinds import is_point_of_contact
from hanoi.errors import PermissionDenied
from unit.cooperation.builders import (
    ADMINISTRATOR,
    AUDITOR,
    CATALOGUE,
    KINDS,
    OFFICER,
    POINT_OF_CONTACT,
    SUPERVISOR,
    N,
    Walk,
    acknowledged,
    draft,
    user,
)

POINT_OF_CONTACT_KINDS = [k for k in KINDS if is_point_of_contact(CATALOGUE.kind(k).channel)]
CENTRAL_AUTHORITY_KINDS = [
    k for k in KINDS if CATALOGUE.kind(k).channel is Channel.CENTRAL_AUTHORITY
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("actor", [OFFICER, AUDITOR, ADMINISTRATOR], ids=lambda u: u.role.value)
def test_only_a_supervisor_or_the_point_of_contact_approves(kind: str, actor: User) -> None:
    walk = Walk(draft(kind))
    with pytest.raises(PermissionDenied, match="may not 'approve'"):
        walk.take(N.APPROVE, actor=actor)
    assert walk.status is Status.DRAFT
    walk.take(N.APPROVE, actor=SUPERVISOR)
    assert walk.records[-1].officer == SUPERVISOR.name
    assert walk.records[-1].role is Role.SUPERVISOR


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("actor", [AUDITOR, ADMINISTRATOR], ids=lambda u: u.role.value)
def test_auditors_and_administrators_decide_nothing(kind: str, actor: User) -> None:
    walk = acknowledged(kind)
    for row in allowed_transitions(walk.request):
        with pytest.raises(PermissionDenied):
            apply(walk.request, transition=row.name, actor=actor, side=row.side,
                  at=walk.at, reasons="r")  # fmt: skip


@pytest.mark.parametrize("kind", POINT_OF_CONTACT_KINDS)
def test_the_point_of_contact_takes_every_step_of_a_24_7_request(kind: str) -> None:
    walk = Walk(draft(kind))
    for name in (N.APPROVE, N.SEND, N.RECEIVE, N.ACKNOWLEDGE):
        walk.take(name, actor=POINT_OF_CONTACT)
    assert walk.status is Status.ACKNOWLEDGED


@pytest.mark.parametrize("kind", CENTRAL_AUTHORITY_KINDS)
def test_the_point_of_contact_does_not_approve_for_the_central_authority(kind: str) -> None:
    with pytest.raises(PermissionDenied, match="'approve'"):
        Walk(draft(kind)).take(N.APPROVE, actor=POINT_OF_CONTACT)


def test_a_disabled_supervisor_approves_nothing() -> None:
    disabled = user(Role.SUPERVISOR, "gone", disabled=True)
    with pytest.raises(PermissionDenied, match="disabled"):
        Walk(draft(KINDS[0])).take(TransitionName.APPROVE, actor=disabled)
