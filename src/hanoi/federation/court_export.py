"""The export for court: a request's evidence, with the chain of custody from its collection.

A court in the requesting State must see, offline and without trusting either node, who
obtained each file, when, how and under what legal basis, every hand-over, each step in a
log other States witnessed, and the conditions of use (issue 14). So the export:

- carries, for each file received from another State, that State's package whole (its
  signed statement, custody proofs and CASE/UCO description, :mod:`hanoi.evidence.origins`),
  linked to the file by its plaintext SHA-256;
- states each file's acquisition as the collecting State signed it;
- carries that State's conditions verbatim (imposed by it: its consent governs further
  use, Art. 40(19), 36(3)), and this State's own for the files it collected itself;
- logs the export (an ``exported`` custody event per file) *before* it packs, so that the
  event is in the package too, proven against a checkpoint the witnesses cosigned; each
  event names the State the package goes to (``recipient_state``) and how it is encrypted
  (``recipients``: ``x25519`` or ``scrypt``), never a passphrase;
- adds a verification guide in one of the six languages (:mod:`hanoi.evidence.guide`).

A State without a node has no age key in the directory: its package is encrypted to a
passphrase sent by another channel (:mod:`hanoi.evidence.passphrase`), which its court
types at ``age -d``'s prompt.

Used by ``hanoi evidence export`` and the sandbox's demo; the caller decides how the
custody proofs are obtained (``custody``, a source of witnessed proofs) and how long to
wait for the witnesses (``before_packing``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hanoi.accounts.model import User
from hanoi.clock import Clock
from hanoi.cooperation.service import CooperationService
from hanoi.errors import InvalidInput, NotFound
from hanoi.evidence.age import Recipient
from hanoi.evidence.custody_bundle import CustodySource
from hanoi.evidence.guide import Guide
from hanoi.evidence.origins import OriginBundle, read_origin
from hanoi.evidence.package import PackedPackage, export_package
from hanoi.evidence.package_conditions import conditions_of, package_conditions
from hanoi.evidence.passphrase import Scheme, scheme_of
from hanoi.evidence.payload_check import Progress
from hanoi.evidence.provenance import Term
from hanoi.evidence.service import EvidenceService
from hanoi.federation.ports import Direction, PackageStatus
from hanoi.federation.transfers import TransferService
from hanoi.node.identity import NodeKeys

EXPORT_ARTICLE = "Art. 40(19)"
_STATE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class CourtExport:
    packed: PackedPackage
    items: int
    origins: tuple[str, ...]
    """The States whose packages travel inside (the originating States)."""
    recipients: Scheme
    recipient_state: str | None
    guide: str
    """The verification guide's path in the bag (``VERIFY.<language>.txt``)."""


def export_for_court(
    out: Path,
    *,
    user: User,
    request_id: str,
    recipients: Sequence[Recipient],
    state: str,
    keys: NodeKeys,
    evidence: EvidenceService,
    cooperation: CooperationService,
    transfers: TransferService,
    custody: CustodySource,
    clock: Clock,
    article: str = EXPORT_ARTICLE,
    extra_terms: Sequence[Term] = (),
    to_state: str | None = None,
    guide_language: str = "en",
    before_packing: Callable[[], object] = lambda: None,
    progress: Progress | None = None,
) -> CourtExport:
    """Export the evidence of ``request_id`` (of ``user``'s cases) for ``recipients``: age
    public keys, or one passphrase (then ``to_state``, the State it goes to, is required).
    Everything is checked before anything is logged."""
    scheme = _check_destination(recipients, to_state)
    guide = Guide(guide_language)
    view = cooperation.show(user, request_id)  # the case check
    items = evidence.for_request(user, request_id)
    if not items:
        raise NotFound(f"no evidence is recorded on this node for request {request_id}")
    bundles = _origins(transfers, {i.package_id for i in items if i.package_id is not None})
    own = [item for item in items if item.package_id is None]
    terms: list[Term] = [term for bundle in bundles.values() for term in bundle.statement.terms]
    if own or not terms:
        _, mine = package_conditions(
            view.request, giving_state=state, catalogue=cooperation.catalogue
        )
        terms += [t for t in mine if t not in terms]
    terms += [t for t in extra_terms if t not in terms]
    evidence.record_export(
        items,
        officer=user.name,
        request_ref=request_id,
        article=article,
        recipient_state=to_state,
        recipients=scheme,
    )
    before_packing()  # the exported events in the log, cosigned, before their proofs are read
    packed = export_package(
        out,
        items=items,
        blobs=evidence.blobs,
        custody=custody,
        keys=keys,
        sending_state=state,
        request=request_id,
        recipients=recipients,
        clock=clock,
        conditions=conditions_of(terms),
        terms=terms,
        origins=bundles,
        guide=guide,
        progress=progress,
    )
    states = {b.origin.sending_state for b in bundles.values()}
    return CourtExport(packed, len(items), tuple(sorted(states)), scheme, to_state, guide.path)


def _check_destination(recipients: Sequence[Recipient], to_state: str | None) -> Scheme:
    """Age keys or one strong passphrase, never both; a passphrase names its State."""
    scheme = scheme_of(recipients)
    if to_state is not None and not _STATE.fullmatch(to_state):
        raise InvalidInput(
            f"the recipient State {to_state[:16]!r} is not an ISO 3166-1 alpha-3 code "
            "(three capital letters, such as FRA)"
        )
    if scheme == "scrypt" and to_state is None:
        raise InvalidInput(
            "a package encrypted to a passphrase leaves the network: name the State it "
            "goes to (--to-state, ISO 3166-1 alpha-3)"
        )
    return scheme


def _origins(transfers: TransferService, package_ids: set[str]) -> dict[str, OriginBundle]:
    """The received packages the items came in, each verified when it was accepted, by
    this node's id for the transfer (the id the items carry)."""
    bundles = {}
    for package_id in sorted(package_ids):
        row = transfers.row(package_id)
        if (
            row is None
            or row.direction != Direction.INCOMING
            or row.status != PackageStatus.ACCEPTED
        ):
            raise NotFound(f"the package {package_id} the evidence came in is not held here")
        if not transfers.holds(row):
            raise NotFound(
                f"the bytes of package {package_id} are gone: the originating State's "
                "statement cannot travel with its evidence"
            )
        with transfers.copy(row, checked=True) as path:  # read_origin keeps what it reads
            bundles[package_id] = read_origin(path)
    return bundles
