"""A sandbox federation on one machine: several States' nodes, a directory authority and
a signed directory, users with credentials, and each node as its own server process.

Used by ``hanoi demo`` (the training sandbox of a capacity-building centre) and by the
multi-node tests, so both run the federation exactly as separate States would.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.accounts.model import Role
from hanoi.clock import Clock
from hanoi.directory.authoring import assemble, build_entry
from hanoi.directory.codec import dump_json
from hanoi.directory.signing import sign_directory, sign_entry
from hanoi.directory.store import import_document, public_key_pem
from hanoi.errors import Conflict, Unavailable
from hanoi.node.folder import init_node, load_identity, load_keys
from hanoi.sandbox.provider_sim import PATH as PROVIDER_PATH
from hanoi.settings import load_settings
from hanoi.wiring import Node, open_node, prepare_new_node

NAMES = {
    "EGY": "Central Authority of Egypt",
    "VNM": "Ministry of Public Security of Viet Nam",
    "FRA": "Ministère de la Justice (France)",
}
LANGUAGES = {"EGY": ["ar", "en"], "VNM": ["vi", "en"], "FRA": ["fr", "en"]}
GHANA: Mapping[str, Any] = {
    "state": "GHA",
    "name": "Office of the Attorney-General and Ministry of Justice (Ghana)",
    "authorities": [
        {
            "kind": "central-authority",
            "name": "Office of the Attorney-General and Ministry of Justice",
            "languages": ["en"],
            "contact": "By diplomatic note through the Ministry of Foreign Affairs",
            "email": "central-authority@gha.sandbox.invalid",
            "telephone": "+233 30 000 0000",
            "postal_address": "Office of the Attorney-General\nMinistries\nAccra",
        },
    ],
    "channels": ["diplomatic", "email"],
    "declarations": {},
    "source": "Sandbox: note verbale of the Permanent Mission of Ghana, 2 October 2026",
    "updated": "2026-10-02",
}
"""A State that signed the Convention and runs no node (ADR 0028): the sandbox's
directory lists it as the secretariat would (``hanoi directory sign --offline``), so
that a case with it goes by letter and diplomatic note."""
ROLES = (
    ("officer", Role.OFFICER),
    ("supervisor", Role.SUPERVISOR),
    ("contact", Role.POINT_OF_CONTACT),
    ("auditor", Role.AUDITOR),
    ("admin", Role.ADMINISTRATOR),
)


@dataclass(frozen=True, slots=True)
class Credential:
    name: str
    role: str
    password: str
    token: str


@dataclass
class SandboxNode:
    state: str
    port: int
    node_dir: Path
    users: dict[str, Credential] = field(default_factory=dict)
    log_origin: str = ""
    log_key: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self, kind: str) -> str:
        """The token of the State's user of this kind (officer, supervisor, contact...)."""
        return self.users[f"{self.state.lower()}-{kind}"].token

    def headers(self, kind: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(kind)}"}


@dataclass
class SandboxProvider:
    """A simulated service provider of one State (``hanoi provider-sim``), in a process of
    its own beside the nodes: the HI-1 endpoint that State's officers order."""

    state: str
    port: int
    log: Path
    delay: float = 1.0
    """Seconds before the simulator discloses what it is ordered (short, for the demo)."""
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}{PROVIDER_PATH}"

    def start(self) -> None:
        hanoi = str(Path(sys.executable).with_name("hanoi"))
        with self.log.open("ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(  # noqa: S603 - our own executable and arguments
                [
                    hanoi,
                    "provider-sim",
                    "--port",
                    str(self.port),
                    "--state",
                    self.state,
                    "--delay",
                    str(self.delay),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, *, timeout: float) -> None:
        """Until the simulator answers (an empty message is a 400: it is listening)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise Unavailable(f"the provider simulator stopped; see {self.log}")
            try:
                if httpx.post(self.endpoint, content=b"{}", timeout=2).status_code == 400:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise Unavailable(f"the provider simulator did not start on port {self.port}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Sandbox:
    root: Path
    nodes: dict[str, SandboxNode]
    authority_public_pem: Path
    provider: SandboxProvider | None = None
    """The simulated provider, when the sandbox has one (``hanoi demo``'s, in VNM)."""

    def start(self, *, timeout: float = 60) -> None:
        for node in self.nodes.values():
            if node.process is None or node.process.poll() is not None:
                start_node(node)
        if self.provider is not None and not self.provider.running:
            self.provider.start()
        for node in self.nodes.values():
            wait_ready(node, timeout=timeout)
        if self.provider is not None:
            self.provider.wait_ready(timeout=timeout)

    def stop(self) -> None:
        for node in self.nodes.values():  # all at once: each shuts down while the others do
            if node.process is not None and node.process.poll() is None:
                os.killpg(node.process.pid, signal.SIGTERM)
        provider = self.provider
        if provider is not None and provider.process is not None and provider.running:
            os.killpg(provider.process.pid, signal.SIGTERM)
        for node in self.nodes.values():
            stop_node(node)
        if provider is not None and provider.process is not None:
            _stop(provider.process, kill=False)


def build_sandbox(
    root: Path,
    states: Sequence[str],
    *,
    base_port: int,
    clock: Clock,
    authority_key: Ed25519PrivateKey | None = None,
    start: bool = False,
    offline: Sequence[Mapping[str, Any]] = (),
    provider_state: str | None = None,
) -> Sandbox:
    """Create every node folder under ``root`` (new, or emptied if it is an old sandbox),
    users with passwords and tokens, a signed directory, and import it in every node.

    ``offline`` lists States without a node for the directory, as the secretariat's
    ``--offline`` file does (:func:`~hanoi.directory.authoring.load_offline_file`).

    ``provider_state``: a simulated service provider of that State (``hanoi
    provider-sim``) on the port after the nodes', started and stopped with them; its
    State's administrator adds it to the node's provider directory.

    With ``start``, each node's server process starts as soon as its folder exists, so
    that servers load while the rest is built (a node picks up the directory when it is
    imported); call :meth:`Sandbox.start` afterwards to wait until all are ready."""
    if root.exists() and any(root.iterdir()):
        raise Conflict(f"{root} is not empty; give another --dir or remove it")
    root.mkdir(parents=True, exist_ok=True)
    now = clock.now().replace(microsecond=0)
    provider = None
    if provider_state is not None:
        provider = SandboxProvider(
            state=provider_state, port=base_port + len(states), log=root / "provider-sim.log"
        )
        if start:
            provider.start()
    nodes: dict[str, SandboxNode] = {}
    signed = []
    for index, state in enumerate(states):
        node = SandboxNode(state=state, port=base_port + index, node_dir=root / state.lower())
        init_node(
            node.node_dir,
            state=state,
            name=NAMES.get(state, f"Central authority of {state}"),
            now=now,
            prepare=lambda settings, keys: prepare_new_node(settings, keys, clock),
        )
        if start:
            start_node(node)
        settings = load_settings(node.node_dir)
        identity = load_identity(settings)
        node.log_origin = identity.log_origin
        node.log_key = identity.log_verifier_key
        opened = open_node(settings, clock=clock)
        try:
            with ThreadPoolExecutor(max_workers=len(ROLES)) as pool:  # argon2 frees the GIL
                made = pool.map(partial(_add_user, opened, state), *zip(*ROLES, strict=True))
                node.users.update({c.name: c for c in made})
        finally:
            opened.close()
        entry = build_entry(
            identity,
            node_url=node.url,
            authorities=[
                {
                    "kind": "central-authority",
                    "name": f"Central authority of {state}",
                    "languages": LANGUAGES.get(state, ["en"]),
                    "contact": f"central-authority@{state.lower()}.sandbox.invalid",
                },
                {
                    "kind": "point-of-contact",
                    "name": f"24/7 point of contact of {state}",
                    "languages": ["en"],
                    "contact": f"24-7@{state.lower()}.sandbox.invalid",
                },
            ],
            declarations={},
            valid_from=now,
        )
        signed.append(sign_entry(entry, [load_keys(settings).signing]))
        nodes[state] = node
    key = authority_key or Ed25519PrivateKey.generate()
    document = assemble(
        signed, version=1, issued_at=now, expires=now + timedelta(days=365), offline=offline
    )
    data = dump_json(sign_directory(document, key).to_json())
    authority = root / "directory-authority"
    authority.mkdir()
    (authority / "directory.json").write_bytes(data)
    public_pem = authority / "authority.pub"
    public_pem.write_bytes(public_key_pem(key.public_key()))
    for node in nodes.values():
        import_document(node.node_dir, data, now=now, pin=key.public_key())
    return Sandbox(root=root, nodes=nodes, authority_public_pem=public_pem, provider=provider)


def _add_user(node: Node, state: str, kind: str, role: Role) -> Credential:
    name = f"{state.lower()}-{kind}"
    password = secrets.token_urlsafe(12)
    created = node.accounts.add_user(name=name, role=role, password=password, with_token=True)
    assert created.token is not None
    return Credential(name, role.value, password, created.token)


def start_node(node: SandboxNode) -> None:
    hanoi = str(Path(sys.executable).with_name("hanoi"))
    with (node.node_dir / "server.log").open("ab") as log:  # the child keeps its own copy
        node.process = subprocess.Popen(  # noqa: S603 - our own executable, our own arguments
            [hanoi, "serve", "--dir", str(node.node_dir), "--port", str(node.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HANOI_LOG_LEVEL": os.environ.get("HANOI_LOG_LEVEL", "warning")},
            start_new_session=True,
        )


def wait_ready(node: SandboxNode, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.process is not None and node.process.poll() is not None:
            raise Unavailable(f"the {node.state} node stopped; see {node.node_dir / 'server.log'}")
        try:
            if httpx.get(f"{node.url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise Unavailable(f"the {node.state} node did not start on port {node.port}")


def stop_node(node: SandboxNode, *, kill: bool = False) -> None:
    if node.process is not None:
        _stop(node.process, kill=kill)


def _stop(process: subprocess.Popen[bytes], *, kill: bool) -> None:
    """End a process of the sandbox and its session (TERM, or KILL after 20 s or at once)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def describe(sandbox: Sandbox) -> dict[str, object]:
    provider = sandbox.provider
    simulated = (
        {}
        if provider is None
        else {
            "provider_sim": {
                "state": provider.state,
                "port": provider.port,
                "endpoint": provider.endpoint,
                "log": str(provider.log),
            }
        }
    )
    return {
        **simulated,
        "states": [
            {
                "state": n.state,
                "url": n.url,
                "log_url": f"{n.url}/log/",
                "log_origin": n.log_origin,
                "log_key": n.log_key,
                "node_dir": str(n.node_dir),
                "users": {
                    c.name: {"role": c.role, "password": c.password, "token": c.token}
                    for c in n.users.values()
                },
            }
            for n in sandbox.nodes.values()
        ],
    }


def write_json(path: Path, value: object) -> None:
    """Write ``value`` to ``path`` whole or not at all, readable by its owner only: the
    sandbox's files hold its users' passwords and API tokens."""
    temporary = path.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(json.dumps(value, indent=2, ensure_ascii=False))
    os.replace(temporary, path)


__all__ = [
    "GHANA",
    "Sandbox",
    "SandboxNode",
    "SandboxProvider",
    "build_sandbox",
    "describe",
    "stop_node",
    "write_json",
]
