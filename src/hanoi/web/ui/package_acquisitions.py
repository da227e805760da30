"""How each file of an evidence package was obtained, for the package page of both States.

The acquisition details (source, legal basis or order, time obtained, method, executing
officer and authority, article; issue 14) travel in the package's signed statement. The
page reads them from what the node kept with the package (``evidence_packages.report``):
for a package received, the verification report made on arrival, which gives each file's
acquisition as the collecting State signed it (the originating State's, for a file it
passed on); for a package sent, its statement's contents. A package sent but not packed
yet (waiting for witnesses) has no statement: its items, as this node recorded them, say
the same. Read only; a report that cannot be read shows nothing rather than failing the
page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hanoi.accounts.model import User
from hanoi.errors import HanoiError
from hanoi.evidence.items import EvidenceItem
from hanoi.federation.ports import Direction, PackageRow
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.labels import SOURCE_KINDS
from hanoi.i18n.messages import Message
from hanoi.wiring import Node

SHOWN_FILES = 500
_FIELDS = ("source_kind", "source", "method", "officer", "state", "article")


def _reported(report: str | None) -> list[tuple[str, str, Mapping[str, Any] | None]]:
    """``(name, sha256, acquisition)`` of each file a kept report lists, if it lists them."""
    try:
        value = json.loads(report) if report else {}
        items = value.get("items") if isinstance(value, dict) else None
        if not isinstance(items, list):
            return []
        return [
            (
                str(i["name"]),
                str(i["sha256"]),
                a if isinstance(a := i.get("acquisition"), dict) else None,
            )
            for i in items[:SHOWN_FILES]
        ]
    except (ValueError, TypeError, KeyError):
        return []


def _pending(node: Node, user: User, row: PackageRow) -> list[tuple[str, str, Mapping[str, Any]]]:
    """The items an outgoing package not packed yet will hold, as this node recorded them."""
    try:
        ids = json.loads(row.items or "{}").get("items", [])
        items: list[EvidenceItem] = [node.evidence.get(user, str(i)) for i in ids[:SHOWN_FILES]]
    except (ValueError, TypeError, AttributeError, HanoiError):
        return []
    return [
        (
            item.acquisition.original_name,
            item.sha256,
            {
                "source_kind": item.acquisition.source_kind.value,
                "source": item.acquisition.source,
                "obtained_at": item.acquisition.acquired_at.isoformat(),
                "method": item.acquisition.method,
                "officer": item.acquisition.officer,
                "state": node.settings.state,
                "article": item.acquisition.article,
                "legal_basis": item.acquisition.legal_basis,
                "authority": item.acquisition.authority,
            },
        )
        for item in items
    ]


def _row(fmt: LocaleFormat, name: str, sha256: str, a: Mapping[str, Any] | None) -> dict[str, Any]:
    if a is None or not all(isinstance(a.get(f), str) for f in (*_FIELDS, "obtained_at")):
        return {"name": name, "sha256": sha256, "acquisition": None}
    try:
        obtained = datetime.fromisoformat(str(a["obtained_at"]).replace("Z", "+00:00"))
    except ValueError:
        return {"name": name, "sha256": sha256, "acquisition": None}
    kind = str(a["source_kind"])
    return {
        "name": name,
        "sha256": sha256,
        "acquisition": {
            "obtained_at": obtained,
            "obtained_text": fmt.moment(obtained),
            "state": str(a["state"]),
            "state_name": fmt.territory(str(a["state"])),
            "officer": str(a["officer"]),
            "authority": a.get("authority") if isinstance(a.get("authority"), str) else None,
            "source_kind": SOURCE_KINDS.get(kind, Message(kind)),
            "source": str(a["source"]),
            "method": str(a["method"]),
            "legal_basis": a.get("legal_basis") if isinstance(a.get("legal_basis"), str) else None,
            "citation": fmt.citation(str(a["article"])),
        },
    }


def acquisition_values(
    node: Node, user: User, row: PackageRow, fmt: LocaleFormat
) -> dict[str, Any]:
    """``acquisitions``: one row per file with how it was obtained (None where the package
    does not say), for ``package.html``'s block of the same name; empty when unknown."""
    files: list[tuple[str, str, Mapping[str, Any] | None]] = list(_reported(row.report))
    if not files and row.direction == Direction.OUTGOING and row.report is None:
        files = list(_pending(node, user, row))
    rows = [_row(fmt, name, sha256, a) for name, sha256, a in files]
    return {"acquisitions": rows if any(r["acquisition"] for r in rows) else []}
