"""Evidence sent back to the requesting State: stored, witnessed, packed, offered, in an
order that a crash at any point can resume, and never on an unwitnessed proof (ADR 0022).

The steps of :meth:`PackageSender.offer`, each named for the fault tests (``fault``):

1. ``stored``: the package's row, ``packing``, with the ids of its items and who asked
   (``evidence_packages.items``), under the package's lease in the database
   (:mod:`hanoi.leases`), so that the background job of no process of any host takes a
   package that a request is still packing;
2. ``witnessed``: a checkpoint of this node's log that holds every custody event of the
   items and is cosigned by the quorum of other States' witnesses
   (:class:`~hanoi.custody.quorum.QuorumWait`, asking the witnesses; an officer's
   request waits ``witness_wait_seconds`` at most, the background job only looks);
3. ``packed``: the ``.tar``, its proofs against that checkpoint, packed in a temporary
   file of this host and put into the node's blob store under its SHA-256
   (:mod:`hanoi.federation.package_bytes`), where any process of any host serves it;
4. ``offered``: in one transaction, the status ``offered``, the ``evidence-offer`` in the
   outbox (its message id derived from the package id) and the ``exported`` custody
   events (``OutgoingStore.offered``, :mod:`hanoi.federation.ports`; only a package not
   offered yet changes).

Without the quorum in time, the package is ``awaiting-witnesses`` and retried, later and
later (2 s doubling, at most 5 min), by the federation worker (:meth:`resume_due`). A
node killed before step 4 packs it again on its next round (a new ``.tar``: nobody has
seen the old one, whose blob is never referenced) and offers it once: a process of the
same host at once (it sees the killed process gone), another host's once the killed
process's lease has ended (:data:`~hanoi.leases.LEASE_SECONDS`).

Sending the same items again (a double click, a worried officer, a client that retries)
answers with the package that holds them, and packs nothing (:meth:`PackageSender.send`;
what "the same" means: :mod:`hanoi.federation.outgoing`). The look-up and step 1 run
under a lease per request, so two sends racing each other, in any processes, make one
package; a send waits for that lease :data:`REQUEST_WAIT_SECONDS` at most (the look-up
takes milliseconds), then is told to try again (``Unavailable``).
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hanoi.accounts.model import Action, User
from hanoi.clock import Clock
from hanoi.cooperation import Side
from hanoi.cooperation.ports import Outgoing
from hanoi.cooperation.service import CooperationService, RequestView
from hanoi.crypto.agekeys import AgeRecipient
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.custody.quorum import QuorumNotReached, QuorumWait
from hanoi.custody.service import CustodyLog, WitnessedCustody
from hanoi.errors import HanoiError, InvalidInput, RuleViolation
from hanoi.evidence.items import EvidenceItem
from hanoi.evidence.package import PackedPackage, export_package
from hanoi.evidence.package_conditions import package_conditions
from hanoi.evidence.report import PackageReport
from hanoi.evidence.service import EvidenceService
from hanoi.federation.messages import Message, MessageType
from hanoi.federation.outgoing import (
    AlreadySent,
    Awaiting,
    offer_message_id,
    same_package,
)
from hanoi.federation.package_bytes import PackageBytes
from hanoi.federation.ports import (
    NOT_SENT_YET,
    Direction,
    OutgoingStore,
    PackageRow,
    PackageStatus,
)
from hanoi.federation.service import DirectoryHolder
from hanoi.federation.witness_quorum import LogQuorum
from hanoi.leases import Leases
from hanoi.node.identity import NodeKeys

log = logging.getLogger("hanoi.federation")

__all__ = ["AlreadySent", "Awaiting", "PackageSender", "Sent", "offer_message_id"]

EXPORT_ARTICLE = "Art. 40(17)"
FIRST_RETRY = timedelta(seconds=2)
LONGEST_RETRY = timedelta(minutes=5)
REQUEST_WAIT_SECONDS = 10.0
"""How long a send waits for another send of the same request to store its package."""


@dataclass(frozen=True, slots=True)
class Sent:
    """What a send gave: the package, and whether this send made it (False: the same items
    were sent before, and ``package`` is the one that holds them)."""

    package: PackageRow
    new: bool


@dataclass(frozen=True, slots=True)
class _Plan:
    view: RequestView
    items: tuple[EvidenceItem, ...]
    officer: str


class PackageSender:
    def __init__(
        self,
        *,
        node_state: str,
        packages: PackageBytes,
        leases: Leases,
        keys: NodeKeys,
        directory: DirectoryHolder,
        store: OutgoingStore,
        cooperation: CooperationService,
        evidence: EvidenceService,
        custody: CustodyLog,
        quorum: QuorumWait,
        witnesses: LogQuorum,
        user_named: Callable[[str], User],
        clock: Clock,
        chunk_bytes: int,
        wait_seconds: float,
        wake: threading.Event | None = None,
    ) -> None:
        self._state = node_state
        self._bytes = packages
        self._leases = leases
        self._keys = keys
        self._directory = directory
        self._store = store
        self._cooperation = cooperation
        self._evidence = evidence
        self._custody = custody
        self._quorum = quorum
        self._witnesses = witnesses
        self._user_named = user_named
        self._clock = clock
        self._chunk = chunk_bytes
        self.wait_seconds = wait_seconds
        self._wake = wake or threading.Event()
        self.fault: Callable[[str], None] = lambda _step: None
        """Called after each step with its name (fault tests kill the process there)."""

    # --- an officer's request -------------------------------------------------------------

    def offer(self, user: User, request_id: str, evidence_ids: Sequence[str]) -> PackageRow:
        """Pack evidence items of a request for the requesting State and offer the package,
        once its proofs rest on a witnessed checkpoint; if none comes within the wait, the
        package is returned ``awaiting-witnesses`` and sent later by the background job.
        The same items sent again give the package that holds them (:meth:`send`)."""
        return self.send(user, request_id, evidence_ids).package

    def send(self, user: User, request_id: str, evidence_ids: Sequence[str]) -> Sent:
        """As :meth:`offer`, saying whether this send made the package. ``AlreadySent``
        (409) if an item is held by a live package of other items."""
        if not evidence_ids or len(evidence_ids) > 100:
            raise InvalidInput("name 1-100 evidence items to send")
        plan = self._plan(user, request_id, list(dict.fromkeys(evidence_ids)))
        row = self._new_row(user, request_id, plan)
        with self._leases.held(package_lease(row.id)) as mine:
            assert mine is not None  # a new id: nobody else holds it
            with self._leases.waited(
                request_lease(request_id),
                seconds=REQUEST_WAIT_SECONDS,
                what=f"sending evidence of request {request_id}",
            ):
                held = same_package(self._store.for_request(request_id), plan.items)
                if held is None:
                    self._store.add(row)
            if held is None:
                return Sent(self._first_attempt(row, plan), new=True)
        log.info("package %s for %s: the same items sent again", held.id, held.peer)
        return Sent(held, new=False)

    def _new_row(self, user: User, request_id: str, plan: _Plan) -> PackageRow:
        now = self._clock.now()
        return PackageRow(
            id=secrets.token_hex(16),
            request_id=request_id,
            direction=Direction.OUTGOING,
            peer=plan.view.request.requesting_state,
            sha256="",
            size=0,
            status=PackageStatus.PACKING,
            received=0,
            error=None,
            created_at=now,
            updated_at=now,
            next_attempt_at=now,
            items=json.dumps({"items": [i.id for i in plan.items], "officer": user.name}),
        )

    def _first_attempt(self, row: PackageRow, plan: _Plan) -> PackageRow:
        """Steps 2-4 for the package this request just stored, under the package's lock."""
        self.fault("stored")
        try:
            return self._attempt(row, plan, wait=self.wait_seconds)
        except Exception:
            self._store.discard(row.id)  # nothing left the node; the officer is told why
            raise

    def _plan(self, user: User, request_id: str, evidence_ids: Sequence[str]) -> _Plan:
        """The request and its items, as ``user`` may send them: the same checks for an
        officer's request and for the background job acting for them later."""
        user.require(Action.UPLOAD_EVIDENCE)
        view = self._cooperation.show(user, request_id)
        if view.side is not Side.REQUESTED:
            raise RuleViolation(
                "evidence goes back to the requesting State, from the requested one"
            )
        items = tuple(self._evidence.get(user, item_id) for item_id in evidence_ids)
        for item in items:
            if item.acquisition.request_ref != request_id:
                raise InvalidInput(f"evidence item {item.id} was not collected for {request_id}")
            if item.package_id is not None:
                raise InvalidInput(
                    f"evidence item {item.id} was received from another State, not collected here"
                )
        self._directory.entry(view.request.requesting_state)  # known, with its age key
        return _Plan(view, items, user.name)

    # --- the background job ---------------------------------------------------------------

    def resume_due(self) -> int:
        """Pack and offer every outgoing package whose next attempt is due: those waiting
        for witnesses, and those a killed process left half done. Returns how many were
        offered. Looks for a witnessed checkpoint without waiting (and asks the witnesses
        for the next attempt), so the federation worker's other tasks are not held up."""
        offered = 0
        for row in self._store.pending_outgoing(self._clock.now()):
            with self._leases.held(package_lease(row.id)) as mine:
                if mine is None:
                    continue  # an officer's request, or another process, has it
                current = self._store.get(row.id)
                if current is None or current.status not in NOT_SENT_YET:
                    continue
                due = current.next_attempt_at
                if due is not None and due > self._clock.now():
                    continue
                try:
                    done = self._attempt(current, self._replan(current), wait=0)
                except HanoiError as exc:  # the item or the case changed: said on its page
                    log.warning("package %s for %s: %s", row.id, row.peer, exc.diagnostics())
                    self._later(current, exc.diagnostics(), status=current.status)
                    continue
                except Exception as exc:  # a disk, say: tried again later, never in a hot loop
                    log.exception("package %s for %s: unexpected failure", row.id, row.peer)
                    self._later(current, f"{type(exc).__name__}: {exc}", status=current.status)
                    continue
                offered += done.status == PackageStatus.OFFERED
        return offered

    def _replan(self, row: PackageRow) -> _Plan:
        try:
            stored = json.loads(row.items or "")
            ids, officer = [str(i) for i in stored["items"]], str(stored["officer"])
        except (ValueError, KeyError, TypeError):
            raise InvalidInput("the package's list of items is unreadable") from None
        return self._plan(self._user_named(officer), row.request_id, ids)

    # --- one attempt ----------------------------------------------------------------------

    def _attempt(self, row: PackageRow, plan: _Plan, *, wait: float) -> PackageRow:
        deadline = self._clock.now() + timedelta(seconds=wait)
        while True:
            try:
                witnessed = self._quorum.witnessed(seconds=wait)
                self.fault("witnessed")
                packed, digest, size = self._pack(row, plan, witnessed)
                break
            except QuorumNotReached as exc:
                wait = (deadline - self._clock.now()).total_seconds()
                if wait > 0:  # an event logged meanwhile: wait for a checkpoint holding it
                    continue
                return self._later(row, exc.detail, status=PackageStatus.AWAITING_WITNESSES)
        self.fault("packed")
        now = self._clock.now()
        message = Message(
            id=offer_message_id(row.id),
            type=MessageType.EVIDENCE_OFFER,
            sender=self._state,
            recipient=row.peer,
            sent_at=now,
            request_id=row.request_id,
            body={
                "package_id": row.id,
                "package_sha256": digest,
                "package_size": size,
                "chunk_size": self._chunk,
            },
        )
        report = PackageReport(
            statement=packed.statement,
            signer=f"{self._state} (this node), key {packed.key_id}",
            key_id=packed.key_id,
            checks=(),
            unchecked=(),
            custody=(),
        ).as_json()
        won = self._store.offered(
            row.id,
            sha256=digest,
            size=size,
            report=json.dumps({"version": 1, **report, "verdict": "sent"}, ensure_ascii=False),
            message=Outgoing(
                id=message.id,
                recipient=row.peer,
                type=message.type.value,
                request_id=row.request_id,
                message=message.canonical().decode(),
                created_at=now,
            ),
            custody=self._custody.prepare(self._export_events(plan, row.request_id, now)),
            now=now,
        )
        self.fault("offered")
        if won:
            self._custody.notify()
            self._wake.set()
            log.info("package %s offered to %s: %d item(s)", row.id, row.peer, len(plan.items))
        return self._store.get(row.id) or row

    def _pack(
        self, row: PackageRow, plan: _Plan, custody: WitnessedCustody
    ) -> tuple[PackedPackage, str, int]:
        entry = self._directory.entry(row.peer)
        conditions, terms = package_conditions(
            plan.view.request, giving_state=self._state, catalogue=self._cooperation.catalogue
        )
        with self._bytes.scratch.temporary() as target:
            packed = export_package(
                target,
                items=plan.items,
                blobs=self._evidence.blobs,
                custody=custody,
                keys=self._keys,
                sending_state=self._state,
                request=row.request_id,
                recipients=[AgeRecipient.parse(entry.age_recipient)],
                clock=self._clock,
                conditions=conditions,
                terms=terms,
            )
            kept = self._bytes.keep(target)  # durable before the offer names its digest
        return packed, kept.digest, kept.size

    def _export_events(self, plan: _Plan, request_id: str, now: datetime) -> list[CustodyEvent]:
        """One ``exported`` event per item, as ``EvidenceService.record_export`` logs them,
        but queued in the transaction that offers the package."""
        return [
            CustodyEvent(
                action=CustodyAction.EXPORTED,
                time=now,
                node=self._state,
                officer=plan.officer,
                request_id=request_id,
                article=EXPORT_ARTICLE,
                evidence_sha256=item.sha256,
            )
            for item in plan.items
        ]

    def _later(self, row: PackageRow, error: str, *, status: PackageStatus) -> PackageRow:
        attempts = row.attempts + 1
        now = self._clock.now()
        at = now + min(FIRST_RETRY * 2 ** min(attempts - 1, 16), LONGEST_RETRY)
        log.warning(
            "package %s for %s not sent yet (attempt %d, the next at %s): %s",
            row.id,
            row.peer,
            attempts,
            at.isoformat(timespec="seconds"),
            error,
        )
        self._store.failed_attempt(
            row.id, status=status, attempts=attempts, at=at, error=error, now=now
        )
        return self._store.get(row.id) or row

    # --- what it waits for ----------------------------------------------------------------

    def awaiting(self, row: PackageRow) -> Awaiting:
        """What ``row`` (outgoing, not offered yet) waits for, as of now."""
        witnesses = self._witnesses.witnesses()
        return Awaiting(
            required=witnesses.required,
            states=tuple(sorted(set(witnesses.states.values()))),
            cosigned=witnesses.states_of(self._custody.latest_cosigners(witnesses.policy)),
            since=row.created_at,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
        )


def package_lease(package_id: str) -> str:
    """The name of the lease under which an outgoing package is packed and offered."""
    return f"package:outgoing:{package_id}"


def request_lease(request_id: str) -> str:
    """The name of the lease under which a send looks for a package of the same items and
    stores a new one."""
    return f"send:{request_id}"
