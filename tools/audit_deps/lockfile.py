"""The packages a uv.lock pins, and which of them a deployed node runs.

Pure: it reads the lock's text, not the file. A package is *runtime* when the
project's own `dependencies` (or its extras) reach it, following each
package's dependencies and the extras they name; every other locked package
is *dev* (the dependency groups: tests, linters, tools). Markers are not
evaluated, so a package locked for another platform counts too: a lock is
audited for every machine it can install on. The project itself (an editable
or virtual source) is not a PyPI package and is left out.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

LOCAL_SOURCES = frozenset({"editable", "virtual", "directory", "path"})


class LockError(ValueError):
    """A lock file that is not a uv.lock (invalid input)."""


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str
    runtime: bool


def _key(entry: Mapping[str, Any]) -> tuple[str, str]:
    return (str(entry["name"]), str(entry.get("version", "")))


def _targets(
    refs: Iterable[Mapping[str, Any]], index: Mapping[str, list[Mapping[str, Any]]]
) -> list[tuple[Mapping[str, Any], tuple[str, ...]]]:
    """The locked packages that dependency entries name, with the extras they ask for."""
    found: list[tuple[Mapping[str, Any], tuple[str, ...]]] = []
    for ref in refs:
        candidates = index.get(str(ref.get("name")), [])
        if "version" in ref:
            candidates = [c for c in candidates if c.get("version") == ref["version"]]
        found.extend((c, tuple(ref.get("extra", ()))) for c in candidates)
    return found


def _closure(
    roots: Iterable[Mapping[str, Any]], index: Mapping[str, list[Mapping[str, Any]]]
) -> set[tuple[str, str]]:
    visited: set[tuple[tuple[str, str], tuple[str, ...]]] = set()
    todo = _targets(roots, index)
    while todo:
        package, extras = todo.pop()
        if (_key(package), extras) in visited:
            continue
        visited.add((_key(package), extras))
        refs = list(package.get("dependencies", ()))
        for extra in extras:
            refs.extend(package.get("optional-dependencies", {}).get(extra, ()))
        todo.extend(_targets(refs, index))
    return {key for key, _ in visited}


def read_lock(text: str) -> tuple[LockedPackage, ...]:
    """Every PyPI package the lock pins, sorted by name and version."""
    try:
        data = tomllib.loads(text)
        packages = [p for p in data["package"] if "name" in p and "version" in p]
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise LockError(f"not a uv.lock: {error}") from error
    index: dict[str, list[Mapping[str, Any]]] = {}
    for package in packages:
        index.setdefault(package["name"], []).append(package)
    projects = [p for p in packages if LOCAL_SOURCES & set(p.get("source", {}))]
    roots: list[Mapping[str, Any]] = []
    for project in projects:
        roots.extend(project.get("dependencies", ()))
        for refs in project.get("optional-dependencies", {}).values():
            roots.extend(refs)
    runtime = _closure(roots, index)
    local = {_key(p) for p in projects}
    return tuple(
        sorted(
            (
                LockedPackage(p["name"], p["version"], _key(p) in runtime)
                for p in packages
                if _key(p) not in local
            ),
            key=lambda p: (p.name, p.version),
        )
    )
