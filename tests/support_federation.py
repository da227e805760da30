"""A federation in one process: every call a node makes to another node (the outbox, witness
peering and cosignatures, package downloads) goes through an ``httpx`` transport that hands
the request to the ASGI app of the node its host:port names, through Starlette's
``TestClient``; no socket. The nodes are opened with ``http_client=federation.client``
(``hanoi.wiring.open_node``), so the code under test is the product's, clients included;
only the network is left out. Tests of the network itself (a server killed, a slow peer,
the three-node ``hanoi demo``) keep real processes."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx
from starlette.testclient import TestClient

from hanoi.web.app import create_app
from hanoi.wiring import Node


class _Router(httpx.BaseTransport):
    """Routes each request by its host:port to the app served there. Every client closes
    its transport when its block ends: closing this one does nothing, the federation
    stops its apps."""

    def __init__(self, apps: dict[str, TestClient]) -> None:
        self._apps = apps

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        app = self._apps.get(f"{request.url.host}:{request.url.port}")
        if app is None:
            raise httpx.ConnectError(f"no node at {request.url.host}:{request.url.port}")
        inner = app.build_request(  # the same request, for the test client's own transport
            request.method, str(request.url), headers=request.headers.raw, content=request.read()
        )
        answer = app.send(inner, follow_redirects=False)
        headers = [(k, v) for k, v in answer.headers.multi_items() if k != "content-encoding"]
        body = httpx.ByteStream(answer.content)  # not read yet: the caller may stream it
        return httpx.Response(answer.status_code, headers=headers, stream=body)

    def close(self) -> None:
        pass


class InProcessFederation:
    """Nodes' apps by the host:port of their directory URL, and clients that reach them."""

    def __init__(self) -> None:
        self._apps: dict[str, TestClient] = {}
        self._router = _Router(self._apps)

    def serve(self, url: str, node: Node) -> None:
        """``node``'s app (no background jobs: the test drives them) at ``url``, in place
        of the app served there before (a node restarted), which is stopped."""
        address = httpx.URL(url)
        before = self._apps.pop(f"{address.host}:{address.port}", None)
        if before is not None:
            before.__exit__(None, None, None)
        app = TestClient(
            create_app(node, background=False),
            base_url=url,
            raise_server_exceptions=False,  # a peer's fault is a 500 answer, as over HTTP
            follow_redirects=False,
            client=("127.0.0.1", 50000),  # a loopback peer, as in the sandbox
        )
        app.__enter__()  # the app's lifespan, and one event loop for its requests
        self._apps[f"{address.host}:{address.port}"] = app

    def client(self, **options: Any) -> httpx.Client:
        """An ``httpx.Client`` on this federation: what ``open_node(http_client=...)`` calls."""
        return httpx.Client(transport=self._router, timeout=options.pop("timeout", 60), **options)

    def shutdown(self) -> None:
        apps = list(self._apps.values())
        self._apps.clear()
        for app in apps:
            app.__exit__(None, None, None)

    def __enter__(self) -> InProcessFederation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown()
