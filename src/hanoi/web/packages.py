"""Evidence packages over the API, sent and received, with what became of them.

``GET /api/v1/packages?request=ID`` lists a request's packages, ``GET
/api/v1/packages/{id}`` shows one. Both answer the request's case team only: anyone else
is told exactly what they would be told of a request or package that does not exist
(``TransferService.packages`` and ``.package`` check the case). An outgoing package shows
the receiving State's outcome once its signed ``evidence-outcome`` has arrived
(``hanoi.federation.outcomes``): status, ``peer_outcome_at``, the reason in ``error`` and
the receiver's verification report in ``peer_report``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from hanoi.federation.ports import Direction, PeerOutcome
from hanoi.federation.transfers import Received
from hanoi.web.auth import CurrentUser
from hanoi.web.evidence import item_json
from hanoi.web.problems import PROBLEM_RESPONSES
from hanoi.wiring import Node

router = APIRouter(prefix="/api/v1/packages", tags=["evidence"], responses=PROBLEM_RESPONSES)


def _report(text: str | None) -> Any:
    """A kept report as JSON, or None (none kept, or unreadable: never a 500)."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def package_json(received: Received, outcome: PeerOutcome | None = None) -> dict[str, Any]:
    """One package as the API shows it (also ``/api/v1/requests/{id}/evidence-packages``).

    ``report`` is what this node keeps: for an incoming package, what verification found
    on arrival; for an outgoing one, what its signed statement says (``verdict: sent``).
    ``peer`` is the older name of ``peer_state``, kept for existing clients."""
    row = received.package
    return {
        "id": row.id,
        "request_id": row.request_id,
        "direction": row.direction,
        "peer_state": row.peer,
        "peer": row.peer,
        "status": row.status,
        "sha256": row.sha256,
        "size": row.size,
        "received": row.received,
        "error": row.error,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "items": [item_json(item) for item in received.items],
        "report": _report(row.report),
        "peer_outcome_at": outcome.at.isoformat() if outcome is not None else None,
        "peer_report": _report(outcome.report) if outcome is not None else None,
    }


def packages_json(node: Node, packages: list[Received]) -> list[dict[str, Any]]:
    """Packages already case-checked, with the receivers' outcomes of the outgoing ones."""
    outcomes = node.transfers.outcomes.peer_outcomes(
        [r.package.id for r in packages if r.package.direction == Direction.OUTGOING]
    )
    return [package_json(r, outcomes.get(r.package.id)) for r in packages]


@router.get("", summary="Evidence packages of a request of your cases, sent and received")
def list_packages(
    request_id: Annotated[str, Query(alias="request", min_length=1, max_length=128)],
    request: Request,
    user: CurrentUser,
) -> list[dict[str, Any]]:
    node: Node = request.app.state.node
    return packages_json(node, node.transfers.packages(user, request_id))


@router.get("/{package_id}", summary="One evidence package, with the receiving State's outcome")
def show_package(
    package_id: Annotated[str, Field(max_length=128)], request: Request, user: CurrentUser
) -> dict[str, Any]:
    node: Node = request.app.state.node
    [shown] = packages_json(node, [node.transfers.package(user, package_id)])
    return shown
