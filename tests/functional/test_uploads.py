"""tus resumable uploads over HTTP: a standard client, bad input, and a server killed mid-upload."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from tusclient import client as tus_client

from conftest import free_port, run_hanoi, start_server
from hanoi.blobs import read_all
from hanoi.settings import load_settings
from hanoi.web.app import create_app
from hanoi.wiring import open_node

TUS = {"Tus-Resumable": "1.0.0"}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def upload_node(node_dir: Path, tmp_path: Path) -> tuple[Path, str]:
    copy = tmp_path / "node"
    shutil.copytree(node_dir, copy)
    result = run_hanoi(
        "user", "add", "officer1", "--role", "officer", "--dir", str(copy), "--token"
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.split('"token": "')[1].split('"')[0]
    return copy, token


@pytest.fixture
def client(upload_node: tuple[Path, str]) -> Iterator[TestClient]:
    folder, token = upload_node
    node = open_node(load_settings(folder))
    with TestClient(create_app(node), headers={"Authorization": f"Bearer {token}"}) as test_client:
        test_client.app.state.test_node = node  # type: ignore[attr-defined]
        yield test_client
    node.engine.dispose()


def create(client: TestClient, length: int, **metadata: str) -> str:
    header = ",".join(f"{k} {b64(v)}" for k, v in metadata.items())
    response = client.post(
        "/api/v1/uploads", headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": header}
    )
    assert response.status_code == 201, response.text
    return response.headers["location"]


def patch(
    client: TestClient, location: str, offset: int, body: bytes, **headers: str
) -> httpx.Response:
    return client.patch(
        location,
        content=body,
        headers={
            **TUS,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": str(offset),
            **headers,
        },
    )


def test_options_advertise_the_extensions(client: TestClient) -> None:
    response = client.options("/api/v1/uploads")
    assert response.status_code == 204
    assert set(response.headers["tus-extension"].split(",")) == {
        "creation",
        "checksum",
        "termination",
    }
    assert response.headers["tus-checksum-algorithm"] == "sha256"


def test_upload_in_pieces_with_checksums_becomes_a_verified_blob(client: TestClient) -> None:
    data = os.urandom(300_000)
    location = create(
        client, len(data), filename="dump.bin", sha256=hashlib.sha256(data).hexdigest()
    )
    for start in range(0, len(data), 100_000):
        piece = data[start : start + 100_000]
        checksum = "sha256 " + base64.b64encode(hashlib.sha256(piece).digest()).decode()
        response = patch(client, location, start, piece, **{"Upload-Checksum": checksum})
        assert response.status_code == 204, response.text
        assert response.headers["upload-offset"] == str(start + len(piece))
    digest = hashlib.sha256(data).hexdigest()
    assert response.headers["hanoi-blob-digest"] == f"sha256:{digest}"
    node = client.app.state.test_node  # type: ignore[attr-defined]
    assert read_all(node.blobs, digest) == data
    described = client.get(location).json()
    assert described["complete"] is True
    assert described["metadata"]["filename"] == "dump.bin"


def test_checksum_mismatch_is_460_and_nothing_is_kept(client: TestClient) -> None:
    location = create(client, 10)
    bad = "sha256 " + base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    assert patch(client, location, 0, b"12345", **{"Upload-Checksum": bad}).status_code == 460
    assert client.head(location, headers=TUS).headers["upload-offset"] == "0"


def test_wrong_offset_is_409(client: TestClient) -> None:
    location = create(client, 10)
    assert patch(client, location, 0, b"12345").status_code == 204
    response = patch(client, location, 0, b"12345")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


def test_more_bytes_than_declared_is_refused(client: TestClient) -> None:
    location = create(client, 4)
    response = patch(client, location, 0, b"12345")
    assert response.status_code == 400
    assert "Upload-Length" in response.json()["detail"]
    assert client.head(location, headers=TUS).headers["upload-offset"] == "0"


def test_announced_digest_mismatch_becomes_nothing(client: TestClient) -> None:
    location = create(client, 5, sha256=hashlib.sha256(b"other").hexdigest())
    response = patch(client, location, 0, b"12345")
    assert response.status_code == 422
    node = client.app.state.test_node  # type: ignore[attr-defined]
    assert not node.blobs.exists(hashlib.sha256(b"12345").hexdigest())
    assert client.head(location, headers=TUS).status_code == 404


def test_limits(client: TestClient) -> None:
    node = client.app.state.test_node  # type: ignore[attr-defined]
    too_big = client.post(
        "/api/v1/uploads",
        headers={**TUS, "Upload-Length": str(node.settings.upload_max_bytes + 1)},
    )
    assert too_big.status_code == 413
    for _ in range(node.settings.uploads_per_user):
        create(client, 10)
    crowded = client.post("/api/v1/uploads", headers={**TUS, "Upload-Length": "10"})
    assert crowded.status_code == 429


def test_protocol_errors(client: TestClient) -> None:
    location = create(client, 5)
    assert client.post("/api/v1/uploads", headers={"Upload-Length": "5"}).status_code == 400
    wrong_type = client.patch(
        location, content=b"1", headers={**TUS, "Upload-Offset": "0", "Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    assert client.head("/api/v1/uploads/" + "0" * 32, headers=TUS).status_code == 404
    assert client.head("/api/v1/uploads/../../etc", headers=TUS).status_code == 404


def test_another_users_upload_is_not_found(
    client: TestClient, upload_node: tuple[Path, str]
) -> None:
    location = create(client, 5)
    folder, _ = upload_node
    other = run_hanoi(
        "user", "add", "officer2", "--role", "officer", "--dir", str(folder), "--token"
    )
    other_token = other.stdout.split('"token": "')[1].split('"')[0]
    response = client.head(location, headers={**TUS, "Authorization": f"Bearer {other_token}"})
    assert response.status_code == 404


def test_auditor_may_not_upload(client: TestClient, upload_node: tuple[Path, str]) -> None:
    folder, _ = upload_node
    auditor = run_hanoi(
        "user", "add", "audit1", "--role", "auditor", "--dir", str(folder), "--token"
    )
    token = auditor.stdout.split('"token": "')[1].split('"')[0]
    response = client.post(
        "/api/v1/uploads",
        headers={**TUS, "Upload-Length": "5", "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403


# --- a real server process and a standard tus client ------------------------------------


@pytest.mark.slow
def test_tuspy_client_uploads_and_resumes_after_the_server_is_killed(
    upload_node: tuple[Path, str], tmp_path: Path
) -> None:
    folder, token = upload_node
    data = os.urandom(5 * 1024 * 1024 + 123)
    digest = hashlib.sha256(data).hexdigest()
    source = tmp_path / "evidence.bin"
    source.write_bytes(data)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/uploads"
    # By hand, not conftest.serving: the test kills the process (SIGKILL) mid-body and starts
    # another on the same port, which the upload's URL names.
    server = start_server(folder, port)
    stream = source.open("rb")
    try:
        client = tus_client.TusClient(url, headers={"Authorization": f"Bearer {token}"})
        uploader = client.uploader(
            file_stream=stream,
            chunk_size=1024 * 1024,
            metadata={"sha256": digest, "filename": "evidence.bin"},
        )
        uploader.upload_chunk()
        uploader.upload_chunk()
        location = uploader.url
        assert uploader.offset == 2 * 1024 * 1024
        # Send part of a third chunk with no end, then kill the server mid-body.
        with socket_patch(
            port,
            location,
            token,
            offset=2 * 1024 * 1024,
            length=len(data),
            sent=data[2 * 1024 * 1024 : 2 * 1024 * 1024 + 300_000],
        ):
            time.sleep(0.5)
            server.send_signal(signal.SIGKILL)
            server.wait()
        server = start_server(folder, port)
        head = httpx.head(location, headers={**TUS, "Authorization": f"Bearer {token}"})
        assert head.headers["upload-offset"] == str(
            2 * 1024 * 1024
        )  # the partial body is not counted
        resumed = client.uploader(file_stream=stream, url=location, chunk_size=1024 * 1024)
        resumed.upload()
        described = httpx.get(location, headers={"Authorization": f"Bearer {token}"}).json()
        assert described["complete"] is True
        assert described["digest"] == digest
    finally:
        stream.close()
        server.kill()
        server.wait()
    node = open_node(load_settings(folder))
    try:
        assert read_all(node.blobs, digest) == data
    finally:
        node.engine.dispose()


class socket_patch:  # noqa: N801 - used as a context manager
    """A raw PATCH whose body is cut short: the connection stays open until the server dies."""

    def __init__(
        self, port: int, location: str, token: str, *, offset: int, length: int, sent: bytes
    ) -> None:
        import socket
        from urllib.parse import urlparse

        path = urlparse(location).path
        self._sock = socket.create_connection(("127.0.0.1", port))
        head = (
            f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTus-Resumable: 1.0.0\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Upload-Offset: {offset}\r\nContent-Length: {1024 * 1024}\r\n\r\n"
        )
        self._sock.sendall(head.encode() + sent)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self._sock.close()
