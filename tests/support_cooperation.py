"""Nodes of several States in one process, on SQLite or PostgreSQL, for workflow tests.

``deliver`` hands a sent request from one node's service to another's, the way the
federation inbox does once a message is verified, so the whole life of a request
can be walked across two States' databases without sockets.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from hanoi.accounts.model import Role, User
from hanoi.clock import FixedClock
from hanoi.cooperation import CooperationRequest
from hanoi.node.folder import init_node, load_keys
from hanoi.settings import build_settings, read_config_file
from hanoi.wiring import Node, open_node, prepare_new_node

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAMES = {"EGY": "Central Authority of Egypt", "VNM": "Supreme People's Procuracy of Viet Nam",
         "FRA": "Bureau de l'entraide pénale internationale"}  # fmt: skip


def make_node(folder: Path, state: str, database_url: str | None, clock: FixedClock) -> Node:
    init_node(
        folder,
        state=state,
        name=NAMES.get(state, f"Node of {state}"),
        now=clock.now(),
        prepare=lambda s, k: prepare_new_node(s, k, clock),
    )
    values = {**read_config_file(folder), "node_dir": folder.resolve()}
    if database_url is not None:
        values["database_url"] = database_url
        settings = build_settings(values)
        prepare_new_node(settings, load_keys(settings), clock)
    return open_node(build_settings(values), clock=clock)


@contextmanager
def postgres_databases(admin_url: str) -> Iterator[Callable[[], str]]:
    """A factory of throwaway PostgreSQL databases, dropped at the end."""
    made: list[str] = []

    def new() -> str:
        name = f"hanoi_c_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return admin_url.rsplit("/", 1)[0] + f"/{name}"

    try:
        yield new
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            for name in made:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def add_user(node: Node, name: str, role: Role) -> User:
    return node.accounts.add_user(name=name, role=role, password=None).user


def deliver(request: CooperationRequest, to: Node) -> CooperationRequest:
    """What the federation inbox does with a verified request message."""
    return to.cooperation.receive(request)
