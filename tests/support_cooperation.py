"""Nodes of several States in one process, for workflow tests.

``deliver`` hands a sent request from one node's service to another's, the way the
federation inbox does once a message is verified, so the whole life of a request
can be walked across two States' databases without sockets. Nodes are built by
``support_nodes.build_node``.
"""

from __future__ import annotations

from hanoi.accounts.model import Role, User
from hanoi.cooperation import CooperationRequest
from hanoi.wiring import Node


def add_user(node: Node, name: str, role: Role) -> User:
    return node.accounts.add_user(name=name, role=role, password=None).user


def deliver(request: CooperationRequest, to: Node) -> CooperationRequest:
    """What the federation inbox does with a verified request message."""
    return to.cooperation.receive(request)
