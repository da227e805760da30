"""Where the figures come from: the node's database computes them (SQL aggregation on
both engines, never requests loaded into Python); the domain says what is asked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from hanoi.cooperation.ports import AccessRefusal
from hanoi.errors import FieldProblem, InvalidInput
from hanoi.statistics.figures import Figures

MAX_PERIOD_DAYS = 366 * 10
"""Ten years: a Conference cycle is one or two; a longer period is a typing error."""


@dataclass(frozen=True, slots=True)
class Query:
    """The figures of the requests made from ``period_from`` to ``period_to`` (days,
    both included, UTC), optionally of one kind and with one other State."""

    period_from: date
    period_to: date
    kind: str | None = None
    state: str | None = None

    def __post_init__(self) -> None:
        if self.period_from > self.period_to:
            raise InvalidInput("the period starts after it ends")
        if (self.period_to - self.period_from).days > MAX_PERIOD_DAYS:
            raise InvalidInput(f"a period of statistics is at most {MAX_PERIOD_DAYS} days")


class FiguresSource(Protocol):
    """Computes a State's figures for a query (implemented by storage)."""

    def figures(self, state: str, query: Query) -> Figures: ...


class RefusalLog(Protocol):
    """Where a refusal of access is recorded, for auditors (the cooperation store)."""

    def record_refusal(self, refusal: AccessRefusal) -> None: ...


def parse_query(
    period_from: str | None,
    period_to: str | None,
    *,
    kind: str | None = None,
    state: str | None = None,
) -> Query:
    """A query from the text of the API's parameters or the CLI's options: days as
    YYYY-MM-DD, both required; ``InvalidInput`` naming each one at fault. Whether the kind
    and the State exist is the service's to say (it holds the catalogue)."""
    problems: list[FieldProblem] = []
    days: list[date] = []
    for name, text in (("from", period_from), ("to", period_to)):
        try:
            if text is None or len(text) != 10:
                raise ValueError
            days.append(date.fromisoformat(text))
        except ValueError:
            problems.append(FieldProblem(name, "is required, as a day YYYY-MM-DD"))
    if state is not None and not re.fullmatch(r"[A-Z]{3}", state):
        problems.append(FieldProblem("state", "is an ISO 3166-1 alpha-3 code, e.g. VNM"))
    if problems:
        raise InvalidInput("the statistics cannot be asked for so", fields=tuple(problems))
    return Query(days[0], days[1], kind=kind or None, state=state or None)
