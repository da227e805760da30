"""Upload tests' nodes and wire helpers (issue 13, finding 4).

A node folder whose ``hanoi.toml`` names its database (SQLite or PostgreSQL, from the
``database_url`` fixture), so that the same node can be opened in-process and served by
a real ``hanoi serve``; an officer with an API token; tus headers; raw PATCHes on a
socket that stop half-way, the way a killed client or a dropped connection leaves them.
"""

from __future__ import annotations

import base64
import hashlib
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.node.folder import format_config
from hanoi.settings import CONFIG_FILE, read_config_file
from hanoi.wiring import Node
from support_nodes import T0, build_node

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"
MIB = 1024 * 1024


@dataclass(frozen=True)
class UploadDesk:
    """A node folder and an officer's bearer token."""

    folder: Path
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def upload_desk(
    folder: Path, database_url: str, *, clock: FixedClock | None = None, **settings: Any
) -> tuple[UploadDesk, Node]:
    """A new node on ``database_url`` with an officer; ``settings`` go into ``hanoi.toml``
    (e.g. ``upload_lease_seconds``), so a server started on the folder has them too. The
    node is returned open: dispose of its engine, or use it in-process."""
    node = build_node(folder, "EGY", database_url, clock or FixedClock(T0))
    officer = node.accounts.add_user(name="officer1", role=Role.OFFICER, password=None).user
    token = node.accounts.issue_token(officer)
    config = {**read_config_file(folder), "database_url": database_url, **settings}
    (folder / CONFIG_FILE).write_text(format_config(config), encoding="utf-8")
    return UploadDesk(folder=folder, token=token), node


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def checksum(data: bytes) -> str:
    """The ``Upload-Checksum`` header of a PATCH body."""
    return "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()


def patch_headers(offset: int, **extra: str) -> dict[str, str]:
    return {**TUS, "Content-Type": OCTETS, "Upload-Offset": str(offset), **extra}


class RawPatch:
    """A PATCH on its own socket that announces ``length`` bytes and sends what it is
    told: the test decides when the body stops, and whether the client then goes away."""

    def __init__(self, port: int, path: str, token: str, *, offset: int, length: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        head = (
            f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTus-Resumable: 1.0.0\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: {OCTETS}\r\n"
            f"Upload-Offset: {offset}\r\nContent-Length: {length}\r\n\r\n"
        )
        self.sock.sendall(head.encode())

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def status(self, timeout: float) -> int | None:
        """The status the server answered within ``timeout`` seconds, or None."""
        self.sock.settimeout(timeout)
        try:
            first = self.sock.recv(4096)
        except (TimeoutError, ConnectionResetError):
            return None
        if not first.startswith(b"HTTP/1.1 "):
            return None
        return int(first.split(b" ", 2)[1])

    def close(self) -> None:
        """Go away, as a killed client does: the body never reaches its announced length."""
        self.sock.close()
