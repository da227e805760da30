"""The custody log's background work in a server process: sequence what is queued,
then ask witnesses that are behind to cosign the latest checkpoint.

One thread per process. It wakes when this process queues an event, or once a
second to pick up events queued by other processes, and runs the sequencer until
nothing is pending. Several processes may run it: the sequencer's lock and
compare-and-swap make that safe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from hanoi.custody.service import CustodyLog

log = logging.getLogger("hanoi.custody")

POLL_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
GATHER_SECONDS = 0.1
"""A round woken sooner than this after the previous one ended waits out the rest first,
so that under load a round sequences the events of the last tenth of a second together
(one checkpoint signed and one set of tiles written for them) instead of a few each;
after a quiet spell an event is sequenced at once."""


class CustodyWorker:
    def __init__(
        self,
        custody: CustodyLog,
        *,
        collect: Callable[[], object] | None = None,
        heartbeat: Callable[[], object] = lambda: None,
    ) -> None:
        self._custody = custody
        self._collect = collect
        self._heartbeat = heartbeat
        """Called after each round that ran without error (the node's job metrics)."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="custody-sequencer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._custody.appended.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        backoff = POLL_SECONDS
        ended = -GATHER_SECONDS
        while not self._stop.is_set():
            self._custody.appended.wait(timeout=backoff)
            if self._stop.wait(max(0.0, ended + GATHER_SECONDS - time.monotonic())):
                return
            self._custody.appended.clear()
            try:
                self._custody.sequence()
                if self._collect is not None:
                    self._collect()  # asks only witnesses that are behind
                self.last_error = None
                self._heartbeat()
                backoff = POLL_SECONDS
            except Exception as exc:  # noqa: BLE001 - keep sequencing after a transient failure
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("custody sequencing failed, retrying: %s", self.last_error)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            ended = time.monotonic()
