"""The FastAPI application: ``/healthz``, ``/readyz`` and ``/metrics`` (``web.operations``),
the JSON API under ``/api/v1``.

``/`` answers API clients with the node's identity and where its API is, and sends a
browser to the officers' UI (``/ui/``); ``/favicon.ico`` points at the UI's icon.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from hanoi import __version__
from hanoi.cooperation.jobs import WorkflowJobs
from hanoi.custody.worker import CustodyWorker
from hanoi.federation.worker import FederationWorker
from hanoi.observability.asgi import Observed
from hanoi.observability.metrics import heartbeat
from hanoi.web import (
    cooperation,
    evidence,
    federation,
    log,
    operations,
    packages,
    problems,
    provider_orders,
    providers,
    queue,
    statistics,
    transfers,
    uploads,
    witness,
)
from hanoi.web.auth import CurrentUser
from hanoi.web.buckets import TokenBuckets
from hanoi.web.federation import INBOX
from hanoi.web.limits import UNBOUNDED, BodyLimits, RouteLimit
from hanoi.web.ui import install_ui
from hanoi.web.ui.errors import STATIC
from hanoi.web.ui.session_uploads import UPLOADS
from hanoi.web.ui.site import HOME
from hanoi.wiring import Node

API_PREFIX = "/api/v1"
FAVICON = f"{STATIC}/favicon.svg"
MAX_ACCEPT_ENTRIES = 32  # a longer Accept header is read no further


def _accept_quality(accept: str, media_type: str) -> float:
    """The q value ``accept`` gives ``media_type`` by name (0 if not named; wildcards
    count for nothing: ``*/*`` is what API clients send, and says no preference)."""
    quality = 0.0
    for entry in accept.split(",")[:MAX_ACCEPT_ENTRIES]:
        name, *params = (part.strip() for part in entry.split(";"))
        if name.lower() != media_type:
            continue
        q = next((p[2:] for p in params if p.lower().startswith("q=")), "1")
        try:
            quality = max(quality, float(q))
        except ValueError:
            continue
    return quality


def prefers_html(accept: str | None) -> bool:
    """Whether a client (a browser, which names ``text/html``) wants HTML more than JSON.
    API clients send ``application/json``, ``*/*`` or nothing, and keep getting JSON."""
    if not accept:
        return False
    html = _accept_quality(accept, "text/html")
    return html > 0 and html > _accept_quality(accept, "application/json")


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


api = APIRouter(prefix=API_PREFIX)


@api.get("/node", summary="The node's public identity")
def node_identity(node: NodeDep) -> dict[str, object]:
    return node.identity.as_json()


@api.get("/me", summary="The authenticated user")
def me(user: CurrentUser) -> dict[str, str]:
    return {"name": user.name, "role": user.role.value}


def create_app(node: Node, *, background: bool = True) -> FastAPI:
    """The node's ASGI app. With ``background``, the custody log is sequenced in a thread."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The worker asks the witnesses without waiting for them (one round at a time).
        worker = (
            CustodyWorker(
                node.custody, collect=node.quorum.ask, heartbeat=heartbeat("custody-sequencer")
            )
            if background
            else None
        )
        jobs = (
            WorkflowJobs(
                node.cooperation,
                node.conditions,
                interval_seconds=node.settings.deadline_check_seconds,
                heartbeat=heartbeat("workflow-jobs"),
            )
            if background
            else None
        )
        delivery = (
            FederationWorker(
                [
                    node.peering.sync,
                    node.federation.deliver_due,
                    node.peering.gossip,
                    node.transfers.fetch_pending,
                    node.transfers.resume_outgoing,  # packages waiting for witnesses
                ],
                wake=node.federation.wake,
                heartbeat=heartbeat("federation"),
            )
            if background
            else None
        )
        # Orders to service providers in a thread of their own: a provider that hangs
        # delays its own orders only, never the federation's deliveries.
        orders = (
            FederationWorker(
                [node.provider_orders.poll_due],
                poll=min(5.0, float(node.settings.provider_poll_seconds)),
                heartbeat=heartbeat("provider-orders"),
            )
            if background
            else None
        )
        for started in (worker, jobs, delivery, orders):
            if started is not None:
                started.start()
        try:
            yield
        finally:
            for started in (orders, delivery, jobs, worker):
                if started is not None:
                    started.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Hanoi node API",
        version=__version__,
        description=(
            "A node of the Hanoi federation for the UN Convention against Cybercrime. "
            "Errors are RFC 9457 problem+json."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.node = node
    app.state.inbox_buckets = TokenBuckets(
        per_minute=node.settings.inbox_messages_per_minute,
        burst=node.settings.inbox_messages_per_minute,
    )
    app.state.inbox_large_bodies = federation.LargeBodies()
    problems.install(app)

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> Response:
        """Someone who types the node's address in a browser lands on the UI, in their
        language (``/ui/`` negotiates it); API clients get the node's identity."""
        vary = {"Vary": "Accept"}
        if prefers_html(request.headers.get("accept")):
            return RedirectResponse(HOME, status_code=303, headers=vary)
        return JSONResponse(
            {
                "node": node.identity.as_json(),
                "api": API_PREFIX,
                "openapi": f"{API_PREFIX}/openapi.json",
                "docs": f"{API_PREFIX}/docs",
            },
            headers=vary,
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        """Browsers ask for it on every site whatever the pages link: a 404 in every log."""
        return RedirectResponse(FAVICON, status_code=301)

    app.include_router(operations.router)
    app.include_router(api)
    app.include_router(uploads.router)
    app.include_router(cooperation.router)
    app.include_router(federation.inbox)
    app.include_router(federation.status)
    app.include_router(transfers.serving)
    app.include_router(transfers.packages)
    app.include_router(packages.router)
    app.include_router(queue.router)
    app.include_router(statistics.router)
    app.include_router(providers.router)
    app.include_router(provider_orders.router)
    app.include_router(evidence.router)
    app.include_router(log.router)
    app.include_router(log.proofs)
    app.include_router(witness.router)
    app.include_router(witness.alerts)
    install_ui(app, node)
    app.add_middleware(  # bodies are bounded before anything but the timing below runs
        BodyLimits,
        default_max_bytes=node.settings.request_body_max_bytes,
        routes=[
            RouteLimit("PATCH", f"{uploads.router.prefix}/", UNBOUNDED),  # tus: its own limit
            RouteLimit("PATCH", f"{UPLOADS}/", UNBOUNDED),
            RouteLimit("POST", INBOX, UNBOUNDED),  # streamed to its limit, refusals recorded
            RouteLimit("POST", "/witness/add-checkpoint", witness.MAX_BODY),
        ],
    )
    # Last, so outermost: a request id and a latency for every answer, refusals included.
    app.add_middleware(Observed, served_packages=transfers.SERVED_PACKAGE)
    return app
