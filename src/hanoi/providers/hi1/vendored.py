"""Where the vendored specification files are, in a checkout or in an installed wheel.

The files live in the repository's ``third_party/`` (ADR 0039). A wheel carries them inside
the package as ``hanoi/_vendor/<name>`` (``[tool.hatch.build.targets.wheel.force-include]``
in ``pyproject.toml``); an editable install or a plain checkout has only ``third_party/``.
:func:`vendored_dir` tries the package location first, then the checkout.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hanoi.errors import Unavailable

ETSI = "etsi"
"""ETSI's files: ``etsi/103120/schema/json``, ``dictionaries``, ``examples``, README."""
TS103280_STAND_IN = "hanoi-ts103280-stand-in"
"""Hanoi's own stand-in for the TS 103 280 JSON schema (not ETSI's)."""

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # src/hanoi, or site-packages/hanoi
_VENDOR_IN_PACKAGE = _PACKAGE_ROOT / "_vendor"
_VENDOR_IN_CHECKOUT = _PACKAGE_ROOT.parents[1] / "third_party"  # <repo>/src/hanoi -> <repo>


def vendored_dir(name: str, *, roots: Sequence[Path] | None = None) -> Path:
    """The folder ``name`` (:data:`ETSI` or :data:`TS103280_STAND_IN`) in the first of
    ``roots`` that has it: by default the installed package's ``_vendor``, then the
    checkout's ``third_party``. :class:`~hanoi.errors.Unavailable` when none has it (a
    broken install)."""
    candidates = roots if roots is not None else (_VENDOR_IN_PACKAGE, _VENDOR_IN_CHECKOUT)
    for root in candidates:
        if (root / name).is_dir():
            return root / name
    tried = ", ".join(str(root / name) for root in candidates)
    raise Unavailable(f"the vendored files {name!r} are missing (looked in {tried})")
