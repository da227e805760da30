"""``GET /api/v1/statistics``: the node's figures for a period (issue 19), as the JSON
document of :mod:`hanoi.statistics.figures` (``docs/statistics.md``), for supervisors,
auditors and administrators. A bad, missing, reversed or too long period, an unknown kind
or State: problem+json naming the parameter."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from hanoi.statistics.figures import figures_json
from hanoi.statistics.ports import parse_query
from hanoi.web.auth import CurrentUser
from hanoi.web.problems import PROBLEM_RESPONSES
from hanoi.wiring import Node

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"], responses=PROBLEM_RESPONSES)


@router.get("", summary="The node's figures on cooperation for a period (counts and durations)")
def statistics(
    request: Request,
    user: CurrentUser,
    period_from: Annotated[
        str | None, Query(alias="from", description="First day, YYYY-MM-DD")
    ] = None,
    period_to: Annotated[str | None, Query(alias="to", description="Last day, YYYY-MM-DD")] = None,
    kind: Annotated[str | None, Query(description="A request kind of the catalogue")] = None,
    state: Annotated[str | None, Query(description="The other State (ISO alpha-3)")] = None,
) -> dict[str, Any]:
    node: Node = request.app.state.node
    query = parse_query(period_from, period_to, kind=kind, state=state)
    return figures_json(node.statistics.figures(user, query))
