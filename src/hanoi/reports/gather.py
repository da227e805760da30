"""Gathering a court report from a node, through the same access checks as the request page.

:func:`court_report` asks the cooperation service for the request
(``NotFound`` for a request outside the user's cases, exactly like a missing one), the
transfer service for its packages (the same case check), the evidence service for the
items and their custody events, and the custody log for its latest checkpoint; then it
verifies every package file again (:mod:`hanoi.reports.verification`). It reads; it
writes nothing and logs no evidence content.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from hanoi.accounts.model import User
from hanoi.crypto.agekeys import AgeIdentity
from hanoi.custody.service import LoggedEvent
from hanoi.errors import HanoiError
from hanoi.evidence.items import EvidenceItem
from hanoi.evidence.trust import TrustStore
from hanoi.federation.package_status import RECEIVED_IN_FULL, PackageStatus
from hanoi.federation.transfers import Received, directory_trust
from hanoi.reports.court import (
    CheckpointEntry,
    CourtReport,
    Direction,
    HeldItem,
    ItemEntry,
    LoggedStep,
    Outcome,
    PackageCheck,
    PackageEntry,
    assemble,
)
from hanoi.reports.verification import (
    NO_DIRECTORY,
    Expected,
    Verification,
    checkpoint_entry,
    failed,
    verify_again,
)
from hanoi.wiring import Node

log = logging.getLogger("hanoi.reports")


def court_report(
    node: Node, user: User, request_id: str, *, identities: Sequence[AgeIdentity]
) -> CourtReport:
    """The court report of ``request_id`` as ``user`` may see it; ``identities``: this
    node's age identity, to decrypt and check the packages it received."""
    view = node.cooperation.show(user, request_id)
    received = node.transfers.packages(user, request_id)
    trust = _trust(node)
    checked = [_package(node, found, trust=trust, identities=identities) for found in received]
    items = node.evidence.for_request(user, view.request.id)
    logged = _logged(node, view.custody, items)
    checkpoints = [c for _, verification in checked for c in verification.checkpoints]
    if logged and (own := _own_checkpoint(node, trust)) is not None:
        checkpoints.append(own)
    report = assemble(
        request=view.request,
        side=view.side,
        node_state=node.settings.state,
        generated_at=node.clock.now(),
        generated_by=user.name,
        items=[_held(item) for item in items],
        packages=[entry for entry, _ in checked],
        logged=logged,
        proven=[step for _, verification in checked for step in verification.proven],
        checkpoints=checkpoints,
    )
    log.info("court report of %s for %s: %s", view.request.id, user.name, report.verdict.value)
    return report


def _logged(
    node: Node, request_events: Sequence[LoggedEvent], items: Sequence[EvidenceItem]
) -> list[LoggedStep]:
    """The request's events and its items' events in this node's custody log."""
    events = [*request_events, *(e for item in items for e in node.evidence.held_custody(item))]
    origin = node.custody.origin
    return [LoggedStep(event=e.event, log_origin=origin, index=e.index) for e in events]


def _trust(node: Node) -> TrustStore | None:
    try:
        return directory_trust(node.federation.directory.current(), node.clock.now())
    except HanoiError:  # no directory yet (Unavailable), or one the verifier cannot read
        return None


def _package(
    node: Node,
    found: Received,
    *,
    trust: TrustStore | None,
    identities: Sequence[AgeIdentity],
) -> tuple[PackageEntry, Verification]:
    row = found.package
    incoming = row.direction == "incoming"
    verification = _verify(node, found, trust=trust, identities=identities)
    items = verification.items
    if not items and incoming:  # not verified: what this node recorded from it, if anything
        items = tuple(_entry(item) for item in found.items)
    entry = PackageEntry(
        id=row.id,
        direction=Direction.RECEIVED if incoming else Direction.SENT,
        peer=row.peer,
        sha256=row.sha256,
        size=row.size,
        transfer_status=row.status,
        created_at=row.created_at,
        items=items,
        check=verification.check,
    )
    return entry, verification


def _verify(
    node: Node,
    found: Received,
    *,
    trust: TrustStore | None,
    identities: Sequence[AgeIdentity],
) -> Verification:
    row = found.package
    incoming = row.direction == "incoming"
    path = node.transfers.package_file(row.direction, row.id)
    if incoming and row.status not in RECEIVED_IN_FULL and not path.is_file():
        return Verification(
            PackageCheck(
                outcome=Outcome.NOT_RECEIVED,
                reason=f"not received in full: {row.received} of {row.size} bytes "
                f"(transfer {row.status})",
            )
        )
    if incoming and row.status == PackageStatus.REFUSED and not path.is_file():
        return failed(f"refused on receipt, and not kept: {row.error or 'no reason recorded'}")
    if trust is None:
        return failed(NO_DIRECTORY)
    expected = Expected(
        sha256=row.sha256,
        request_id=row.request_id,
        sending_state=row.peer if incoming else node.settings.state,
        package_id=row.id,
    )
    return verify_again(
        path,
        expected=expected,
        trust=trust,
        identities=identities if incoming else (),
        budget=node.transfers.verify_budget,
    )


def _own_checkpoint(node: Node, trust: TrustStore | None) -> CheckpointEntry | None:
    """This node's latest checkpoint, with the cosignatures collected for it."""
    if node.custody.size() == 0:
        return None
    return checkpoint_entry(node.custody.checkpoint(), trust=trust)


def _entry(item: EvidenceItem) -> ItemEntry:
    a = item.acquisition
    return ItemEntry(
        name=a.original_name, size=item.size, sha256=item.sha256, media_type=a.media_type
    )


def _held(item: EvidenceItem) -> HeldItem:
    a = item.acquisition
    return HeldItem(
        file=_entry(item),
        source=a.source,
        method=a.method,
        acquired_at=a.acquired_at,
        officer=a.officer,
        article=a.article,
    )
