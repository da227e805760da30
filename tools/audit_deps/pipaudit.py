"""pip-audit's JSON report read as the offline audit's findings (--online).

Pure. pip-audit marks a package it could not look up (no network, or an index
that answers nothing) as skipped and still exits 0; here a skipped package is
kept apart, so that an audit that looked at nothing cannot pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from audit_deps import osv
from audit_deps.audit import Finding
from audit_deps.lockfile import LockedPackage


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    skipped: tuple[str, ...]
    audited: int


def read_report(text: str, locked: Iterable[LockedPackage]) -> Report:
    """Findings (runtime or dev as the lock says), and "name: reason" for each skipped one."""
    scope = {p.name: p for p in locked}
    findings = []
    skipped = []
    dependencies = json.loads(text)["dependencies"]
    for dep in dependencies:
        if "skip_reason" in dep:
            skipped.append(f"{dep['name']}: {dep['skip_reason']}")
            continue
        package = scope.get(dep["name"], LockedPackage(dep["name"], dep["version"], True))
        for vuln in dep.get("vulns", ()):
            advisory = osv.parse(
                {
                    "id": vuln["id"],
                    "aliases": vuln.get("aliases"),
                    "details": vuln.get("description"),
                }
            )
            fixed = tuple(vuln.get("fix_versions", ()))
            findings.append(
                Finding(package, osv.Match(advisory, package.name, dep["version"], fixed))
            )
    return Report(tuple(findings), tuple(skipped), len(dependencies) - len(skipped))
