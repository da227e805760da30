"""Evidence received off the network (from a State without a node), packed by a keyed node,
for the unit and integration tests of issue 17, point 5b."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hanoi.blobs import MemoryBlobStore
from hanoi.clock import FixedClock
from hanoi.cooperation.routes import Route
from hanoi.crypto.agekeys import AgeIdentity
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.evidence.package import PackedPackage, export_package
from unit.evidence.package_support import NOW, KeyedNode, MemoryCustody

REQUEST = "EGY-2026-00042"


REFERENCE = "Note verbale 17/2026, bag 4"
RECEIPT: dict[str, Any] = {
    "received_from": "GHA",
    "channel": Route.DIPLOMATIC,
    "channel_reference": REFERENCE,
}


def acquisition(**changes: Any) -> Acquisition:
    values: dict[str, Any] = {
        "original_name": "seized-phone.img",
        "media_type": "application/octet-stream",
        "source_kind": SourceKind.DEVICE,
        "source": "USB stick sealed by the Ghana Police Service",
        "method": "image of a seized telephone, received in the diplomatic bag",
        "acquired_at": datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        "officer": "amira",
        "request_ref": REQUEST,
        "article": "Art. 40(17)",
        "legal_basis": "Search warrant 5/2026 of the Accra Circuit Court",
        "authority": "Ghana Police Service, Cybercrime Unit",
        **changes,
    }
    return Acquisition(**values)


def packed_with(node: KeyedNode, out: Path, *acquisitions: Acquisition) -> PackedPackage:
    blobs, log = MemoryBlobStore(), MemoryCustody(node)
    items = []
    for n, a in enumerate(acquisitions):
        ref = blobs.put(io.BytesIO(f"file {n}".encode()))
        items.append(EvidenceItem(f"id-{n}", ref.digest, ref.size, a, NOW))
        log.collected(ref.digest, request=REQUEST)
    return export_package(
        out,
        items=items,
        blobs=blobs,
        custody=log,
        keys=node.keys,
        sending_state="EGY",
        request=REQUEST,
        recipients=[AgeIdentity.generate().recipient()],
        clock=FixedClock(NOW),
    )
