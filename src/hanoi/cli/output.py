"""How the CLI reports: one line on standard error and an exit code per error family."""

from __future__ import annotations

import json
import sys
from typing import Any

from hanoi import errors

EXIT_CODES: dict[type[errors.HanoiError], int] = {
    errors.InvalidInput: 2,
    errors.NotFound: 3,
    errors.Conflict: 4,
    errors.RuleViolation: 5,
    errors.IntegrityError: 6,
    errors.PermissionDenied: 7,
    errors.PeerError: 8,
    errors.Unavailable: 9,
    errors.RateLimited: 10,
}
EXIT_UNEXPECTED = 70


def exit_code_for(exc: errors.HanoiError) -> int:
    for family, code in EXIT_CODES.items():
        if isinstance(exc, family):
            return code
    return 1


def report_error(exc: errors.HanoiError) -> int:
    """Print ``hanoi: <family>: <diagnostics>`` on one line; return the exit code."""
    message = " ".join(exc.diagnostics().split())
    print(f"hanoi: {exc.title.lower()}: {message}", file=sys.stderr)
    return exit_code_for(exc)


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))
