"""The audit itself: locked packages against advisories, and how findings read.

Pure. One finding per locked package and vulnerability: an advisory whose id
or aliases were already reported for that package (the same vulnerability
under another database's id) is not reported twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from audit_deps import osv
from audit_deps.lockfile import LockedPackage


@dataclass(frozen=True)
class Finding:
    package: LockedPackage
    match: osv.Match

    @property
    def scope(self) -> str:
        return "runtime" if self.package.runtime else "dev"

    def line(self) -> str:
        """`runtime jinja2 3.1.4: PYSEC-... (CVE-..., GHSA-...), fixed in 3.1.5: summary`"""
        advisory = self.match.advisory
        aliases = f" ({', '.join(advisory.aliases)})" if advisory.aliases else ""
        fixed = ", ".join(self.match.fixed)
        fix = f"fixed in {fixed}" if fixed else "no fixed version"
        return (
            f"{self.scope} {self.package.name} {self.package.version}: "
            f"{advisory.id}{aliases}, {fix}: {advisory.summary}"
        )

    def as_json(self) -> dict[str, Any]:
        advisory = self.match.advisory
        return {
            "package": self.package.name,
            "version": self.package.version,
            "scope": self.scope,
            "id": advisory.id,
            "aliases": list(advisory.aliases),
            "fixed": list(self.match.fixed),
            "summary": advisory.summary,
        }


def audit(packages: Iterable[LockedPackage], advisories: Iterable[osv.Advisory]) -> list[Finding]:
    """Every (package, vulnerability) the advisories say affects a locked version."""
    by_name: dict[str, list[osv.Advisory]] = {}
    for advisory in sorted(advisories, key=lambda a: a.id):
        for name in {entry.package for entry in advisory.affected}:
            by_name.setdefault(name, []).append(advisory)
    findings = []
    for package in packages:
        reported: set[str] = set()
        for advisory in by_name.get(package.name, ()):
            found = osv.match(advisory, package.name, package.version)
            names = {advisory.id, *advisory.aliases}
            if found and not names & reported:
                reported |= names
                findings.append(Finding(package, found))
    return findings


def failed(findings: Iterable[Finding], *, strict: bool) -> bool:
    """A runtime finding fails the audit; a dev-only finding fails it under --strict."""
    return any(f.package.runtime or strict for f in findings)
