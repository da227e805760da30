"""Where the figures come from: the node's database computes them (SQL aggregation on
both engines, never requests loaded into Python); the domain says what is asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from hanoi.cooperation.ports import AccessRefusal
from hanoi.errors import InvalidInput
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
