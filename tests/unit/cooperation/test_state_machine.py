"""Random sequences of steps never leave the table and never lose history."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from hanoi.accounts.model import Role, User
from hanoi.cooperation import (
    TABLE,
    CooperationRequest,
    Side,
    Status,
    StatusField,
    TransitionName,
    TransitionNotAllowed,
    allowed_transitions,
    apply,
    consultation_required,
    traits,
)
from hanoi.cooperation.kinds import is_point_of_contact
from hanoi.cooperation.model import replay
from hanoi.cooperation.statuses import INITIAL
from hanoi.cooperation.table import ROWS, Transition
from hanoi.errors import HanoiError
from unit.cooperation.builders import (
    CATALOGUE,
    KINDS,
    OFFICER,
    POINT_OF_CONTACT,
    SUPERVISOR,
    N,
    Walk,
    draft,
    follow_up_for,
    preservation_days,
    user,
)

TARGETS = {row.target for row in TABLE} | {INITIAL}
ALL_GROUNDS = [g.key for g in CATALOGUE.refusal_grounds] + [
    g.key for g in CATALOGUE.excluded_grounds
]
ROLES = [user(role, f"random-{role.value}") for role in Role]
DETOURS = {N.ABANDON, N.RETURN_TO_DRAFT, N.WITHDRAW, N.CONFIRM_WITHDRAWAL}
"""Steps that end or undo a request early; taken one time in six, so that walks go deep."""


class RequestLife(RuleBasedStateMachine):
    request: CooperationRequest
    follow_up: Walk | None
    seen: tuple[Any, ...]

    @initialize(kind=st.sampled_from(KINDS))
    def start(self, kind: str) -> None:
        self.request = draft(kind)
        self.follow_up = None
        self.seen = ()

    # --- steps --------------------------------------------------------------------------

    @rule(data=st.data(), minutes=st.integers(min_value=1, max_value=60 * 24 * 40))
    def take_an_allowed_step(self, data: st.DataObject, minutes: int) -> None:
        allowed = list(allowed_transitions(self.request))
        if not allowed:
            return
        chance = random.Random(data.draw(st.integers(min_value=0, max_value=2**32)))
        forward = [row for row in allowed if row.name not in DETOURS]
        row = chance.choice(forward if forward and chance.random() < 5 / 6 else allowed)
        arguments = self.arguments(row, data)
        at = max(self.request.last_at + timedelta(minutes=minutes), arguments.pop("not_before"))
        self.attempt(row, side=row.side, actor=self.actor_for(row, data), at=at, **arguments)

    @rule(
        name=st.sampled_from(list(TransitionName)),
        side=st.sampled_from(list(Side)),
        actor=st.sampled_from(ROLES),
        reasons=st.one_of(st.none(), st.text(max_size=12)),
        grounds=st.lists(st.sampled_from([*ALL_GROUNDS, "no-such-ground"]), max_size=2),
        minutes=st.integers(min_value=-60, max_value=60 * 24 * 90),
        until_days=st.one_of(st.none(), st.integers(min_value=-5, max_value=120)),
        with_follow_up=st.booleans(),
    )
    def try_anything(
        self,
        name: TransitionName,
        side: Side,
        actor: User,
        reasons: str | None,
        grounds: list[str],
        minutes: int,
        until_days: int | None,
        with_follow_up: bool,
    ) -> None:
        at = self.request.last_at + timedelta(minutes=minutes)
        until = None if until_days is None else at + timedelta(days=until_days)
        follow_up = self.follow_up.request if with_follow_up and self.follow_up else None
        self.attempt(ROWS[name], side=side, actor=actor, at=at, reasons=reasons, grounds=grounds,
                     until=until, follow_up=follow_up)  # fmt: skip

    # --- what every step must keep -------------------------------------------------------

    @invariant()
    def status_is_in_the_table_and_replays(self) -> None:
        assert self.request.status in TARGETS
        replayed = replay(self.request.id, self.request.created_at, self.request.history)
        assert replayed == (self.request.status, self.request.desired_status)

    @invariant()
    def history_is_never_lost(self) -> None:
        history = self.request.history
        assert history[: len(self.seen)] == self.seen
        assert [r.sequence for r in history] == list(range(1, len(history) + 1))
        self.seen = history

    # --- helpers ------------------------------------------------------------------------

    def attempt(self, row: Transition, **kwargs: Any) -> None:
        before = self.request
        try:
            after, record = apply(before, transition=row.name, **kwargs)
        except HanoiError as error:
            self.refused(before, row, error)
            return
        assert after.history == (*before.history, record)
        assert before.status in row.sources
        assert row.only_for is None or row.only_for in traits(CATALOGUE.kind(before.kind))
        assert kwargs["side"] is row.side
        if row.sets is StatusField.STATUS:
            assert after.status is row.target
        else:
            assert after.status is before.status
            assert after.desired_status is row.target
        self.request = after

    def refused(self, before: CooperationRequest, row: Transition, error: HanoiError) -> None:
        """A refused step names the status and exactly the steps that are allowed."""
        assert self.request is before
        if isinstance(error, TransitionNotAllowed):
            allowed = allowed_transitions(before)
            assert error.transition == row.name.value
            assert error.status == before.status.value
            assert list(error.allowed) == [(r.name.value, r.side.value) for r in allowed]

    def actor_for(self, row: Transition, data: st.DataObject) -> User:
        if is_point_of_contact(self.request.channel) and data.draw(st.booleans()):
            return POINT_OF_CONTACT
        if row.name in (N.APPROVE, N.RETURN_TO_DRAFT):
            return SUPERVISOR
        return OFFICER

    def arguments(self, row: Transition, data: st.DataObject) -> dict[str, Any]:
        """Arguments that meet the row's requirements, and the earliest time they hold."""
        arguments: dict[str, Any] = {"reasons": "because", "not_before": self.request.last_at}
        kind = CATALOGUE.kind(self.request.kind)
        if row.name is N.REFUSE:
            grounds = [a.key for a in kind.refusal_grounds]
            if self.request.reached(Status.CONSULTATION) is None:
                grounds = [g for g in grounds if not consultation_required(kind, g)] or grounds
            arguments["grounds"] = [data.draw(st.sampled_from(grounds))]
        if row.name is N.PRESERVE:
            ordered = self.request.reached(Status.ORDERED)
            assert ordered is not None
            extra = data.draw(st.integers(min_value=0, max_value=30))
            arguments["until"] = ordered + preservation_days(kind.key) + timedelta(days=extra)
        if row.name is N.RENEW_PRESERVATION:
            current = self.request.preserved_until
            assert current is not None
            arguments["until"] = current + timedelta(days=data.draw(st.integers(1, 30)))
        if row.name is N.CONTINUE_PRESERVATION:
            self.follow_up = follow_up_for(self.request, at=self.request.last_at)
            arguments["follow_up"] = self.follow_up.request
            arguments["not_before"] = self.follow_up.at
        if row.name is N.RELEASE_PRESERVATION:
            end = self.request.preserved_until
            if self.follow_up is not None and self.request.status is Status.EXTENDED:
                if self.follow_up.request.status is Status.RECEIVED:
                    self.follow_up.steps(N.ACKNOWLEDGE, N.ACCEPT)
                arguments["follow_up"] = self.follow_up.request
                end = self.follow_up.at
            arguments["not_before"] = max(self.request.last_at, end or self.request.last_at)
        return arguments


RequestLife.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRequestLife = RequestLife.TestCase
