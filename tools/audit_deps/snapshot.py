"""The advisory snapshot: one JSON file that the offline audit reads.

Pure: text in, text out. The file is

    {
      "format": "hanoi-advisory-snapshot/1",
      "as_of": "YYYY-MM-DD",          the oldest source's commit date: nothing newer is known
      "generated": "YYYY-MM-DD",      when --refresh-from wrote it
      "licence": ..., "attribution": ...,
      "sources": [{"name", "repository", "commit", "date", "licence"}, ...],
      "packages": [...],              the locked names it was cut for
      "advisories": [OSV record, ...] one compact record a line, sorted by id
    }

The records are OSV (https://ossf.github.io/osv-schema/) cut down to the
fields the audit reads, so any OSV tool can read them too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from audit_deps import osv

FORMAT = "hanoi-advisory-snapshot/1"
MAX_AGE_DAYS = 90


class SnapshotError(ValueError):
    """A snapshot file that cannot be read (invalid input)."""


@dataclass(frozen=True)
class Source:
    name: str
    repository: str
    commit: str
    date: str
    licence: str


@dataclass(frozen=True)
class Snapshot:
    as_of: date
    generated: date
    licence: str
    attribution: str
    sources: tuple[Source, ...]
    packages: frozenset[str]
    advisories: tuple[osv.Advisory, ...]


def attribution(sources: tuple[Source, ...]) -> str:
    names = "; ".join(
        f"{s.name} ({s.repository or 'no repository recorded'}, commit {s.commit or 'unknown'})"
        for s in sources
    )
    return (
        f"Advisories from {names}, licensed under {licence(sources)}. "
        "Cut down by Hanoi's scripts/audit-deps to the packages of uv.lock and to the "
        "fields the audit reads; listed versions already covered by a range removed."
    )


def licence(sources: tuple[Source, ...]) -> str:
    return " and ".join(sorted({s.licence for s in sources})) or "unknown"


def load(text: str) -> Snapshot:
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise SnapshotError(f"not a {FORMAT} file")
        return Snapshot(
            as_of=date.fromisoformat(data["as_of"]),
            generated=date.fromisoformat(data["generated"]),
            licence=str(data["licence"]),
            attribution=str(data["attribution"]),
            sources=tuple(Source(**s) for s in data["sources"]),
            packages=frozenset(data["packages"]),
            advisories=tuple(osv.parse(r) for r in data["advisories"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        if isinstance(error, SnapshotError):
            raise
        raise SnapshotError(f"unreadable advisory snapshot: {error}") from error


def dump(snapshot: Snapshot) -> str:
    """Deterministic text: the header indented, then one advisory a line."""
    header: dict[str, Any] = {
        "format": FORMAT,
        "as_of": snapshot.as_of.isoformat(),
        "generated": snapshot.generated.isoformat(),
        "licence": snapshot.licence,
        "attribution": snapshot.attribution,
        "sources": [s.__dict__ for s in snapshot.sources],
        "packages": sorted(snapshot.packages),
    }
    head = json.dumps(header, indent=2, ensure_ascii=False)[:-2]
    lines = [
        json.dumps(osv.to_record(a), ensure_ascii=False, separators=(",", ":"))
        for a in sorted(snapshot.advisories, key=lambda a: a.id)
    ]
    return head + ',\n  "advisories": [\n' + ",\n".join(lines) + "\n]}\n"


def age_warning(snapshot: Snapshot, today: date, max_age_days: int = MAX_AGE_DAYS) -> str:
    """A warning when the snapshot is older than max_age_days, else ""."""
    age = (today - snapshot.as_of).days
    if age <= max_age_days:
        return ""
    return (
        f"the advisory snapshot is {age} days old (as of {snapshot.as_of}, more than "
        f"{max_age_days}): advisories published since are unknown to it; refresh it "
        "(docs/operations.md, Dependency audit)"
    )
