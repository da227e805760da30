"""ASGI middleware, outermost: every HTTP request gets its id (``X-Request-ID``, echoed),
is timed into ``hanoi_http_request_duration_seconds`` by its route template, and is
logged once on ``hanoi.access`` by that template; bytes of packages served are counted.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hanoi.observability.logs import REQUEST_ID_HEADER, accepted_request_id, request_id
from hanoi.observability.metrics import HTTP_LATENCY, TRANSFER_BYTES

access = logging.getLogger("hanoi.access")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "(unmatched)"


def route_template(scope: Scope) -> str:
    """The template of the route that took the request (``/api/v1/requests/{request_id}``),
    or ``(unmatched)``: a label from a closed set, never the path."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED


class Observed:
    def __init__(self, app: ASGIApp, *, served_packages: str) -> None:
        self.app = app
        self._packages = served_packages
        """The route template whose GET answers are evidence packages (bytes sent)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == REQUEST_ID_HEADER.encode():
                incoming = value.decode("latin-1")
                break
        rid = accepted_request_id(incoming)
        token = request_id.set(rid)
        # For the handler of unexpected errors, which runs outside this middleware (after
        # the context variable is reset): ``request.state.request_id``.
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500
        body_bytes = 0

        async def send_observed(message: Message) -> None:
            nonlocal status, body_bytes
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [
                    (k, v) for k, v in message.get("headers", ()) if k != REQUEST_ID_HEADER.encode()
                ]
                headers.append((REQUEST_ID_HEADER.encode(), rid.encode()))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                body_bytes += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            elapsed = time.perf_counter() - started
            method = scope.get("method", "")
            method = method if method in METHODS else "other"
            route = route_template(scope)
            HTTP_LATENCY.labels(method=method, route=route, status=str(status)).observe(elapsed)
            if method == "GET" and route == self._packages and status in (200, 206):
                TRANSFER_BYTES.labels(direction="sent").inc(body_bytes)
            access.info(
                "%s %s %d %.1f ms",
                method,
                route,
                status,
                elapsed * 1000,
                extra={"method": method, "route": route, "status": status},
            )
            request_id.reset(token)
