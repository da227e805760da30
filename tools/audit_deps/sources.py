"""Advisory databases read from local copies, to rebuild the snapshot (--refresh-from).

A source is a folder: a git repository, bare or not (its committed HEAD is
read, so the snapshot records the exact commit and its date), or a plain
folder of OSV files such as an unzipped export (its date is then the newest
`modified` in it). In a folder laid out as a known database only its
advisories are read:

- PyPA Advisory Database: vulns/<package>/PYSEC-*.yaml
- GitHub Advisory Database: advisories/github-reviewed/ (the reviewed
  advisories; records of other ecosystems drop out when parsed)

and in any other folder every *.json, *.yaml and *.yml file that is an OSV
record. Withdrawn advisories and those of packages not in the lock are left
out of the snapshot.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

from audit_deps import osv
from audit_deps.snapshot import Snapshot, Source, attribution, licence

LAYOUTS = (
    ("vulns", "PyPA Advisory Database"),
    ("advisories/github-reviewed", "GitHub Advisory Database (reviewed)"),
)
SUFFIXES = (".json", ".yaml", ".yml")
LICENCE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt")
CC_BY_4 = "Attribution 4.0 International"
YAML_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class SourceError(ValueError):
    """A folder given to --refresh-from that holds no advisory database (invalid input)."""


@dataclass(frozen=True)
class Folder:
    """One source folder: how to list and read its files."""

    path: Path
    git: bool

    def _git(self, *args: str, data: bytes | None = None) -> bytes:
        # git from PATH, as a maintainer runs it; the arguments are ours and the folder's path.
        return subprocess.run(  # noqa: S603
            ["git", "-C", str(self.path), *args],  # noqa: S607
            input=data,
            capture_output=True,
            check=True,
        ).stdout

    def exists(self, name: str) -> bool:
        if self.git:
            return bool(self._git("ls-tree", "--name-only", "HEAD", "--", name).strip())
        return (self.path / name).exists()

    def names(self, under: str) -> list[str]:
        if self.git:
            listing = self._git("ls-tree", "-r", "-z", "--name-only", "HEAD", "--", under or ".")
            return sorted(n for n in listing.decode().split("\0") if n.endswith(SUFFIXES))
        root = self.path / under if under else self.path
        return sorted(
            p.relative_to(self.path).as_posix() for p in root.rglob("*") if p.suffix in SUFFIXES
        )

    def read(self, names: list[str]) -> Iterator[tuple[str, bytes]]:
        if not self.git:
            for name in names:
                yield name, (self.path / name).read_bytes()
            return
        out = self._git("cat-file", "--batch", data="".join(f"HEAD:{n}\n" for n in names).encode())
        at = 0
        for name in names:
            end = out.index(b"\n", at)
            size = int(out[at:end].split()[2])
            yield name, out[end + 1 : end + 1 + size]
            at = end + 1 + size + 1

    def text(self, name: str) -> str:
        return next(self.read([name]))[1].decode(errors="replace") if self.exists(name) else ""

    def origin(self) -> str:
        """The clone's origin URL without any user or token in it; "" when not a URL."""
        try:
            url = self._git("config", "--get", "remote.origin.url").decode().strip()
        except subprocess.CalledProcessError:
            return ""
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http", "ssh", "git"):
            return ""
        return urlunsplit(parts._replace(netloc=parts.hostname or ""))


def _folder(path: Path) -> Folder:
    if not path.is_dir():
        raise SourceError(f"{path}: not a folder")
    try:
        probe = Folder(path, git=True)
        bare = probe._git("rev-parse", "--is-bare-repository").decode().strip() == "true"
        top = "" if bare else probe._git("rev-parse", "--show-toplevel").decode().strip()
        probe._git("rev-parse", "--verify", "-q", "HEAD")
    except (subprocess.CalledProcessError, FileNotFoundError):
        return Folder(path, git=False)
    # A plain folder inside some other repository (this one) is not that repository.
    return probe if bare or Path(top).resolve() == path.resolve() else Folder(path, git=False)


def _record(name: str, data: bytes) -> osv.Advisory | None:
    """The file's advisory when it is an OSV record for PyPI, else None."""
    try:
        text = data.decode()
        # BaseLoader keeps every scalar a string: version 1.10 stays "1.10", not 1.1.
        record = json.loads(text) if name.endswith(".json") else yaml.load(text, YAML_LOADER)  # noqa: S506
        advisory = osv.parse(record)
    except (ValueError, yaml.YAMLError):
        return None
    return advisory if advisory.affected else None


def _licence(folder: Folder) -> str:
    for name in LICENCE_FILES:
        text = folder.text(name)
        if text:
            return "CC-BY-4.0" if CC_BY_4 in text[:2000] else f"see {name} of the source"
    return "unknown"


def read(path: Path) -> tuple[Source, list[osv.Advisory]]:
    """One source folder: what it is, and its PyPI advisories."""
    folder = _folder(path)
    under, name = next(
        ((prefix, label) for prefix, label in LAYOUTS if folder.exists(prefix)), ("", path.name)
    )
    parsed = (_record(file, data) for file, data in folder.read(folder.names(under)))
    advisories = [advisory for advisory in parsed if advisory]
    if not advisories:
        raise SourceError(f"{path}: no OSV advisory for PyPI in it")
    if folder.git:
        commit = folder._git("rev-parse", "HEAD").decode().strip()
        when = folder._git("log", "-1", "--format=%cI", "HEAD").decode().strip()
        stamp = datetime.fromisoformat(when).astimezone(UTC).isoformat()
    else:
        commit = ""
        stamp = max((a.modified for a in advisories if a.modified), default="")
        if not stamp:
            raise SourceError(f"{path}: not a git clone, and no advisory says when it was modified")
    source = Source(name, folder.origin() if folder.git else "", commit, stamp, _licence(folder))
    return source, advisories


def _day(stamp: str) -> date:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC).date()


def build(paths: Iterable[Path], packages: Iterable[str], today: date) -> Snapshot:
    """A snapshot of every source's live advisories for the given (locked) packages."""
    wanted = frozenset(packages)
    sources: list[Source] = []
    newest: dict[str, osv.Advisory] = {}
    for path in paths:
        source, advisories = read(path)
        sources.append(source)
        for advisory in advisories:
            if advisory.id not in newest or advisory.modified > newest[advisory.id].modified:
                newest[advisory.id] = advisory
    live = (osv.trim(a, wanted) for a in newest.values() if not a.withdrawn)
    kept = sorted((a for a in live if a), key=lambda a: a.id)
    found = tuple(sources)
    return Snapshot(
        as_of=min(_day(s.date) for s in found),
        generated=today,
        licence=licence(found),
        attribution=attribution(found),
        sources=found,
        packages=wanted,
        advisories=tuple(kept),
    )
