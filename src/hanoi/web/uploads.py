"""tus 1.0 resumable uploads (core, creation, checksum, termination), and the API's routes.

One implementation of the protocol (:class:`TusHeaders` and the ``tus_*`` functions),
behind two authentications: the API's bearer token at ``/api/v1/uploads`` here, and the
officers' UI session with a CSRF header at ``/ui/uploads``
(:mod:`hanoi.web.ui.session_uploads`). Standard tus clients (tuspy, Uppy, tus-js-client)
work against the API. The body of a PATCH is streamed to the service in a worker
thread, never held in memory. One PATCH writes an upload at a time (the upload's lease,
ADR 0018): another gets 409 and asks for the offset (HEAD); a PATCH whose body stalls
for a quarter of the lease is ended with 408.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import anyio.from_thread
from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from hanoi.accounts.model import User
from hanoi.errors import InvalidInput
from hanoi.evidence import tus
from hanoi.evidence.staging import BodyInterrupted
from hanoi.evidence.uploads import ChecksumMismatch, Upload, UploadService
from hanoi.web.auth import CurrentUser
from hanoi.web.problems import problem

log = logging.getLogger("hanoi.web")

OFFSET_CONTENT_TYPE = "application/offset+octet-stream"


class ClientGone(BodyInterrupted):
    """The client closed the connection before the end of its PATCH body."""


class BodyStalled(BodyInterrupted):
    """No bytes of the PATCH body arrived within the idle timeout."""

    title = "Request body stalled"
    type_slug = "body-stalled"


class BodyReader:
    """A blocking ``read()`` over an ASGI request stream, for use from a worker thread.

    ``read(n)`` returns as soon as some bytes arrived (at most ``n``), so the writer can
    renew the upload's lease while a slow client trickles. A client that sends nothing for
    ``idle_seconds`` gets :class:`BodyStalled`, so a stalled PATCH lets the upload go long
    before its lease runs out; one that goes away, :class:`ClientGone`.
    """

    def __init__(self, stream: AsyncIterator[bytes], *, idle_seconds: float) -> None:
        self._stream = stream
        self._idle = idle_seconds
        self._buffer = b""
        self._done = False

    async def _next(self) -> bytes:
        with anyio.move_on_after(self._idle):
            try:
                return await self._stream.__anext__()
            except StopAsyncIteration:
                return b""
            except ClientDisconnect:
                raise ClientGone("the client went away during the PATCH") from None
        raise BodyStalled(f"no bytes arrived for {self._idle:g} seconds; the PATCH was ended")

    def _fill(self) -> None:
        chunk = anyio.from_thread.run(self._next)
        if chunk:
            self._buffer += chunk
        else:
            self._done = True

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            while not self._done:
                self._fill()
            data, self._buffer = self._buffer, b""
            return data
        while not self._buffer and not self._done:
            self._fill()
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


# --- the protocol, whoever the caller is ----------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TusHeaders:
    """The request headers tus uses; ``None`` when a header is absent."""

    tus_resumable: str | None = None
    upload_length: str | None = None
    upload_metadata: str | None = None
    upload_offset: str | None = None
    upload_checksum: str | None = None
    content_type: str | None = None

    @classmethod
    def of(cls, request: Request) -> TusHeaders:
        h = request.headers
        return cls(
            tus_resumable=h.get("tus-resumable"),
            upload_length=h.get("upload-length"),
            upload_metadata=h.get("upload-metadata"),
            upload_offset=h.get("upload-offset"),
            upload_checksum=h.get("upload-checksum"),
            content_type=h.get("content-type"),
        )

    def check_version(self) -> None:
        if self.tus_resumable != tus.TUS_VERSION:
            raise InvalidInput(f"send the header Tus-Resumable: {tus.TUS_VERSION}")


def tus_headers(upload: Upload | None = None, **extra: str) -> dict[str, str]:
    headers = {"Tus-Resumable": tus.TUS_VERSION, "Cache-Control": "no-store", **extra}
    if upload is not None:
        headers["Upload-Offset"] = str(upload.offset)
        headers["Upload-Length"] = str(upload.length)
        if upload.digest:
            headers["Hanoi-Blob-Digest"] = f"sha256:{upload.digest}"
    return headers


def tus_capabilities(uploads: UploadService) -> Response:
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


def tus_create(
    uploads: UploadService, user: User, headers: TusHeaders, *, location: Callable[[str], str]
) -> Response:
    """Creation: ``location(upload_id)`` is the URL the client sends HEAD and PATCH to."""
    headers.check_version()
    upload = uploads.create(
        user=user,
        length=tus.parse_length(headers.upload_length, header="Upload-Length"),
        metadata=tus.parse_metadata(headers.upload_metadata),
    )
    return Response(status_code=201, headers=tus_headers(upload, Location=location(upload.id)))


def tus_status(uploads: UploadService, user: User, upload_id: str, headers: TusHeaders) -> Response:
    headers.check_version()
    return Response(
        status_code=200, headers=tus_headers(uploads.status(user=user, upload_id=upload_id))
    )


async def tus_append(
    uploads: UploadService,
    user: User,
    upload_id: str,
    headers: TusHeaders,
    body: AsyncIterator[bytes],
) -> Response:
    """Append the streamed ``body`` at Upload-Offset, on disk as it arrives."""
    headers.check_version()
    if headers.content_type != OFFSET_CONTENT_TYPE:
        return Response(status_code=415, headers=tus_headers())
    offset = tus.parse_length(headers.upload_offset, header="Upload-Offset")
    checksum = tus.parse_checksum(headers.upload_checksum)
    try:
        upload = await run_in_threadpool(
            uploads.append,
            user=user,
            upload_id=upload_id,
            offset=offset,
            body=BodyReader(body, idle_seconds=uploads.limits.idle_seconds),  # type: ignore[arg-type]
            checksum=checksum,
        )
    except ChecksumMismatch:
        return Response(status_code=460, headers=tus_headers())
    except ClientGone:
        # The client paused or lost its connection: what arrived was kept (unless the
        # PATCH carried a checksum); the client asks for the offset (HEAD) and resumes.
        log.info("upload %s: the client went away during a PATCH", upload_id[:32])
        return Response(status_code=400, headers=tus_headers())
    except BodyStalled as exc:
        log.info("upload %s: the PATCH stalled and was ended", upload_id[:32])
        answer = problem(status=408, title=exc.title, detail=exc.detail, type_slug=exc.type_slug)
        answer.headers.update({**tus_headers(), "Connection": "close"})
        return answer
    return Response(status_code=204, headers=tus_headers(upload))


def tus_cancel(uploads: UploadService, user: User, upload_id: str, headers: TusHeaders) -> Response:
    headers.check_version()
    uploads.cancel(user=user, upload_id=upload_id)
    return Response(status_code=204, headers=tus_headers())


# --- the API: bearer-token authentication ------------------------------------------------------


def get_uploads(request: Request) -> UploadService:
    service: UploadService = request.app.state.node.uploads
    return service


Uploads = Annotated[UploadService, Depends(get_uploads)]
TusResumable = Annotated[str | None, Header(alias="Tus-Resumable")]

router = APIRouter(prefix="/api/v1/uploads", tags=["uploads"])


@router.options("", summary="tus capabilities")
def capabilities(uploads: Uploads) -> Response:
    return tus_capabilities(uploads)


@router.post("", status_code=201, summary="Create an upload (tus creation)")
def create(
    request: Request,
    user: CurrentUser,
    uploads: Uploads,
    tus_resumable: TusResumable = None,
    upload_length: Annotated[str | None, Header(alias="Upload-Length")] = None,
    upload_metadata: Annotated[str | None, Header(alias="Upload-Metadata")] = None,
) -> Response:
    return tus_create(
        uploads,
        user,
        TusHeaders(
            tus_resumable=tus_resumable,
            upload_length=upload_length,
            upload_metadata=upload_metadata,
        ),
        location=lambda upload_id: str(request.url_for("upload_status", upload_id=upload_id).path),
    )


@router.head("/{upload_id}", name="upload_status", summary="Offset of an upload")
def status(
    upload_id: str, user: CurrentUser, uploads: Uploads, tus_resumable: TusResumable = None
) -> Response:
    return tus_status(uploads, user, upload_id, TusHeaders(tus_resumable=tus_resumable))


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
    headers = TusHeaders(
        tus_resumable=tus_resumable,
        content_type=content_type,
        upload_offset=upload_offset,
        upload_checksum=upload_checksum,
    )
    return await tus_append(uploads, user, upload_id, headers, request.stream())


@router.delete("/{upload_id}", status_code=204, summary="Cancel an upload (tus termination)")
def cancel(
    upload_id: str, user: CurrentUser, uploads: Uploads, tus_resumable: TusResumable = None
) -> Response:
    return tus_cancel(uploads, user, upload_id, TusHeaders(tus_resumable=tus_resumable))
