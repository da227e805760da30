"""Evidence packages offered to this node: remembered, fetched, accepted or given up.

The package (BagIt + age + signed statement + custody proofs, ``docs/evidence.md``) is
encrypted to this node and signed by the sending node, so the sender serves it by an
unguessable id (128 random bits, carried only inside a signed, encrypted
``evidence-offer`` message) without other authentication. The steps of a package here:

1. :meth:`PackageReceiver.register_offer`: the offer, verified by the inbox, becomes an
   ``incoming`` package, ``offered`` (the same offer again changes nothing; another
   package under a known id is refused);
2. :meth:`PackageReceiver.fetch`: its bytes, in resumable ranges into this host's
   scratch space, checked against the offer's size and SHA-256
   (:mod:`hanoi.federation.range_fetch`), ``fetching``, then put into the node's blob
   store (:mod:`hanoi.federation.package_bytes`);
3. :meth:`PackageReceiver.accept`: verified in full, its files recorded as evidence
   (:mod:`hanoi.federation.acceptance`), ``accepted``, or ``refused`` with the reason.

The background job (:meth:`PackageReceiver.fetch_pending`) runs steps 2 and 3 for every
package whose next attempt is due, each under the package's lease in the database
(:mod:`hanoi.leases`), so that the server processes of every host of the node never
download or accept the same package at once. The lease is renewed while the work runs;
a process that loses it (stalled past its end, and another took over) stops after the
range it is fetching. A host that takes over a package another host was downloading
starts its own download: the row's ``received`` becomes what this host holds. A
sender that fails to serve its package is asked again later and later, and the package
is given up in the end, ``expired`` (:mod:`hanoi.federation.offer_retry`). Bytes that do
not match the offer are discarded and fetched once more; twice, the package is refused.
Every final status is told to the sender (:mod:`hanoi.federation.outcomes`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx

from hanoi.clock import Clock
from hanoi.errors import (
    IntegrityError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RuleViolation,
    Unavailable,
)
from hanoi.evidence.items import EvidenceItem
from hanoi.federation.acceptance import PackageAcceptance
from hanoi.federation.envelope import VerifiedMessage
from hanoi.federation.offer_retry import EXPIRED, MISSING_STATUSES, OfferRetry
from hanoi.federation.outcomes import PackageOutcomes
from hanoi.federation.package_bytes import PackageBytes
from hanoi.federation.ports import (
    PENDING_INCOMING,
    Direction,
    PackageRefusal,
    PackageRow,
    PackageStatus,
    PackageStore,
)
from hanoi.federation.range_fetch import Corrupt, RangeFetch, package_url
from hanoi.federation.service import DirectoryHolder
from hanoi.leases import Lease, LeaseLost, Leases
from hanoi.wire import thaw

log = logging.getLogger("hanoi.federation")


class PackageReceiver:
    def __init__(
        self,
        *,
        packages: PackageBytes,
        leases: Leases,
        directory: DirectoryHolder,
        store: PackageStore,
        acceptance: PackageAcceptance,
        outcomes: PackageOutcomes,
        clock: Clock,
        max_bytes: int,
        download: RangeFetch,
        retry: OfferRetry | None = None,
    ) -> None:
        self._bytes = packages
        self._leases = leases
        self._directory = directory
        self._store = store
        self.acceptance = acceptance
        self._outcomes = outcomes
        self._clock = clock
        self._max_bytes = max_bytes
        self.download = download
        self._retry = retry or OfferRetry()

    # --- 1. the offer ---------------------------------------------------------------------

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

    # --- 2. the bytes -----------------------------------------------------------------------

    def fetch(self, row: PackageRow, lease: Lease | None = None) -> str:
        """Download the package, resuming from the bytes this host already has; check it
        whole and put it into the blob store. Returns its digest there. Under ``lease``,
        stops after a range if the lease was lost."""
        if self._bytes.held(row):
            return row.sha256
        scratch = self._bytes.scratch

        def progress(received: int) -> None:
            if lease is not None:
                lease.check()
            self._store.progress(
                row.id, status=PackageStatus.FETCHING, received=received, now=self._clock.now()
            )

        whole = self.download.fetch(
            package_url(self._directory.entry(row.peer).node_url, row.id),
            part=scratch.part(row.id),
            final=scratch.downloaded(row.id),
            size=row.size,
            sha256=row.sha256,
            peer=row.peer,
            progress=progress,
        )
        self._bytes.keep(whole, sha256=row.sha256)
        scratch.discard(row.id)
        return row.sha256

    # --- 3. the verdict ---------------------------------------------------------------------

    def accept(self, package_id: str) -> tuple[PackageRow, tuple[EvidenceItem, ...]]:
        """Verify a fetched package fully, then record its files as evidence (once)."""
        return self.acceptance.accept(package_id)

    # --- the background job -------------------------------------------------------------------

    def fetch_pending(self) -> int:
        """Fetch, verify and accept every incoming package whose next attempt is due; a
        round with nothing due asks nothing of the network. Returns how many were
        accepted."""
        done = 0
        for row in self._store.pending_incoming(self._clock.now()):
            with self._leases.held(package_lease(row.id)) as lease:
                if lease is None:
                    continue  # another process has it
                current = self._store.get(row.id)
                if current is None or current.status not in PENDING_INCOMING:
                    continue
                if current.next_attempt_at is not None and current.next_attempt_at > (
                    self._clock.now()
                ):
                    continue  # another process failed with it meanwhile
                done += self._fetch_and_accept(current, lease)
        return done

    def _fetch_and_accept(self, row: PackageRow, lease: Lease) -> int:
        try:
            self.fetch(row, lease)
            lease.check()
            self.accept(row.id)
        except LeaseLost as exc:  # another process has the package now: its attempt counts
            log.warning("package %s from %s: %s", row.id, row.peer, exc.detail)
            return 0
        except httpx.HTTPStatusError as exc:
            self._retry_later(row, str(exc), missing=exc.response.status_code in MISSING_STATUSES)
            return 0
        except (httpx.HTTPError, OSError, Unavailable) as exc:
            self._retry_later(row, str(exc) or type(exc).__name__, missing=False)
            return 0
        except Corrupt as exc:
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
            self._outcomes.conclude(
                row,
                status=PackageStatus.REFUSED,
                received=0,
                error=exc.detail,
                reason=PackageRefusal.DAMAGED,
            )
            return 0
        except (IntegrityError, InvalidInput, RuleViolation, NotFound) as exc:
            log.warning("package %s from %s refused: %s", row.id, row.peer, exc.detail)
            self._outcomes.conclude(
                row,
                status=PackageStatus.REFUSED,
                received=row.received,
                error=exc.detail[:500],
                reason=refusal_reason(exc),
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
            self._bytes.scratch.discard(row.id)
            self._outcomes.conclude(
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


def refusal_reason(exc: IntegrityError | InvalidInput | RuleViolation | NotFound) -> PackageRefusal:
    """The code of a refusal, by who is at fault (ADR 0003), for the statistics."""
    if isinstance(exc, IntegrityError):
        return PackageRefusal.INTEGRITY
    if isinstance(exc, RuleViolation):
        return PackageRefusal.RULE
    if isinstance(exc, NotFound):
        return PackageRefusal.UNKNOWN_REQUEST
    return PackageRefusal.MALFORMED


def package_lease(package_id: str) -> str:
    """The name of the lease under which an incoming package is fetched and accepted."""
    return f"package:incoming:{package_id}"
