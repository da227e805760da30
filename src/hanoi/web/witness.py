"""This node as a C2SP tlog-witness (``POST /witness/add-checkpoint``), and its alerts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from hanoi.accounts.model import Action
from hanoi.custody.errors import (
    NoTrustedSignature,
    ProofError,
    RootMismatch,
    SignatureError,
    StaleCheckpointError,
    UnknownLogError,
)
from hanoi.errors import HanoiError, NotFound
from hanoi.web.auth import CurrentUser
from hanoi.wiring import Node

MAX_BODY = 256 * 1024
TEXT = "text/plain; charset=utf-8"

router = APIRouter(prefix="/witness", tags=["witness"])
alerts = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


def _status(exc: HanoiError) -> int:
    """The statuses C2SP tlog-witness prescribes for each refusal."""
    if isinstance(exc, StaleCheckpointError):
        return 409
    if isinstance(exc, UnknownLogError):
        return 404
    if isinstance(exc, SignatureError | NoTrustedSignature):
        return 403
    if isinstance(exc, ProofError | RootMismatch):
        return 422
    return 400  # MalformedError and any other refusal of the request itself


@router.post("/add-checkpoint", summary="Cosign a checkpoint (C2SP tlog-witness)")
async def add_checkpoint(request: Request) -> Response:
    node: Node = request.app.state.node
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return Response("request too large\n", status_code=413, media_type=TEXT)
    try:
        answer = await run_in_threadpool(node.witness.add_checkpoint, body)
    except StaleCheckpointError as exc:
        return Response(f"{exc.recorded_size}\n", status_code=409, media_type="text/x.tlog.size")
    except HanoiError as exc:
        return Response(exc.diagnostics() + "\n", status_code=_status(exc), media_type=TEXT)
    return Response(answer, status_code=200, media_type=TEXT)


@router.get(
    "/view",
    summary="The checkpoint of a log this witness cosigned last, for other witnesses to compare",
)
def view(request: Request, origin: Annotated[str, Query(min_length=1, max_length=200)]) -> Response:
    node: Node = request.app.state.node
    note = node.witness.view(origin)
    if note is None:
        raise NotFound("this node has not cosigned that log")
    return Response(note, media_type=TEXT)


@alerts.get("", summary="Split views and other misbehaviour detected by this node")
def list_alerts(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    user.require(Action.READ)
    node: Node = request.app.state.node
    return node.witness.alerts()
