"""The requested State's answer as a letter: which step it answers, and when there is one.
Pure.

A State that runs no node sends its requests by letter (ADR 0028) and cannot read this
node's steps: the requested State answers it in writing, as it was asked (Art. 40(14)). An
answer letter reports one step of the requested State (:data:`ANSWERED`): receipt
acknowledged, additional information needed (Art. 40(16)), a consultation and the
conditions proposed (Art. 40(27)), acceptance and execution (Art. 40(17), (25)), a
postponement (Art. 40(26)), or a refusal with its grounds and reasons (Art. 40(24)
requires reasons for any refusal). By default the letter answers the last such step
(:func:`answered_step`); a step the requested State takes after it (closing the case) does
not change what there is to answer.

The requesting State's own reference is the one it gave its letter, as recorded when the
request was registered from paper (:func:`their_reference`); a request received over the
network has none but its id, which both nodes share.
"""

from __future__ import annotations

from datetime import date

from hanoi.cooperation import CooperationRequest, Side, Status, TransitionName, TransitionRecord
from hanoi.letters.letter import NotIssuable

N = TransitionName

ANSWERED: tuple[TransitionName, ...] = (
    N.ACKNOWLEDGE,
    N.REQUEST_ADDITIONAL_INFORMATION,
    N.CONSULT,
    N.ACCEPT,
    N.EXECUTE_PARTIALLY,
    N.RESUME_EXECUTION,
    N.COMPLETE,
    N.POSTPONE,
    N.REFUSE,
)
"""The requested State's steps an answer letter reports, in the order a case meets them.
Each has its sentence in :mod:`hanoi.letters.wording` (``answer.step.<name>``)."""

TO_ANSWER = (
    "acknowledge it (Art. 40(25)), ask for additional information, consult, accept or refuse it"
)


class NothingToAnswer(NotIssuable):
    """The request is not at a step an answer reports yet (just received)."""


def answered_step(request: CooperationRequest) -> TransitionRecord | None:
    """The requested State's last step an answer reports (:data:`ANSWERED`), if any."""
    return next(
        (
            record
            for record in reversed(request.history)
            if record.side is Side.REQUESTED and record.transition in ANSWERED
        ),
        None,
    )


def check_answerable(request: CooperationRequest, *, side: Side) -> TransitionRecord:
    """The step an answer letter of ``request`` reports, made by ``side``; raise
    :class:`NotIssuable` for the requesting State (it writes letters of request, not
    answers) and :class:`NothingToAnswer` while the requested State has not acted yet."""
    if side is not Side.REQUESTED:
        raise NotIssuable(
            f"only the requested State answers a request by letter; this node is the "
            f"requesting State of {request.id}"
        )
    answered = answered_step(request)
    if answered is None:
        raise NothingToAnswer(
            f"request {request.id} is {request.status.value!r}: there is no decision to "
            f"answer yet; first {TO_ANSWER}"
        )
    return answered


def _register(request: CooperationRequest) -> TransitionRecord | None:
    return next((r for r in request.history if r.transition is N.REGISTER), None)


def their_reference(request: CooperationRequest) -> str | None:
    """The requesting State's reference for its request: the note's number or the e-mail's
    Message-ID it came under, when registered from paper; None otherwise."""
    registered = _register(request)
    return registered.via.reference if registered and registered.via else None


def received_on(request: CooperationRequest) -> date | None:
    """The day the requested State received the request: the day its letter came (a
    request registered from paper), else the day of its receipt on the network."""
    registered = _register(request)
    if registered is not None and registered.via is not None:
        return registered.via.on
    received = request.reached(Status.RECEIVED)
    return received.date() if received is not None else None
