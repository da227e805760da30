"""The public custody log: C2SP tlog-tiles under ``/log/``, and proofs under the API.

Only commitments are served; events stay in the node's database, but one: the holder of a
letter this node issued gets its ``letter-issued`` event with the proof
(``/api/v1/custody/letters/{sha256}``, ADR 0031). The letter's SHA-256 is what asks for
it, and the event tells nothing the letter does not.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from hanoi.custody.encoding import b64
from hanoi.custody.service import CustodyLog, QuorumNotReached
from hanoi.custody.tiles import parse_tile_path
from hanoi.errors import Conflict, InvalidInput, NotFound
from hanoi.letters import issued
from hanoi.letters.proof import MEDIA_TYPE

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=5"
NOT_WITNESSED_RETRY = 2
"""Seconds a client waits before asking again for a proof whose witnesses have not cosigned."""


class NotWitnessedYet(Conflict):
    """The letter is logged, but no checkpoint holding it has its witnesses' cosignatures
    yet: answered 409 with ``Retry-After`` (they are asked; it takes seconds)."""

    title = "Not witnessed yet"
    type_slug = "not-witnessed-yet"
    retry_after = NOT_WITNESSED_RETRY


_DIGEST = re.compile(r"[0-9a-f]{64}")


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


@proofs.get(
    "/letters/{sha256}",
    summary="A letter's custody proof: its letter-issued event, proven in the witnessed log",
)
def letter_proof(sha256: str, request: Request) -> Response:
    """The proof ``hanoi letter verify --proof`` (or ``--node``) checks; 404 for a digest
    this node logged no letter for, 409 with ``Retry-After`` while no checkpoint holding
    the event has its witnesses' cosignatures (they are asked; it takes seconds)."""
    if not _DIGEST.fullmatch(sha256):
        raise NotFound("a letter is named by the SHA-256 of its PDF: 64 lowercase hex digits")
    try:
        proof = issued.letter_proof(request.app.state.node, sha256)
    except QuorumNotReached as exc:
        raise NotWitnessedYet(
            f"the letter is logged; {exc.detail}. Ask again in a few seconds."
        ) from None
    return Response(
        proof.to_bytes(),
        media_type=MEDIA_TYPE,
        headers={"Cache-Control": "no-store"},
    )
