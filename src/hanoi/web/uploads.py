"""tus 1.0 resumable uploads at ``/api/v1/uploads`` (core, creation, checksum, termination).

Standard tus clients (tuspy, Uppy, tus-js-client) work against it. The body of a
PATCH is streamed to the service in a worker thread, never held in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio.from_thread
from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool

from hanoi.errors import InvalidInput
from hanoi.evidence import tus
from hanoi.evidence.uploads import ChecksumMismatch, Upload, UploadService
from hanoi.web.auth import CurrentUser

OFFSET_CONTENT_TYPE = "application/offset+octet-stream"


class BodyReader:
    """A blocking ``read()`` over an ASGI request stream, for use from a worker thread."""

    def __init__(self, stream: AsyncIterator[bytes]) -> None:
        self._stream = stream
        self._buffer = b""
        self._done = False

    async def _next(self) -> bytes:
        try:
            return await self._stream.__anext__()
        except StopAsyncIteration:
            return b""

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            chunk = anyio.from_thread.run(self._next)
            if not chunk:
                self._done = True
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def get_uploads(request: Request) -> UploadService:
    service: UploadService = request.app.state.node.uploads
    return service


Uploads = Annotated[UploadService, Depends(get_uploads)]
TusResumable = Annotated[str | None, Header(alias="Tus-Resumable")]

router = APIRouter(prefix="/api/v1/uploads", tags=["uploads"])


def _check_version(value: str | None) -> None:
    if value != tus.TUS_VERSION:
        raise InvalidInput(f"send the header Tus-Resumable: {tus.TUS_VERSION}")


def _headers(upload: Upload | None = None, **extra: str) -> dict[str, str]:
    headers = {"Tus-Resumable": tus.TUS_VERSION, "Cache-Control": "no-store", **extra}
    if upload is not None:
        headers["Upload-Offset"] = str(upload.offset)
        headers["Upload-Length"] = str(upload.length)
        if upload.digest:
            headers["Hanoi-Blob-Digest"] = f"sha256:{upload.digest}"
    return headers


@router.options("", summary="tus capabilities")
def capabilities(uploads: Uploads) -> Response:
    return Response(
        status_code=204,
        headers={
            "Tus-Resumable": tus.TUS_VERSION,
            "Tus-Version": tus.TUS_VERSION,
            "Tus-Extension": ",".join(tus.EXTENSIONS),
            "Tus-Max-Size": str(uploads.limits.max_bytes),
            "Tus-Checksum-Algorithm": ",".join(tus.CHECKSUM_ALGORITHMS),
        },
    )


@router.post("", status_code=201, summary="Create an upload (tus creation)")
def create(
    request: Request,
    user: CurrentUser,
    uploads: Uploads,
    tus_resumable: TusResumable = None,
    upload_length: Annotated[str | None, Header(alias="Upload-Length")] = None,
    upload_metadata: Annotated[str | None, Header(alias="Upload-Metadata")] = None,
) -> Response:
    _check_version(tus_resumable)
    upload = uploads.create(
        user=user,
        length=tus.parse_length(upload_length, header="Upload-Length"),
        metadata=tus.parse_metadata(upload_metadata),
    )
    location = str(request.url_for("upload_status", upload_id=upload.id).path)
    return Response(status_code=201, headers=_headers(upload, Location=location))


@router.head("/{upload_id}", name="upload_status", summary="Offset of an upload")
def status(
    upload_id: str, user: CurrentUser, uploads: Uploads, tus_resumable: TusResumable = None
) -> Response:
    _check_version(tus_resumable)
    return Response(
        status_code=200, headers=_headers(uploads.status(user=user, upload_id=upload_id))
    )


@router.get("/{upload_id}", summary="An upload as JSON (digest once complete)")
def describe(upload_id: str, user: CurrentUser, uploads: Uploads) -> dict[str, Any]:
    upload = uploads.status(user=user, upload_id=upload_id)
    return {
        "id": upload.id,
        "length": upload.length,
        "offset": upload.offset,
        "complete": upload.complete,
        "digest": upload.digest,
        "metadata": upload.metadata,
    }


@router.patch("/{upload_id}", summary="Append bytes at Upload-Offset")
async def append(
    upload_id: str,
    request: Request,
    user: CurrentUser,
    uploads: Uploads,
    tus_resumable: TusResumable = None,
    content_type: Annotated[str | None, Header(alias="Content-Type")] = None,
    upload_offset: Annotated[str | None, Header(alias="Upload-Offset")] = None,
    upload_checksum: Annotated[str | None, Header(alias="Upload-Checksum")] = None,
) -> Response:
    _check_version(tus_resumable)
    if content_type != OFFSET_CONTENT_TYPE:
        return Response(status_code=415, headers=_headers())
    offset = tus.parse_length(upload_offset, header="Upload-Offset")
    checksum = tus.parse_checksum(upload_checksum)
    try:
        upload = await run_in_threadpool(
            uploads.append,
            user=user,
            upload_id=upload_id,
            offset=offset,
            body=BodyReader(request.stream()),  # type: ignore[arg-type]
            checksum=checksum,
        )
    except ChecksumMismatch:
        return Response(status_code=460, headers=_headers())
    return Response(status_code=204, headers=_headers(upload))


@router.delete("/{upload_id}", status_code=204, summary="Cancel an upload (tus termination)")
def cancel(
    upload_id: str, user: CurrentUser, uploads: Uploads, tus_resumable: TusResumable = None
) -> Response:
    _check_version(tus_resumable)
    uploads.cancel(user=user, upload_id=upload_id)
    return Response(status_code=204, headers=_headers())
