"""``hanoi demo``'s run: build and start the sandbox, play the case, report, and stop.

The nodes run in sessions of their own, so no signal sent to ``hanoi demo`` reaches
them: Ctrl-C, SIGTERM and SIGHUP all end the demo the same way, by stopping every node
it started (:class:`Interrupts`, :func:`shut_down`).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import httpx

from hanoi.clock import Clock
from hanoi.errors import HanoiError, PeerError
from hanoi.sandbox.demo import PROVIDER_STATE, STATES, Demo
from hanoi.sandbox.nodes import GHANA, Sandbox, build_sandbox
from hanoi.sandbox.off_network import OFFLINE
from hanoi.sandbox.report import print_users, write_state
from hanoi.sandbox.session import StepFailed

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupts:
    """SIGINT, SIGTERM and SIGHUP raise ``KeyboardInterrupt`` in the main thread, as Ctrl-C
    does, so that a demo stopped by ``kill``, a service manager or a closed terminal also
    stops its nodes on the way out. Between :meth:`hold` and :meth:`release` a signal
    waits: while the sandbox is built (it has started nodes that only it knows of), and
    while the nodes are stopped."""

    def __init__(self) -> None:
        self._holding = False
        self._pending: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():  # where Python runs handlers
            for number in STOP_SIGNALS:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)

    def _handle(self, number: int, _frame: FrameType | None) -> None:
        if self._holding:
            self._pending = number
            return
        raise KeyboardInterrupt(signal.Signals(number).name)

    def hold(self) -> None:
        """Signals wait from now on, until :meth:`release`."""
        self._holding = True

    def release(self) -> None:
        """Signals raise again; one that came while held raises now."""
        self._holding = False
        pending, self._pending = self._pending, None
        if pending is not None:
            raise KeyboardInterrupt(signal.Signals(pending).name)


def shut_down(sandbox: Sandbox, interrupts: Interrupts) -> None:
    """Stop every node: SIGTERM to each at once, SIGKILL to any still running after a
    timeout (``Sandbox.stop``). A second Ctrl-C must not cut this short: signals wait."""
    interrupts.hold()
    sandbox.stop()


def stay_up(sandbox: Sandbox, out: Callable[[str], None]) -> None:
    """Wait for Ctrl-C (or SIGTERM, SIGHUP); a node that stops on its own is an error."""
    out("the nodes stay up until Ctrl-C")
    try:
        while all(
            n.process is not None and n.process.poll() is None for n in sandbox.nodes.values()
        ):
            time.sleep(1)
    except KeyboardInterrupt:
        out("stopping the nodes")
        return
    raise PeerError("a node of the sandbox stopped; see its server.log")


def run_demo(
    root: Path,
    *,
    base_port: int,
    clock: Clock,
    keep_running: bool,
    out: Callable[[str], None] = print,
) -> bool:
    """Build and start the sandbox, play the case; returns True if every step succeeded.

    Every node started is stopped on the way out, however the demo ends: Ctrl-C, SIGTERM
    or SIGHUP (``KeyboardInterrupt`` from here on), a failure, or the end of ``--exit``."""
    started = time.monotonic()
    with Interrupts() as interrupts:
        interrupts.hold()
        sandbox = build_sandbox(
            root,
            STATES,
            base_port=base_port,
            clock=clock,
            start=True,
            offline=[GHANA],
            provider_state=PROVIDER_STATE,
        )
        try:
            interrupts.release()
            demo = Demo(sandbox=sandbox, clock=clock, out=out)
            out(
                f"sandbox federation in {root}: "
                + ", ".join(f"{n.state} {n.url}" for n in sandbox.nodes.values())
                + f"; {OFFLINE} runs no node (the directory lists it, with its channels)"
            )
            ok = play(demo)
            out(
                f"scenario {'done' if ok else 'FAILED'} in {time.monotonic() - started:.1f} s; "
                f"details in {root / 'demo.json'}"
            )
            print_users(demo)
            if keep_running and ok:
                stay_up(sandbox, out)
            return ok
        finally:
            shut_down(sandbox, interrupts)


def play(demo: Demo) -> bool:
    """Start the nodes and play the case, with ``demo.json`` written before and after."""
    demo.sandbox.start()
    write_state(demo, ready=False)
    ok = True
    try:
        demo.run()
    except (StepFailed, HanoiError, httpx.HTTPError, OSError, KeyError):
        ok = False
    write_state(demo, ready=ok)
    return ok
