"""The words the federation's records use, as enums: a package's direction and status,
a queued message's status. The database keeps their values. Pure, and imports nothing,
so that the message codecs (:mod:`hanoi.federation.messages`) and the ports
(:mod:`hanoi.federation.ports`) can both use them."""

from __future__ import annotations

from enum import StrEnum


class Direction(StrEnum):
    """Which way a package travels, seen from this node (also its folder's name)."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"


class PackageStatus(StrEnum):
    PACKING = "packing"
    AWAITING_WITNESSES = "awaiting-witnesses"
    OFFERED = "offered"
    FETCHING = "fetching"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    EXPIRED = "expired"


class PackageRefusal(StrEnum):
    """Why this node refused an incoming package, as a code: the statistics count refusals
    at acceptance by these (never by the error's words, which may name files or people)."""

    DAMAGED = "damaged"
    """The bytes downloaded twice did not match the offer's digest or length."""
    INTEGRITY = "integrity"
    """A digest, signature or custody proof in the package did not verify."""
    MALFORMED = "malformed"
    """Not a package Hanoi can read (BagIt layout, statement, manifest)."""
    RULE = "rule"
    """A rule was not met: too few other States cosigned its proofs (ADR 0022), or its
    conditions are not those of the request (Art. 36)."""
    UNKNOWN_REQUEST = "unknown-request"
    """It names a request or item this node does not hold."""
    UNRECORDED = "unrecorded"
    """Refused before reasons were recorded (migration 0018)."""


NOT_SENT_YET = frozenset({PackageStatus.PACKING, PackageStatus.AWAITING_WITNESSES})
"""Outgoing packages not offered yet: packed again and offered by the background job."""
PENDING_INCOMING = frozenset({PackageStatus.OFFERED, PackageStatus.FETCHING})
"""Incoming packages still to download and verify."""
RECEIVED_IN_FULL = frozenset({PackageStatus.ACCEPTED, PackageStatus.REFUSED})
"""Incoming packages whose file was downloaded whole and verified (either way)."""


FINAL_INCOMING = frozenset({PackageStatus.ACCEPTED, PackageStatus.REFUSED, PackageStatus.EXPIRED})
"""How an incoming package ends: what its receiver tells the sender (``evidence-outcome``)."""


class OutboxStatus(StrEnum):
    """A message to another State's node: ``pending`` until the recipient's signed receipt
    is kept, then ``delivered`` (:mod:`hanoi.federation.service`)."""

    PENDING = "pending"
    DELIVERED = "delivered"
