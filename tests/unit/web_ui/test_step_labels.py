"""A step's label never fails, and every custody action has one: a request's custody
timeline holds steps of the transition table, of orders to providers, and whatever another
node's events carry."""

from __future__ import annotations

from hanoi.cooperation import TransitionName
from hanoi.custody.events import CustodyAction
from hanoi.i18n.labels import CUSTODY_LABELS, ORDER_STEP_LABELS, STEP_LABELS, step_label
from hanoi.i18n.messages import Message


def test_a_transition_has_its_label() -> None:
    assert step_label("approve") == STEP_LABELS[TransitionName.APPROVE]


def test_the_steps_of_an_order_to_a_provider_have_theirs() -> None:
    for step in ("issued", "status", "notification", "delivery-refused", "provider-error"):
        assert step_label(step) == ORDER_STEP_LABELS[step]


def test_an_unknown_step_is_shown_as_written_and_cut() -> None:
    assert step_label("some-future-step") == Message("some-future-step")
    assert step_label("x" * 500) == Message("x" * 64)


def test_every_custody_action_has_a_label() -> None:
    assert set(CUSTODY_LABELS) == set(CustodyAction)
