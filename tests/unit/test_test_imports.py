"""Test modules import no other test module: what several of them share (builders, fixtures'
bodies, sample data) lives in a support module (``tests/support_*.py`` or a
``*_support.py`` beside them). Importing a test module runs its module-level code, drags its
tests into another file's namespace (a fixture imported is a fixture redefined) and makes a
test file an API that nobody knows others depend on."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_test_modules(source: str) -> list[str]:
    """The test modules (a last component ``test_*``) that ``source`` imports, at any depth."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return sorted({n for n in names if any(p.startswith("test_") for p in n.split("."))})


def test_no_test_module_imports_another() -> None:
    offenders = {
        str(path.relative_to(TESTS)): found
        for path in sorted(TESTS.rglob("*.py"))
        if (found := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_check_sees_every_form_of_import() -> None:
    source = (
        "import unit.reports.test_render\n"
        "from unit.evidence.test_chain_across_borders import borders\n"
        "from unit.evidence import test_package_tar\n"
        "def later():\n    import test_other\n"
        "from unit.evidence.package_support import make_node\n"
        "import pytest\n"
    )
    assert imported_test_modules(source) == [
        "test_other",
        "unit.evidence.test_chain_across_borders",
        "unit.evidence.test_chain_across_borders.borders",
        "unit.evidence.test_package_tar",
        "unit.reports.test_render",
    ]
