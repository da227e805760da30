"""What the federation needs from the rest of the node, as Protocols, and the records it
exchanges with them. Pure. The SQL implementations are in the storage package
(``federation_repo`` is a :class:`MessageStore`, ``transfers_repo`` a
:class:`PackageStore`, ``custody_repo`` a :class:`WitnessPeerStore`), and the composition
root (``open_node``) hands them to the services: no module of this package imports
storage or the wiring (``tests/unit/test_layers.py`` holds that).

**Packages.** An evidence package travels in one :class:`Direction`. An outgoing package
(the requested State sends evidence back) is ``packing`` while it is built,
``awaiting-witnesses`` until its custody proofs rest on a checkpoint that enough other
States have cosigned (it never leaves before), ``offered`` once its offer is in the
outbox, then ``accepted`` or ``refused`` when the receiving node's signed outcome arrives.
An incoming package is ``offered`` when its offer arrives, ``fetching`` while it is
downloaded, then ``accepted`` (verified in full, its files recorded as evidence),
``refused`` (it failed a check; the reason is kept) or ``expired`` (its sender never
served it). The database keeps these strings (the enums' values).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from hanoi.cooperation.ports import Outgoing
from hanoi.custody.service import NewEvent
from hanoi.federation.envelope import VerifiedMessage
from hanoi.federation.vocabulary import (
    NOT_SENT_YET,
    PENDING_INCOMING,
    RECEIVED_IN_FULL,
    Direction,
    OutboxStatus,
    PackageRefusal,
    PackageStatus,
)

__all__ = [
    "NOT_SENT_YET",
    "PENDING_INCOMING",
    "RECEIVED_IN_FULL",
    "Direction",
    "OutboxStatus",
    "PackageRefusal",
    "PackageStatus",
]

# --- packages: the vocabulary (:mod:`hanoi.federation.vocabulary`) ----------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageRow:
    """A package as the node keeps it (one row of ``evidence_packages``)."""

    id: str
    request_id: str
    direction: Direction
    peer: str
    sha256: str
    size: int
    status: PackageStatus
    received: int
    error: str | None
    created_at: datetime
    updated_at: datetime
    report: str | None = None
    """JSON: the verification report of an incoming package (or the checks that held
    before it was refused), the statement's contents of an outgoing one."""
    attempts: int = 0
    """Failed fetches of an incoming package since it last made progress (migration 0010)."""
    next_attempt_at: datetime | None = None
    """Not fetched (incoming) or packed (outgoing) again before this time (None: at once)."""
    items: str | None = None
    """JSON: what an outgoing package not offered yet will hold, ``{"items": [ids],
    "officer": name}`` (migration 0011)."""


@dataclass(frozen=True, slots=True)
class PeerOutcome:
    """What the receiving State said of an outgoing package (ADR 0023)."""

    status: PackageStatus
    at: datetime
    """When the receiving node decided, by its clock."""
    reason: str | None
    report: str | None
    """The receiver's verification report (JSON text), as it sent it."""


# --- packages: the stores ------------------------------------------------------------------


class PackageFacts(Protocol):
    """What the outcomes read of a package (:class:`PackageRow` has it)."""

    @property
    def id(self) -> str: ...
    @property
    def request_id(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def peer(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def report(self) -> str | None: ...


class OutcomeStore(Protocol):
    """What the outcomes need of the packages table (:mod:`hanoi.federation.outcomes`)."""

    def get(self, package_id: str) -> PackageFacts | None: ...

    def conclude(
        self,
        package_id: str,
        *,
        status: PackageStatus,
        received: int,
        error: str | None,
        report: str | None,
        attempts: int | None,
        now: datetime,
        announce: Outgoing,
        reason: PackageRefusal | None = None,
    ) -> bool:
        """Give an incoming package its final status and queue ``announce``, in one
        transaction; False (nothing written) if it already had that status. ``report``
        replaces the kept report when given; ``attempts`` (an expiry) counts the last
        attempt and plans none; ``reason`` is a refusal's code."""
        ...

    def record_peer_outcome(
        self,
        package_id: str,
        *,
        status: PackageStatus,
        reason: str | None,
        peer_report: str | None,
        at: datetime,
        now: datetime,
    ) -> bool:
        """Set an outgoing package's outcome if it is still ``offered`` (a compare-and-set:
        one outcome wins); False otherwise."""
        ...

    def peer_outcomes(self, package_ids: Sequence[str]) -> dict[str, PeerOutcome]:
        """The outcomes the receiving States sent for these outgoing packages, by id."""
        ...


class OutgoingStore(Protocol):
    """What the sender needs of the packages table (:mod:`hanoi.federation.sending`)."""

    def add(self, row: PackageRow) -> bool:
        """Store a package; False if its id is already known."""
        ...

    def get(self, package_id: str) -> PackageRow | None: ...

    def for_request(self, request_id: str) -> list[PackageRow]:
        """A request's packages, both directions, oldest first."""
        ...

    def pending_outgoing(self, now: datetime) -> list[PackageRow]:
        """Outgoing packages not offered yet whose next attempt is due at ``now``, oldest
        first."""
        ...

    def failed_attempt(
        self,
        package_id: str,
        *,
        status: PackageStatus,
        attempts: int,
        at: datetime | None,
        error: str,
        now: datetime,
        received: int | None = None,
    ) -> None:
        """A failed attempt: counted, with its error; the next one not before ``at`` (None:
        no next one). ``received`` resets the bytes counted."""
        ...

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
    ) -> bool:
        """In one transaction: the package packed and ``offered``, its offer queued in the
        outbox and its custody events queued. Only a package not offered yet changes; False
        if another process offered it first."""
        ...

    def discard(self, package_id: str) -> None:
        """Forget an outgoing package that was never offered."""
        ...


class PackageStore(OutgoingStore, OutcomeStore, Protocol):
    """The packages table as the transfer service uses it: the sender's and the outcomes'
    needs, and the receiving side's."""

    def get(self, package_id: str) -> PackageRow | None: ...

    def in_cases_of(self, user_id: int, statuses: Sequence[PackageStatus]) -> list[PackageRow]:
        """The packages in ``statuses`` of the requests ``user_id`` is assigned to, oldest
        change first."""
        ...

    def pending_incoming(self, now: datetime) -> list[PackageRow]:
        """Incoming packages still to fetch or accept whose next attempt is due at ``now``,
        oldest offer first."""
        ...

    def progress(
        self,
        package_id: str,
        *,
        status: PackageStatus,
        received: int,
        now: datetime,
        error: str | None = None,
        report: str | None = None,
    ) -> None:
        """A new status; ``report`` (JSON) replaces the kept report when given."""
        ...

    def keep_report(self, package_id: str, report: str) -> None:
        """Keep what was found about a package (JSON), whatever its status."""
        ...


# --- messages: the outbox and the inbox ----------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxEntry:
    id: str
    recipient: str
    type: str
    request_id: str | None
    message: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxEntry:
    id: str
    content_sha256: str
    sender: str
    receipt: str


class MessageStore(Protocol):
    """What the federation service needs of the outbox and the inbox."""

    def claim_due(self, *, now: datetime, lease: timedelta, limit: int) -> list[OutboxEntry]:
        """Pending messages due now, each leased to the caller: another worker skips it
        until the lease ends."""
        ...

    def failed(self, message_id: str, *, error: str, retry_at: datetime) -> None: ...

    def delivered(
        self, message_id: str, *, receipt: str, custody: list[NewEvent], now: datetime
    ) -> None:
        """A pending message delivered, with its receipt and its ``sent`` custody event, in
        one transaction."""
        ...

    def seen(self, message_id: str) -> InboxEntry | None:
        """A message already accepted, by its id."""
        ...

    def accepted(
        self,
        *,
        message_id: str,
        content_sha256: str,
        sender: str,
        type: str,
        request_id: str | None,
        message: str,
        receipt: str,
        custody: list[NewEvent],
        now: datetime,
    ) -> bool:
        """Record an accepted message with its custody event; False if already recorded."""
        ...


# --- witnesses -----------------------------------------------------------------------------


class WitnessPeerStore(Protocol):
    """Which logs this node witnesses, and which witnesses it asks (the directory's other
    States, :mod:`hanoi.federation.witness_peering`)."""

    def trust(self, *, origin: str, verifier_key: str, now: datetime) -> None: ...

    def trusted(self) -> dict[str, str]:
        """The logs this node witnesses: origin -> verifier key."""
        ...

    def add_peer(self, *, name: str, url: str, cosigner_key: str, now: datetime) -> None: ...


# --- evidence messages -----------------------------------------------------------------------


class EvidenceMessages(Protocol):
    """Where the inbox hands the evidence messages it verified (the transfer service)."""

    def on_offer(self, verified: VerifiedMessage) -> None:
        """An ``evidence-offer``: remember the package for fetching."""
        ...

    def on_outcome(self, verified: VerifiedMessage) -> None:
        """An ``evidence-outcome``: apply the receiving State's verdict to a package sent."""
        ...
