"""Deadlines in the reader's words: the rows of the deadlines and alerts pages, and the
count of alerts on the home page.

The cooperation service computes the deadlines (:mod:`hanoi.cooperation.deadlines`); this
module only labels and formats them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hanoi.convention import Catalogue
from hanoi.cooperation import DueRule
from hanoi.cooperation.deadlines import Due
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.labels import DUE_RULE_LABELS, DUE_STATE_LABELS, SIDE_LABELS
from hanoi.web.ui.outcomes import last_day

if TYPE_CHECKING:
    from hanoi.accounts.model import User
    from hanoi.wiring import Node


def alert_count(node: Node, user: User) -> int:
    """The alerts the home page counts: deadlines overdue or due soon in the user's cases,
    and misbehaviour of custody logs that this node's witness detected."""
    return len(node.cooperation.overdue(user)) + len(node.witness.alerts())


DAY_RULES = frozenset({DueRule.PRESERVATION_PERIOD.value, DueRule.SUGGESTED_DEADLINE.value})
"""Deadlines entered as days (kept as the midnight UTC that ends the day)."""


def due_text(fmt: LocaleFormat, rule: str, at: datetime) -> str:
    """When a deadline falls due: the day itself for a deadline entered as a day (the
    same day in every time zone: 15 January, never "16 January, 00:00"), else the
    moment in UTC."""
    if rule in DAY_RULES:
        return fmt.date(last_day(at))
    return fmt.moment(at)


def due_rows(
    fmt: LocaleFormat, catalogue: Catalogue, items: Sequence[Due], url: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Deadlines overdue or due soon, as the deadlines and alerts pages list them."""
    return [
        {
            "id": d.request_id,
            "url": url(d.request_id),
            "rule": DUE_RULE_LABELS[d.rule],
            "state": d.state.value,
            "state_label": DUE_STATE_LABELS[d.state],
            "due_at": d.due_at,
            "due_text": due_text(fmt, d.rule.value, d.due_at),
            "left": fmt.time_left(d.time_left),
            "side": SIDE_LABELS[d.side],
            "article": catalogue.cite(d.source, fmt.language),
        }
        for d in items
    ]
