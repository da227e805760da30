"""How each file of a package was obtained, as its page shows it: from the report kept with
the package (either side), from the items of a package not packed yet, and nothing rather
than an error from a report it cannot read."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from hanoi.convention import Language
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.federation.ports import PackageRow
from hanoi.i18n.formatting import LocaleFormat
from hanoi.web.ui.package_acquisitions import acquisition_values

T0 = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
EN = LocaleFormat(Language.EN)
ACQUISITION = {
    "source_kind": "provider", "source": "Example Mail Ltd", "obtained_at": "2026-11-22T09:30:00Z",
    "method": "export by the provider", "officer": "lan", "state": "VNM", "article": "Art. 44",
    "legal_basis": "Production order 17/2026", "authority": "Supreme People's Procuracy",
}  # fmt: skip
ROW = PackageRow(
    id="p" * 32, request_id="EGY-2026-1", direction="incoming", peer="VNM", sha256="c" * 64,
    size=1000, status="accepted", received=1000, error=None, created_at=T0, updated_at=T0,
)  # fmt: skip


def report(*items: dict[str, Any]) -> str:
    return json.dumps({"version": 1, "verdict": "verified", "checked": [], "items": list(items)})


def item(name: str, acquisition: dict[str, Any] | None) -> dict[str, Any]:
    return {"name": name, "sha256": "a" * 64, "size": 10, "acquisition": acquisition}


def values(row: PackageRow, node: Any = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = acquisition_values(node, None, row, EN)["acquisitions"]  # type: ignore[arg-type]
    return rows


def test_a_kept_report_gives_each_file_with_how_it_was_obtained() -> None:
    kept = replace(ROW, report=report(item("mailbox.mbox", ACQUISITION), item("old.csv", None)))
    [first, second] = values(kept)
    a = first["acquisition"]
    assert (first["name"], a["state_name"], a["legal_basis"]) == (
        "mailbox.mbox", "Viet Nam", "Production order 17/2026",
    )  # fmt: skip
    assert a["obtained_at"] == datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    assert a["authority"] == "Supreme People's Procuracy"
    assert second == {"name": "old.csv", "sha256": "a" * 64, "acquisition": None}


def test_a_report_that_does_not_say_or_cannot_be_read_shows_nothing() -> None:
    for text in (None, "not json", json.dumps({"checked": []}), report(item("x", None)),
                 report(item("x", {**ACQUISITION, "obtained_at": "yesterday"}))):  # fmt: skip
        assert values(replace(ROW, report=text)) == []


def test_a_package_not_packed_yet_shows_its_items_as_this_node_recorded_them() -> None:
    recorded = EvidenceItem(
        id="1" * 32, sha256="b" * 64, size=5, recorded_at=T0,
        acquisition=Acquisition(
            original_name="dump.bin", media_type="application/octet-stream",
            source_kind=SourceKind.DEVICE, source="Seized laptop", method="forensic image",
            acquired_at=T0 - timedelta(days=2), officer="lan", request_ref="EGY-2026-1",
            article="Art. 44", legal_basis="Search warrant 5/2026",
        ),
    )  # fmt: skip
    node = SimpleNamespace(
        evidence=SimpleNamespace(get=lambda user, item_id: recorded),
        settings=SimpleNamespace(state="VNM"),
    )
    waiting = replace(
        ROW, direction="outgoing", status="awaiting-witnesses",
        items=json.dumps({"items": [recorded.id], "officer": "lan"}),
    )  # fmt: skip
    [row] = values(waiting, node)
    a = row["acquisition"]
    assert (row["name"], a["state"], a["legal_basis"], a["authority"]) == (
        "dump.bin", "VNM", "Search warrant 5/2026", None,
    )  # fmt: skip
    assert str(a["source_kind"]) == "Device or storage medium"
