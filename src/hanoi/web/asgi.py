"""The node's app as ``hanoi serve`` runs it, in one process or in each of N workers."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.types import ASGIApp

from hanoi.settings import load_settings
from hanoi.web.app import create_app
from hanoi.web.proxies import TrustedProxies
from hanoi.wiring import Node, open_node


def served_app(node: Node) -> ASGIApp:
    """:func:`create_app` behind :class:`TrustedProxies`: the client's address and scheme
    come from forwarded headers only when the peer is one of ``trusted_proxies``."""
    return TrustedProxies(create_app(node), proxies=node.settings.trusted_proxies)


def from_environment() -> ASGIApp:
    """Build the app from ``HANOI_NODE_DIR`` (set by ``hanoi serve --workers N``)."""
    return served_app(open_node(load_settings(Path(os.environ["HANOI_NODE_DIR"]))))
