"""The statuses of an evidence package, on either side. Pure.

An outgoing package (the requested State sends evidence back) is ``packing`` while it is
built, ``awaiting-witnesses`` until its custody proofs rest on a checkpoint that enough
other States have cosigned (it never leaves before), ``offered`` once its offer is in the
outbox, then ``accepted`` or ``refused`` when the receiving node's signed outcome arrives.

An incoming package is ``offered`` when its offer arrives, ``fetching`` while it is
downloaded, then ``accepted`` (verified in full, its files recorded as evidence),
``refused`` (it failed a check; the reason is kept) or ``expired`` (its sender never
served it).
"""

from __future__ import annotations

from enum import StrEnum


class PackageStatus(StrEnum):
    PACKING = "packing"
    AWAITING_WITNESSES = "awaiting-witnesses"
    OFFERED = "offered"
    FETCHING = "fetching"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    EXPIRED = "expired"


NOT_SENT_YET = frozenset({PackageStatus.PACKING, PackageStatus.AWAITING_WITNESSES})
"""Outgoing packages not offered yet: packed again and offered by the background job."""
PENDING_INCOMING = frozenset({PackageStatus.OFFERED, PackageStatus.FETCHING})
"""Incoming packages still to download and verify."""
RECEIVED_IN_FULL = frozenset({PackageStatus.ACCEPTED, PackageStatus.REFUSED})
"""Incoming packages whose file was downloaded whole and verified (either way)."""
