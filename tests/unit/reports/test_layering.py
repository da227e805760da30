"""The court report and the shared languages package do not import the web layer.

``hanoi.reports`` is used by the CLI as by the UI, and ``hanoi.i18n`` by both: what they
need of the UI's words (labels, locale formats, catalogues, a translated Jinja2
environment) lives in ``hanoi.i18n``. An import of ``hanoi.web``, even inside a function,
would bring FastAPI and the UI's modules into ``hanoi evidence report``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "src" / "hanoi"
LAYERS = ("reports", "i18n")


def _imported(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("layer", LAYERS)
def test_no_module_imports_hanoi_web(layer: str) -> None:
    files = sorted((SRC / layer).rglob("*.py"))
    assert files
    offending = [
        f"{path.relative_to(SRC)}: {name}"
        for path in files
        for name in _imported(path)
        if name == "hanoi.web" or name.startswith("hanoi.web.")
    ]
    assert not offending
