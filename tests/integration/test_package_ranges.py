"""The package route's ``Range`` answers over each blob store that holds packages (a local
folder, and real S3): ``206`` with ``Content-Range`` for one range, ``416`` for none
satisfiable, ``200`` without ``Range``; the body read in ranges from the store."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.testclient import TestClient

from hanoi.blobs import BlobStore
from hanoi.storage.blob_disk import DiskBlobStore
from hanoi.storage.blob_s3 import S3BlobStore
from hanoi.web.byte_ranges import ranged_response

SIZE = 3 * 1024 * 1024 + 123


@pytest.fixture(params=["disk", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "disk":
        return DiskBlobStore(tmp_path / "blobs")
    server = request.getfixturevalue("s3_server")
    return S3BlobStore(server.location(request.getfixturevalue("s3_bucket")))


@pytest.fixture
def served(store: BlobStore) -> tuple[TestClient, bytes]:
    data = os.urandom(SIZE)
    digest = store.put(io.BytesIO(data)).digest
    app = FastAPI()

    @app.get("/object")
    def get(request: Request) -> Response:
        return ranged_response(
            request.headers.get("range"),
            size=SIZE,
            etag=digest,
            media_type="application/x-tar",
            open_range=lambda start, length: store.open_range(digest, start, length),
        )

    return TestClient(app), data


def test_one_range_is_206_with_its_bytes(served: tuple[TestClient, bytes]) -> None:
    client, data = served
    for header, start, end in [
        ("bytes=0-99", 0, 99),
        (f"bytes=1000-{2 * 1024 * 1024}", 1000, 2 * 1024 * 1024),
        ("bytes=-10", SIZE - 10, SIZE - 1),
        (f"bytes={SIZE - 1}-", SIZE - 1, SIZE - 1),
    ]:
        answer = client.get("/object", headers={"Range": header})
        assert answer.status_code == 206, header
        assert answer.content == data[start : end + 1]
        assert answer.headers["content-range"] == f"bytes {start}-{end}/{SIZE}"
        assert answer.headers["content-length"] == str(end - start + 1)
        assert answer.headers["accept-ranges"] == "bytes"


def test_no_satisfiable_range_is_416(served: tuple[TestClient, bytes]) -> None:
    client, _ = served
    for header in (f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 10}"):
        answer = client.get("/object", headers={"Range": header})
        assert answer.status_code == 416
        assert answer.headers["content-range"] == f"bytes */{SIZE}"


def test_no_range_is_200_with_the_whole_object(served: tuple[TestClient, bytes]) -> None:
    client, data = served
    answer = client.get("/object")
    assert answer.status_code == 200
    assert answer.content == data
    assert answer.headers["content-length"] == str(SIZE)
    assert answer.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'  # the digest
    apart = client.get("/object", headers={"Range": "bytes=0-9,100-109"})
    assert apart.status_code == 200  # several ranges: the whole, not a multipart body
    assert apart.content == data
    assert client.get("/object", headers={"Range": "bytes=9-1"}).status_code == 400
