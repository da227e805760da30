"""Finding 4, continued: an upload's lease and durable offset when PATCHes die or stall.

- A PATCH cut in the middle (the server killed, or the client gone) keeps what was
  durably written: more than 8 MiB through means an offset above 0, and the upload
  resumes from there to the right digest. Before, the offset moved only at the end of
  a PATCH, so every cut lost the whole PATCH.
- A PATCH whose body stalls is ended after a quarter of the lease (408), and lets the
  upload go; before, it held the request (and would have held the lease) for ever.
- A lease whose holder is gone is taken over: at once when it was taken on this host
  (the holder would hold the staging file's flock), after it expires when it comes from
  another host; the old holder can then never move the offset.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from fastapi.testclient import TestClient

from conftest import free_port, serving, start_server
from hanoi.clock import FixedClock
from hanoi.evidence.staging import host_tag
from hanoi.storage.uploads_repo import UploadsRepository
from hanoi.web.app import create_app
from support_nodes import T0
from support_uploads import MIB, TUS, RawPatch, metadata, patch_headers, upload_desk

CHECKPOINT = 8 * MIB


def _create(client: httpx.Client | TestClient, data: bytes) -> str:
    created = client.post(
        "/api/v1/uploads",
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": metadata(sha256=hashlib.sha256(data).hexdigest()),
        },
    )
    assert created.status_code == 201, created.text
    return str(created.headers["location"])


def _offset(client: httpx.Client, location: str) -> int:
    return int(client.head(location, headers=TUS).headers["upload-offset"])


def _finish(client: httpx.Client, location: str, data: bytes) -> int:
    """Resume as a tus client does: HEAD, PATCH the rest; on 409 wait and ask again.
    The offset it resumed from."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        offset = _offset(client, location)
        answer = client.patch(location, content=data[offset:], headers=patch_headers(offset))
        if answer.status_code == 409:
            time.sleep(0.2)
            continue
        assert answer.status_code == 204, answer.text
        digest = hashlib.sha256(data).hexdigest()
        assert answer.headers["hanoi-blob-digest"] == f"sha256:{digest}"
        return offset
    raise AssertionError("the upload stayed busy")


# --- a real server: killed mid-PATCH, a client gone, a client stalled -------------------------


@pytest.mark.slow
def test_a_server_killed_mid_patch_keeps_what_was_synced(migrated_url: str, tmp_path: Path) -> None:
    desk, node = upload_desk(tmp_path / "egy", migrated_url)
    node.engine.dispose()
    data = os.urandom(12 * MIB + 5)
    port = free_port()
    # By hand, not conftest.serving: the test kills the process (SIGKILL) and starts another
    # on the same port, which the client's upload URL names.
    server = start_server(desk.folder, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=desk.auth) as client:
            location = _create(client, data)
            cut = RawPatch(port, urlparse(location).path, desk.token, offset=0, length=len(data))
            cut.send(data[: 10 * MIB])
            deadline = time.monotonic() + 20
            while (durable := _offset(client, location)) < CHECKPOINT:  # while it runs
                assert time.monotonic() < deadline, "the offset did not move during the PATCH"
                time.sleep(0.1)
            server.send_signal(signal.SIGKILL)
            server.wait()
            cut.close()
        server = start_server(desk.folder, port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=desk.auth) as client:
            # The first checkpoint (8 MiB and the rest of the read that crossed it) holds;
            # the unsynced stretch after it is lost.
            assert CHECKPOINT <= durable < 9 * MIB
            assert _offset(client, location) == durable
            # The killed process's lease is taken over at once: same host, flock free.
            assert _finish(client, location, data) == durable
    finally:
        server.kill()
        server.wait()


@pytest.mark.slow
def test_a_client_gone_mid_patch_keeps_what_arrived(migrated_url: str, tmp_path: Path) -> None:
    desk, node = upload_desk(tmp_path / "egy", migrated_url)
    node.engine.dispose()
    data = os.urandom(12 * MIB + 5)
    with (
        serving(desk.folder) as server,
        httpx.Client(base_url=server.url, headers=desk.auth) as client,
    ):
        location = _create(client, data)
        cut = RawPatch(server.port, urlparse(location).path, desk.token, offset=0, length=len(data))
        cut.send(data[: 10 * MIB])
        time.sleep(0.5)
        cut.close()
        resumed_from = _finish(client, location, data)
        assert CHECKPOINT <= resumed_from <= 10 * MIB


@pytest.mark.slow
def test_a_stalled_patch_gives_up_and_lets_the_upload_go(tmp_path: Path) -> None:
    desk, node = upload_desk(
        tmp_path / "egy", f"sqlite:///{tmp_path / 'hanoi.db'}", upload_lease_seconds=4
    )
    node.engine.dispose()
    data = os.urandom(MIB + 3)
    with serving(desk.folder) as server:
        port = server.port
        with httpx.Client(base_url=server.url, headers=desk.auth) as client:
            location = _create(client, data)
            stalled = RawPatch(
                port, urlparse(location).path, desk.token, offset=0, length=len(data)
            )
            stalled.send(data[:100_000])
            time.sleep(0.2)
            meanwhile = client.patch(location, content=data, headers=patch_headers(0))
            assert meanwhile.status_code == 409  # the stalled PATCH still holds the upload
            started = time.monotonic()
            assert stalled.status(timeout=10) == 408  # idle for a quarter of the lease
            assert time.monotonic() - started < 4
            stalled.close()
            assert _offset(client, location) == 100_000  # what arrived was kept
            assert _finish(client, location, data) == 100_000


# --- in-process, with a clock the test moves ----------------------------------------------


def test_a_lease_is_taken_over_only_when_its_holder_is_gone(
    migrated_url: str, tmp_path: Path
) -> None:
    clock = FixedClock(T0)
    desk, node = upload_desk(tmp_path / "egy", migrated_url, clock=clock)
    repository = UploadsRepository(node.engine)
    data = os.urandom(3 * MIB)
    other_host = "0" * 8 if host_tag() != "0" * 8 else "1" * 8
    try:
        with TestClient(create_app(node, background=False), headers=desk.auth) as client:
            location = _create(client, data)
            upload_id = location.rsplit("/", 1)[1]
            # Another host's writer holds the lease (its flock is not ours to see).
            stranger = other_host + "a" * 24
            until = T0 + timedelta(seconds=node.settings.upload_lease_seconds)
            assert repository.take_lease(upload_id, lease=stranger, offset=0, now=T0, until=until)
            refused = client.patch(location, content=data[:MIB], headers=patch_headers(0))
            assert refused.status_code == 409
            assert refused.headers["content-type"] == "application/problem+json"
            assert "ask for its offset (HEAD)" in refused.json()["detail"]
            # Once its lease has expired, the upload is taken over.
            clock.advance(timedelta(seconds=node.settings.upload_lease_seconds + 1))
            taken = client.patch(location, content=data[:MIB], headers=patch_headers(0))
            assert taken.status_code == 204, taken.text
            assert taken.headers["upload-offset"] == str(MIB)
            # The old holder wakes up: it can neither move the offset nor free the upload
            # for anyone but itself.
            assert not repository.advance(
                upload_id, lease=stranger, old_offset=MIB, new_offset=2 * MIB, until=until
            )
            # A lease of this host whose holder is gone (no flock held) is taken at once.
            dead = host_tag() + "b" * 24
            assert repository.take_lease(
                upload_id, lease=dead, offset=MIB, now=clock.now(), until=until + timedelta(hours=1)
            )
            done = client.patch(location, content=data[MIB:], headers=patch_headers(MIB))
            assert done.status_code == 204, done.text
            digest = hashlib.sha256(data).hexdigest()
            assert done.headers["hanoi-blob-digest"] == f"sha256:{digest}"
    finally:
        node.engine.dispose()
