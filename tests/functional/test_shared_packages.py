"""Several processes of one State, on several hosts, share its evidence packages: they share
the database and the blob store, never a folder (ADR 0035).

- A package packed by one ``hanoi serve`` process is served by another, whose folder never
  held it (PostgreSQL and a real S3 store, SeaweedFS), and the requesting State fetches,
  verifies and accepts it from that other process.
- Two processes of the receiving State racing for one offered package fetch it once.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import S3Server, free_port_run, serving
from hanoi.accounts.model import Role
from hanoi.clock import SystemClock
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.evidence.items import Acquisition, SourceKind
from hanoi.settings import build_settings, load_settings, read_config_file
from hanoi.wiring import Node, open_node
from support_databases import templates as database_templates
from support_hosts import LOCAL_ONLY, on_shared_storage, until
from support_nodes import federate, open_at
from support_transfers import (
    CATALOGUE,
    KIND,
    PACKAGES,
    Pair,
    Served,
    offered,
    temporaries,
    two_nodes,
)
from unit.cooperation.builders import complete_contents

pytestmark = pytest.mark.slow


def test_a_package_packed_by_one_process_is_served_by_another(
    tmp_path: Path, postgres_url: str, s3_server: S3Server, s3_bucket: str
) -> None:
    base = free_port_run(2)
    federate(tmp_path / "fed", ["EGY", "VNM"], base_port=base)
    host_a = tmp_path / "fed" / "vnm"
    host_b = tmp_path / "host-b" / "vnm"
    with database_templates().clones() as databases:
        on_shared_storage(host_a, database_url=databases.postgres(), s3=s3_server, bucket=s3_bucket)
        shutil.copytree(host_a, host_b, ignore=LOCAL_ONLY)  # keys, settings, directory
        egy = open_at(tmp_path / "fed" / "egy", None)
        vnm = open_node(load_settings(host_a), clock=SystemClock())  # the shared state, seen
        served_egy = Served(egy, base)
        try:
            for node in (egy, vnm):
                node.peering.sync()
            amira = egy.accounts.add_user(name="amira", role=Role.OFFICER, password=None).user
            samir = egy.accounts.add_user(name="samir", role=Role.SUPERVISOR, password=None).user
            hoa = vnm.accounts.add_user(
                name="hoa", role=Role.SUPERVISOR, password=None, with_token=True
            )
            # B answers at VNM's address in the directory; A is another process, elsewhere.
            with serving(host_b, port=base + 1), serving(host_a) as served_a:
                process_a = served_a.url
                draft = DraftInput(
                    kind=KIND,
                    requested_state="VNM",
                    contents=complete_contents(CATALOGUE.kind(KIND)),
                )
                request_id = egy.cooperation.draft(amira, draft).request.id
                egy.cooperation.assign(amira, request_id, "samir")
                egy.cooperation.take(samir, request_id, StepInput(transition="approve"))
                egy.cooperation.take(amira, request_id, StepInput(transition="send"))
                assert egy.federation.deliver_due() >= 1  # to B's inbox
                evidence = os.urandom(2 * 1024 * 1024)
                item = vnm.evidence.ingest(
                    hoa.user,
                    io.BytesIO(evidence),
                    Acquisition(
                        original_name="mailbox.mbox",
                        media_type="application/octet-stream",
                        source_kind=SourceKind.PROVIDER,
                        source="Example Mail Ltd (VNM)",
                        method="production order",
                        acquired_at=vnm.clock.now(),
                        officer="hoa",
                        request_ref=request_id,
                        article="Art. 44",
                    ),
                ).item

                # Process A packs and offers.
                answer = httpx.post(
                    f"{process_a}/api/v1/requests/{request_id}/evidence-packages",
                    json={"evidence": [item.id]},
                    headers={"Authorization": f"Bearer {hoa.token}"},
                    timeout=60,
                )
                assert answer.status_code == 201, answer.text
                package = answer.json()
                assert package["status"] == "offered"
                with vnm.blobs.open(package["sha256"]) as stored:
                    data = stored.read()  # in the shared S3 bucket
                assert hashlib.sha256(data).hexdigest() == package["sha256"]
                for folder in (host_a, host_b):  # no package file on either host
                    assert not (folder / "packages").exists()
                    assert not (folder / "scratch" / "incoming").exists()
                assert temporaries(vnm) == []

                # Process B, whose folder never held it, serves it in ranges.
                url = f"http://127.0.0.1:{base + 1}{PACKAGES}/{package['id']}"
                with httpx.Client(timeout=30) as client:
                    first = client.get(url, headers={"Range": "bytes=0-1023"})
                    assert first.status_code == 206
                    assert first.content == data[:1024]
                    assert first.headers["content-range"] == f"bytes 0-1023/{len(data)}"
                    beyond = client.get(url, headers={"Range": f"bytes={len(data)}-"})
                    assert beyond.status_code == 416
                    whole = client.get(url)
                    assert whole.status_code == 200
                    assert whole.content == data

                # The requesting State fetches it from B, verifies it and accepts it.
                def offered_to_egy() -> list[Any]:
                    return [r.package for r in egy.transfers.packages(samir, request_id)]

                [incoming] = until(offered_to_egy, what="the offer, delivered by A or B")
                assert incoming.id == package["id"]
                assert egy.transfers.fetch_pending() == 1
                [received] = egy.evidence.held_for_request(request_id)
                assert received.sha256 == hashlib.sha256(evidence).hexdigest()
        finally:
            served_egy.stop()
            egy.close()
            vnm.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """The two nodes served by real servers on loopback: a second EGY node, opened as
    another host would, reaches VNM over the network."""
    yield from two_nodes(request.param, tmp_path, network=True)


def test_two_receivers_racing_for_one_package_fetch_it_once(
    pair: Pair,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = pair
    request_id, row, _ = offered(p, {"disk.img": os.urandom(1024 * 1024)})
    # A second process of EGY, on another host: its own folder, the same database and store.
    other_host = tmp_path / "egy-host-b"
    shutil.copytree(p.egy.settings.node_dir, other_host, ignore=LOCAL_ONLY)
    values = {
        **read_config_file(other_host),
        "node_dir": other_host,
        "database_url": p.egy.settings.resolved_database_url,
        "blob_dir": p.egy.settings.resolved_blob_dir,  # a shared volume, as an S3 bucket is
    }
    second = open_node(build_settings(values), clock=SystemClock())
    downloads: list[str] = []
    try:
        receivers = [p.egy, second]
        for node in receivers:  # slowed down, so that the two overlap
            download = node.transfers.receiver.download
            fetch = download.fetch

            def slow(*args: Any, fetch: Any = fetch, name: str = str(node.settings.node_dir),
                     **kwargs: Any) -> Any:  # fmt: skip
                downloads.append(name)
                time.sleep(1)
                return fetch(*args, **kwargs)

            monkeypatch.setattr(download, "fetch", slow)
        start = threading.Barrier(len(receivers))
        accepted: list[int] = []

        def run(node: Node) -> None:
            start.wait()
            accepted.append(node.transfers.fetch_pending())

        threads = [threading.Thread(target=run, args=(node,)) for node in receivers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(accepted) == [0, 1]
        assert len(downloads) == 1  # one of them downloaded it; the other left it alone
        assert p.row(request_id).status == "accepted"
        assert len(p.egy.evidence.held_for_request(request_id)) == 1
        assert second.transfers.fetch_pending() == 0
        assert p.egy.transfers.fetch_pending() == 0
        assert len(downloads) == 1
        assert row.id == p.row(request_id).id
    finally:
        second.close()
