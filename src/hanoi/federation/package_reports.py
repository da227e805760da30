"""What was found about an evidence package, kept with it (``evidence_packages.report``,
migration 0009; ADR 0015), so that its pages show it without verifying again.

A kept report is JSON with a ``version`` and a ``verdict``: ``verified`` (an incoming
package accepted: the verification report, every check held), ``not-verified`` (an
incoming package refused: the checks that held before the one that failed), ``sent`` (an
outgoing package: what its signed statement says; the receiver verifies it).
:class:`KeptReport` reads one back; older reports lack some members (``conditions``,
``terms``) and read as empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hanoi.errors import InvalidInput
from hanoi.evidence.report import Check

REPORT_VERSION = 1


@dataclass(frozen=True, slots=True)
class KeptFile:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class KeptStep:
    """A custody step the verification proved (``PackageReport.custody``)."""

    action: str
    time: datetime
    node: str
    officer: str
    article: str
    evidence_sha256: str | None
    log_origin: str
    index: int
    witnesses: int


@dataclass(frozen=True, slots=True)
class KeptTerm:
    """A condition that travels with the package (the statement's ``terms``): its kind
    (a key of the Convention catalogue's conditions), the State that imposed it, its text
    as signed, and its article."""

    kind: str
    imposed_by: str
    text: str
    article: str


_TERM_FIELDS = ("kind", "imposed_by", "text")


def _terms(value: Any) -> tuple[KeptTerm, ...]:
    """The kept report's ``conditions`` (older reports have none: an empty tuple)."""
    if not isinstance(value, list):
        return ()
    return tuple(
        KeptTerm(str(t["kind"]), str(t["imposed_by"]), str(t["text"]), str(t.get("article", "")))
        for t in value
        if isinstance(t, dict) and all(isinstance(t.get(k), str) for k in _TERM_FIELDS)
    )


@dataclass(frozen=True, slots=True)
class KeptReport:
    """What was found about a package, kept with it. ``verdict``: ``verified`` (accepted:
    every check held), ``not-verified`` (refused: the checks that held before the one that
    failed), ``sent`` (an outgoing package: what its statement says; the receiver
    verifies it)."""

    verdict: str
    checks: tuple[Check, ...] = ()
    unchecked: tuple[str, ...] = ()
    custody: tuple[KeptStep, ...] = ()
    conditions: tuple[tuple[str, str], ...] = ()
    """The four legacy texts (``use_limitation``...), for packages without ``terms``."""
    terms: tuple[KeptTerm, ...] = ()
    files: tuple[KeptFile, ...] = ()
    signer: str | None = None
    signing_key_id: str | None = None
    created: datetime | None = None

    @classmethod
    def from_json(cls, text: str) -> KeptReport:
        """Read a kept report; ``InvalidInput`` if it is not one."""
        try:
            value = json.loads(text)
            package = value.get("package") or {}
            return cls(
                verdict=str(value["verdict"]),
                checks=tuple(Check(str(c["area"]), str(c["detail"])) for c in value["checked"]),
                unchecked=tuple(str(u) for u in value.get("not_checked", ())),
                custody=tuple(
                    KeptStep(
                        action=str(step["type"]),
                        time=datetime.fromisoformat(step["time"]),
                        node=str(step["node"]),
                        officer=str(step["officer"]),
                        article=str(step["article"]),
                        evidence_sha256=step.get("evidence_sha256"),
                        log_origin=str(step["log_origin"]),
                        index=int(step["index"]),
                        witnesses=len(step["witnesses"]),
                    )
                    for step in value.get("custody", ())
                ),
                conditions=tuple(
                    (str(k), str(v)) for k, v in sorted(package.get("conditions", {}).items())
                ),
                terms=_terms(value.get("conditions")),
                files=tuple(
                    KeptFile(str(f["name"]), str(f["sha256"]), int(f["size"]))
                    for f in package.get("files", ())
                ),
                signer=package.get("signer"),
                signing_key_id=package.get("signing_key_id"),
                created=datetime.fromisoformat(package["created"])
                if package.get("created")
                else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidInput(f"not a kept package report: {type(exc).__name__}") from None


def report_text(value: dict[str, Any]) -> str:
    """A report to keep with a package (JSON, with this module's version)."""
    return json.dumps({"version": REPORT_VERSION, **value}, ensure_ascii=False)
