"""The node-side exporter over in-memory collaborators, and the CASE/UCO description it writes."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hanoi.blobs import MemoryBlobStore
from hanoi.clock import FixedClock
from hanoi.crypto.agekeys import AgeIdentity
from hanoi.errors import IntegrityError, NotFound
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.evidence.package import export_package
from hanoi.evidence.trust import TrustStore
from hanoi.evidence.verify import verify_package
from unit.evidence.package_support import NOW, KeyedNode, MemoryCustody, make_node, read_statement


def item(blobs: MemoryBlobStore, data: bytes, name: str) -> EvidenceItem:
    ref = blobs.put(io.BytesIO(data))
    acquisition = Acquisition(
        original_name=name,
        media_type="application/mbox",
        source_kind=SourceKind.PROVIDER,
        source="Example Mail Ltd",
        method="production order",
        acquired_at=datetime(2026, 11, 27, 8, 0, tzinfo=UTC),
        officer="amira",
        request_ref="EGY-2026-00042",
        article="Art. 44",
    )
    return EvidenceItem(f"id-{name}", ref.digest, ref.size, acquisition, NOW)


@pytest.fixture
def node() -> KeyedNode:
    return make_node("EGY")


def export(
    out: Path,
    node: KeyedNode,
    blobs: MemoryBlobStore,
    items: list[EvidenceItem],
    log: MemoryCustody,
):  # type: ignore[no-untyped-def]
    return export_package(
        out,
        items=items,
        blobs=blobs,
        custody=log,
        keys=node.keys,
        sending_state="EGY",
        request="EGY-2026-00042",
        recipients=[AgeIdentity.generate().recipient()],
        clock=FixedClock(NOW),
    )


def test_export_packs_items_with_their_custody_and_description(
    node: KeyedNode, tmp_path: Path
) -> None:
    blobs, log = MemoryBlobStore(), MemoryCustody(node)
    items = [item(blobs, os.urandom(5000), "inbox.mbox"), item(blobs, b"same", "copy.mbox")]
    for it in items:
        log.collected(it.sha256, request="EGY-2026-00042")
    packed = export(tmp_path / "pkg", node, blobs, items, log)
    assert packed.custody_events == 2
    statement = read_statement(packed.path)
    assert [(e.name, e.sha256, e.media_type) for e in statement.payload] == [
        (it.acquisition.original_name, it.sha256, "application/mbox") for it in items
    ]
    report = verify_package(packed.path, trust=TrustStore((node.identity,)))
    assert len(report.custody) == 2
    graph = json.loads((packed.path / "case-uco.jsonld").read_text())["@graph"]
    kinds = [n["@type"] for n in graph]
    assert kinds.count("uco-observable:File") == 2
    actions = [n["uco-core:name"] for n in graph if n["@type"].endswith("InvestigativeAction")]
    assert actions == ["acquisition", "acquisition", "collected", "collected", "packaged"]
    assert all(n["@id"].startswith("kb:") for n in graph)


def test_events_of_the_same_bytes_in_another_case_stay_out(node: KeyedNode, tmp_path: Path) -> None:
    """The same file collected for two requests: a package for one tells nothing of the
    other (Art. 40(20))."""
    blobs, log = MemoryBlobStore(), MemoryCustody(node)
    mailbox = item(blobs, b"the same mailbox", "inbox.mbox")
    log.collected(mailbox.sha256, request="EGY-2026-00042")
    log.collected(mailbox.sha256, request="EGY-2026-00777")
    log.collected(mailbox.sha256, request="EGY-2026-00042", officer="samir")
    packed = export(tmp_path / "pkg", node, blobs, [mailbox], log)
    assert packed.custody_events == 2
    report = verify_package(packed.path, trust=TrustStore((node.identity,)))
    assert [step.event.request_id for step in report.custody] == ["EGY-2026-00042"] * 2
    assert [step.event.officer for step in report.custody] == ["amira", "samir"]


def test_export_refuses_blobs_that_changed(node: KeyedNode, tmp_path: Path) -> None:
    blobs = MemoryBlobStore()
    stored = item(blobs, b"original", "a.bin")
    blobs.corrupt(stored.sha256)
    with pytest.raises(IntegrityError):
        export(tmp_path / "pkg", node, blobs, [stored], MemoryCustody(node))
    assert not (tmp_path / "pkg").exists()


def test_export_needs_items(node: KeyedNode, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        export(tmp_path / "pkg", node, MemoryBlobStore(), [], MemoryCustody(node))
