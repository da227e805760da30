"""One step being taken: what :func:`hanoi.cooperation.apply` checks its requirements on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hanoi.convention import Catalogue, RequestKind
from hanoi.cooperation.errors import MissingRequirement
from hanoi.cooperation.model import Condition, CooperationRequest
from hanoi.cooperation.routes import ChannelRecord
from hanoi.cooperation.table import Transition
from hanoi.errors import FieldProblem


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    row: Transition
    request: CooperationRequest
    kind: RequestKind
    catalogue: Catalogue
    at: datetime
    reasons: str | None
    grounds: tuple[str, ...]
    until: datetime | None
    conditions: tuple[Condition, ...]
    follow_up: CooperationRequest | None
    via: ChannelRecord | None = None
    recorded: bool = False
    """The step is the other State's, recorded by hand from its letter (ADR 0028)."""

    def missing(self, name: str, message: str, article: str | None = None) -> MissingRequirement:
        """The error for a requirement that does not hold, citing ``article`` or the row's."""
        cited = article or self.row.article
        return MissingRequirement(
            f"{self.row.name.value!r} needs {message} ({cited})",
            fields=(FieldProblem(path=name, message=message, article=cited),),
        )
