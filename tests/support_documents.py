"""Documents in the officers' UI over HTTP, for the functional tests: a file uploaded
through /ui/uploads the way upload.js sends it, its SHA-256 announced in the metadata."""

from __future__ import annotations

import base64
import hashlib

from fastapi.testclient import TestClient

from support_ui import csrf

TUS = {"Tus-Resumable": "1.0.0"}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def uploaded(client: TestClient, data: bytes, media_type: str = "application/pdf") -> str:
    """A complete upload through /ui/uploads, as upload.js makes it; its id."""
    token = csrf(client)
    created = client.post(
        "/ui/uploads",
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": f"filename {b64('warrant.pdf')},filetype {b64(media_type)},"
            f"sha256 {b64(sha256(data))}",
            "X-CSRF-Token": token,
        },
    )
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    if not data:
        return str(location.rsplit("/", 1)[1])  # complete as soon as created
    patched = client.patch(
        location,
        content=data,
        headers={
            **TUS,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": "0",
            "X-CSRF-Token": token,
        },
    )
    assert patched.status_code == 204, patched.text
    return str(location.rsplit("/", 1)[1])
