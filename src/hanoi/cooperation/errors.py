"""The errors of the cooperation workflow, in the families of :mod:`hanoi.errors`.

A step the Convention (or the table) forbids is a :class:`RuleViolation`; a
step taken by somebody whose role does not allow it is a
:class:`hanoi.errors.PermissionDenied`; a malformed argument is an
:class:`hanoi.errors.InvalidInput`; a history that does not follow the table is
an :class:`hanoi.errors.IntegrityError`.
"""

from __future__ import annotations

from collections.abc import Sequence

from hanoi.errors import IntegrityError, RuleViolation


class WorkflowViolation(RuleViolation):
    """A step the transition table or the Convention does not allow."""


class TransitionNotAllowed(WorkflowViolation):
    """The step does not exist from the current status (or for this kind, or this side).

    ``allowed`` lists the steps that are possible now, as ``(step, side)`` pairs.
    """

    def __init__(
        self,
        detail: str,
        *,
        status: str,
        transition: str,
        allowed: Sequence[tuple[str, str]],
    ) -> None:
        steps = ", ".join(f"{name} ({side} State)" for name, side in allowed) or "none"
        super().__init__(f"{detail}; the request is {status!r}; allowed next steps: {steps}")
        self.status = status
        self.transition = transition
        self.allowed = tuple(allowed)


class WrongSide(TransitionNotAllowed):
    """The step belongs to the other State."""


class MissingRequirement(WorkflowViolation):
    """The step exists, but something it requires is absent (reasons, a date, consultation)."""


class GroundNotApplicable(WorkflowViolation):
    """A refusal ground the Convention does not give for this kind, or an excluded reason."""


class IncompleteRequest(WorkflowViolation):
    """The contents lack items the Convention requires; one field problem per item."""


class InconsistentHistory(IntegrityError):
    """A stored history does not follow the transition table."""
