"""Cooperation requests and their life, from draft to closure. Pure: no I/O, no clock.

- :mod:`~hanoi.cooperation.model`: the request (kind, States, authorities,
  contents, attachments, urgency, suggested deadline, conditions, links) and its
  history; ``status`` and ``desired_status`` are replayed from the history.
- :mod:`~hanoi.cooperation.table`: the transition table, as data.
- :func:`apply`: the only way a status changes; :func:`allowed_transitions`: the
  steps possible now.
- :mod:`~hanoi.cooperation.drafting`: making and editing a draft.
- :func:`due`: deadlines that are overdue or due soon.
"""

from hanoi.cooperation.deadlines import Due, DueRule, DueState, ServiceLevels, due
from hanoi.cooperation.drafting import KEEP, assign, attach, link, new_request, revise
from hanoi.cooperation.errors import (
    GroundNotApplicable,
    IncompleteRequest,
    InconsistentHistory,
    MissingRequirement,
    TransitionNotAllowed,
    WorkflowViolation,
    WrongSide,
)
from hanoi.cooperation.kinds import KindTrait, consultation_required, traits
from hanoi.cooperation.model import (
    Attachment,
    AttachmentRole,
    Condition,
    CooperationRequest,
    Link,
    Party,
    Relation,
    SuggestedDeadline,
    TransitionRecord,
    Urgency,
    UrgencyLevel,
)
from hanoi.cooperation.statuses import Side, Status, StatusField
from hanoi.cooperation.table import TABLE, Requirement, Transition, TransitionName
from hanoi.cooperation.transitions import allowed_transitions, apply

__all__ = [
    "KEEP",
    "TABLE",
    "Attachment",
    "AttachmentRole",
    "Condition",
    "CooperationRequest",
    "Due",
    "DueRule",
    "DueState",
    "GroundNotApplicable",
    "IncompleteRequest",
    "InconsistentHistory",
    "KindTrait",
    "Link",
    "MissingRequirement",
    "Party",
    "Relation",
    "Requirement",
    "ServiceLevels",
    "Side",
    "Status",
    "StatusField",
    "SuggestedDeadline",
    "Transition",
    "TransitionName",
    "TransitionNotAllowed",
    "TransitionRecord",
    "Urgency",
    "UrgencyLevel",
    "WorkflowViolation",
    "WrongSide",
    "allowed_transitions",
    "apply",
    "assign",
    "attach",
    "consultation_required",
    "due",
    "link",
    "new_request",
    "revise",
    "traits",
]
