"""Who the client is: the peer, unless the peer is one of our reverse proxies.

``X-Forwarded-For`` is text any client can write. uvicorn believes it (and
``X-Forwarded-Proto``) from 127.0.0.1 by default, so every request from a process on the
node's machine, or through a tunnel, could name any address it liked, and the sign-in
throttle counted each made-up address afresh. ``hanoi serve`` therefore runs uvicorn
with proxy headers off and puts :class:`TrustedProxies` in front of the app: the one
place that decides the client's address (``request.client``) and scheme, from the
``trusted_proxies`` setting only (ADR 0017).

The rule: if the peer is not a trusted proxy, it is the client, whatever it forwards.
If it is, each proxy appended the address it received from, so the client is the
right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy; the
addresses to the left of it were written by the client and are not believed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network

from starlette.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network
_MAX_HOST = 100  # a hop that is no address is kept as text, cut to this length


def _address(hop: str) -> str:
    """An address from one ``X-Forwarded-For`` hop (``1.2.3.4``, ``1.2.3.4:80``,
    ``[2001:db8::1]:443``, ``2001:db8::1``), normalised; other text as it is, cut short."""
    hop = hop.strip()
    if hop.startswith("[") and "]" in hop:
        hop = hop[1 : hop.index("]")]
    elif hop.count(":") == 1:
        hop = hop.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return hop[:_MAX_HOST]


def is_trusted(host: str, proxies: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in proxies)


def client_address(peer: str, forwarded_for: Sequence[str], proxies: Sequence[Network]) -> str:
    """The client's address, from the peer's and the ``X-Forwarded-For`` header values."""
    if not is_trusted(peer, proxies):
        return peer
    hops = [_address(hop) for value in forwarded_for for hop in value.split(",")]
    hops = [hop for hop in hops if hop]
    for hop in reversed(hops):
        if not is_trusted(hop, proxies):
            return hop
    # Only proxies on the way: the request started at one of them.
    return hops[0] if hops else peer


def forwarded_scheme(forwarded_proto: Sequence[str]) -> str | None:
    """``http`` or ``https`` as the nearest proxy wrote it (the right-most value), or None."""
    if not forwarded_proto:
        return None
    scheme = forwarded_proto[-1].split(",")[-1].strip().lower()
    return scheme if scheme in ("http", "https") else None


class TrustedProxies:
    """ASGI middleware: sets ``client`` and ``scheme`` by the rule above, in place."""

    def __init__(self, app: ASGIApp, *, proxies: Sequence[Network]) -> None:
        self._app = app
        self._proxies = tuple(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] == "http" and peer and is_trusted(peer[0], self._proxies):
            forwarded_for: list[str] = []
            forwarded_proto: list[str] = []
            for name, value in scope["headers"]:
                if name == b"x-forwarded-for":
                    forwarded_for.append(value.decode("latin-1"))
                elif name == b"x-forwarded-proto":
                    forwarded_proto.append(value.decode("latin-1"))
            client = client_address(peer[0], forwarded_for, self._proxies)
            if client != peer[0]:
                scope["client"] = (client, 0)
            scheme = forwarded_scheme(forwarded_proto)
            if scheme is not None:
                scope["scheme"] = scheme
        await self._app(scope, receive, send)
