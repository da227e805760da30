"""What a package verification found: the checks that held, and what could not be checked. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hanoi.evidence.custody_bundle import CustodyOutcome, ProvenStep
from hanoi.evidence.fields import utc_text
from hanoi.evidence.statement import Statement


@dataclass(frozen=True, slots=True)
class Check:
    """One thing that was checked and holds. ``area``: bag, statement, custody, description,
    payload."""

    area: str
    detail: str


@dataclass(frozen=True, slots=True)
class PackageReport:
    statement: Statement
    signer: str
    key_id: str
    checks: tuple[Check, ...]
    unchecked: tuple[str, ...]
    custody: tuple[ProvenStep, ...]

    def verdict(self) -> str:
        s = self.statement
        request = f" answering request {s.request}" if s.request else ""
        return (
            f"VERIFIED: package {s.package_id} from {s.sending_state}{request}, "
            f"{len(s.payload)} file(s), {len(self.custody)} custody step(s) proven"
        )

    def lines(self) -> list[str]:
        """The report as a person reads it: checks, what was not checked, conditions, verdict."""
        out = [f"checked      {c.area}: {c.detail}" for c in self.checks]
        out += [f"NOT checked  {item}" for item in self.unchecked]
        conditions = self.statement.conditions.to_json()
        out += [f"condition    {name}: {conditions[name]}" for name in sorted(conditions)]
        out.append(self.verdict())
        return out

    def as_json(self) -> dict[str, Any]:
        s = self.statement
        return {
            "verdict": "verified",
            "package": {
                "package_id": s.package_id,
                "created": utc_text(s.created),
                "sending_state": s.sending_state,
                "request": s.request,
                "signer": self.signer,
                "signing_key_id": self.key_id,
                "recipients": list(s.recipients),
                "conditions": s.conditions.to_json(),
                "files": [e.to_json() for e in s.payload],
            },
            "checked": [{"area": c.area, "detail": c.detail} for c in self.checks],
            "not_checked": list(self.unchecked),
            "custody": [
                {
                    **step.event.to_json(),
                    "log_origin": step.log_origin,
                    "index": step.index,
                    "tree_size": step.tree_size,
                    "witnesses": list(step.witnesses),
                }
                for step in self.custody
            ],
        }


def custody_checks(
    ok: Callable[[str, str], None],
    unchecked: list[str],
    outcome: CustodyOutcome,
    *,
    statement: Statement,
    entries: int,
) -> None:
    """Report each proven step, and every gap: unwitnessed checkpoints, unknown signatures,
    payload files whose custody the package does not prove."""
    if entries == 0:
        unchecked.append("custody: the package holds no custody events (packed without a node)")
    gaps: dict[str, None] = {}
    paths: dict[str, list[str]] = {}
    for entry in statement.payload:
        paths.setdefault(entry.sha256, []).append(entry.path)
    for step in outcome.proven:
        e = step.event
        about = ", ".join(paths.get(e.evidence_sha256 or "", [])) or f"request {e.request_id}"
        ok(
            "custody",
            f"{about}: {e.action.value} at {utc_text(e.time)} by {e.officer} "
            f"({e.node}, {e.article}): "
            f"entry {step.index} of {step.log_origin}, checkpoint size {step.tree_size}, "
            f"cosigned by {len(step.witnesses)} trusted witness(es)",
        )
        where = f"{step.log_origin} at size {step.tree_size}"
        if not step.witnesses:
            gaps[f"witnessing of {where}: no witness in the trust file cosigned it"] = None
        if step.other_signatures > 0:
            gaps[
                f"{step.other_signatures} signature(s) on the checkpoint of {where}, "
                "from keys not in the trust file"
            ] = None
    unchecked.extend(gaps)
    unchecked.extend(outcome.unchecked)
    if outcome.proven:
        covered = {s.event.evidence_sha256 for s in outcome.proven}
        unchecked.extend(
            f"custody of {e.path}: no custody step proven for it"
            for e in statement.payload
            if e.sha256 not in covered
        )
