"""Limits on request bodies, applied before anything reads or parses them.

One ASGI middleware in front of the whole application, so that a body is bounded before
authentication, routing and parsing: a client without a token can make the node read at
most the limit of the route it calls. A declared ``Content-Length`` above the limit is
answered 413 at once, without reading a byte; a body sent without one (chunked) is
counted as it streams and cut off at the limit. JSON bodies (``application/json``,
``+json``, or no content type on the JSON API, which FastAPI reads as JSON) are then parsed strictly
(:mod:`hanoi.jsonvalues`): ``NaN``, ``Infinity``, lone surrogates, NUL characters, deep
nesting and overlong strings are refused with 422 and a JSON pointer to each offending
value, before any route sees them. A form (``application/x-www-form-urlencoded``) with a
NUL character in it is refused too: no browser sends one, and no database stores one.

Routes whose bodies are large by design have their own limits, enforced where the body
is consumed: tus upload PATCHes (``upload_max_bytes``, streamed to disk) and the
federation inbox (``max_envelope_bytes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hanoi.errors import InvalidInput
from hanoi.jsonvalues import JsonLimits, parse_json
from hanoi.web.problems import problem

UNBOUNDED = None


@dataclass(frozen=True, slots=True)
class RouteLimit:
    """Bodies of ``method`` requests under ``prefix`` take at most ``max_bytes`` here
    (``None``: the route bounds its body itself)."""

    method: str
    prefix: str
    max_bytes: int | None


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes its limit. An HTTPException, so
    that FastAPI's body reading passes it on as it is (it turns other errors into 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than this route takes ({limit} bytes)")
        self.limit = limit


class BodyLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        default_max_bytes: int,
        routes: Sequence[RouteLimit] = (),
        json_limits: JsonLimits | None = None,
    ) -> None:
        self._app = app
        self._default = default_max_bytes
        self._routes = tuple(routes)
        self._json = json_limits or JsonLimits()

    def limit_for(self, method: str, path: str) -> int | None:
        for route in self._routes:
            if route.method == method and (path == route.prefix or path.startswith(route.prefix)):
                return route.max_bytes
        return self._default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self._app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        if limit is UNBOUNDED:
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit() or len(declared) > 19:
                await _refuse(scope, send, 400, "Invalid input", "Content-Length is not a number")
                return
            if int(declared) > limit:
                await _too_large(scope, send, limit)
                return
        counted = _Counted(receive, limit)
        media = _media(headers.get("content-type"))
        if media == FORM or _is_json(media, scope["path"]):
            try:
                body = await counted.read_all()
            except BodyTooLarge:
                await _too_large(scope, send, limit)
                return
            refusal = self._refusal(media, body, instance=scope["path"])
            if refusal is not None:
                await refusal(scope, _no_receive, send)
                return
            await self._app(scope, _replay(body, receive), send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self._app(scope, counted.receive, tracking)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(scope, send, limit)

    def _refusal(self, media: str, body: bytes, *, instance: str) -> JSONResponse | None:
        """The 422 answer to a form with a NUL or to JSON outside the rules; else None."""
        if media == FORM:
            if b"\x00" in body or b"%00" in body.lower():
                return _problem(422, "Invalid input", "a form field holds a NUL", instance)
            return None
        if not body:
            return None
        try:
            parse_json(body, limits=self._json)
        except InvalidInput as exc:
            return problem(
                status=422,
                title="Invalid input",
                detail=exc.detail,
                type_slug="invalid-input",
                instance=instance,
                fields=[{"pointer": f.path, "detail": f.message} for f in exc.fields],
            )
        return None


class _Counted:
    """``receive``, counting body bytes and raising :class:`BodyTooLarge` past the limit."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self._limit = limit
        self._seen = 0

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._seen += len(message.get("body", b""))
            if self._seen > self._limit:
                raise BodyTooLarge(self._limit)
        return message

    async def read_all(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            message = await self.receive()
            if message["type"] != "http.request":
                return b"".join(chunks)  # the client went away; the app sees an empty body
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body already read, then what the client sends next
    (a disconnect), as the application expects."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


FORM = "application/x-www-form-urlencoded"
JSON_API = "/api/"


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_json(media: str, path: str) -> bool:
    """JSON, or no content type at all on the JSON API (which FastAPI reads as JSON)."""
    if not media:
        return path.startswith(JSON_API)
    return media == "application/json" or media.endswith("+json")


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    await _refuse(
        scope,
        send,
        413,
        "Payload too large",
        f"the request body is larger than this route takes ({limit} bytes)",
        slug="payload-too-large",
    )


async def _refuse(
    scope: Scope, send: Send, status: int, title: str, detail: str, *, slug: str = "invalid-input"
) -> None:
    response = _problem(status, title, detail, scope["path"], slug=slug)
    response.headers["Connection"] = "close"  # the unread body is not worth draining
    await response(scope, _no_receive, send)


def _problem(
    status: int, title: str, detail: str, instance: str, *, slug: str = "invalid-input"
) -> JSONResponse:
    return problem(status=status, title=title, detail=detail, type_slug=slug, instance=instance)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
