"""The public custody log: C2SP tlog-tiles under ``/log/``, and proofs under the API.

Only commitments are served; events stay in the node's database.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from hanoi.custody.encoding import b64
from hanoi.custody.service import CustodyLog
from hanoi.custody.tiles import parse_tile_path
from hanoi.errors import InvalidInput, NotFound

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=5"


def get_custody(request: Request) -> CustodyLog:
    custody: CustodyLog = request.app.state.node.custody
    return custody


Custody = Annotated[CustodyLog, Depends(get_custody)]

router = APIRouter(prefix="/log", tags=["custody log"])
proofs = APIRouter(prefix="/api/v1/custody", tags=["custody log"])


@router.get("/checkpoint", summary="The latest checkpoint, with witness cosignatures")
def checkpoint(custody: Custody) -> Response:
    return Response(
        custody.checkpoint(),
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "no-store"},
    )


@router.get("/tile/{path:path}", summary="A hash tile or entry bundle (C2SP tlog-tiles)")
def tile(path: str, custody: Custody) -> Response:
    full_path = f"tile/{path}"
    try:
        parsed = parse_tile_path(full_path)
    except InvalidInput:
        raise NotFound(f"not a tile path: {full_path[:80]}") from None
    data = custody.read_tile(parsed.path())
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Cache-Control": IMMUTABLE if parsed.is_full else SHORT},
    )


@proofs.get("/proof", summary="Inclusion (index, size) or consistency (old, new) proof")
def proof(
    custody: Custody,
    index: Annotated[int | None, Query(ge=0)] = None,
    size: Annotated[int | None, Query(ge=0)] = None,
    old: Annotated[int | None, Query(ge=0)] = None,
    new: Annotated[int | None, Query(ge=0)] = None,
) -> dict[str, Any]:
    if index is not None and size is not None and old is None and new is None:
        hashes = custody.inclusion_proof(index=index, size=size)
        return {"index": index, "size": size, "inclusion_proof": [b64(h) for h in hashes]}
    if old is not None and new is not None and index is None and size is None:
        hashes = custody.consistency_proof(old_size=old, new_size=new)
        return {"old": old, "new": new, "consistency_proof": [b64(h) for h in hashes]}
    raise InvalidInput("ask for either ?index=&size= (inclusion) or ?old=&new= (consistency)")
