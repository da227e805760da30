"""The house stands: no import arrow runs back up the layers (docs/architecture.md, issue 18).

Checked on the source, every import (inside functions too), so that the rule holds for the
code as written and not only for what a test happens to load:

- the domain packages and the shared languages import no adapter (``hanoi.storage``,
  SQLAlchemy), no composition root (``hanoi.wiring``) and no entry point (``hanoi.web``,
  ``hanoi.cli``, FastAPI, the sandbox);
- the application packages above them (the court report, letters) may use ``hanoi.wiring``'s
  ``Node`` but import neither the web layer nor the CLI, nor storage;
- nothing but the CLI imports the sandbox, which sits above the composition root;
- ``hanoi.observability`` (metrics, log lines) is used by the entry points and the
  composition root; it imports none of them, nor storage, and no domain package imports it
  (a background job is given a plain heartbeat callback).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "hanoi"

DOMAIN = ("convention", "cooperation", "evidence", "custody", "directory", "federation",
          "accounts", "i18n", "statistics", "providers")  # fmt: skip
APPLICATION = ("reports", "letters")
ADAPTERS = ("hanoi.storage", "sqlalchemy")
ENTRY_POINTS = ("hanoi.web", "hanoi.cli", "hanoi.sandbox", "fastapi", "starlette")
OBSERVABILITY = "hanoi.observability"
FORBIDDEN = {
    **dict.fromkeys(DOMAIN, (*ADAPTERS, "hanoi.wiring", *ENTRY_POINTS, OBSERVABILITY)),
    **dict.fromkeys(APPLICATION, (*ADAPTERS, *ENTRY_POINTS)),
    "observability": (*ADAPTERS, "hanoi.wiring", "hanoi.web", "hanoi.cli", "hanoi.sandbox"),
}


def imported(path: Path) -> list[str]:
    """Every module ``path`` (under src/hanoi) imports, absolute or relative, at any depth."""
    package = ".".join(("hanoi", *path.relative_to(SRC).parent.parts))
    return imported_by(path.read_text(encoding="utf-8"), package)


def imported_by(source: str, package: str) -> list[str]:
    tree = ast.parse(source)
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.append(base)
            names.extend(f"{base}.{alias.name}" for alias in node.names)
    return names


def offending(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    files = sorted((SRC / layer).rglob("*.py"))
    assert files, f"no module in src/hanoi/{layer}"
    return sorted(
        {
            f"{path.relative_to(SRC)}: {name}"
            for path in files
            for name in imported(path)
            if any(name == bad or name.startswith(f"{bad}.") for bad in forbidden)
        }
    )


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_import_runs_back_up(layer: str) -> None:
    assert offending(layer, FORBIDDEN[layer]) == []


def test_only_the_cli_imports_the_sandbox() -> None:
    users = sorted(
        f"{path.relative_to(SRC)}"
        for path in SRC.rglob("*.py")
        if path.relative_to(SRC).parts[0] not in ("cli", "sandbox")
        and any(n == "hanoi.sandbox" or n.startswith("hanoi.sandbox.") for n in imported(path))
    )
    assert users == []


def test_the_guard_sees_late_and_relative_imports() -> None:
    """The check itself: an import inside a function, and a relative one, are both seen."""
    late = "def f():\n    from hanoi.web.app import create_app\n    return create_app\n"
    assert "hanoi.web.app" in imported_by(late, "hanoi.custody")
    relative = "from ..storage import tables\n"
    assert "hanoi.storage.tables" in imported_by(relative, "hanoi.custody")
