"""Two nodes in one process exchanging evidence packages, for the tests of every tier:
each serves its app with a real uvicorn server on loopback at the URLs their signed
directory gives (``Pair``, the ``pair`` fixture on SQLite and PostgreSQL), and the helpers
that send a request, collect evidence, offer a package and damage one."""

from __future__ import annotations

import hashlib
import io
import tarfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conftest import free_port_run
from hanoi.accounts.model import Role, User
from hanoi.convention import default_catalogue
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.federation.ports import PackageRow
from hanoi.federation.scratch import ScratchSpace
from hanoi.storage.blob_disk import DiskBlobStore
from hanoi.web.app import create_app
from hanoi.wiring import Node
from support_cooperation import add_user
from support_databases import templates as database_templates
from support_federation import InProcessFederation
from support_nodes import federate, open_at
from unit.cooperation.builders import complete_contents

CATALOGUE = default_catalogue()
KIND = "mla-stored-data"
PACKAGES = "/federation/v1/packages"


# --- two nodes, each served on loopback --------------------------------------------------


class Served:
    """A node's app in a uvicorn server thread (no background jobs: the test drives them)."""

    def __init__(self, node: Node, port: int) -> None:
        config = uvicorn.Config(
            create_app(node, background=False), host="127.0.0.1", port=port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise AssertionError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


@dataclass
class Pair:
    egy: Node  # the requesting State: receives the package
    vnm: Node  # the requested State: executes the request and sends the package
    egy_url: str
    vnm_url: str
    amira: User  # EGY officer, drafts the request
    samir: User  # EGY supervisor
    lan: User  # VNM supervisor, central-authority intake
    http: httpx.Client  # reaches egy_url and vnm_url, in process or over loopback

    def incoming(self, package_id: str, suffix: str) -> Path:
        """EGY's download in progress (``.part``, in its scratch space), or the package
        downloaded whole (``.tar``: its blob, a file of EGY's disk blob store, which may
        not exist yet)."""
        if suffix == ".part":
            return ScratchSpace(self.egy.settings.node_dir).part(package_id)
        return blob_file(self.egy, self.egy.transfers.row(package_id))

    def outgoing(self, package_id: str) -> Path:
        """The file of VNM's disk blob store that holds an outgoing package's bytes."""
        return blob_file(self.vnm, self.vnm.transfers.row(package_id))

    def row(self, request_id: str) -> PackageRow:
        [received] = self.egy.transfers.packages(self.samir, request_id)
        return received.package


@pytest.fixture(params=["sqlite", "postgresql"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """The two nodes in one process (``support_federation``): no socket between them."""
    yield from two_nodes(request.param, tmp_path, network=False)


@dataclass
class Federated:
    """A pair, with what a test that changes the federation needs."""

    pair: Pair
    root: Path  # the node folders, root/egy and root/vnm
    authority: Ed25519PrivateKey  # signed their directory; signs a later version
    federation: InProcessFederation  # serves the nodes' apps when not over loopback


def two_nodes(engine: str, tmp_path: Path, *, network: bool) -> Iterator[Pair]:
    """EGY and VNM on ``engine``, each served at its directory URL: with ``network``, by a
    real uvicorn server on loopback (for the tests of sockets and processes), else in
    process. ``Pair.http`` reaches either."""
    for federated in federated_pair(engine, tmp_path, network=network):
        yield federated.pair


def federated_pair(engine: str, tmp_path: Path, *, network: bool) -> Iterator[Federated]:
    """:func:`two_nodes`, with their folders, directory authority and federation."""
    base = free_port_run(2)
    authority = federate(tmp_path / "fed", ["EGY", "VNM"], base_port=base)
    urls = [f"http://127.0.0.1:{base}", f"http://127.0.0.1:{base + 1}"]
    with database_templates().clones() as databases, InProcessFederation() as federation:
        databases_of: list[str | None] = [None, None]
        if engine == "postgresql":
            databases_of = [databases.postgres(), databases.postgres()]
        http_client = None if network else federation.client
        egy = open_at(tmp_path / "fed" / "egy", databases_of[0], http_client=http_client)
        vnm = open_at(tmp_path / "fed" / "vnm", databases_of[1], http_client=http_client)
        for node in (egy, vnm):  # as the background job does: each witnesses the other's log
            node.peering.sync()
        servers: list[Served] = []
        if network:
            servers = [Served(egy, base), Served(vnm, base + 1)]
        else:
            federation.serve(urls[0], egy)
            federation.serve(urls[1], vnm)
        nodes = [egy, vnm]
        try:
            with httpx.Client(timeout=60) if network else federation.client() as http:
                pair = Pair(
                    egy=egy,
                    vnm=vnm,
                    egy_url=urls[0],
                    vnm_url=urls[1],
                    amira=add_user(egy, "amira", Role.OFFICER),
                    samir=add_user(egy, "samir", Role.SUPERVISOR),
                    lan=add_user(vnm, "lan", Role.SUPERVISOR),
                    http=http,
                )
                yield Federated(pair, tmp_path / "fed", authority, federation)
                nodes += [pair.egy, pair.vnm]  # a test may have restarted one
        finally:
            for served in servers:
                served.stop()
            for node in nodes:
                node.engine.dispose()


def blob_file(node: Node, row: PackageRow | None) -> Path:
    """Where a node's disk blob store keeps a package's bytes (the row's SHA-256)."""
    assert row is not None
    assert row.sha256, "not packed yet"
    assert isinstance(node.blobs, DiskBlobStore)
    return node.blobs.path_of(row.sha256)


def stored_blobs(node: Node) -> set[str]:
    """The digests a node's disk blob store holds (evidence files and packages)."""
    assert isinstance(node.blobs, DiskBlobStore)
    return {path.name for path in (node.blobs.root / "sha256").rglob("*") if path.is_file()}


def temporaries(node: Node) -> list[Path]:
    """What a node's packing or reading of packages left in its scratch space's temporary
    folder (each attempt removes its own, however it ends)."""
    tmp = node.settings.node_dir / "scratch" / "tmp"
    return sorted(tmp.iterdir()) if tmp.is_dir() else []


def sent_and_received(p: Pair) -> str:
    """An MLA request drafted, approved and sent by EGY, delivered to VNM by EGY's outbox."""
    contents = complete_contents(CATALOGUE.kind(KIND))
    draft = DraftInput(kind=KIND, requested_state="VNM", contents=contents)
    request_id = p.egy.cooperation.draft(p.amira, draft).request.id
    p.egy.cooperation.assign(p.amira, request_id, "samir")
    p.egy.cooperation.take(p.samir, request_id, StepInput(transition="approve"))
    p.egy.cooperation.take(p.amira, request_id, StepInput(transition="send"))
    assert p.egy.federation.deliver_due() >= 1
    assert p.vnm.cooperation.show(p.lan, request_id).request.id == request_id
    return request_id


def collected(p: Pair, request_id: str, name: str, data: bytes) -> EvidenceItem:
    acquisition = Acquisition(
        original_name=name,
        media_type="application/octet-stream",
        source_kind=SourceKind.PROVIDER,
        source="Example Mail Ltd (VNM)",
        method="production order",
        acquired_at=p.vnm.clock.now(),
        officer="lan",
        request_ref=request_id,
        article="Art. 44",
    )
    return p.vnm.evidence.ingest(p.lan, io.BytesIO(data), acquisition).item


def offered(p: Pair, files: dict[str, bytes]) -> tuple[str, PackageRow, list[EvidenceItem]]:
    """A request, evidence collected for it in VNM, packed, offered, and the offer delivered."""
    request_id = sent_and_received(p)
    items = [collected(p, request_id, name, data) for name, data in files.items()]
    outgoing = p.vnm.transfers.offer(p.lan, request_id, [i.id for i in items])
    assert p.vnm.federation.deliver_due() >= 1  # the evidence-offer, to EGY's inbox
    row = p.row(request_id)
    assert (row.id, row.direction, row.status) == (outgoing.id, "incoming", "offered")
    assert (row.sha256, row.size, row.peer) == (outgoing.sha256, outgoing.size, "VNM")
    return request_id, row, items


class Chunks(httpx.SyncByteStream):
    """A response body that arrives in 64 KiB pieces, as from a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self._data), 64 * 1024):
            yield self._data[start : start + 64 * 1024]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextmanager
def writable(path: Path) -> Iterator[Path]:
    """A file the blob store made read-only, writable while a test damages it."""
    mode = path.stat().st_mode
    path.chmod(mode | 0o200)
    try:
        yield path
    finally:
        path.chmod(mode)


def flip_byte(path: Path, offset: int) -> None:
    with writable(path), path.open("r+b") as stream:
        stream.seek(offset)
        byte = stream.read(1)
        stream.seek(offset)
        stream.write(bytes([byte[0] ^ 0x01]))


def payload_offset(path: Path) -> int:
    """Where the first payload (age) file's bytes start inside a package ``.tar``."""
    with tarfile.open(path) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(".age"))
        return member.offset_data + member.size // 2


# --- the tests ---------------------------------------------------------------------------
