"""Replay protection and idempotency: the messages a node has already received.

A message is known by its id and its content digest
(:meth:`hanoi.federation.messages.Message.content_digest`, which leaves out the
``sent_at`` of the delivery attempt). The first delivery is ``new`` and is
applied; a later delivery of the same id with the same digest is a
``duplicate``, acknowledged again with a receipt and not applied twice; the same
id with another digest is a :class:`ReplayedMessage` and refused.

Ids are kept for good, not for a freshness window: the sender retries for as
long as a network cut lasts, re-signing each attempt, so a duplicate may
arrive days later and must still be recognised.

:class:`SeenMessages` is the port; a storage adapter implements it with a
unique key on the id, recording the id and digest in the same transaction as
the message itself. :class:`MemorySeenMessages` is for tests and the sandbox.
"""

from __future__ import annotations

import re
import threading
from enum import StrEnum
from typing import Protocol

from hanoi.errors import InvalidInput
from hanoi.federation.errors import ReplayedMessage
from hanoi.federation.messages import MESSAGE_ID

_DIGEST = re.compile(r"[0-9a-f]{64}")


class Outcome(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"


class SeenMessages(Protocol):
    def check_and_record(self, message_id: str, digest: str) -> Outcome:
        """Record ``message_id`` with ``digest`` if new; say whether it was.

        Raises :class:`ReplayedMessage` if the id is known with another digest.
        Atomic: of two concurrent calls with a new id, one returns ``NEW``.
        """
        ...


def check_arguments(message_id: str, digest: str) -> None:
    """What every implementation checks first, so they all refuse the same inputs."""
    if not MESSAGE_ID.fullmatch(message_id):
        raise InvalidInput(f"message id {message_id[:40]!r} is not 32 lowercase hex digits")
    if not _DIGEST.fullmatch(digest):
        raise InvalidInput("a message digest is 64 lowercase hex digits (SHA-256)")


def replayed(message_id: str) -> ReplayedMessage:
    return ReplayedMessage(
        f"message {message_id} was already received with different content; "
        "a message id is never reused"
    )


class MemorySeenMessages:
    """:class:`SeenMessages` in a dictionary, safe across threads."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}
        self._lock = threading.Lock()

    def check_and_record(self, message_id: str, digest: str) -> Outcome:
        check_arguments(message_id, digest)
        with self._lock:
            known = self._seen.get(message_id)
            if known is None:
                self._seen[message_id] = digest
                return Outcome.NEW
        if known != digest:
            raise replayed(message_id)
        return Outcome.DUPLICATE

    def __len__(self) -> int:
        return len(self._seen)
