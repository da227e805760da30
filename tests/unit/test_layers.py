"""No arrow runs back up: the domain packages import no adapter and no entry point.

Storage implements the ports the domain defines; the wiring (``hanoi.wiring``) is the one
place that builds both (DESIGN.md, "Code layout"). Every import statement counts, those
under ``TYPE_CHECKING`` too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hanoi

SOURCE = Path(hanoi.__file__).parent
DOMAIN = ("convention", "cooperation", "evidence", "custody", "directory", "federation", "accounts")
FORBIDDEN = (
    "hanoi.storage",
    "hanoi.wiring",
    "hanoi.web",
    "hanoi.cli",
    "hanoi.sandbox",
    "sqlalchemy",
    "fastapi",
)


def imported(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


@pytest.mark.parametrize("package", DOMAIN)
def test_a_domain_package_imports_no_adapter_nor_entry_point(package: str) -> None:
    files = sorted((SOURCE / package).rglob("*.py"))
    assert files
    wrong = [
        f"{path.relative_to(SOURCE)}:{line}: {name}"
        for path in files
        for line, name in imported(path)
        if forbidden(name)
    ]
    assert wrong == []


def test_the_rule_sees_an_import_of_storage(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from hanoi.storage.transfers_repo import TransfersRepository\n"
        "import sqlalchemy.orm\n"
    )
    assert sorted(name for _, name in imported(module) if forbidden(name)) == [
        "hanoi.storage.transfers_repo",
        "sqlalchemy.orm",
    ]
