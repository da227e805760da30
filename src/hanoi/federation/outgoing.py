"""What sending a package needs besides its steps (:mod:`hanoi.federation.sending`): what
a package not sent yet waits for, the id of its offer, and which items a package already
holds. (Its port to the packages table, ``OutgoingStore``, is in
:mod:`hanoi.federation.ports`.)

**Sent once.** An outgoing package *holds* its items while it is live: being packed,
waiting for witnesses, offered, or accepted by the requesting State (:data:`LIVE`). A
package that State refused or gave up (``refused``, ``expired``) holds nothing: its items
may be sent again. Sending exactly the items of a live package of the same request again
(the same set of item ids, in any order) is the same send: the node answers with that
package instead of packing a second one (:func:`same_package`). Sending a set that shares
an item with a live package but differs from it is refused (:class:`AlreadySent`), naming
the package: the item would otherwise reach the requesting State twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hanoi.errors import Conflict
from hanoi.evidence.items import EvidenceItem
from hanoi.federation.ports import Direction, PackageRow, PackageStatus


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


# --- which items a package holds: sent once -------------------------------------------------

LIVE = frozenset(
    {
        PackageStatus.PACKING,
        PackageStatus.AWAITING_WITNESSES,
        PackageStatus.OFFERED,
        PackageStatus.ACCEPTED,
    }
)
"""Outgoing packages that hold their items: not refused nor given up by the receiver."""


class AlreadySent(Conflict):
    """An item chosen is held by a live package of other items (409): sending it again
    would give the requesting State the same evidence twice."""

    def __init__(self, item_id: str, package: PackageRow) -> None:
        super().__init__(
            f"evidence item {item_id} is already in package {package.id} ({package.status}), "
            "which holds other items: send only the items not sent yet, or exactly the items "
            "of that package to get it again"
        )
        self.item_id = item_id
        self.package = package


def _listed(row: PackageRow) -> tuple[frozenset[str] | None, frozenset[str]]:
    """The ids of the items ``row`` holds (``items``, migration 0011), or None for an older
    package that does not list them; then the SHA-256 of the files its statement lists."""
    try:
        ids = json.loads(row.items)["items"] if row.items else None
        if isinstance(ids, list):
            return frozenset(str(i) for i in ids), frozenset()
    except (ValueError, KeyError, TypeError):
        pass
    try:
        files = json.loads(row.report or "{}")["package"]["files"]
        return None, frozenset(str(f["sha256"]) for f in files)
    except (ValueError, KeyError, TypeError):
        return None, frozenset()


def holds(row: PackageRow, item: EvidenceItem) -> bool:
    """Whether the live outgoing package ``row`` holds ``item``."""
    if row.direction != Direction.OUTGOING or row.status not in LIVE:
        return False
    ids, digests = _listed(row)
    return item.id in ids if ids is not None else item.sha256 in digests


def holding(rows: Iterable[PackageRow], items: Iterable[EvidenceItem]) -> dict[str, PackageRow]:
    """Each item (by id) that a live outgoing package among ``rows`` holds, with the first
    such package."""
    live = [r for r in rows if r.direction == Direction.OUTGOING and r.status in LIVE]
    found: dict[str, PackageRow] = {}
    for item in items:
        row = next((r for r in live if holds(r, item)), None)
        if row is not None:
            found[item.id] = row
    return found


def _same_set(row: PackageRow, items: Sequence[EvidenceItem]) -> bool:
    ids, digests = _listed(row)
    if ids is not None:
        return ids == {i.id for i in items}
    return digests == {i.sha256 for i in items}


def same_package(rows: Iterable[PackageRow], items: Sequence[EvidenceItem]) -> PackageRow | None:
    """The live outgoing package that holds exactly ``items``, if there is one: sending them
    again is the same send. Raises :class:`AlreadySent` if one of them is held by a live
    package of other items."""
    live = [r for r in rows if r.direction == Direction.OUTGOING and r.status in LIVE]
    same = next((r for r in live if _same_set(r, items)), None)
    if same is not None:
        return same
    for item_id, row in holding(live, items).items():
        raise AlreadySent(item_id, row)
    return None
