"""What sending a package needs besides its steps (:mod:`hanoi.federation.sending`): the
port to the packages table, what a package not sent yet waits for, the id of its offer,
and a file synced before it is offered."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from hanoi.cooperation.ports import Outgoing
from hanoi.custody.service import NewEvent
from hanoi.storage.transfers_repo import PackageRow

BLOCK = 8 * 1024 * 1024


class OutgoingStore(Protocol):
    """What the sender needs of the packages table (``TransfersRepository`` has it)."""

    def add(self, row: PackageRow) -> bool: ...

    def get(self, package_id: str) -> PackageRow | None: ...

    def pending_outgoing(self, now: datetime) -> list[PackageRow]: ...

    def failed_attempt(
        self,
        package_id: str,
        *,
        status: str,
        attempts: int,
        at: datetime | None,
        error: str,
        now: datetime,
        received: int | None = None,
    ) -> None: ...

    def offered(
        self,
        package_id: str,
        *,
        sha256: str,
        size: int,
        report: str,
        message: Outgoing,
        custody: Sequence[NewEvent],
        now: datetime,
    ) -> bool: ...

    def discard(self, package_id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Awaiting:
    """What an outgoing package not offered yet waits for (its page, the API)."""

    required: int
    """Cosignatures of witnesses of other States its proofs need."""
    states: tuple[str, ...]
    """The States whose witnesses count."""
    cosigned: tuple[str, ...]
    """Those whose witnesses cosigned this node's latest checkpoint."""
    since: datetime
    attempts: int
    next_attempt_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "cosignatures_required": self.required,
            "witnesses_of": list(self.states),
            "cosigned_by": list(self.cosigned),
            "since": self.since.isoformat(),
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
        }


def offer_message_id(package_id: str) -> str:
    """The id of a package's ``evidence-offer``: one per package, whichever process sends
    it, and not the package id itself (which fetches the package)."""
    return hashlib.sha256(f"hanoi evidence-offer {package_id}".encode()).hexdigest()[:32]


def synced_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, which is synced to disk first: once offered, a package
    must survive the sender's crash."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        os.fsync(stream.fileno())
        while chunk := stream.read(BLOCK):
            digest.update(chunk)
            size += len(chunk)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return digest.hexdigest(), size
