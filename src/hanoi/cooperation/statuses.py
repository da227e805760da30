"""The statuses of a cooperation request, the two sides, and the two status fields.

A request has two status fields, as an ETSI TS 103 120 Task has ``Status`` and
``DesiredStatus``:

- ``status``, the status of record. The requesting State sets it while it alone
  holds the request (draft, approved, sent). From receipt on, only the requested
  State sets it: the request is executed under its law (Art. 40(17)), so it is
  the authority on where the request stands.
- ``desired_status``, set only by the requesting State once the request is sent:
  what it asks the requested State to do next (take the additional information it
  provided, go ahead on the conditions agreed in consultation, treat the request as
  withdrawn). The requested State fulfils it by moving ``status`` there.

Each field has one writer at any time, so two nodes never overwrite each other.
"""

from __future__ import annotations

from enum import StrEnum


class Side(StrEnum):
    """Which State of a request acts: the Convention's requesting and requested State."""

    REQUESTING = "requesting"
    REQUESTED = "requested"

    @property
    def other(self) -> Side:
        return Side.REQUESTED if self is Side.REQUESTING else Side.REQUESTING

    @property
    def label(self) -> str:
        return f"{self.value} State"


class StatusField(StrEnum):
    """Which field of the request a transition sets."""

    STATUS = "status"
    DESIRED = "desired-status"


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    """Handed by its officer to the supervisors of the authority, for approval."""
    APPROVED = "approved"
    """Approved inside the requesting State, by a supervisor, before anything leaves it."""
    SENT = "sent"
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    ADDITIONAL_INFORMATION_REQUESTED = "additional-information-requested"
    ADDITIONAL_INFORMATION_PROVIDED = "additional-information-provided"
    CONSULTATION = "consultation"
    """Art. 40(27): before refusing or postponing, the States consult."""
    IN_EXECUTION = "in-execution"
    """Accepted: the requested State executes the request (Art. 40(17), (25))."""
    PARTIALLY_EXECUTED = "partially-executed"
    EXECUTED = "executed"
    POSTPONED = "postponed"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"
    # Expedited preservation (Art. 42).
    ORDERED = "ordered"
    """The requested State has ordered the preservation (Art. 42(4))."""
    ACTIVE = "active"
    """The data are preserved until a date at least the minimum period away (Art. 42(8))."""
    EXTENDED = "extended"
    """The follow-up MLA request was received: preserved pending a decision on it (Art. 42(8))."""
    RELEASED = "released"


INITIAL = Status.DRAFT

BEFORE_HANDOVER = frozenset({Status.DRAFT, Status.SUBMITTED, Status.APPROVED})
"""The requesting State alone holds the request; its status is the requesting State's."""

OUTCOMES = frozenset({Status.EXECUTED, Status.REFUSED, Status.WITHDRAWN, Status.RELEASED})
"""Outcomes after which only closure remains."""

FINAL = frozenset({Status.CLOSED})

NO_EVIDENCE = FINAL | {Status.REFUSED, Status.WITHDRAWN}
"""Statuses in which no evidence is recorded for the request: it is closed, or it will not
be executed (refused, Art. 40(24); withdrawn, Art. 40(25))."""

OPEN_AFTER_SENDING = frozenset(
    {
        Status.SENT,
        Status.RECEIVED,
        Status.ACKNOWLEDGED,
        Status.ADDITIONAL_INFORMATION_REQUESTED,
        Status.ADDITIONAL_INFORMATION_PROVIDED,
        Status.CONSULTATION,
        Status.IN_EXECUTION,
        Status.PARTIALLY_EXECUTED,
        Status.POSTPONED,
        Status.ORDERED,
        Status.ACTIVE,
        Status.EXTENDED,
    }
)
"""Sent and not yet at an outcome: the requesting State may still withdraw (Art. 40(25))."""

DECIDED = frozenset(
    {
        Status.IN_EXECUTION,
        Status.PARTIALLY_EXECUTED,
        Status.EXECUTED,
        Status.REFUSED,
        Status.WITHDRAWN,
        Status.CLOSED,
    }
)
"""A decision on the request has been taken (what ends preservation pending an MLA
request, Art. 42(8))."""
