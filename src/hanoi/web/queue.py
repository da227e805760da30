"""``GET /api/v1/queue``: what waits for the caller, by kind (:mod:`hanoi.queues`).

A list of ``{kind, count, items}``: one entry per queue the caller's role works on, in
the order of the home page, an empty queue included (count 0).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from hanoi.queues import Queue, QueueItem, queues
from hanoi.web.auth import CurrentUser
from hanoi.web.problems import PROBLEM_RESPONSES
from hanoi.wiring import Node

router = APIRouter(prefix="/api/v1/queue", tags=["cooperation"], responses=PROBLEM_RESPONSES)


class QueueItemOut(BaseModel):
    request_id: str | None
    package_id: str | None
    status: str
    at: str | None
    rule: str | None
    other_state: str | None


class QueueOut(BaseModel):
    kind: str
    count: int
    items: list[QueueItemOut]


def _item(item: QueueItem) -> dict[str, Any]:
    return {
        "request_id": item.request_id,
        "package_id": item.package_id,
        "status": item.status,
        "at": item.at.isoformat() if item.at else None,
        "rule": item.rule,
        "other_state": item.other_state,
    }


def queue_json(queue: Queue) -> QueueOut:
    return QueueOut(
        kind=queue.kind.value,
        count=queue.count,
        items=[QueueItemOut(**_item(i)) for i in queue.items],
    )


@router.get("", summary="What waits for you: drafts to approve, requests, deadlines, packages")
def my_queue(request: Request, user: CurrentUser) -> list[QueueOut]:
    node: Node = request.app.state.node
    return [queue_json(q) for q in queues(node, user)]
