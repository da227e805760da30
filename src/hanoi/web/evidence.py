"""Evidence items over the API: describe a completed upload, read an item and its custody."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from hanoi.custody.encoding import b64
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.web.auth import CurrentUser
from hanoi.wiring import Node

router = APIRouter(prefix="/api/v1/evidence", tags=["evidence"])


class NewEvidence(BaseModel):
    upload_id: str = Field(max_length=64)
    original_name: str = Field(max_length=255)
    media_type: str = Field(default="application/octet-stream", max_length=200)
    source_kind: SourceKind
    source: str = Field(max_length=500)
    method: str = Field(max_length=500)
    acquired_at: datetime
    request_ref: str = Field(max_length=128)
    article: str = Field(max_length=200)
    legal_basis: str | None = Field(
        default=None,
        max_length=500,
        description="The legal basis, or the reference of the order (production order, warrant)",
    )
    authority: str | None = Field(
        default=None,
        max_length=500,
        description="The executing authority; default: this node's authority",
    )
    received_from: str | None = Field(
        default=None,
        max_length=3,
        description="Evidence received off the network (on media, by courier): the State it "
        "came from (ISO 3166-1 alpha-3); with channel and channel_reference, or none of them",
    )
    channel: str | None = Field(
        default=None,
        max_length=16,
        description="How it came: diplomatic, email, interpol, courier or other",
    )
    channel_reference: str | None = Field(
        default=None,
        max_length=200,
        description="The consignment's reference: the diplomatic note's number, the waybill",
    )


def item_json(item: EvidenceItem) -> dict[str, Any]:
    a = item.acquisition
    return {
        "id": item.id,
        "sha256": item.sha256,
        "size": item.size,
        "original_name": a.original_name,
        "media_type": a.media_type,
        "source_kind": a.source_kind.value,
        "source": a.source,
        "method": a.method,
        "acquired_at": a.acquired_at.isoformat(),
        "officer": a.officer,
        "request_ref": a.request_ref,
        "article": a.article,
        "legal_basis": a.legal_basis,
        "authority": a.authority,
        "recorded_at": item.recorded_at.isoformat(),
        "package_id": item.package_id,
        "received_from": a.received_from,
        "channel": a.channel.value if a.channel is not None else None,
        "channel_reference": a.channel_reference,
    }


@router.post("", status_code=201, summary="Record a completed upload as an evidence item")
def create(body: NewEvidence, request: Request, user: CurrentUser) -> dict[str, Any]:
    node: Node = request.app.state.node
    acquisition = Acquisition(
        original_name=body.original_name,
        media_type=body.media_type,
        source_kind=body.source_kind,
        source=body.source,
        method=body.method,
        acquired_at=body.acquired_at,
        officer=user.name,
        request_ref=body.request_ref,
        article=body.article,
        legal_basis=body.legal_basis,
        authority=body.authority or node.settings.name,
        received_from=body.received_from,
        channel=body.channel,  # type: ignore[arg-type]  # checked by Acquisition: a Route
        channel_reference=body.channel_reference,
    )
    recorded = node.evidence.from_upload(
        user=user, upload_id=body.upload_id, acquisition=acquisition
    )
    return item_json(recorded.item)


@router.get("/{item_id}", summary="An evidence item of one of your cases")
def show(item_id: str, request: Request, user: CurrentUser) -> dict[str, Any]:
    node: Node = request.app.state.node
    return item_json(node.evidence.get(user, item_id))


@router.get("/{item_id}/custody", summary="The item's custody events, with salts and log indexes")
def custody(item_id: str, request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    node: Node = request.app.state.node
    return [
        {
            "index": e.index,
            "event": e.event.to_json(),
            "salt": b64(e.salt),
            "commitment": b64(e.commitment),
        }
        for e in node.evidence.custody_of(user, item_id)
    ]
