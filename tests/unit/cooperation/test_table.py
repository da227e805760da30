"""The transition table itself: complete, consistent, cited, one writer per field."""

from __future__ import annotations

from collections import deque

import pytest

from hanoi.accounts.model import PERMISSIONS, Action, Role
from hanoi.cooperation import TABLE, KindTrait, Requirement, Side, Status, StatusField, traits
from hanoi.cooperation.statuses import BEFORE_HANDOVER, FINAL, INITIAL
from hanoi.cooperation.table import ROWS, TransitionName
from unit.cooperation.builders import CATALOGUE, KINDS


def reachable(kind_traits: frozenset[KindTrait]) -> set[Status]:
    """Statuses reachable from draft through status-setting rows open to these traits."""
    seen, queue = {INITIAL}, deque([INITIAL])
    while queue:
        status = queue.popleft()
        for row in TABLE:
            applies = row.only_for is None or row.only_for in kind_traits
            leads = applies and row.sets is StatusField.STATUS and status in row.sources
            if leads and row.target not in seen:
                seen.add(row.target)
                queue.append(row.target)
    return seen


def test_one_row_per_step_and_a_step_per_row() -> None:
    assert [row.name for row in TABLE] == list(dict.fromkeys(row.name for row in TABLE))
    assert set(ROWS) == set(TransitionName)


def test_every_status_is_reachable_and_only_closure_is_final() -> None:
    all_traits = frozenset(KindTrait)
    assert reachable(all_traits) == set(Status)
    for status in Status:
        has_exit = any(status in row.sources for row in TABLE)
        assert has_exit == (status not in FINAL), status


@pytest.mark.parametrize("kind_key", KINDS)
def test_each_kind_reaches_its_outcomes_and_closure(kind_key: str) -> None:
    kind_traits = traits(CATALOGUE.kind(kind_key))
    statuses = reachable(kind_traits)
    assert Status.CLOSED in statuses
    assert Status.WITHDRAWN in statuses
    assert (Status.EXECUTED in statuses) == (KindTrait.EXECUTED in kind_traits)
    assert (Status.RELEASED in statuses) == (KindTrait.PRESERVATION in kind_traits)
    assert (Status.REFUSED in statuses) == (KindTrait.REFUSABLE in kind_traits)
    assert (Status.POSTPONED in statuses) == (KindTrait.MLA in kind_traits)


def test_each_field_has_one_writer() -> None:
    """The requesting State sets the status only before handover; afterwards it sets
    the desired status, and the requested State sets the status."""
    for row in TABLE:
        if row.side is Side.REQUESTING and row.sets is StatusField.STATUS:
            assert row.sources <= BEFORE_HANDOVER, row.name
        if row.side is Side.REQUESTED:
            assert row.sets is StatusField.STATUS, row.name
            assert not row.sources & BEFORE_HANDOVER, row.name
        if row.sets is StatusField.DESIRED:
            assert row.side is Side.REQUESTING, row.name
            assert not row.sources & BEFORE_HANDOVER, row.name


def test_every_desired_status_can_be_fulfilled() -> None:
    for wish in (row for row in TABLE if row.sets is StatusField.DESIRED):
        fulfilling = [
            row
            for row in TABLE
            if row.side is Side.REQUESTED
            and row.target is wish.target
            and row.sources & wish.sources
        ]
        assert fulfilling, wish.name


def test_only_supervisors_approve_and_auditors_change_nothing() -> None:
    approving = {row.name for row in TABLE if row.action is Action.APPROVE}
    assert approving == {TransitionName.APPROVE, TransitionName.RETURN_TO_DRAFT}
    for role in (Role.AUDITOR, Role.ADMINISTRATOR):
        assert not any(row.action in PERMISSIONS[role] for row in TABLE)


def test_every_row_cites_an_article_of_chapter_five() -> None:
    for row in TABLE:
        article = CATALOGUE.article(row.source.article)
        assert article.chapter == "V", row.name
        assert row.article.startswith("Art. "), row.name
        assert row.source.basis, row.name


@pytest.mark.parametrize(
    ("name", "required"),
    [
        (TransitionName.REFUSE, {Requirement.REASONS, Requirement.GROUNDS}),
        (TransitionName.REFUSE, {Requirement.CONSULTATION_BEFORE_REFUSAL}),
        (TransitionName.POSTPONE, {Requirement.REASONS}),
        (TransitionName.APPROVE, {Requirement.COMPLETE_CONTENTS}),
        (TransitionName.SEND, {Requirement.COMPLETE_CONTENTS}),
        (TransitionName.PRESERVE, {Requirement.PRESERVATION_END}),
        (TransitionName.CONTINUE_PRESERVATION, {Requirement.FOLLOW_UP_RECEIVED}),
    ],
)
def test_the_convention_s_requirements_are_in_the_table(
    name: TransitionName, required: set[Requirement]
) -> None:
    assert required <= ROWS[name].requires


def test_postponement_and_refusal_on_mla_grounds_follow_consultation() -> None:
    assert ROWS[TransitionName.POSTPONE].sources == {Status.CONSULTATION}
    assert ROWS[TransitionName.POSTPONE].source.paragraph == "26"
    assert ROWS[TransitionName.REFUSE].source.paragraph == "24"
