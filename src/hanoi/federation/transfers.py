"""Evidence packages between nodes: offered by the State that executed a request, pulled in
resumable ranges by the State that asked for it, verified in full before anything is
accepted.

The package (BagIt + age + signed statement + custody proofs, ``docs/evidence.md``) is
encrypted to the receiving node and signed by the sending node, so the sender serves it
by an unguessable id (128 random bits, carried only inside a signed, encrypted
``evidence-offer`` message) without other authentication. The receiver downloads it with
HTTP ``Range`` requests into a ``.part`` file that survives restarts, checks its size and
SHA-256 against the offer, verifies it offline against the sender's keys from the
directory (bag, signature, custody proofs, and every payload decrypted and checked), and
only then stores each file as an evidence item with a ``received`` custody event.

Each package keeps what was found about it (:class:`KeptReport`, JSON in its row): the
verification report of an accepted package, the checks that held before a refused one
failed, the statement's contents of a sent one; pages show it without verifying again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from hanoi.accounts.model import Action, User
from hanoi.clock import Clock
from hanoi.cooperation.service import CooperationService
from hanoi.custody.service import CustodyLog
from hanoi.directory.trust import TrustedDirectory
from hanoi.errors import (
    HanoiError,
    IntegrityError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RuleViolation,
    Unavailable,
)
from hanoi.evidence.age import Decryptor
from hanoi.evidence.bagio import open_bag
from hanoi.evidence.isolated import VerifyBudget, verify_isolated
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.evidence.report import Check
from hanoi.evidence.service import EvidenceService
from hanoi.evidence.trust import TrustStore
from hanoi.federation.envelope import VerifiedMessage
from hanoi.federation.messages import thaw
from hanoi.federation.offer_retry import EXPIRED, MISSING_STATUSES, OfferRetry
from hanoi.federation.outcomes import PackageOutcomes
from hanoi.federation.ports import (
    NOT_SENT_YET,
    PENDING_INCOMING,
    Direction,
    MessageStore,
    PackageRow,
    PackageStatus,
    PackageStore,
)
from hanoi.federation.sending import Awaiting, PackageSender, Sent
from hanoi.federation.service import DirectoryHolder
from hanoi.federation.witness_quorum import acceptance_quorum
from hanoi.node.identity import NodeIdentity, NodeKeys

log = logging.getLogger("hanoi.federation")

PACKAGES_PATH = "/federation/v1/packages"
CHUNK = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Received:
    package: PackageRow
    items: tuple[EvidenceItem, ...]


REPORT_VERSION = 1


@dataclass(frozen=True, slots=True)
class KeptFile:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class KeptStep:
    """A custody step the verification proved (``PackageReport.custody``)."""

    action: str
    time: datetime
    node: str
    officer: str
    article: str
    evidence_sha256: str | None
    log_origin: str
    index: int
    witnesses: int


@dataclass(frozen=True, slots=True)
class KeptTerm:
    """A condition that travels with the package (the statement's ``terms``): its kind
    (a key of the Convention catalogue's conditions), the State that imposed it, its text
    as signed, and its article."""

    kind: str
    imposed_by: str
    text: str
    article: str


_TERM_FIELDS = ("kind", "imposed_by", "text")


def _terms(value: Any) -> tuple[KeptTerm, ...]:
    """The kept report's ``conditions`` (older reports have none: an empty tuple)."""
    if not isinstance(value, list):
        return ()
    return tuple(
        KeptTerm(str(t["kind"]), str(t["imposed_by"]), str(t["text"]), str(t.get("article", "")))
        for t in value
        if isinstance(t, dict) and all(isinstance(t.get(k), str) for k in _TERM_FIELDS)
    )


@dataclass(frozen=True, slots=True)
class KeptReport:
    """What was found about a package, kept with it. ``verdict``: ``verified`` (accepted:
    every check held), ``not-verified`` (refused: the checks that held before the one that
    failed), ``sent`` (an outgoing package: what its statement says; the receiver
    verifies it)."""

    verdict: str
    checks: tuple[Check, ...] = ()
    unchecked: tuple[str, ...] = ()
    custody: tuple[KeptStep, ...] = ()
    conditions: tuple[tuple[str, str], ...] = ()
    """The four legacy texts (``use_limitation``...), for packages without ``terms``."""
    terms: tuple[KeptTerm, ...] = ()
    files: tuple[KeptFile, ...] = ()
    signer: str | None = None
    signing_key_id: str | None = None
    created: datetime | None = None

    @classmethod
    def from_json(cls, text: str) -> KeptReport:
        """Read a kept report; ``InvalidInput`` if it is not one."""
        try:
            value = json.loads(text)
            package = value.get("package") or {}
            return cls(
                verdict=str(value["verdict"]),
                checks=tuple(Check(str(c["area"]), str(c["detail"])) for c in value["checked"]),
                unchecked=tuple(str(u) for u in value.get("not_checked", ())),
                custody=tuple(
                    KeptStep(
                        action=str(step["type"]),
                        time=datetime.fromisoformat(step["time"]),
                        node=str(step["node"]),
                        officer=str(step["officer"]),
                        article=str(step["article"]),
                        evidence_sha256=step.get("evidence_sha256"),
                        log_origin=str(step["log_origin"]),
                        index=int(step["index"]),
                        witnesses=len(step["witnesses"]),
                    )
                    for step in value.get("custody", ())
                ),
                conditions=tuple(
                    (str(k), str(v)) for k, v in sorted(package.get("conditions", {}).items())
                ),
                terms=_terms(value.get("conditions")),
                files=tuple(
                    KeptFile(str(f["name"]), str(f["sha256"]), int(f["size"]))
                    for f in package.get("files", ())
                ),
                signer=package.get("signer"),
                signing_key_id=package.get("signing_key_id"),
                created=datetime.fromisoformat(package["created"])
                if package.get("created")
                else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidInput(f"not a kept package report: {type(exc).__name__}") from None


def _report_text(value: dict[str, Any]) -> str:
    return json.dumps({"version": REPORT_VERSION, **value}, ensure_ascii=False)


class TransferService:
    def __init__(
        self,
        *,
        node_state: str,
        folder: Path,
        keys: NodeKeys,
        directory: DirectoryHolder,
        store: PackageStore,
        outbox: MessageStore,
        cooperation: CooperationService,
        evidence: EvidenceService,
        custody: CustodyLog,
        clock: Clock,
        max_bytes: int,
        chunk_bytes: int = CHUNK,
        wake: threading.Event | None = None,
        client: Callable[[], httpx.Client] = lambda: httpx.Client(timeout=60),
        verify_budget: VerifyBudget | None = None,
        retry: OfferRetry | None = None,
        sender: PackageSender | None = None,
        min_witnesses: int = 0,
    ) -> None:
        self._state = node_state
        self._folder = folder
        self._keys = keys
        self._directory = directory
        self._store = store
        self._outbox = outbox
        self._cooperation = cooperation
        self._evidence = evidence
        self._custody = custody
        self._clock = clock
        self._max_bytes = max_bytes
        self._chunk = chunk_bytes
        self._wake = wake or threading.Event()
        self._client = client
        self._verify_budget = verify_budget or VerifyBudget()
        self._retry = retry or OfferRetry()
        self.sender = sender
        """Packs and offers outgoing packages (:mod:`hanoi.federation.sending`)."""
        self._min_witnesses = min_witnesses
        """The node's ``min_witnesses``: received packages' proofs must meet it, capped by
        the directory (:func:`directory_trust`)."""
        self.outcomes = PackageOutcomes(
            node_state=node_state, store=store, clock=clock, wake=self._wake
        )
        """Final statuses of incoming packages, told to their senders; their outcomes here."""

    @property
    def verify_budget(self) -> VerifyBudget:
        """The limits of a package's verification in a child process, by its size."""
        return self._verify_budget

    def _path(self, direction: Direction, package_id: str, suffix: str) -> Path:
        folder = self._folder / direction
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{package_id}{suffix}"

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

    def row(self, package_id: str) -> PackageRow | None:
        """A package by its id, without a case check: for the node's own work."""
        return self._store.get(package_id) if _plausible(package_id) else None

    def outgoing_file(self, package_id: str) -> Path:
        """The file of an outgoing package, for the sender's HTTP route; NotFound otherwise
        (also while it is not offered yet: its file may be an attempt a crash cut short)."""
        row = self._store.get(package_id) if _plausible(package_id) else None
        path = self._path(Direction.OUTGOING, package_id, ".tar")
        if (
            row is None
            or row.direction != Direction.OUTGOING
            or row.status in NOT_SENT_YET
            or not path.is_file()
        ):
            raise NotFound("no such package")
        return path

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

    # --- receiving ------------------------------------------------------------------------------

    def register_offer(self, verified: VerifiedMessage) -> None:
        """An evidence-offer message, verified by the inbox: remember it for fetching."""
        body = thaw(verified.message.body)
        size = int(body["package_size"])
        if size > self._max_bytes:
            raise PayloadTooLarge(f"the package is larger than this node takes ({self._max_bytes})")
        now = self._clock.now()
        row = PackageRow(
            id=body["package_id"],
            request_id=verified.message.request_id or "",
            direction=Direction.INCOMING,
            peer=verified.message.sender,
            sha256=body["package_sha256"],
            size=size,
            status=PackageStatus.OFFERED,
            received=0,
            error=None,
            created_at=now,
            updated_at=now,
        )
        if not self._store.add(row):
            held = self._store.get(row.id)
            if held is None or (held.sha256, held.size, held.peer) != (
                row.sha256,
                row.size,
                row.peer,
            ):
                raise IntegrityError("a package with this id and other contents is known here")

    def fetch_pending(self) -> int:
        """Fetch, verify and accept every incoming package whose next attempt is due
        (background). A package its sender fails to serve is tried again later and later,
        and given up in the end (:mod:`hanoi.federation.offer_retry`), so a round with
        nothing due asks nothing of the network.

        Each package is handled under an exclusive lock on a file beside it, so that
        several server processes never download or accept the same package at once."""
        done = 0
        for row in self._store.pending_incoming(self._clock.now()):
            lock_path = self._path(Direction.INCOMING, row.id, ".lock")
            with lock_path.open("a") as lock:
                try:
                    fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # another process has it
                current = self._store.get(row.id)
                if current is None or current.status not in PENDING_INCOMING:
                    continue
                if current.next_attempt_at is not None and current.next_attempt_at > (
                    self._clock.now()
                ):
                    continue  # another process failed with it meanwhile
                done += self._fetch_and_accept(current)
        return done

    def _fetch_and_accept(self, row: PackageRow) -> int:
        try:
            self.fetch(row)
            self.accept(row.id)
        except httpx.HTTPStatusError as exc:
            self._retry_later(row, str(exc), missing=exc.response.status_code in MISSING_STATUSES)
            return 0
        except (httpx.HTTPError, OSError, Unavailable) as exc:
            self._retry_later(row, str(exc) or type(exc).__name__, missing=False)
            return 0
        except _Corrupt as exc:
            if row.error != exc.detail:  # discard the download and fetch it once more
                log.warning("package %s from %s: %s (starting again)", row.id, row.peer, exc.detail)
                self._store.progress(
                    row.id,
                    status=PackageStatus.OFFERED,
                    received=0,
                    now=self._clock.now(),
                    error=exc.detail,
                )
                return 0
            log.warning("package %s from %s refused: %s, twice", row.id, row.peer, exc.detail)
            self.outcomes.conclude(row, status=PackageStatus.REFUSED, received=0, error=exc.detail)
            return 0
        except (IntegrityError, InvalidInput, RuleViolation, NotFound) as exc:
            log.warning("package %s from %s refused: %s", row.id, row.peer, exc.detail)
            self.outcomes.conclude(
                row, status=PackageStatus.REFUSED, received=row.received, error=exc.detail[:500]
            )
            return 0
        except Exception as exc:  # never retried in a hot loop, whatever it is
            log.exception("package %s from %s: unexpected failure", row.id, row.peer)
            self._retry_later(row, f"{type(exc).__name__}: {exc}", missing=False)
            return 0
        return 1

    def _retry_later(self, row: PackageRow, error: str, *, missing: bool) -> None:
        """One failed attempt: logged once, and the next one later; past the offer's
        deadline, the package is given up (``expired``)."""
        now = self._clock.now()
        current = self._store.get(row.id) or row
        # Bytes received since the last attempt: the sender is there, start the waits again.
        attempts = 1 if current.received > row.received else row.attempts + 1
        at = self._retry.next_attempt(
            attempts=attempts, offered_at=row.created_at, now=now, missing=missing
        )
        if at is None:
            days = self._retry.expiry / timedelta(days=1)
            detail = (
                f"the sending node did not serve the package within {days:g} days of the "
                f"offer ({attempts} attempts); last error: {error}"
            )
            log.warning("package %s from %s given up: %s", row.id, row.peer, detail)
            self._path(Direction.INCOMING, row.id, ".part").unlink(missing_ok=True)
            self.outcomes.conclude(
                row, status=EXPIRED, received=0, error=detail, attempts=attempts, now=now
            )
            return
        log.warning(
            "package %s from %s: %s (attempt %d; the next at %s)",
            row.id,
            row.peer,
            error,
            attempts,
            at.isoformat(timespec="seconds"),
        )
        self._store.failed_attempt(
            row.id,
            status=PackageStatus.FETCHING if current.received else PackageStatus.OFFERED,
            attempts=attempts,
            at=at,
            error=error,
            now=now,
        )

    def fetch(self, row: PackageRow) -> Path:
        """Download the package, resuming from the bytes already on disk; check it whole."""
        final = self._path(Direction.INCOMING, row.id, ".tar")
        if final.exists():
            return final
        part = self._path(Direction.INCOMING, row.id, ".part")
        have = part.stat().st_size if part.exists() else 0
        if have > row.size:
            part.unlink()
            have = 0
        hasher = hashlib.sha256()
        if have:
            with part.open("rb") as done:  # the bytes kept from before: hashed once
                while block := done.read(CHUNK):
                    hasher.update(block)
        url = self._directory.entry(row.peer).node_url.rstrip("/") + f"{PACKAGES_PATH}/{row.id}"
        self._store.progress(
            row.id, status=PackageStatus.FETCHING, received=have, now=self._clock.now()
        )

        def keep(block: bytes) -> None:  # on a second thread: both calls release the GIL
            out.write(block)
            hasher.update(block)

        with (
            self._client() as client,
            part.open("ab") as out,
            ThreadPoolExecutor(max_workers=1) as disk,
        ):
            while have < row.size:  # one range per request: each is on disk before the next
                last = min(have + self._chunk, row.size) - 1
                wanted = last - have + 1
                got = 0
                with client.stream("GET", url, headers={"Range": f"bytes={have}-{last}"}) as answer:
                    if answer.status_code != 206:
                        raise httpx.HTTPStatusError(
                            f"{row.peer} answered {answer.status_code} to a range request",
                            request=answer.request,
                            response=answer,
                        )
                    pending: Future[None] | None = None
                    for block in answer.iter_raw(4 * 1024 * 1024):
                        got += len(block)
                        if got > wanted:
                            raise IntegrityError("the peer sent more than the range asked for")
                        if pending is not None:
                            pending.result()  # in order, and at most one block in flight
                        pending = disk.submit(keep, block)
                    if pending is not None:
                        pending.result()
                if got != wanted:
                    raise httpx.TransportError(f"short range: {got} of {wanted} bytes")
                out.flush()
                os.fsync(out.fileno())
                have = last + 1
                self._store.progress(
                    row.id, status=PackageStatus.FETCHING, received=have, now=self._clock.now()
                )
        if hasher.hexdigest() != row.sha256:
            part.unlink()
            raise _Corrupt("the download does not match the SHA-256 of the offer")
        os.replace(part, final)
        return final

    def accept(self, package_id: str) -> Received:
        """Verify a fetched package fully, then record its files as evidence (once)."""
        row = self._store.get(package_id)
        if row is None or row.direction != Direction.INCOMING:
            raise NotFound("no such incoming package")
        if row.status == PackageStatus.ACCEPTED:
            return Received(row, ())
        path = self._path(Direction.INCOMING, package_id, ".tar")
        held_checks: list[Check] = []
        try:
            # In a child process with limits: a hostile package never stops this node.
            report = verify_isolated(
                path,
                trust=self._trust(),
                identities=[self._keys.age],
                run=self._verify_budget.for_size(path.stat().st_size if path.is_file() else 0),
                on_check=held_checks.append,
            )
            statement = report.statement
            if statement.sending_state != row.peer or statement.request != row.request_id:
                raise IntegrityError("the package is not the one offered for this request")
            if not report.verified:  # a log not in the directory, a file without custody
                raise IntegrityError(report.verdict())
        except Unavailable:
            raise  # no verification ran: tried again later
        except HanoiError:
            self._store.keep_report(
                package_id,
                _report_text(
                    {
                        "verdict": "not-verified",
                        "checked": [{"area": c.area, "detail": c.detail} for c in held_checks],
                    }
                ),
            )
            raise
        now = self._clock.now()
        items = []
        held = {i.sha256 for i in self._evidence.held_for_package(package_id)}
        bag = open_bag(path)
        for entry in statement.payload:
            if entry.sha256 in held:
                continue
            with bag.open(entry.path) as raw, Decryptor(raw, [self._keys.age]) as plaintext:
                recorded = self._evidence.record_received(
                    plaintext,  # type: ignore[arg-type]
                    sha256=entry.sha256,
                    acquisition=Acquisition(
                        original_name=entry.name,
                        media_type=entry.media_type or "application/octet-stream",
                        source_kind=SourceKind.SYSTEM,
                        source=f"node of {row.peer}, package {package_id}",
                        method="received in an evidence package verified in full "
                        "(signature, custody proofs, digests)",
                        acquired_at=now,
                        officer=f"{self._state.lower()}-node",
                        request_ref=row.request_id,
                        article="Art. 40(17)",
                    ),
                    package_id=package_id,
                )
            items.append(recorded.item)
        self.outcomes.conclude(  # the status, and the outcome queued for the sender
            row,
            status=PackageStatus.ACCEPTED,
            received=row.size,
            report=_report_text(report.as_json()),
            now=now,
        )
        log.info("package %s from %s accepted: %d item(s)", package_id, row.peer, len(items))
        return Received(row, tuple(items))

    def _trust(self) -> TrustStore:
        """The directory as the verifier's trust store, with this node's witness quorum: a
        package whose proofs rest on a checkpoint too few other States cosigned is refused."""
        return directory_trust(
            self._directory.current(), self._clock.now(), min_witnesses=self._min_witnesses
        )

    def package_file(self, direction: Direction, package_id: str) -> Path:
        """Where the package file of that direction (``incoming``, ``outgoing``) is kept."""
        return self._path(direction, package_id, ".tar")


def directory_trust(held: TrustedDirectory, now: datetime, *, min_witnesses: int = 0) -> TrustStore:
    """The directory's States as a package verifier's trust store: each State's key valid
    ``now`` (else its latest), its age recipient, its log's key and its witness key; a log's
    checkpoints need ``min_witnesses`` cosignatures of the other States' witnesses, at most
    as many as there are (a State cannot witness itself; ADR 0022)."""
    nodes = []
    for signed in held.directory.states:
        entry = signed.entry
        valid = [
            k
            for k in entry.keys
            if k.valid_from <= now and (k.valid_until is None or now < k.valid_until)
        ]
        key = (valid or list(entry.keys))[-1]
        nodes.append(
            NodeIdentity(
                state=entry.state,
                name=entry.name,
                signing_public_key=key.public_key,
                signing_key_id=key.key_id,
                age_recipient=entry.age_recipient,
                log_origin=entry.log_origin,
                log_verifier_key=entry.log_verifier_key,
                witness_name=entry.witness_name,
                witness_key=entry.witness_key,
            )
        )
    return TrustStore(tuple(nodes), min_witnesses=acceptance_quorum(held, min_witnesses))


class _Corrupt(IntegrityError):
    """Downloaded bytes that do not match the offer: discarded, and fetched again."""


def _plausible(package_id: str) -> bool:
    return len(package_id) == 32 and all(c in "0123456789abcdef" for c in package_id)
