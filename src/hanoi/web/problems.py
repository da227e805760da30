"""RFC 9457 problem+json for every error the server returns.

One mapping from error family to HTTP status; one entry per offending field
under ``errors``. Unexpected exceptions become a 500 problem with no
traceback or internal detail in the body (the log keeps the traceback).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from hanoi import errors
from hanoi.observability.asgi import route_template
from hanoi.observability.logs import REQUEST_ID_HEADER

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://hanoi.invalid/problems/"

STATUS_BY_FAMILY: dict[type[errors.HanoiError], int] = {
    errors.PayloadTooLarge: 413,
    errors.RateLimited: 429,
    errors.InvalidInput: 400,
    errors.PermissionDenied: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.RuleViolation: 422,
    errors.IntegrityError: 422,
    errors.PeerError: 502,
    errors.Unavailable: 503,
}

log = logging.getLogger("hanoi.web")

_FIELD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["pointer", "detail"],
    "properties": {
        "pointer": {"type": "string"},
        "detail": {"type": "string"},
        "article": {"type": "string"},
    },
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": _FIELD_SCHEMA},
    },
}
_PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": _PROBLEM_CONTENT}
    for status, description in {
        400: "Invalid input",
        401: "Authentication required",
        403: "Not allowed for this user's role",
        404: "Not found, or not among the user's cases",
        409: "Conflict: changed meanwhile, or already exists",
        413: "Too large",
        422: "Invalid input, or a step the Convention or the transition table does not allow",
    }.items()
}
"""The problem+json answers every API route may give, for its OpenAPI document."""


def status_for(exc: errors.HanoiError) -> int:
    for family, status in STATUS_BY_FAMILY.items():
        if isinstance(exc, family):
            return status
    return 500


def problem(
    *,
    status: int,
    title: str,
    detail: str,
    type_slug: str,
    instance: str | None = None,
    fields: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if fields:
        body["errors"] = fields
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _field_entries(exc: errors.HanoiError) -> list[dict[str, Any]]:
    entries = []
    for field in exc.fields:
        entry: dict[str, Any] = {"pointer": field.path, "detail": field.message}
        if field.article:
            entry["article"] = field.article
        entries.append(entry)
    return entries


async def _hanoi_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.HanoiError)
    if exc.type_slug == "unauthenticated":
        response = problem(
            status=401,
            title=exc.title,
            detail=exc.detail,
            type_slug=exc.type_slug,
            instance=request.url.path,
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="hanoi"'
        return response
    response = problem(
        status=status_for(exc),
        title=exc.title,
        detail=exc.detail,
        type_slug=exc.type_slug,
        instance=request.url.path,
        fields=_field_entries(exc),
    )
    if (wait := exc.wait_seconds()) is not None:
        response.headers["Retry-After"] = str(wait)
    return response


def _pointer(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        prefix, parts = parts[0], parts[1:]
        return "/".join([f"#{prefix}" if prefix != "body" else "#", *parts])
    return "#/" + "/".join(parts)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {"pointer": _pointer(err.get("loc", ())), "detail": str(err.get("msg", "invalid"))}
        for err in exc.errors()
    ]
    return problem(
        status=422,
        title="Invalid input",
        detail=f"{len(fields)} field(s) are invalid",
        type_slug="invalid-input",
        instance=request.url.path,
        fields=fields,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = {404: "Not found", 405: "Method not allowed", 413: "Payload too large"}.get(
        exc.status_code, "HTTP error"
    )
    response = problem(
        status=exc.status_code,
        title=title,
        detail=str(exc.detail),
        type_slug=title.lower().replace(" ", "-"),
        instance=request.url.path,
    )
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # By route template, never the path (a package's path is its fetch capability); with
    # the request id, which the answer gives the client to quote.
    rid = getattr(request.state, "request_id", None)
    log.exception(
        "unexpected error on %s %s",
        request.method,
        route_template(request.scope),
        extra={"request_id": rid},
    )
    response = problem(
        status=500,
        title="Internal error",
        detail="The node failed to handle this request. The error is logged on the node.",
        type_slug="internal-error",
        instance=request.url.path,
    )
    if rid is not None:
        response.headers[REQUEST_ID_HEADER] = rid
    return response


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    # A connection that the database dropped (a restart): the pool discards it, and the
    # client retries. Nothing of the request was committed.
    log.warning(
        "database unavailable on %s %s: %s",
        request.method,
        route_template(request.scope),
        type(exc).__name__,
    )
    response = problem(
        status=503,
        title="Unavailable",
        detail="The node's database is unavailable; nothing was changed. Retry shortly.",
        type_slug="unavailable",
        instance=request.url.path,
    )
    response.headers["Retry-After"] = "1"
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.HanoiError, _hanoi_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
