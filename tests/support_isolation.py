"""Tasks for :func:`hanoi.evidence.isolated.run_limited` that misbehave on purpose: a
spawned child imports them by name, so they live in a module of their own, not in a test."""

from __future__ import annotations

import time
from typing import Any

from hanoi.evidence.isolated import Emit
from hanoi.evidence.package_errors import PackageTampered
from hanoi.evidence.report import Check


def sleeps(seconds: float, emit: Emit) -> dict[str, Any]:
    """A parse that takes longer than its limit (a stand-in for a backtracking regex)."""
    emit(Check("bag", "started"))
    time.sleep(seconds)
    return {"slept": seconds}


def spins(seconds: float, emit: Emit) -> dict[str, Any]:
    """Burns CPU, never blocking, for ``seconds``."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return {"n": n}


def allocates(size: int, emit: Emit) -> dict[str, Any]:
    """Asks for ``size`` bytes at once, and touches them."""
    block = bytearray(size)
    block[-1] = 1
    return {"size": len(block)}


def holds_then_fails(detail: str, emit: Emit) -> dict[str, Any]:
    emit(Check("bag", "BagIt 1.0"))
    emit(Check("statement", "signature"))
    raise PackageTampered(detail)


def crashes(_: object, emit: Emit) -> dict[str, Any]:
    def deeper(n: int) -> int:
        return deeper(n + 1) + 1

    return {"n": deeper(0)}


def answers(value: dict[str, Any], emit: Emit) -> dict[str, Any]:
    return value
