"""Evidence packages between nodes over HTTP: the sender serves a package by its id (with
``Range``, so the receiver resumes), officers offer and follow packages of their cases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from hanoi.federation.transfers import Received
from hanoi.web.auth import CurrentUser
from hanoi.web.byte_ranges import ranged_response
from hanoi.web.packages import package_json, packages_json
from hanoi.web.problems import PROBLEM_RESPONSES
from hanoi.wiring import Node

serving = APIRouter(prefix="/federation/v1/packages", tags=["federation"])
SERVED_PACKAGE = f"{serving.prefix}/{{package_id}}"
"""The route template of a package's bytes (counted in ``hanoi_transfer_bytes_total``)."""
packages = APIRouter(prefix="/api/v1/requests", tags=["evidence"], responses=PROBLEM_RESPONSES)


class OfferBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    evidence: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=100
    )


@serving.get(
    "/{package_id}",
    summary="An outgoing evidence package (encrypted to its recipient), with Range support",
    description=(
        "Read from the node's blob store, so any process of the node serves it. One byte "
        "range: 206 with Content-Range; none satisfiable: 416; no Range: 200."
    ),
    response_class=Response,
    responses={206: {"description": "The byte range asked for"}},
)
def serve_package(package_id: str, request: Request) -> Response:
    node: Node = request.app.state.node
    row = node.transfers.outgoing(package_id)
    return ranged_response(
        request.headers.get("range"),
        size=row.size,
        etag=row.sha256,
        media_type="application/x-tar",
        open_range=lambda start, length: node.transfers.read_range(row, start, length),
    )


@packages.post(
    "/{request_id}/evidence-packages",
    status_code=201,
    summary="Send evidence items back to the requesting State in an encrypted, signed package",
    description=(
        "201 with status `offered` once the package is packed and its offer queued. Its "
        "custody proofs rest on a checkpoint cosigned by witnesses of other States "
        "(`min_witnesses`); if none comes within `witness_wait_seconds`, 202 with status "
        "`awaiting-witnesses` and `waiting_for` (how many cosignatures, of which States' "
        "witnesses, since when, attempts): the node sends it once they cosign."
    ),
    responses={202: {"description": "Stored, waiting for witnesses of other States"}},
)
def offer(
    request_id: Annotated[str, Field(max_length=128)],
    body: OfferBody,
    request: Request,
    user: CurrentUser,
) -> Any:
    node: Node = request.app.state.node
    row = node.transfers.offer(user, request_id, body.evidence)
    answer = package_json(Received(row, ()))
    waiting = node.transfers.awaiting(row)
    if waiting is None:
        return answer
    return JSONResponse({**answer, "waiting_for": waiting.as_json()}, status_code=202)


@packages.get(
    "/{request_id}/evidence-packages",
    summary="Evidence packages of a request, sent and received (as GET /api/v1/packages)",
)
def list_packages(
    request_id: Annotated[str, Field(max_length=128)], request: Request, user: CurrentUser
) -> list[dict[str, Any]]:
    node: Node = request.app.state.node
    return packages_json(node, node.transfers.packages(user, request_id))
