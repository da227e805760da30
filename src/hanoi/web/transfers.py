"""Evidence packages between nodes over HTTP: the sender serves a package by its id (with
``Range``, so the receiver resumes), officers offer and follow packages of their cases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from hanoi.federation.transfers import Received
from hanoi.web.auth import CurrentUser
from hanoi.web.packages import package_json, packages_json
from hanoi.web.problems import PROBLEM_RESPONSES
from hanoi.wiring import Node

serving = APIRouter(prefix="/federation/v1/packages", tags=["federation"])
packages = APIRouter(prefix="/api/v1/requests", tags=["evidence"], responses=PROBLEM_RESPONSES)


class OfferBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    evidence: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=100
    )


@serving.get(
    "/{package_id}",
    summary="An outgoing evidence package (encrypted to its recipient), with Range support",
    response_class=FileResponse,
)
def serve_package(package_id: str, request: Request) -> FileResponse:
    node: Node = request.app.state.node
    return FileResponse(node.transfers.outgoing_file(package_id), media_type="application/x-tar")


@packages.post(
    "/{request_id}/evidence-packages",
    status_code=201,
    summary="Send evidence items back to the requesting State in an encrypted, signed package",
)
def offer(
    request_id: Annotated[str, Field(max_length=128)],
    body: OfferBody,
    request: Request,
    user: CurrentUser,
) -> dict[str, Any]:
    node: Node = request.app.state.node
    row = node.transfers.offer(user, request_id, body.evidence)
    return package_json(Received(row, ()))


@packages.get(
    "/{request_id}/evidence-packages",
    summary="Evidence packages of a request, sent and received (as GET /api/v1/packages)",
)
def list_packages(
    request_id: Annotated[str, Field(max_length=128)], request: Request, user: CurrentUser
) -> list[dict[str, Any]]:
    node: Node = request.app.state.node
    return packages_json(node, node.transfers.packages(user, request_id))
