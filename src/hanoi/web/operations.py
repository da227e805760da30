"""What an operator's tools call: ``/healthz`` (the process answers), ``/readyz`` (the
node can serve: database at the code's migration head, blob store writable) and
``/metrics`` (Prometheus; loopback or the ``metrics_token``; ADR 0047).

A load balancer sends traffic to a process while ``/readyz`` answers 200; an orchestrator
restarts one whose ``/healthz`` stops answering. A database that is down makes the node
unready, not dead: restarting it would not help.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.exc import SQLAlchemyError

from hanoi.errors import HanoiError, PermissionDenied, Unavailable
from hanoi.observability.metrics import CONTENT_TYPE, NodeCollector, exposition
from hanoi.storage import migrate
from hanoi.web.problems import PROBLEM_JSON, PROBLEM_SCHEMA
from hanoi.wiring import Node

router = APIRouter(tags=["operations"])
_PROBLEM = {"content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
FORWARDED = (b"forwarded", b"x-forwarded-for", b"x-real-ip")


def readiness(node: Node) -> dict[str, str]:
    """``ok`` or what is wrong, for the database, its migrations and the blob store."""
    checks: dict[str, str] = {}
    try:
        current = migrate.current_revision(node.engine)
        checks["database"] = "ok"
        head = migrate.head_revision(node.engine)
        checks["migrations"] = "ok" if current == head else f"at {current or 'none'}, not {head}"
    except SQLAlchemyError:
        checks["database"] = "unavailable"
        checks["migrations"] = "unknown"
    try:
        node.blobs.check()
        checks["blobs"] = "ok"
    except HanoiError:
        checks["blobs"] = "unavailable"
    return checks


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


@router.get("/healthz", summary="Liveness: the process answers")
def healthz(request: Request) -> dict[str, str]:
    return {"status": "ok", "state": _node(request).identity.state}


@router.get(
    "/readyz",
    summary="Readiness: database, migrations and blob store",
    responses={503: {"description": "Not ready: the detail names what", **_PROBLEM}},
)
def readyz(request: Request) -> Any:
    node = _node(request)
    checks = readiness(node)
    if all(v == "ok" for v in checks.values()):
        return {"status": "ok", "state": node.identity.state, **checks}
    failing = ", ".join(f"{name} {state}" for name, state in checks.items() if state != "ok")
    raise Unavailable(f"not ready: {failing}")


def may_scrape(request: Request, node: Node) -> bool:
    """A client on loopback that came through no proxy, or one with the metrics token."""
    token = node.settings.metrics_token
    authorization = request.headers.get("authorization", "")
    if token is not None and authorization.lower().startswith("bearer "):
        offered = authorization[7:].strip().encode()
        if hmac.compare_digest(offered, token.get_secret_value().encode()):
            return True
    if any(name in FORWARDED for name, _ in request.scope.get("headers", ())):
        return False  # a proxy on this host may forward anyone's request
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get(
    "/metrics",
    summary="Prometheus metrics (loopback, or the metrics token)",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE: {}}},
        403: {"description": "Not loopback, and no metrics token", **_PROBLEM},
    },
)
def metrics(request: Request) -> Response:
    node = _node(request)
    if not may_scrape(request, node):
        raise PermissionDenied(
            "/metrics answers loopback clients, or a scraper that sends the metrics_token"
        )
    collector = NodeCollector(node.gauges.read, now=node.clock.now)
    return Response(exposition(collector), media_type=CONTENT_TYPE)
