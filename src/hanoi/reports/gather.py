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

from hanoi.accounts.model import User, check_title
from hanoi.crypto.agekeys import AgeIdentity
from hanoi.custody.service import LoggedEvent
from hanoi.errors import HanoiError, NotFound
from hanoi.evidence.items import EvidenceItem
from hanoi.evidence.trust import TrustStore
from hanoi.federation.acceptance import directory_trust
from hanoi.federation.ports import RECEIVED_IN_FULL, PackageStatus
from hanoi.federation.ports import Direction as Transit
from hanoi.federation.transfers import Received
from hanoi.reports.chain import provider_of
from hanoi.reports.court import (
    Acquired,
    Certifier,
    ChainLink,
    CheckpointEntry,
    CourtReport,
    Direction,
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
SIZES_LOOKED_AT = 64
"""How far back from the latest size a cosigned checkpoint of this node's log is looked for."""


def court_report(
    node: Node,
    user: User,
    request_id: str,
    *,
    identities: Sequence[AgeIdentity],
    title: str | None = None,
) -> CourtReport:
    """The court report of ``request_id`` as ``user`` may see it; ``identities``: this
    node's age identity, to decrypt and check the packages it received. ``user`` certifies
    it, with their title (``title`` replaces it for this report)."""
    view = node.cooperation.show(user, request_id)
    received = node.transfers.packages(user, request_id)
    trust = _trust(node)
    checked = [_package(node, found, trust=trust, identities=identities) for found in received]
    verifications = [verification for _, verification in checked]
    items = node.evidence.for_request(user, view.request.id)
    own_events = [*view.custody, *(e for item in items for e in node.evidence.held_custody(item))]
    own = (
        _own_checkpoint(node, trust, covering=1 + max(e.index for e in own_events))
        if own_events
        else None
    )
    checkpoints = [c for v in verifications for c in v.checkpoints]
    if own is not None:
        checkpoints.append(own)
    origin = node.custody.origin
    report = assemble(
        request=view.request,
        side=view.side,
        node_state=node.settings.state,
        generated_at=node.clock.now(),
        certifier=Certifier(
            name=user.name,
            title=check_title(title) or user.title,
            authority=node.settings.name,
            state=node.settings.state,
        ),
        files=[
            *(_entry(item) for item in items),
            *(entry for v in verifications for entry in v.items),
        ],
        acquisitions=_acquisitions(node.settings.state, items, verifications),
        links=[
            *_own_links(own_events, origin=origin, checkpoint=own),
            *(link for v in verifications for link in v.links),
        ],
        packages=[entry for entry, _ in checked],
        logged=[
            LoggedStep(event=e.event, log_origin=origin, index=e.index)
            for e in own_events
            if e.event.evidence_sha256 is None
        ],
        proven=[s for v in verifications for s in v.proven if s.event.evidence_sha256 is None],
        checkpoints=checkpoints,
    )
    log.info("court report of %s for %s: %s", view.request.id, user.name, report.verdict.value)
    return report


def _own_links(
    events: Sequence[LoggedEvent], *, origin: str, checkpoint: CheckpointEntry | None
) -> list[ChainLink]:
    """The steps of this node's log about files, each with the States whose witnesses
    cosigned the latest checkpoint if that checkpoint holds it."""
    links = []
    for logged in events:
        event = logged.event
        if event.evidence_sha256 is None:
            continue
        covered = checkpoint is not None and logged.index < checkpoint.size
        witnesses = checkpoint.witnesses if checkpoint is not None and covered else ()
        links.append(
            ChainLink(
                at=event.time,
                state=event.node,
                action=event.action.value,
                officer=event.officer,
                article=event.article,
                evidence_sha256=event.evidence_sha256,
                log_origin=origin,
                index=logged.index,
                witnesses=tuple(sorted({w.state or w.name for w in witnesses})),
                provider=provider_of(event),
            )
        )
    return links


def _acquisitions(
    state: str, items: Sequence[EvidenceItem], verifications: Sequence[Verification]
) -> dict[str, Acquired]:
    """How each file was obtained: this node's own record for a file it collected, else the
    collecting State's signed declaration, from the first package verified that carries it.
    An item received from another State is not an acquisition: its receipt is a step."""
    found = {item.sha256: _acquired_here(item, state) for item in items if item.package_id is None}
    for verification in verifications:
        for sha256, acquired in verification.acquisitions:
            found.setdefault(sha256, acquired)
    return found


def _acquired_here(item: EvidenceItem, state: str) -> Acquired:
    a = item.acquisition
    return Acquired(
        state=state,
        source_kind=a.source_kind.value,
        source=a.source,
        obtained_at=a.acquired_at,
        method=a.method,
        officer=a.officer,
        article=a.article,
        legal_basis=a.legal_basis,
        authority=a.authority,
        received_from=a.received_from,
        channel=a.channel.value if a.channel is not None else None,
        channel_reference=a.channel_reference,
    )


def _trust(node: Node) -> TrustStore | None:
    try:
        return directory_trust(
            node.federation.directory.current(),
            node.clock.now(),
            min_witnesses=node.settings.min_witnesses,  # the same quorum as at acceptance
            retired_too=True,  # a package accepted under a key since rotated out still checks
        )
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
    incoming = row.direction == Transit.INCOMING
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
    incoming = row.direction == Transit.INCOMING
    held = node.transfers.holds(row)
    if incoming and row.status not in RECEIVED_IN_FULL and not held:
        return Verification(
            PackageCheck(
                outcome=Outcome.NOT_RECEIVED,
                reason=f"not received in full: {row.received} of {row.size} bytes "
                f"(transfer {row.status})",
            )
        )
    if incoming and row.status == PackageStatus.REFUSED and not held:
        return failed(f"refused on receipt, and not kept: {row.error or 'no reason recorded'}")
    if not held:
        return failed("the package file is not on this node")
    if trust is None:
        return failed(NO_DIRECTORY)
    expected = Expected(
        sha256=row.sha256,
        request_id=row.request_id,
        sending_state=row.peer if incoming else node.settings.state,
        package_id=row.id,
    )
    # Copied as stored: the verifier names what is wrong, and checks the SHA-256 itself.
    with node.transfers.copy(row, checked=False) as path:
        return verify_again(
            path,
            expected=expected,
            trust=trust,
            identities=identities if incoming else (),
            budget=node.transfers.verify_budget,
        )


def _own_checkpoint(
    node: Node, trust: TrustStore | None, *, covering: int
) -> CheckpointEntry | None:
    """This node's latest checkpoint that holds the report's entries (``covering``: a size at
    least) and that witnesses of other States cosigned, looked for among the last
    :data:`SIZES_LOOKED_AT` sizes; else the latest, uncosigned. The latest alone would often
    be uncosigned for a moment: every report issued adds an entry to the log."""
    size = node.custody.size()
    if size == 0:
        return None
    latest = checkpoint_entry(node.custody.checkpoint(), trust=trust)
    if latest is not None and latest.witnesses:
        return latest
    for candidate in range(size - 1, max(covering, size - SIZES_LOOKED_AT) - 1, -1):
        try:
            note = node.custody.checkpoint(candidate)
        except NotFound:  # no checkpoint was published at that size
            continue
        found = checkpoint_entry(note, trust=trust)
        if found is not None and found.witnesses:
            return found
    return latest


def _entry(item: EvidenceItem) -> ItemEntry:
    a = item.acquisition
    return ItemEntry(
        name=a.original_name, size=item.size, sha256=item.sha256, media_type=a.media_type
    )
