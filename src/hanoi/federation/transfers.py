"""Evidence packages between nodes, for the rest of the node: one door to both directions.

:class:`TransferService` coordinates; each concern is a module of its own:

- sending (:mod:`hanoi.federation.sending`): the requested State packs evidence items of
  a request and offers them to the requesting State, on witnessed proofs only;
- receiving (:mod:`hanoi.federation.receiving`): the offer remembered, the package pulled
  in resumable ranges (:mod:`hanoi.federation.range_fetch`), verified in full before
  anything is accepted (:mod:`hanoi.federation.acceptance`), given up if never served;
- outcomes (:mod:`hanoi.federation.outcomes`): the receiver's verdict, told to the sender;
- kept reports (:mod:`hanoi.federation.package_reports`): what was found about each
  package, shown by its pages without verifying again;
- bytes (:mod:`hanoi.federation.package_bytes`): every package in the node's blob store,
  found by the SHA-256 its row records, so any process of any host serves or reads it.

Reading goes through the case check: a package is shown to its request's case team only,
and anyone else is told what they would be told of a package that does not exist. The
inbox hands evidence messages to :meth:`TransferService.on_offer` and
:meth:`TransferService.on_outcome` (the federation's ``EvidenceMessages`` port).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hanoi.accounts.model import Action, User
from hanoi.cooperation.service import CooperationService
from hanoi.errors import NotFound, Unavailable
from hanoi.evidence.isolated import VerifyBudget
from hanoi.evidence.items import EvidenceItem
from hanoi.evidence.service import EvidenceService
from hanoi.federation.envelope import VerifiedMessage
from hanoi.federation.outcomes import PackageOutcomes
from hanoi.federation.package_bytes import PackageBytes
from hanoi.federation.ports import NOT_SENT_YET, Direction, PackageRow, PackageStatus, PackageStore
from hanoi.federation.receiving import PackageReceiver
from hanoi.federation.sending import Awaiting, PackageSender, Sent


@dataclass(frozen=True, slots=True)
class Received:
    """A package and the evidence items recorded from it (none for an outgoing one)."""

    package: PackageRow
    items: tuple[EvidenceItem, ...]


class TransferService:
    def __init__(
        self,
        *,
        packages: PackageBytes,
        store: PackageStore,
        cooperation: CooperationService,
        evidence: EvidenceService,
        receiver: PackageReceiver,
        outcomes: PackageOutcomes,
        sender: PackageSender | None = None,
    ) -> None:
        self._bytes = packages
        self._store = store
        self._cooperation = cooperation
        self._evidence = evidence
        self.receiver = receiver
        """Offers, fetches and accepts incoming packages (:mod:`hanoi.federation.receiving`)."""
        self.sender = sender
        """Packs and offers outgoing packages (:mod:`hanoi.federation.sending`)."""
        self.outcomes = outcomes
        """Final statuses of incoming packages, told to their senders; their outcomes here."""

    @property
    def verify_budget(self) -> VerifyBudget:
        """The limits of a package's verification in a child process, by its size."""
        return self.receiver.acceptance.verify_budget

    def holds(self, row: PackageRow) -> bool:
        """Whether this node holds the package's bytes (packed, or downloaded whole)."""
        return self._bytes.held(row)

    def copy(self, row: PackageRow, *, checked: bool = True) -> AbstractContextManager[Path]:
        """The package's bytes in a temporary file while the block runs (NotFound if not
        held); ``checked``: against its SHA-256 (:meth:`PackageBytes.copy`)."""
        return self._bytes.copy(row, checked=checked)

    # --- sending ----------------------------------------------------------------------------

    def offer(self, user: User, request_id: str, evidence_ids: Sequence[str]) -> PackageRow:
        """Pack evidence items of a request for the requesting State and offer the package,
        on witnessed proofs only: ``offered``, or ``awaiting-witnesses`` if no checkpoint
        with the quorum came within ``witness_wait_seconds`` (sent later; ADR 0022)."""
        return self._sending().offer(user, request_id, evidence_ids)

    def send(self, user: User, request_id: str, evidence_ids: Sequence[str]) -> Sent:
        """As :meth:`offer`, saying whether this send made the package or found the one
        that holds the same items (sent once: :mod:`hanoi.federation.outgoing`)."""
        return self._sending().send(user, request_id, evidence_ids)

    def resume_outgoing(self) -> int:
        """Background: pack and offer the outgoing packages not offered yet whose next
        attempt is due (waiting for witnesses, or left half done by a crash)."""
        return self._sending().resume_due()

    def awaiting(self, row: PackageRow) -> Awaiting | None:
        """What an outgoing package not offered yet waits for (None for any other)."""
        if row.direction != Direction.OUTGOING or row.status not in NOT_SENT_YET:
            return None
        return self._sending().awaiting(row)

    def _sending(self) -> PackageSender:
        if self.sender is None:
            raise Unavailable("this node was built without a package sender")
        return self.sender

    def outgoing(self, package_id: str) -> PackageRow:
        """An outgoing package whose bytes this node serves, for the sender's HTTP route;
        NotFound otherwise (also while it is not offered yet)."""
        row = self._store.get(package_id) if _plausible(package_id) else None
        if (
            row is None
            or row.direction != Direction.OUTGOING
            or row.status in NOT_SENT_YET
            or not self._bytes.held(row)
        ):
            raise NotFound("no such package")
        return row

    def read_range(self, row: PackageRow, start: int, length: int) -> BinaryIO:
        """Bytes ``[start, start + length)`` of a package, as stored (the receiver checks
        the whole against the offer)."""
        return self._bytes.read_range(row, start, length)

    # --- receiving (the inbox's EvidenceMessages, and the background job) ---------------------

    def on_offer(self, verified: VerifiedMessage) -> None:
        """An ``evidence-offer`` verified by the inbox: the package is remembered for
        fetching."""
        self.receiver.register_offer(verified)

    def on_outcome(self, verified: VerifiedMessage) -> None:
        """An ``evidence-outcome`` verified by the inbox: applied to the package sent."""
        self.outcomes.apply(verified)

    def fetch_pending(self) -> int:
        """Background: fetch, verify and accept every incoming package whose next attempt
        is due (:meth:`PackageReceiver.fetch_pending`)."""
        return self.receiver.fetch_pending()

    def fetch(self, row: PackageRow) -> str:
        """Download an incoming package, resuming from the bytes this host already has, into
        the blob store; its digest there."""
        return self.receiver.fetch(row)

    def accept(self, package_id: str) -> Received:
        """Verify a fetched package fully, then record its files as evidence (once)."""
        row, items = self.receiver.accept(package_id)
        return Received(row, items)

    # --- reading --------------------------------------------------------------------------------

    def row(self, package_id: str) -> PackageRow | None:
        """A package by its id, without a case check: for the node's own work."""
        return self._store.get(package_id) if _plausible(package_id) else None

    def packages(self, user: User, request_id: str) -> list[Received]:
        self._cooperation.show(user, request_id)  # the case check
        return [Received(row, self._items_of(row)) for row in self._store.for_request(request_id)]

    def waiting(self, user: User, statuses: Sequence[PackageStatus]) -> list[PackageRow]:
        """The packages in ``statuses`` of ``user``'s cases (the store checks the case team:
        only requests ``user`` is assigned to), for the work queue."""
        user.require(Action.READ)
        return self._store.in_cases_of(user.id, statuses)

    def package(self, user: User, package_id: str) -> Received:
        """One package, for a member of its request's case team. Any other user is told
        exactly what they would be told of a package that does not exist."""
        row = self._store.get(package_id) if _plausible(package_id) else None
        if row is not None:
            try:
                self._cooperation.show(user, row.request_id)  # the case check
            except NotFound:
                row = None
        if row is None:
            raise NotFound("no such package among your cases")
        return Received(row, self._items_of(row))

    def _items_of(self, row: PackageRow) -> tuple[EvidenceItem, ...]:
        """The evidence items recorded from an incoming package, linked by its id (none for
        an outgoing one)."""
        if row.direction != Direction.INCOMING:
            return ()
        return tuple(self._evidence.held_for_package(row.id))


def _plausible(package_id: str) -> bool:
    return len(package_id) == 32 and all(c in "0123456789abcdef" for c in package_id)
