"""OSV advisories for PyPI packages, and which versions they affect.

Pure: no files, no network, no clock. The rules follow the OSV schema's
evaluation (https://ossf.github.io/osv-schema/#evaluation):

1. A withdrawn advisory affects nothing.
2. An `affected` entry concerns a package when its ecosystem is PyPI and its
   name, normalised as in PEP 503, is the package's.
3. A version is affected when the entry lists it in `versions`, or when it
   lies in one of the entry's ECOSYSTEM ranges. Other range types (GIT) say
   nothing about PyPI versions and are dropped.
4. A range's events are sorted by version, "0" first. A version lies in the
   range when the last `introduced` at or below it is followed by no `fixed`
   at or below it and no `last_affected` below it, and it is below every
   `limit`.
5. Versions compare as PEP 440 versions, so 3.1.5rc1 comes before 3.1.5.
   An event whose version is not PEP 440 errs towards reporting: such an
   `introduced` counts as "0", such a `fixed`, `last_affected` or `limit`
   is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
SUMMARY_LENGTH = 160


class AdvisoryError(ValueError):
    """An advisory record that is not OSV (invalid input in a snapshot or a source)."""


@dataclass(frozen=True)
class Event:
    kind: str
    version: str


@dataclass(frozen=True)
class Affected:
    package: str
    ranges: tuple[tuple[Event, ...], ...]
    versions: tuple[str, ...]


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    published: str
    modified: str
    affected: tuple[Affected, ...]
    withdrawn: str = ""


@dataclass(frozen=True)
class Match:
    """One advisory that affects one locked version, and the fixes that would end it."""

    advisory: Advisory
    package: str
    version: str
    fixed: tuple[str, ...]


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _summary(record: Mapping[str, Any]) -> str:
    text = _text(record.get("summary")) or _text(record.get("details"))
    text = " ".join(text.split())
    if len(text) > SUMMARY_LENGTH:
        text = text[: SUMMARY_LENGTH - 3].rstrip() + "..."
    return text


def _events(raw: Any) -> tuple[Event, ...]:
    events = []
    for item in raw or ():
        for kind in EVENT_KINDS:
            if kind in item:
                events.append(Event(kind, _text(item[kind])))
    return tuple(events)


def _affected(raw: Mapping[str, Any]) -> Affected | None:
    package = raw.get("package") or {}
    if _text(package.get("ecosystem")) != "PyPI" or not _text(package.get("name")):
        return None
    ranges = tuple(
        _events(item.get("events"))
        for item in raw.get("ranges") or ()
        if _text(item.get("type")) == "ECOSYSTEM"
    )
    versions = tuple(_text(v) for v in raw.get("versions") or ())
    return Affected(canonicalize_name(_text(package["name"])), ranges, versions)


def parse(record: Mapping[str, Any]) -> Advisory:
    """An OSV record (from YAML or JSON) as an Advisory with its PyPI entries only."""
    if not isinstance(record, Mapping) or not _text(record.get("id")):
        raise AdvisoryError("an OSV record needs an id")
    affected = tuple(a for a in map(_affected, record.get("affected") or ()) if a)
    return Advisory(
        id=_text(record["id"]),
        aliases=tuple(sorted({_text(a) for a in record.get("aliases") or ()})),
        summary=_summary(record),
        published=_text(record.get("published")),
        modified=_text(record.get("modified")),
        affected=affected,
        withdrawn=_text(record.get("withdrawn")),
    )


def _sort_key(event: Event) -> tuple[bool, Version]:
    return (event.version != "0", Version(event.version))


def _usable(events: Iterable[Event]) -> list[Event]:
    """Rule 5: an unreadable `introduced` becomes "0", other unreadable events go."""
    usable = []
    for event in events:
        if _version(event.version) is not None:
            usable.append(event)
        elif event.kind == "introduced":
            usable.append(Event("introduced", "0"))
    return sorted(usable, key=_sort_key)


def in_range(events: Iterable[Event], version: Version) -> bool:
    """Rule 4 for one ECOSYSTEM range."""
    inside = False
    for event in _usable(events):
        bound = Version(event.version)
        if event.kind == "limit" and version >= bound:
            return False
        if event.kind == "introduced" and version >= bound:
            inside = True
        elif (event.kind == "fixed" and version >= bound) or (
            event.kind == "last_affected" and version > bound
        ):
            inside = False
    return inside


def _listed(versions: Iterable[str], version: str) -> bool:
    parsed = _version(version)
    for listed in versions:
        other = _version(listed)
        if listed == version or (parsed is not None and other is not None and other == parsed):
            return True
    return False


def _fixes(events: Iterable[Event], version: Version) -> list[str]:
    """The first `fixed` above the version: the release that ends its interval."""
    fixed = [
        e.version for e in _usable(events) if e.kind == "fixed" and Version(e.version) > version
    ]
    return fixed[:1]


def match(advisory: Advisory, package: str, version: str) -> Match | None:
    """The advisory's verdict on one package version (rules 1-5), or None."""
    if advisory.withdrawn:
        return None
    name = canonicalize_name(package)
    parsed = _version(version)
    hit = False
    fixed: list[str] = []
    for entry in advisory.affected:
        if entry.package != name:
            continue
        listed = _listed(entry.versions, version)
        ranged = [r for r in entry.ranges if parsed is not None and in_range(r, parsed)]
        if listed or ranged:
            hit = True
            for events in ranged or entry.ranges:
                fixed.extend(_fixes(events, parsed) if parsed else [])
    if not hit:
        return None
    return Match(advisory, name, version, tuple(sorted(set(fixed), key=Version)))


def to_record(advisory: Advisory) -> dict[str, Any]:
    """The advisory as a compact OSV record: what a snapshot keeps of it."""
    record: dict[str, Any] = {"id": advisory.id}
    if advisory.aliases:
        record["aliases"] = list(advisory.aliases)
    record["summary"] = advisory.summary
    record["published"] = advisory.published
    record["modified"] = advisory.modified
    if advisory.withdrawn:
        record["withdrawn"] = advisory.withdrawn
    affected = []
    for entry in advisory.affected:
        item: dict[str, Any] = {"package": {"ecosystem": "PyPI", "name": entry.package}}
        if entry.ranges:
            item["ranges"] = [
                {"type": "ECOSYSTEM", "events": [{e.kind: e.version} for e in events]}
                for events in entry.ranges
            ]
        if entry.versions:
            item["versions"] = list(entry.versions)
        affected.append(item)
    record["affected"] = affected
    return record


def trim(advisory: Advisory, packages: frozenset[str]) -> Advisory | None:
    """The advisory cut down to the given packages, without the listed versions that
    its ranges already cover (same verdicts, less text); None if nothing is left."""
    kept = []
    for entry in advisory.affected:
        if entry.package not in packages:
            continue
        extra = tuple(
            v
            for v in entry.versions
            if not any(in_range(r, p) for r in entry.ranges for p in [_version(v)] if p)
        )
        kept.append(Affected(entry.package, entry.ranges, extra))
    if not kept:
        return None
    return Advisory(
        id=advisory.id,
        aliases=advisory.aliases,
        summary=advisory.summary,
        published=advisory.published,
        modified=advisory.modified,
        affected=tuple(kept),
        withdrawn=advisory.withdrawn,
    )
