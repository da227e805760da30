"""The federation endpoints: ``POST /federation/v1/inbox`` for other States' nodes, and the
outbox and refusals for this node's operators."""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from hanoi.accounts.model import Action
from hanoi.errors import HanoiError, PayloadTooLarge, RateLimited
from hanoi.federation.envelope import EnvelopeLimits
from hanoi.web.auth import CurrentUser
from hanoi.web.problems import PROBLEM_RESPONSES, status_for
from hanoi.wiring import Node

RECEIPT_MEDIA_TYPE = "application/jose"
log = logging.getLogger("hanoi.federation")

inbox = APIRouter(prefix="/federation/v1", tags=["federation"], responses=PROBLEM_RESPONSES)
INBOX = "/federation/v1/inbox"
status = APIRouter(prefix="/api/v1/federation", tags=["federation"], responses=PROBLEM_RESPONSES)


LARGE_BODIES = 2
"""Envelopes above the ordinary limit (1 MiB: only ``document`` messages are larger, up to
about 29 MiB) read at once by one server process; another is answered 429 at once, and its
sender's outbox tries again (ADR 0024). Memory stays bounded whoever posts them."""


class LargeBodies:
    """Slots for envelopes above the ordinary limit, taken before their bytes are read."""

    def __init__(self, slots: int = LARGE_BODIES) -> None:
        self._free = slots
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._free == 0:
                return False
            self._free -= 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self._free += 1


class _Slot:
    """One reading of an inbox body: holds a large-body slot once it needs one."""

    def __init__(self, bodies: LargeBodies) -> None:
        self._bodies = bodies
        self.held = False

    def need(self) -> None:
        if not self.held:
            if not self._bodies.take():
                raise InboxBusy(retry_after=5)
            self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self._bodies.give_back()


async def _body(request: Request, limits: EnvelopeLimits, slot: _Slot) -> bytes:
    limit, ordinary = limits.max_inbox_bytes, limits.max_envelope_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit():
        if int(declared) > limit:
            raise PayloadTooLarge(f"a message is at most {limit} bytes")
        if int(declared) > ordinary:
            slot.need()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"a message is at most {limit} bytes")
        if size > ordinary:
            slot.need()
        chunks.append(chunk)
    return b"".join(chunks)


@inbox.post(
    "/inbox",
    summary="Take a sealed message from another State's node; answer with a signed receipt",
    response_class=Response,
    responses={200: {"content": {RECEIPT_MEDIA_TYPE: {"schema": {"type": "string"}}}}},
)
async def accept(request: Request) -> Response:
    node: Node = request.app.state.node
    federation = node.federation
    source = request.client.host if request.client else "unknown"
    wait = request.app.state.inbox_buckets.take(source)
    if wait > 0:  # before the body is read, and without a database row
        log.warning("inbox: %s is sending too fast; refused for %.0f s", source[:64], wait)
        raise InboxRateLimited(retry_after=wait)
    size = 0
    slot = _Slot(request.app.state.inbox_large_bodies)
    try:
        data = await _body(request, federation.limits, slot)
        size = len(data)
        receipt = await run_in_threadpool(federation.accept, data)  # a document: seconds
    except InboxBusy:
        raise  # not a refusal of the message: its sender tries again in a moment
    except HanoiError as exc:
        node.messages.refused(
            status=status_for(exc),
            problem=exc.type_slug,
            detail=exc.detail,
            size=size,
            source=source,
            now=node.clock.now(),
        )
        raise
    finally:
        slot.release()
    return Response(content=receipt, media_type=RECEIPT_MEDIA_TYPE)


class InboxRateLimited(RateLimited):
    """Too many messages from one address: answered 429 with Retry-After."""

    def __init__(
        self,
        *,
        retry_after: float,
        detail: str = "too many messages from this address; retry later",
    ) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class InboxBusy(InboxRateLimited):
    """Every slot for a large envelope is taken: answered 429 with Retry-After."""

    def __init__(self, *, retry_after: float) -> None:
        super().__init__(
            retry_after=retry_after,
            detail="this node is reading other large messages; retry in a moment",
        )


@status.get("/outbox", summary="Messages to other States: pending and delivered, newest first")
def outbox(
    request: Request,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    user.require(Action.AUDIT)
    node: Node = request.app.state.node
    return [
        {
            "id": e.id,
            "recipient": e.recipient,
            "type": e.type,
            "request_id": e.request_id,
            "status": e.status,
            "attempts": e.attempts,
            "next_attempt_at": e.next_attempt_at.isoformat(),
            "last_error": e.last_error,
            "created_at": e.created_at.isoformat(),
            "delivered_at": e.delivered_at.isoformat() if e.delivered_at else None,
        }
        for e in node.messages.outbox(limit=limit)
    ]


@status.get("/refusals", summary="Messages refused at the inbox (never their content)")
def refusals(
    request: Request,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    user.require(Action.AUDIT)
    node: Node = request.app.state.node
    return node.messages.refusals(limit=limit)
