"""Package verification in a child process, with limits on its time, CPU and memory.

Why: a node verifies packages that other States' nodes send it. Whatever a package does
to the verifier (a parser that backtracks, a JSON document that takes a gigabyte, a bug
that loops), it must never stop the node answering: the attack run froze a node's API for
70 s with one tar header. :func:`verify_isolated` runs
:func:`~hanoi.evidence.verify.verify_package` in a process of its own, started with
``spawn`` (never ``fork`` from a threaded server), in which ``RLIMIT_AS`` bounds the
memory and ``RLIMIT_CPU`` the processor time; the parent kills it at a wall-clock
deadline. Exceeding a limit, or a child that dies, is :class:`VerificationAborted`: the
package is refused, the node carries on.

What crosses back is JSON, never pickle (a child that a package subverted cannot make its
parent run code): the checks as they hold, one message each (so a refusal still shows what
held before it), then the report (the statement in canonical JSON, parsed again here), or
the error's class and text, raised here again in the same class.
"""

from __future__ import annotations

import importlib
import json
import math
import multiprocessing
import resource
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.custody.events import parse_event
from hanoi.errors import HanoiError, InvalidInput, Unavailable
from hanoi.evidence.custody_bundle import ProvenStep
from hanoi.evidence.layout import DEFAULT_PACKAGE_LIMITS, PackageLimits
from hanoi.evidence.provenance import Origin
from hanoi.evidence.report import Check, OriginReport, PackageReport
from hanoi.evidence.statement import parse_statement
from hanoi.evidence.trust import TrustStore

GiB = 1024**3
MAX_MESSAGE = 64 * 1024 * 1024
"""Largest message the parent reads from the child: a report holds the statement (at most
8 MiB) and one line per check."""


class VerificationAborted(InvalidInput):
    """The verification exceeded its time, CPU or memory limit, or its process died."""


@dataclass(frozen=True, slots=True)
class RunLimits:
    """What one child may take: wall-clock seconds (start-up included), address space."""

    seconds: float
    memory_bytes: int

    @property
    def cpu_seconds(self) -> int:
        """``RLIMIT_CPU``: a backstop should the parent fail to kill the child in time."""
        return math.ceil(self.seconds) + 10


@dataclass(frozen=True, slots=True)
class VerifyBudget:
    """Limits that grow with the package: ``base_seconds`` plus ``seconds_per_gib``.

    The defaults leave a genuine 2 GiB package (about 6 s to verify and decrypt on two
    idle cores) a margin of thirty times, for a busy machine and a slow disk."""

    base_seconds: float = 60
    seconds_per_gib: float = 60
    memory_bytes: int = 2 * GiB

    def for_size(self, size: int) -> RunLimits:
        return RunLimits(self.base_seconds + self.seconds_per_gib * size / GiB, self.memory_bytes)


Emit = Callable[[Check], None]
Task = Callable[[Any, Emit], dict[str, Any]]


# --- in the child -----------------------------------------------------------------------


def _apply_limits(limits: RunLimits) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = limits.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


def _child(out: Connection, task: Task, argument: object, limits: RunLimits) -> None:
    def send(kind: str, value: object) -> None:
        out.send_bytes(json.dumps({kind: value}, ensure_ascii=False).encode())

    try:
        _apply_limits(limits)
        result = task(argument, lambda check: send("check", [check.area, check.detail]))
        send("result", result)
    except HanoiError as exc:
        kind = type(exc)
        send("error", {"module": kind.__module__, "class": kind.__qualname__, "detail": exc.detail})
    except MemoryError:
        send("memory", None)
    except Exception as exc:  # noqa: BLE001 - a verifier bug: reported, the package refused
        send("crash", f"{type(exc).__name__}: {str(exc)[:400]}")
    finally:
        out.close()


# --- in the parent ----------------------------------------------------------------------


def _error(spec: dict[str, Any]) -> HanoiError:
    """The child's error, in its own class when that is one of Hanoi's."""
    detail = str(spec.get("detail", ""))[:2000]
    module, name = str(spec.get("module", "")), str(spec.get("class", ""))
    kind: object = None
    if module.startswith("hanoi.") and "." not in name:
        kind = getattr(importlib.import_module(module), name, None)
    if isinstance(kind, type) and issubclass(kind, HanoiError):
        return kind(detail)
    return VerificationAborted(f"the verification failed: {detail}")


def _ended(process: multiprocessing.process.BaseProcess, limits: RunLimits) -> HanoiError:
    process.join(5)
    code = process.exitcode
    if code == -signal.SIGXCPU:
        return VerificationAborted(
            f"the verification exceeded its CPU time limit of {limits.cpu_seconds} s"
        )
    if code == -signal.SIGKILL:
        return VerificationAborted(
            "the verification process was killed (out of memory?); "
            f"its limit was {limits.memory_bytes // 2**20} MiB"
        )
    return VerificationAborted(f"the verification process ended abnormally (exit code {code})")


def run_limited(task: Task, argument: object, *, limits: RunLimits, on_check: Emit) -> Any:
    """``task(argument, emit)`` in a spawned child under ``limits``; what it returned (JSON
    values). ``on_check`` receives each check the child emits, as it comes. Raises the
    child's error, :class:`VerificationAborted` for a limit or a death, or
    :class:`~hanoi.errors.Unavailable` if no child can be started."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(sender, task, argument, limits), name="hanoi-verify", daemon=True
    )
    deadline = time.monotonic() + limits.seconds
    try:
        process.start()
    except (OSError, AssertionError) as exc:  # AssertionError: from a daemonic process
        receiver.close()
        raise Unavailable(f"cannot start a verification process: {exc}") from None
    finally:
        sender.close()
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise VerificationAborted(
                    f"the verification exceeded its time limit of {limits.seconds:.4g} s"
                )
            if not receiver.poll(min(left, 1.0)):
                continue
            try:
                message = json.loads(receiver.recv_bytes(MAX_MESSAGE))
            except (EOFError, OSError):
                raise _ended(process, limits) from None
            except ValueError:
                raise VerificationAborted("the verification sent back something not JSON") from None
            if not isinstance(message, dict) or len(message) != 1:
                raise VerificationAborted("the verification sent back an unknown message")
            [(kind, value)] = message.items()
            if kind == "check" and isinstance(value, list) and len(value) == 2:
                on_check(Check(str(value[0]), str(value[1])))
            elif kind == "result":
                return value
            elif kind == "error" and isinstance(value, dict):
                raise _error(value)
            elif kind == "memory":
                raise VerificationAborted(
                    "the verification exceeded its memory limit of "
                    f"{limits.memory_bytes // 2**20} MiB"
                )
            else:
                raise VerificationAborted(f"the verification failed: {str(value)[:500]}")
    finally:
        receiver.close()
        process.join(0.5 if process.exitcode is None and time.monotonic() < deadline else 0)
        if process.is_alive():
            process.kill()
        process.join(5)


# --- package verification ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Job:
    path: Path
    trust: TrustStore
    identities: tuple[AgeIdentity, ...]
    limits: PackageLimits


def _steps_to_json(steps: Sequence[ProvenStep]) -> list[dict[str, Any]]:
    return [
        {
            "event": step.event.canonical().decode(),
            "log_origin": step.log_origin,
            "index": step.index,
            "tree_size": step.tree_size,
            "witnesses": list(step.witnesses),
            "other_signatures": step.other_signatures,
        }
        for step in steps
    ]


def _steps_from_json(value: Any) -> tuple[ProvenStep, ...]:
    return tuple(
        ProvenStep(
            event=parse_event(step["event"].encode()),
            log_origin=str(step["log_origin"]),
            index=int(step["index"]),
            tree_size=int(step["tree_size"]),
            witnesses=tuple(str(w) for w in step["witnesses"]),
            other_signatures=int(step["other_signatures"]),
        )
        for step in value
    )


def report_to_json(report: PackageReport) -> dict[str, Any]:
    """A report as JSON values that :func:`report_from_json` reads back exactly."""
    return {
        "statement": report.statement.canonical().decode(),
        "signer": report.signer,
        "key_id": report.key_id,
        "checks": [[c.area, c.detail] for c in report.checks],
        "unchecked": list(report.unchecked),
        "custody": _steps_to_json(report.custody),
        "origins": [
            {
                "origin": o.origin.to_json(),
                "statement": o.statement.canonical().decode(),
                "signer": o.signer,
                "custody": _steps_to_json(o.custody),
                "linked": list(o.linked),
            }
            for o in report.origins
        ],
        "shortfalls": list(report.shortfalls),
        "witness_states": [list(pair) for pair in report.witness_states],
        "identified": report.identified,
    }


def report_from_json(
    value: dict[str, Any], *, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS
) -> PackageReport:
    """Parse a report sent by a child, with the same checks as any statement and event."""
    return PackageReport(
        statement=parse_statement(value["statement"].encode(), limits=limits),
        signer=str(value["signer"]),
        key_id=str(value["key_id"]),
        checks=tuple(Check(str(a), str(d)) for a, d in value["checks"]),
        unchecked=tuple(str(u) for u in value["unchecked"]),
        custody=_steps_from_json(value["custody"]),
        origins=tuple(
            OriginReport(
                origin=Origin.from_json(o["origin"]),
                statement=parse_statement(o["statement"].encode(), limits=limits),
                signer=str(o["signer"]),
                custody=_steps_from_json(o["custody"]),
                linked=tuple(str(d) for d in o["linked"]),
            )
            for o in value["origins"]
        ),
        shortfalls=tuple(str(s) for s in value["shortfalls"]),
        witness_states=tuple((str(a), str(b)) for a, b in value["witness_states"]),
        identified=bool(value["identified"]),
    )


def _verify(job: _Job, emit: Emit) -> dict[str, Any]:
    from hanoi.evidence.verify import verify_package

    report = verify_package(
        job.path, trust=job.trust, identities=job.identities, limits=job.limits, on_check=emit
    )
    return report_to_json(report)


def verify_isolated(
    path: Path,
    *,
    trust: TrustStore,
    identities: Sequence[AgeIdentity] = (),
    limits: PackageLimits = DEFAULT_PACKAGE_LIMITS,
    run: RunLimits,
    on_check: Emit | None = None,
) -> PackageReport:
    """:func:`~hanoi.evidence.verify.verify_package` in a child process under ``run``: the
    same report, or the same error; :class:`VerificationAborted` past a limit."""
    job = _Job(path.absolute(), trust, tuple(identities), limits)
    value = run_limited(_verify, job, limits=run, on_check=on_check or (lambda _: None))
    try:
        return report_from_json(value, limits=limits)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise VerificationAborted(f"the verification sent back a malformed report: {exc}") from None
