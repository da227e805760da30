"""Finding 4 of the attack run: two PATCHes on one upload at once corrupted it.

A first PATCH streams slowly; meanwhile a second one arrives at offset 0: a retry that
fails (a wrong Upload-Checksum, a dropped connection) or a second writer (another tab).
Before the per-upload lease, the second cut the staging file back to 0 while the first
was writing, and the first answered 204 with a digest over a blob with a hole of zeros
(five runs out of five). Now the second is refused with 409 while the first holds the
lease, and the completed blob has exactly the bytes sent. Both in-process (the app over
``httpx.ASGITransport``, bodies streamed) and against a real ``hanoi serve``, on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlparse

import anyio
import httpx
import pytest

from conftest import free_port, run_async, start_server
from hanoi.blobs import read_all
from hanoi.web.app import create_app
from hanoi.wiring import Node
from support_uploads import MIB, TUS, RawPatch, checksum, patch_headers, upload_desk

SIZE = 3 * MIB + 77
PIECE = 128 * 1024
PAUSE = 0.05  # between two pieces of the slow first PATCH: about a second in all
WRITING = 11  # the piece after which the first PATCH has bytes on disk (1.5 MiB)


def _pieces(data: bytes) -> Iterator[tuple[int, bytes]]:
    for n, start in enumerate(range(0, len(data), PIECE)):
        yield n, data[start : start + PIECE]


def _assert_no_corrupt_digest(first: httpx.Response, data: bytes, node: Node) -> None:
    """The first PATCH completed the upload, over exactly the bytes sent."""
    assert first.status_code == 204, first.text
    digest = hashlib.sha256(data).hexdigest()
    assert first.headers["hanoi-blob-digest"] == f"sha256:{digest}"
    assert read_all(node.blobs, digest) == data


def _assert_busy(second: httpx.Response | int | None) -> None:
    status = second if isinstance(second, int | None) else second.status_code
    assert status == 409, f"the second PATCH got {status}, not 409 Conflict"
    if isinstance(second, httpx.Response):
        assert second.headers["content-type"] == "application/problem+json"
        problem = second.json()
        assert "another request is writing to this upload" in problem["detail"]
        assert "HEAD" in problem["detail"]


# --- in-process: the app itself, two requests on one event loop ---------------------------

SECOND_PATCHES = {
    "a retry whose checksum fails": lambda data: {"Upload-Checksum": checksum(b"other bytes")},
    "a second writer (another tab)": lambda data: {"Upload-Checksum": checksum(data)},
}


@pytest.mark.parametrize("second_kind", SECOND_PATCHES)
def test_a_second_patch_is_refused_while_the_first_writes(
    migrated_url: str, tmp_path: Path, second_kind: str
) -> None:
    desk, node = upload_desk(tmp_path / "egy", migrated_url)
    data = os.urandom(SIZE)
    results: dict[str, httpx.Response] = {}

    async def race() -> None:
        transport = httpx.ASGITransport(app=create_app(node, background=False))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1", headers=desk.auth
        ) as client:
            created = await client.post(
                "/api/v1/uploads", headers={**TUS, "Upload-Length": str(len(data))}
            )
            assert created.status_code == 201, created.text
            location = created.headers["location"]
            streaming = anyio.Event()

            async def slow_body() -> AsyncIterator[bytes]:
                for n, piece in _pieces(data):
                    yield piece
                    if n == WRITING:
                        streaming.set()
                    await anyio.sleep(PAUSE)

            async def first() -> None:
                results["first"] = await client.patch(
                    location, content=slow_body(), headers=patch_headers(0)
                )

            async with anyio.create_task_group() as group:
                group.start_soon(first)
                await streaming.wait()
                await anyio.sleep(0.1)
                extra = SECOND_PATCHES[second_kind](data)
                results["second"] = await client.patch(
                    location, content=data, headers=patch_headers(0, **extra)
                )

    try:
        run_async(race)
        _assert_no_corrupt_digest(results["first"], data, node)
        _assert_busy(results["second"])
    finally:
        node.engine.dispose()


# --- a real server: the attack run's dropped retry, on a socket --------------------------------


@pytest.mark.slow
def test_a_dropped_retry_cannot_cut_a_patch_that_is_still_writing(
    migrated_url: str, tmp_path: Path
) -> None:
    desk, node = upload_desk(tmp_path / "egy", migrated_url)
    node.engine.dispose()
    data = os.urandom(SIZE)
    port = free_port()
    server = start_server(desk.folder, port)
    results: dict[str, httpx.Response] = {}
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, headers=desk.auth, timeout=60) as client:
            created = client.post(
                "/api/v1/uploads", headers={**TUS, "Upload-Length": str(len(data))}
            )
            assert created.status_code == 201, created.text
            location = created.headers["location"]
        streaming = threading.Event()

        def slow_body() -> Iterator[bytes]:
            for n, piece in _pieces(data):
                yield piece
                if n == WRITING:
                    streaming.set()
                time.sleep(PAUSE)

        def first() -> None:
            with httpx.Client(base_url=base, headers=desk.auth, timeout=60) as own:
                results["first"] = own.patch(
                    location, content=slow_body(), headers=patch_headers(0)
                )

        writer = threading.Thread(target=first)
        writer.start()
        assert streaming.wait(timeout=30)
        time.sleep(0.1)
        # The retry sends its headers and a first stretch of the body, then drops.
        retry = RawPatch(port, urlparse(location).path, desk.token, offset=0, length=len(data))
        retry.send(data[:300_000])
        second = retry.status(timeout=3)
        retry.close()
        writer.join(timeout=60)
        assert not writer.is_alive()
        reopened = _open(desk.folder)
        try:
            _assert_no_corrupt_digest(results["first"], data, reopened)
        finally:
            reopened.engine.dispose()
        _assert_busy(second)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _open(folder: Path) -> Node:
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    return open_node(load_settings(folder))
