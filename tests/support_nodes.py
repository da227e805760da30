"""The one way tests build a node: a folder as ``hanoi node init`` makes it, its database a
clone of the migrated template (``support_databases``), opened with the clock and users the
test wants. Two nodes or more that know each other through a signed directory: ``federate``.

Other ways a test gets a node, and why they stay:

- ``conftest.node_dir``: one node made by the ``hanoi node init`` command, which the CLI
  tests (``test_node_cli``) prove; tests that need a user's folder copy it.
- ``unit.evidence.package_support.make_node``: keys and an identity without any database,
  for the unit tests of packages (not a node).
- tests of ``hanoi node init`` and ``hanoi demo`` themselves run those commands.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.accounts.model import Role
from hanoi.clock import Clock, SystemClock
from hanoi.directory.authoring import assemble, build_entry
from hanoi.directory.codec import dump_json
from hanoi.directory.signing import sign_directory, sign_entry
from hanoi.directory.store import import_document
from hanoi.node.folder import init_node, load_keys
from hanoi.node.identity import NodeIdentity, NodeKeys
from hanoi.providers.model import Provider
from hanoi.settings import Settings, build_settings, read_config_file
from hanoi.wiring import Node, open_node, prepare_new_node
from support_databases import ensure_migrated_sqlite

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAMES = {"EGY": "Central Authority of Egypt", "VNM": "Supreme People's Procuracy of Viet Nam",
         "FRA": "Bureau de l'entraide pénale internationale"}  # fmt: skip


def prepare_from_template(clock: Clock) -> Callable[[Settings, NodeKeys], None]:
    """``prepare_new_node`` on a database copied from the template: the migrations find
    nothing left to do, and the rest (the node's keys recorded, the blob store checked)
    happens exactly as for a node a user makes."""

    def prepare(settings: Settings, keys: NodeKeys) -> None:
        ensure_migrated_sqlite(settings.resolved_database_url)
        prepare_new_node(settings, keys, clock)

    return prepare


def init_folder(
    folder: Path, state: str, *, name: str | None = None, clock: Clock | None = None
) -> NodeIdentity:
    """A node folder (keys, ``hanoi.toml``, a migrated SQLite database, blobs)."""
    clock = clock or SystemClock()
    return init_node(
        folder,
        state=state,
        name=name or NAMES.get(state, f"Node of {state}"),
        now=clock.now(),
        prepare=prepare_from_template(clock),
    )


def settings_of(folder: Path, database_url: str | None = None) -> Settings:
    values = {**read_config_file(folder), "node_dir": folder.resolve()}
    if database_url is not None:
        values["database_url"] = database_url
    return build_settings(values)


def open_at(
    folder: Path,
    database_url: str | None = None,
    *,
    clock: Clock | None = None,
    users: Mapping[str, Role] | None = None,
    http_client: Callable[[], httpx.Client] | None = None,
    provider_connect: Callable[[Provider], httpx.Client] | None = None,
) -> Node:
    """The node of ``folder`` opened on ``database_url`` (its own SQLite if None). Another
    database is prepared for the node first, as ``hanoi node init`` would have: it must be
    migrated already (a clone from ``migrated_databases``) or be a SQLite file not yet made.
    ``users`` are added (without a password); ``http_client``: see ``open_node``."""
    clock = clock or SystemClock()
    settings = settings_of(folder, database_url)
    if database_url is not None:
        prepare_from_template(clock)(settings, load_keys(settings))
    extra = {} if provider_connect is None else {"provider_connect": provider_connect}
    node = open_node(settings, clock=clock, http_client=http_client, **extra)
    for user, role in (users or {}).items():
        node.accounts.add_user(name=user, role=role, password=None)
    return node


def build_node(
    folder: Path,
    state: str,
    database_url: str | None = None,
    clock: Clock | None = None,
    *,
    name: str | None = None,
    users: Mapping[str, Role] | None = None,
    provider_connect: Callable[[Provider], httpx.Client] | None = None,
) -> Node:
    """A new node of ``state`` in ``folder``, open: see ``init_folder`` and ``open_at``."""
    clock = clock or SystemClock()
    init_folder(folder, state, name=name, clock=clock)
    return open_at(
        folder, database_url, clock=clock, users=users, provider_connect=provider_connect
    )


def federate(root: Path, states: list[str], *, base_port: int) -> Ed25519PrivateKey:
    """Node folders for ``states`` (SQLite, disk) holding a directory signed by a throwaway
    authority, each State at ``http://127.0.0.1:<base_port + i>`` (the sandbox, without
    users). Returns the authority's key, for a test that publishes a later version."""
    now = SystemClock().now().replace(microsecond=0)
    entries = []
    for index, state in enumerate(states):
        folder = root / state.lower()
        identity = init_folder(folder, state, name=f"Central authority of {state}")
        entry = build_entry(
            identity,
            node_url=f"http://127.0.0.1:{base_port + index}",
            authorities=[{"kind": "central-authority", "name": f"Central authority of {state}",
                          "languages": ["en"], "contact": f"ca@{state.lower()}.example"}],
            declarations={},
            valid_from=now,
        )  # fmt: skip
        keys = load_keys(settings_of(folder))
        entries.append(sign_entry(entry, [keys.signing]))
    authority = Ed25519PrivateKey.generate()
    document = assemble(entries, version=1, issued_at=now, expires=now + timedelta(days=30))
    data = dump_json(sign_directory(document, authority).to_json())
    for state in states:
        import_document(root / state.lower(), data, now=now, pin=authority.public_key())
    return authority
