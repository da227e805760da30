"""Consistent figures of a State, built from who it sent to and received from, for the
tests of signing and summing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from hanoi.statistics.figures import (
    Direction,
    Durations,
    Evidence,
    Figures,
    Flow,
    GroundCount,
    Measure,
    Outcome,
    Preservation,
)
from hanoi.statistics.signed import SignedStatistics

YEAR = (date(2026, 1, 1), date(2026, 12, 31))
SIGNED = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)


def flow(
    by_state: Mapping[str, int],
    *,
    refused: int = 0,
    days: Durations | None = None,
    urgent: int = 0,
) -> Flow:
    """``by_state`` requests, all MLA for stored data by the network, ``refused`` of them
    on dual criminality, ``urgent`` of them urgent, the rest executed."""
    total = sum(by_state.values())
    return Flow(
        total=total,
        by_kind={"mla-stored-data": total} if total else {},
        by_state=dict(by_state),
        by_channel={"hanoi": total} if total else {},
        by_urgency={k: v for k, v in {"routine": total - urgent, "urgent": urgent}.items() if v},
        by_outcome={Outcome.EXECUTED: total - refused, Outcome.REFUSED: refused},
        refusals_by_ground={"dual-criminality": GroundCount(refused, "40(21)(b)")}
        if refused
        else {},
        response_days={Measure.FIRST_DECISION: days} if days else {},
    )


def figures(
    state: str,
    *,
    sent: Mapping[str, int] | None = None,
    received: Mapping[str, int] | None = None,
    refused: int = 0,
    days: Durations | None = None,
    period: tuple[date, date] = YEAR,
) -> Figures:
    """``refused`` and ``days`` are the incoming requests' (the State's own decisions)."""
    return Figures(
        state=state,
        period_from=period[0],
        period_to=period[1],
        outgoing=flow(sent or {}),
        incoming=flow(received or {}, refused=refused, days=days),
        preservation={Direction.INCOMING: Preservation(2, 2, 1, 1, 2)},
        evidence=Evidence(1, 1000, 2, 3000, 1, {"hash-mismatch": 1}),
    )


def signed(figures_: Figures, *, at: datetime = SIGNED) -> SignedStatistics:
    return SignedStatistics(
        figures_, directory_version=7, signed_at=at, key_id=f"k-{figures_.state}"
    )
