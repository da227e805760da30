"""Evidence packages between two nodes in one process, on SQLite and PostgreSQL.

The sending node (VNM) and the receiving node (EGY) each serve their app with a real
uvicorn server on loopback, at the URLs their signed directory gives. The request and the
``evidence-offer`` travel through the real outboxes and inboxes; the receiver pulls the
package with ``Range`` requests, checks it against the offer, verifies it in full, and
only then records its files as evidence with ``received`` custody events.
"""

from __future__ import annotations

import hashlib
import io
import os
import socket
import tarfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conftest import POSTGRES_ADMIN_URL, free_port
from hanoi.accounts.model import Role, User
from hanoi.clock import SystemClock
from hanoi.convention import default_catalogue
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.custody.events import CustodyAction
from hanoi.directory.authoring import assemble, build_entry
from hanoi.directory.codec import dump_json
from hanoi.directory.signing import sign_directory, sign_entry
from hanoi.directory.store import import_document
from hanoi.errors import IntegrityError, PayloadTooLarge
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.federation.envelope import VerifiedMessage
from hanoi.federation.messages import Message, MessageType, new_message_id
from hanoi.federation.ports import PackageRow
from hanoi.node.folder import init_node, load_keys
from hanoi.settings import build_settings, read_config_file
from hanoi.web.app import create_app
from hanoi.wiring import Node, open_node, prepare_new_node
from support_cooperation import add_user, postgres_databases
from unit.cooperation.builders import complete_contents

CATALOGUE = default_catalogue()
KIND = "mla-stored-data"
PACKAGES = "/federation/v1/packages"


# --- two nodes, each served on loopback --------------------------------------------------


def free_pair() -> int:
    """A port ``p`` with ``p + 1`` free too (the sandbox gives States consecutive ports)."""
    for _ in range(50):
        base = free_port()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", base + 1))
            except OSError:
                continue
        return base
    raise AssertionError("no two consecutive free ports")


def federate(root: Path, states: list[str], *, base_port: int) -> None:
    """Node folders for ``states`` (SQLite, disk) holding a directory signed by a throwaway
    authority, each State at ``http://127.0.0.1:<base_port + i>`` (the sandbox, without users)."""
    clock = SystemClock()
    now = clock.now().replace(microsecond=0)
    entries = []
    for index, state in enumerate(states):
        folder = root / state.lower()
        identity = init_node(
            folder,
            state=state,
            name=f"Central authority of {state}",
            now=now,
            prepare=lambda settings, keys: prepare_new_node(settings, keys, clock),
        )
        entry = build_entry(
            identity,
            node_url=f"http://127.0.0.1:{base_port + index}",
            authorities=[{"kind": "central-authority", "name": f"Central authority of {state}",
                          "languages": ["en"], "contact": f"ca@{state.lower()}.example"}],
            declarations={},
            valid_from=now,
        )  # fmt: skip
        keys = load_keys(build_settings({**read_config_file(folder), "node_dir": folder}))
        entries.append(sign_entry(entry, [keys.signing]))
    authority = Ed25519PrivateKey.generate()
    document = assemble(entries, version=1, issued_at=now, expires=now + timedelta(days=30))
    data = dump_json(sign_directory(document, authority).to_json())
    for state in states:
        import_document(root / state.lower(), data, now=now, pin=authority.public_key())


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


def open_at(folder: Path, database_url: str | None) -> Node:
    values = {**read_config_file(folder), "node_dir": folder.resolve()}
    if database_url is not None:
        values["database_url"] = database_url
        settings = build_settings(values)
        prepare_new_node(settings, load_keys(settings), SystemClock())
    return open_node(build_settings(values), clock=SystemClock())


@dataclass
class Pair:
    egy: Node  # the requesting State: receives the package
    vnm: Node  # the requested State: executes the request and sends the package
    egy_url: str
    vnm_url: str
    amira: User  # EGY officer, drafts the request
    samir: User  # EGY supervisor
    lan: User  # VNM supervisor, central-authority intake

    def incoming(self, package_id: str, suffix: str) -> Path:
        return self.egy.settings.node_dir / "packages" / "incoming" / f"{package_id}{suffix}"

    def outgoing(self, package_id: str) -> Path:
        return self.vnm.settings.node_dir / "packages" / "outgoing" / f"{package_id}.tar"

    def row(self, request_id: str) -> PackageRow:
        [received] = self.egy.transfers.packages(self.samir, request_id)
        return received.package


@pytest.fixture(params=["sqlite", "postgresql"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    base = free_pair()
    federate(tmp_path / "fed", ["EGY", "VNM"], base_port=base)
    with postgres_databases(POSTGRES_ADMIN_URL) as new_database:
        urls: list[str | None] = [None, None]
        if request.param == "postgresql":
            request.getfixturevalue("postgres_url")  # fails loudly under CI without PostgreSQL
            urls = [new_database(), new_database()]
        egy = open_at(tmp_path / "fed" / "egy", urls[0])
        vnm = open_at(tmp_path / "fed" / "vnm", urls[1])
        for node in (egy, vnm):  # as the background job does: each witnesses the other's log
            node.peering.sync()
        servers = [Served(egy, base), Served(vnm, base + 1)]
        try:
            yield Pair(
                egy=egy,
                vnm=vnm,
                egy_url=f"http://127.0.0.1:{base}",
                vnm_url=f"http://127.0.0.1:{base + 1}",
                amira=add_user(egy, "amira", Role.OFFICER),
                samir=add_user(egy, "samir", Role.SUPERVISOR),
                lan=add_user(vnm, "lan", Role.SUPERVISOR),
            )
        finally:
            for served in servers:
                served.stop()
            for node in (egy, vnm):
                node.engine.dispose()


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


def flip_byte(path: Path, offset: int) -> None:
    with path.open("r+b") as stream:
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


def test_a_package_is_offered_pulled_verified_and_accepted_once(pair: Pair) -> None:
    p = pair
    files = {"mailbox.mbox": os.urandom(300_000), "subscriber.csv": b"name,ip\nx,192.0.2.7\n"}
    request_id, row, sent_items = offered(p, files)
    outgoing = p.outgoing(row.id)
    assert len(row.id) == 32
    assert int(row.id, 16) >= 0
    assert (row.sha256, row.size) == (sha256(outgoing.read_bytes()), outgoing.stat().st_size)
    # The sender logged that the items left in a package.
    p.vnm.custody.sequence()
    for item in sent_items:
        actions = [e.event.action for e in p.vnm.evidence.held_custody(item)]
        assert actions == [CustodyAction.COLLECTED, CustodyAction.EXPORTED]

    path = p.egy.transfers.fetch(row)
    assert path == p.incoming(row.id, ".tar")
    assert path.read_bytes() == outgoing.read_bytes()
    assert not p.incoming(row.id, ".part").exists()
    assert p.row(request_id).received == row.size

    accepted = p.egy.transfers.accept(row.id)
    assert accepted.package.id == row.id
    assert sorted(
        (i.acquisition.original_name, i.sha256, i.size) for i in accepted.items
    ) == sorted((name, sha256(data), len(data)) for name, data in files.items())
    assert p.row(request_id).status == "accepted"
    p.egy.custody.sequence()
    for item in accepted.items:
        assert item.acquisition.request_ref == request_id
        assert "VNM" in item.acquisition.source
        assert item.package_id == row.id  # linked by the package's id, not by its text
        with p.egy.blobs.open(item.sha256) as stored:
            assert stored.read() == files[item.acquisition.original_name]
        [event] = [e.event for e in p.egy.evidence.held_custody(item)]
        assert (event.action, event.node, event.request_id) == (
            CustodyAction.RECEIVED,
            "EGY",
            request_id,
        )
        assert event.evidence_sha256 == item.sha256

    # Accepting again, or the background job passing by, records nothing more.
    again = p.egy.transfers.accept(row.id)
    assert again.items == ()
    p.egy.transfers.fetch_pending()
    assert len(p.egy.evidence.held_for_request(request_id)) == len(files)


def test_the_sender_serves_ranges_by_id_only(pair: Pair) -> None:
    p = pair
    _, row, _ = offered(p, {"log.txt": os.urandom(200_000)})
    data = p.outgoing(row.id).read_bytes()
    url = f"{p.vnm_url}{PACKAGES}/{row.id}"
    with httpx.Client(timeout=30) as client:
        whole = client.get(url)
        assert whole.status_code == 200
        assert whole.content == data
        assert whole.headers["accept-ranges"] == "bytes"
        assert whole.headers["etag"]

        first = client.get(url, headers={"Range": "bytes=0-99"})
        assert first.status_code == 206
        assert first.content == data[:100]
        assert first.headers["content-range"] == f"bytes 0-99/{len(data)}"

        rest = client.get(url, headers={"Range": "bytes=100-"})
        assert rest.status_code == 206
        assert rest.content == data[100:]
        assert rest.headers["content-range"] == f"bytes 100-{len(data) - 1}/{len(data)}"

        tail = client.get(url, headers={"Range": "bytes=-10"})
        assert tail.status_code == 206
        assert tail.content == data[-10:]

        beyond = client.get(url, headers={"Range": f"bytes={len(data)}-"})
        assert beyond.status_code == 416
        assert beyond.headers["content-range"] == f"bytes */{len(data)}"

        for unknown in ("0" * 32, row.id[:-1], "..", "%2e%2e%2fconfig.toml", "x" * 200):
            missing = client.get(f"{p.vnm_url}{PACKAGES}/{unknown}")
            assert missing.status_code == 404, unknown
            assert str(p.vnm.settings.node_dir) not in missing.text
        overlapping = client.get(url, headers={"Range": "bytes=" + ",".join(["0-"] * 100)})
        assert overlapping.status_code == 206
        assert overlapping.content == data  # merged into one range, not 100 copies
        assert client.get(url, headers={"Range": "bytes=x-y"}).status_code == 400
        # The receiver's copy of an incoming package is not served as if it were outgoing.
        p.egy.transfers.fetch(row)
        assert client.get(f"{p.egy_url}{PACKAGES}/{row.id}").status_code == 404


def test_an_offered_package_whose_file_is_gone_is_not_found(pair: Pair) -> None:
    p = pair
    _, row, _ = offered(p, {"log.txt": b"x" * 1000})
    p.outgoing(row.id).unlink()
    gone = httpx.get(f"{p.vnm_url}{PACKAGES}/{row.id}", timeout=30)
    assert gone.status_code in (404, 410)
    assert str(p.vnm.settings.node_dir) not in gone.text


def test_a_package_altered_on_the_sender_after_the_offer_is_refused(pair: Pair) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": os.urandom(100_000)})
    outgoing = p.outgoing(row.id)
    flip_byte(outgoing, payload_offset(outgoing))
    p.egy.transfers.fetch_pending()
    assert p.row(request_id).status == "offered"  # a bad download is discarded and tried again
    p.egy.transfers.fetch_pending()
    after = p.row(request_id)
    assert after.status == "refused"  # the same mismatch twice: the sender's file is bad
    assert after.error
    assert "SHA-256" in after.error
    assert p.egy.evidence.held_for_request(request_id) == []
    assert not p.incoming(row.id, ".part").exists()
    assert not p.incoming(row.id, ".tar").exists()


def test_bytes_beyond_the_offered_size_are_never_fetched(pair: Pair) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": os.urandom(100_000)})
    with p.outgoing(row.id).open("ab") as grown:
        grown.write(os.urandom(2 * 1024 * 1024))
    p.egy.transfers.fetch_pending()  # takes exactly the offered bytes: the signed package
    assert p.row(request_id).status == "accepted"
    assert p.incoming(row.id, ".tar").stat().st_size == row.size
    assert len(p.egy.evidence.held_for_request(request_id)) == 1


def test_a_sender_answering_more_than_asked_gets_nothing_written(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": os.urandom(100_000)})
    data = p.outgoing(row.id).read_bytes() + os.urandom(1024 * 1024)

    def overlong(request: httpx.Request) -> httpx.Response:
        start = int(request.headers["range"].removeprefix("bytes=").split("-")[0])
        body = data[start:]
        headers = {"content-range": f"bytes {start}-{len(data) - 1}/{len(data)}"}
        return httpx.Response(206, stream=Chunks(body), headers=headers)

    def client() -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(overlong))

    monkeypatch.setattr(p.egy.transfers.receiver.download, "_client", client)
    p.egy.transfers.fetch_pending()
    part = p.incoming(row.id, ".part")
    assert not part.exists() or part.stat().st_size <= row.size
    assert not p.incoming(row.id, ".tar").exists()
    assert p.row(request_id).status != "accepted"
    assert p.egy.evidence.held_for_request(request_id) == []


def test_a_package_that_fails_verification_records_nothing(pair: Pair) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": os.urandom(100_000)})
    path = p.egy.transfers.fetch(row)
    flip_byte(path, payload_offset(path))  # altered at rest, after the digest check
    with pytest.raises(IntegrityError):
        p.egy.transfers.accept(row.id)
    assert p.egy.evidence.held_for_request(request_id) == []
    p.egy.transfers.fetch_pending()
    after = p.row(request_id)
    assert after.status == "refused"
    assert after.error
    assert p.egy.evidence.held_for_request(request_id) == []


def test_an_offer_is_registered_once_and_a_conflicting_one_refused(pair: Pair) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": b"From a@example.org\n"})

    def offer(package_id: str, digest: str, size: int) -> VerifiedMessage:
        message = Message(
            id=new_message_id(),
            type=MessageType.EVIDENCE_OFFER,
            sender="VNM",
            recipient="EGY",
            sent_at=p.egy.clock.now(),
            request_id=request_id,
            body={
                "package_id": package_id,
                "package_sha256": digest,
                "package_size": size,
                "chunk_size": 1024 * 1024,
            },
        )
        return VerifiedMessage(message, "", message.digest(), message.content_digest())

    p.egy.transfers.on_offer(offer(row.id, row.sha256, row.size))
    assert [r.package.id for r in p.egy.transfers.packages(p.samir, request_id)] == [row.id]
    with pytest.raises(IntegrityError):
        p.egy.transfers.on_offer(offer(row.id, "0" * 64, row.size))
    with pytest.raises(IntegrityError):
        p.egy.transfers.on_offer(offer(row.id, row.sha256, row.size + 1))
    too_big = offer("f" * 32, "0" * 64, p.egy.settings.upload_max_bytes + 1)
    with pytest.raises(PayloadTooLarge):
        p.egy.transfers.on_offer(too_big)
    assert [r.package.id for r in p.egy.transfers.packages(p.samir, request_id)] == [row.id]
