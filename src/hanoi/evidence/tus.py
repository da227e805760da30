"""The tus 1.0 resumable upload protocol: headers and rules, with no I/O.

Core protocol, ``creation`` and ``checksum`` extensions
(https://tus.io/protocols/resumable-upload). The web layer parses headers with
these functions; :mod:`hanoi.evidence.uploads` applies the rules to storage.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from hanoi.errors import InvalidInput

TUS_VERSION = "1.0.0"
EXTENSIONS = ("creation", "checksum", "termination")
CHECKSUM_ALGORITHMS = ("sha256",)
MAX_METADATA_BYTES = 4096
_KEY = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def parse_length(value: str | None, *, header: str) -> int:
    # isdigit() alone takes "²" and other digits that int() refuses.
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 19:
        raise InvalidInput(f"{header} must be a non-negative decimal integer")
    return int(value)


def parse_metadata(value: str | None) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs; values are UTF-8."""
    if not value:
        return {}
    if len(value) > MAX_METADATA_BYTES:
        raise InvalidInput(f"Upload-Metadata is longer than {MAX_METADATA_BYTES} bytes")
    metadata: dict[str, str] = {}
    for pair in value.split(","):
        parts = pair.strip().split(" ")
        if len(parts) not in (1, 2) or not _KEY.match(parts[0]) or parts[0] in metadata:
            raise InvalidInput(f"Upload-Metadata has a malformed or repeated key: {pair[:40]!r}")
        try:
            decoded = base64.b64decode(parts[1], validate=True) if len(parts) == 2 else b""
            metadata[parts[0]] = decoded.decode("utf-8")
        except (ValueError, UnicodeDecodeError):  # binascii.Error, and non-ASCII input
            raise InvalidInput(
                f"Upload-Metadata value of {parts[0]!r} is not base64 UTF-8"
            ) from None
    return metadata


@dataclass(frozen=True, slots=True)
class Checksum:
    algorithm: str
    digest: bytes


def parse_checksum(value: str | None) -> Checksum | None:
    """``Upload-Checksum: sha256 <base64 digest>`` for the body of one PATCH."""
    if value is None:
        return None
    parts = value.strip().split(" ")
    if len(parts) != 2 or parts[0] not in CHECKSUM_ALGORITHMS:
        raise InvalidInput("Upload-Checksum must be 'sha256 <base64 digest>'")
    try:
        digest = base64.b64decode(parts[1], validate=True)
    except ValueError:  # binascii.Error, and non-ASCII input
        raise InvalidInput("Upload-Checksum digest is not base64") from None
    if len(digest) != 32:
        raise InvalidInput("Upload-Checksum sha256 digest must be 32 bytes")
    return Checksum(parts[0], digest)
