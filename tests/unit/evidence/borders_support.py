"""Evidence that crossed two borders (VNM's package inside EGY's export for its court), for
the tests of the chain across borders and of the package checks' words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from hanoi.clock import FixedClock
from hanoi.crypto.agekeys import AgeIdentity
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.evidence.origins import OriginBundle, read_origin
from hanoi.evidence.package import PackedPackage, PayloadSource, build_package
from hanoi.evidence.provenance import PayloadAcquisition, Term
from hanoi.evidence.report import PackageReport
from hanoi.evidence.trust import TrustStore
from hanoi.evidence.verify import verify_package
from unit.evidence.package_support import (
    NOW,
    KeyedNode,
    MemoryCustody,
    make_node,
    sha256_file,
    write_evidence,
)

REQUEST = "EGY-2026-00042"


OBTAINED = NOW - timedelta(days=3)
DELIVERY = {
    "provider": "example-mail",
    "provider_name": "Example Mail Ltd (VNM)",
    "order": "0f6d2c1e-order",
    "reference": "VNM-PO-17",
    "delivery": "5b1e-delivery",
    "delivered_at": "2026-11-25T09:29:58Z",
}
"""A provider's delivery as VNM's ``delivered`` event records it (with its checksums)."""


@dataclass
class Borders:
    egy: KeyedNode
    vnm: KeyedNode
    fra: KeyedNode
    court: AgeIdentity
    files: list[Path]
    received: Path  # VNM's package as EGY holds it
    egy_log: MemoryCustody
    vnm_log: MemoryCustody

    def trust(self, *nodes: KeyedNode, quorum: int = 1) -> TrustStore:
        chosen = nodes or (self.egy, self.vnm, self.fra)
        return TrustStore(tuple(n.identity for n in chosen), quorum)


def acquisition(name: str) -> PayloadAcquisition:
    return PayloadAcquisition(
        source_kind="provider",
        source=f"Example Mail Ltd, mailbox of {name}",
        obtained_at=OBTAINED,
        method="export by the provider",
        officer="lan",
        state="VNM",
        article="Art. 44",
        legal_basis="Production order 17/2026 of the Hanoi People's Procuracy",
        authority="Supreme People's Procuracy of Viet Nam",
    )


def vnm_terms() -> tuple[Term, ...]:
    return (
        Term(
            kind="use-limitation",
            imposed_by="VNM",
            text="Use only for the proceedings of request EGY-2026-00042; ask VNM otherwise.",
            article="Art. 40(19)",
        ),
        Term(
            kind="onward-transfer-authorization",
            imposed_by="VNM",
            text="No transfer to a third State without VNM's written authorization.",
            article="Art. 36(3)",
            step="accept",
            step_time=NOW - timedelta(days=5),
            agreed_time=NOW - timedelta(days=4),
        ),
    )


def sources(files: Sequence[Path], acquired: dict[str, PayloadAcquisition | None]) -> list:  # type: ignore[type-arg]
    return [
        PayloadSource(
            name=f.name,
            open=lambda f=f: f.open("rb"),  # type: ignore[misc]
            size=f.stat().st_size,
            acquisition=acquired.get(f.name),
        )
        for f in files
    ]


def make_borders(tmp_path: Path, *, delivered: bool = False) -> Borders:
    """EGY, VNM and FRA; VNM's package of two files as EGY received it, both custody logs.
    With ``delivered``, each file came from a provider's delivery, logged before VNM's
    collection (:data:`DELIVERY`)."""
    egy, vnm, fra = make_node("EGY"), make_node("VNM"), make_node("FRA")
    files = write_evidence(tmp_path / "in", {"mailbox.mbox": 5000, "subscriber.csv": 300})
    vnm_log = MemoryCustody(vnm, witnesses=[egy, fra])
    for f in files:
        if delivered:
            declared = {"declared_checksums": [f"SHA256:{sha256_file(f)}"]}
            vnm_log.record(
                CustodyEvent(
                    action=CustodyAction.DELIVERED, time=OBTAINED, node="VNM", officer="lan",
                    request_id=REQUEST, article="Art. 44", evidence_sha256=sha256_file(f),
                    unknown={**DELIVERY, **declared},
                )
            )  # fmt: skip
        collected = CustodyEvent(
            action=CustodyAction.COLLECTED, time=OBTAINED, node="VNM", officer="lan",
            request_id=REQUEST, article="Art. 44", evidence_sha256=sha256_file(f),
        )  # fmt: skip
        vnm_log.record(collected)
    received = build_package(
        tmp_path / "vnm-to-egy.tar",
        files=sources(files, {f.name: acquisition(f.name) for f in files}),
        recipients=[egy.keys.age.recipient()],
        signing_key=vnm.keys.signing,
        sending_state="VNM",
        request=REQUEST,
        clock=FixedClock(NOW - timedelta(days=2)),
        terms=vnm_terms(),
        custody=vnm_log,
    ).path
    egy_log = MemoryCustody(egy, witnesses=[vnm, fra])
    for f in files:
        for action in (CustodyAction.RECEIVED, CustodyAction.EXPORTED):
            egy_log.record(
                CustodyEvent(
                    action=action,
                    time=NOW - timedelta(days=1) + timedelta(hours=len(egy_log.logged)),
                    node="EGY",
                    officer="egy-node" if action is CustodyAction.RECEIVED else "samir",
                    request_id=REQUEST,
                    article="Art. 40(17)" if action is CustodyAction.RECEIVED else "Art. 40(19)",
                    evidence_sha256=sha256_file(f),
                )
            )
    return Borders(egy, vnm, fra, AgeIdentity.generate(), files, received, egy_log, vnm_log)


def export(
    b: Borders,
    out: Path,
    *,
    files: Sequence[Path] | None = None,
    terms: Sequence[Term] | None = None,
    origin: OriginBundle | None = None,
    acquired: dict[str, PayloadAcquisition | None] | None = None,
) -> PackedPackage:
    """What EGY's node does for its court: the files re-encrypted, VNM's package inside."""
    bundle = origin or read_origin(b.received)
    chosen = list(files or b.files)
    return build_package(
        out,
        files=sources(
            chosen,
            acquired
            if acquired is not None
            else {f.name: bundle.acquisition_for(sha256_file(f)) for f in chosen},
        ),
        recipients=[b.court.recipient()],
        signing_key=b.egy.keys.signing,
        sending_state="EGY",
        request=REQUEST,
        clock=FixedClock(NOW),
        terms=bundle.statement.terms if terms is None else tuple(terms),
        origins=[bundle],
        custody=b.egy_log,
    )


def verify(b: Borders, path: Path, trust: TrustStore | None = None) -> PackageReport:
    return verify_package(path, trust=trust or b.trust(), identities=[b.court])
