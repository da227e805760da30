"""What a backup holds: one manifest, written last in the archive, that lists every part
with its SHA-256, size and mode, and the node's custody log as the database saw it.

Pure: no disk, no clock. A restore reads every part, hashes it, and calls
:meth:`Manifest.check_parts` before anything reaches the new folder (ADR 0048).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from hanoi.errors import IntegrityError, InvalidInput

FORMAT = "hanoi-backup/v1"
MANIFEST_NAME = "manifest.json"
DATABASE_PREFIX = "database/"
FOLDER_PREFIX = "folder/"
SQLITE_PART = DATABASE_PREFIX + "hanoi.db"
POSTGRES_PART = DATABASE_PREFIX + "postgresql.dump"
RESTORED_MARKER = "restored.json"
"""Written by ``hanoi restore`` into the new folder (what was restored, and from when);
``hanoi serve`` removes it once every witness said the log is not behind."""
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
"""A manifest line is about 150 bytes: room for a million and a half blobs."""


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    sha256: str
    size: int
    mode: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "size": self.size, "mode": self.mode}


@dataclass(frozen=True, slots=True)
class Manifest:
    state: str
    log_origin: str
    log_size: int
    """The custody log's published size in the database copied (for PostgreSQL, read in
    the snapshot ``pg_dump`` dumps)."""
    created: str
    engine: str
    """``sqlite`` or ``postgresql``."""
    blob_store: str
    """``disk`` (the blobs and tiles are parts) or ``s3`` (they stay in the bucket)."""
    parts: tuple[Part, ...]

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "state": self.state,
            "log_origin": self.log_origin,
            "log_size": self.log_size,
            "created": self.created,
            "engine": self.engine,
            "blob_store": self.blob_store,
            "parts": [part.to_json() for part in self.parts],
        }
        return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode()

    @property
    def database_part(self) -> str:
        return SQLITE_PART if self.engine == "sqlite" else POSTGRES_PART

    def check_parts(self, found: dict[str, tuple[str, int]]) -> None:
        """``found``: each part read from the archive, name -> (SHA-256, size). Raise
        unless they are exactly the manifest's parts, each with its digest and size."""
        listed = {part.name: part for part in self.parts}
        missing = sorted(set(listed) - set(found))
        if missing:
            raise IntegrityError(f"the backup lacks {len(missing)} part(s), first {missing[0]}")
        extra = sorted(set(found) - set(listed))
        if extra:
            raise IntegrityError(f"the backup holds a part its manifest omits: {extra[0]}")
        for name, (digest, size) in sorted(found.items()):
            part = listed[name]
            if (digest, size) != (part.sha256, part.size):
                raise IntegrityError(
                    f"digest mismatch: {name} has SHA-256 {digest} ({size} bytes), "
                    f"the manifest says {part.sha256} ({part.size} bytes)"
                )
        if self.database_part not in listed:
            raise IntegrityError(f"the backup lacks its database ({self.database_part})")


def check_part_name(name: str) -> str:
    """A part's name: a relative POSIX path under ``database/`` or ``folder/``, without
    ``..``, empty or hidden-traversal components."""
    path = PurePosixPath(name)
    if (
        not name
        or path.is_absolute()
        or any(p in ("", ".", "..") for p in name.split("/"))
        or not name.startswith((DATABASE_PREFIX, FOLDER_PREFIX))
        or "\\" in name
        or "\x00" in name
    ):
        raise InvalidInput(f"not a part of a Hanoi backup: {name[:200]!r}")
    return name


def parse_manifest(data: bytes) -> Manifest:
    try:
        document = json.loads(data)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise InvalidInput(f"not a {FORMAT} manifest")
        parts = tuple(
            Part(
                name=check_part_name(str(item["name"])),
                sha256=_hex(item["sha256"]),
                size=_count(item["size"]),
                mode=_count(item["mode"]) & 0o777,
            )
            for item in document["parts"]
        )
        manifest = Manifest(
            state=str(document["state"]),
            log_origin=str(document["log_origin"]),
            log_size=_count(document["log_size"]),
            created=str(document["created"]),
            engine=str(document["engine"]),
            blob_store=str(document["blob_store"]),
            parts=parts,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"the backup's manifest is malformed: {exc}") from None
    if manifest.engine not in ("sqlite", "postgresql"):
        raise InvalidInput(f"the backup's manifest names an unknown engine {manifest.engine!r}")
    if len({part.name for part in parts}) != len(parts):
        raise InvalidInput("the backup's manifest lists a part twice")
    return manifest


def _hex(value: object) -> str:
    text = str(value)
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError(f"not a SHA-256 in hex: {text[:70]!r}")
    return text


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"not a count: {value!r}")
    return value
