"""Error families that say who is at fault.

Every error Hanoi raises on purpose is a :class:`HanoiError`. The family says
who must act: the caller (``InvalidInput``), the Convention's rules
(``RuleViolation``), somebody who altered data (``IntegrityError``), a missing
thing (``NotFound``), a race or duplicate (``Conflict``), another State's node
(``PeerError``), or the operator's environment (``Unavailable``).

The web layer maps families to HTTP statuses in one place
(:mod:`hanoi.web.problems`), the CLI maps them to exit codes in one place
(:mod:`hanoi.cli.output`). Domain code raises; it never returns ``False``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One offending field: a JSON-pointer-like path, a message, and the article."""

    path: str
    message: str
    article: str | None = None


class HanoiError(Exception):
    """Base class. ``title`` is a short, stable summary of the family."""

    title = "Hanoi error"
    type_slug = "error"
    retry_after: float | timedelta | None = None
    """How long the caller should wait before asking again, where waiting helps (a rate
    limit, a proof the witnesses have not cosigned yet); the API sends it as
    ``Retry-After``."""

    def __init__(self, detail: str, *, fields: tuple[FieldProblem, ...] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields

    def wait_seconds(self) -> int | None:
        """:attr:`retry_after` in whole seconds, at least 1; None when there is none."""
        wait = self.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else wait
        if seconds is None or seconds <= 0:
            return None
        return max(1, math.ceil(seconds))

    def diagnostics(self) -> str:
        """A one-line human explanation, for the CLI and logs."""
        if not self.fields:
            return self.detail
        parts = "; ".join(f"{f.path}: {f.message}" for f in self.fields)
        return f"{self.detail} ({parts})"

    def __str__(self) -> str:
        return self.diagnostics()


class InvalidInput(HanoiError):
    """The caller sent something malformed or out of range."""

    title = "Invalid input"
    type_slug = "invalid-input"


class PayloadTooLarge(InvalidInput):
    """The input is larger than a limit this node sets."""

    title = "Payload too large"
    type_slug = "payload-too-large"


class RateLimited(HanoiError):
    """The caller has too many things in progress; try again later."""

    title = "Too many requests"
    type_slug = "too-many-requests"


class RuleViolation(HanoiError):
    """Well-formed, but the Convention or a node policy forbids it."""

    title = "Rule violation"
    type_slug = "rule-violation"


class IntegrityError(HanoiError):
    """Bytes, hashes or signatures do not match what they claim to be."""

    title = "Integrity failure"
    type_slug = "integrity-failure"


class NotFound(HanoiError):
    title = "Not found"
    type_slug = "not-found"


class Conflict(HanoiError):
    """The thing exists already, or somebody else changed it first."""

    title = "Conflict"
    type_slug = "conflict"


class PermissionDenied(HanoiError):
    title = "Permission denied"
    type_slug = "permission-denied"


class PeerError(HanoiError):
    """Another State's node misbehaved or could not be reached."""

    title = "Peer error"
    type_slug = "peer-error"


class Unavailable(HanoiError):
    """A service this node depends on (database, object store) cannot be reached."""

    title = "Service unavailable"
    type_slug = "unavailable"
