"""Accepting a downloaded evidence package: verified in full, then its files recorded as
evidence, once.

The package is read from the node's blob store, copied into a temporary file for the
child process (:mod:`hanoi.federation.package_bytes`), so any process of any host of the
node accepts a package another fetched. Verification runs offline in a child process with
limits of time and memory by the package's size
(:func:`~hanoi.evidence.isolated.verify_isolated`), so a hostile package never stops this
node. It checks the package against the sending States' keys in the
directory (:func:`directory_trust`): the bag, the signature, the custody proofs and their
witnesses (this node's ``min_witnesses``, capped by the directory, ADR 0022), and every
payload decrypted and checked. The package must be the one offered: from the State that
offered it, for the request it was offered for.

Only then is each file stored as an evidence item of the request, with a ``received``
custody event, linked to the package by its id (``EvidenceItem.package_id``); a file
already recorded from this package is not recorded again, so an acceptance cut short by a
crash can run again. The package becomes ``accepted`` with its verification report kept
(:mod:`hanoi.federation.package_reports`), and the outcome is queued for its sender in the
same transaction (:mod:`hanoi.federation.outcomes`). A package that fails keeps the checks
that held before the one that failed, and the error goes up (the caller refuses it).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from hanoi.clock import Clock
from hanoi.directory.trust import TrustedDirectory
from hanoi.errors import HanoiError, IntegrityError, NotFound, Unavailable
from hanoi.evidence.age import Decryptor
from hanoi.evidence.bagio import open_bag
from hanoi.evidence.isolated import VerifyBudget, verify_isolated
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.evidence.report import Check
from hanoi.evidence.service import EvidenceService
from hanoi.evidence.trust import TrustStore
from hanoi.federation.outcomes import PackageOutcomes
from hanoi.federation.package_bytes import PackageBytes
from hanoi.federation.package_reports import report_text
from hanoi.federation.ports import Direction, PackageRow, PackageStatus, PackageStore
from hanoi.federation.service import DirectoryHolder
from hanoi.federation.witness_quorum import acceptance_quorum
from hanoi.node.identity import FormerKey, NodeIdentity, NodeKeys

log = logging.getLogger("hanoi.federation")

RECEIVED_ARTICLE = "Art. 40(17)"


class PackageAcceptance:
    def __init__(
        self,
        *,
        node_state: str,
        keys: NodeKeys,
        directory: DirectoryHolder,
        store: PackageStore,
        packages: PackageBytes,
        evidence: EvidenceService,
        outcomes: PackageOutcomes,
        clock: Clock,
        verify_budget: VerifyBudget | None = None,
        min_witnesses: int = 0,
    ) -> None:
        self._state = node_state
        self._keys = keys
        self._directory = directory
        self._store = store
        self._bytes = packages
        self._evidence = evidence
        self._outcomes = outcomes
        self._clock = clock
        self._verify_budget = verify_budget or VerifyBudget()
        self._min_witnesses = min_witnesses
        """The node's ``min_witnesses``: received packages' proofs must meet it, capped by
        the directory (:func:`directory_trust`)."""

    @property
    def verify_budget(self) -> VerifyBudget:
        """The limits of a package's verification in a child process, by its size."""
        return self._verify_budget

    def accept(self, package_id: str) -> tuple[PackageRow, tuple[EvidenceItem, ...]]:
        """Verify the incoming package ``package_id``, downloaded whole, then record its
        files as evidence (once). Returns the package as it was found and the items
        recorded now (none if it was accepted before)."""
        row = self._store.get(package_id)
        if row is None or row.direction != Direction.INCOMING:
            raise NotFound("no such incoming package")
        if row.status == PackageStatus.ACCEPTED:
            return row, ()
        # Copied as stored: the verifier checks every byte that matters and names the
        # file at fault (the download was checked against the offer's SHA-256).
        with self._bytes.copy(row, checked=False) as path:
            return self._verified_and_recorded(row, path)

    def _verified_and_recorded(
        self, row: PackageRow, path: Path
    ) -> tuple[PackageRow, tuple[EvidenceItem, ...]]:
        package_id = row.id
        held_checks: list[Check] = []
        try:
            # In a child process with limits: a hostile package never stops this node.
            report = verify_isolated(
                path,
                trust=self._trust(),
                identities=self._keys.age_identities,
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
                report_text(
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
            with (
                bag.open(entry.path) as raw,
                Decryptor(raw, self._keys.age_identities) as plaintext,
            ):
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
                        article=RECEIVED_ARTICLE,
                    ),
                    package_id=package_id,
                )
            items.append(recorded.item)
        self._outcomes.conclude(  # the status, and the outcome queued for the sender
            row,
            status=PackageStatus.ACCEPTED,
            received=row.size,
            report=report_text(report.as_json()),
            now=now,
        )
        log.info("package %s from %s accepted: %d item(s)", package_id, row.peer, len(items))
        return row, tuple(items)

    def _trust(self) -> TrustStore:
        """The directory as the verifier's trust store, with this node's witness quorum: a
        package whose proofs rest on a checkpoint too few other States cosigned is refused."""
        return directory_trust(
            self._directory.current(), self._clock.now(), min_witnesses=self._min_witnesses
        )


def directory_trust(
    held: TrustedDirectory, now: datetime, *, min_witnesses: int = 0, retired_too: bool = False
) -> TrustStore:
    """The directory's States as a package verifier's trust store: each State's keys, its
    age recipient, its log's key and its witness key; a log's checkpoints need
    ``min_witnesses`` cosignatures of the other States' witnesses, at most as many as
    there are (a State cannot witness itself; ADR 0022).

    A State's keys are those valid ``now``: the newest is its current key, the others
    are in their overlap period (ADR 0051), so a package signed by a key being rotated
    out is accepted until the key's ``valid_until``. With ``retired_too`` (checking a
    package accepted earlier, for a court), every key the entry still lists counts."""
    nodes = []
    for signed in held.directory.states:
        entry = signed.entry
        valid = [
            k
            for k in entry.keys
            if k.valid_from <= now and (k.valid_until is None or now < k.valid_until)
        ]
        usable = list(entry.keys) if retired_too else valid
        current = (valid or list(entry.keys))[-1]
        nodes.append(
            NodeIdentity(
                state=entry.state,
                name=entry.name,
                signing_public_key=current.public_key,
                signing_key_id=current.key_id,
                age_recipient=entry.age_recipient,
                log_origin=entry.log_origin,
                log_verifier_key=entry.log_verifier_key,
                witness_name=entry.witness_name,
                witness_key=entry.witness_key,
                former_keys=tuple(
                    FormerKey(k.public_key, k.key_id)
                    for k in reversed(usable)
                    if k.key_id != current.key_id
                ),
                former_logs=entry.former_logs,
            )
        )
    return TrustStore(tuple(nodes), min_witnesses=acceptance_quorum(held, min_witnesses))
