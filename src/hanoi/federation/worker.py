"""The federation's background work in a server process: deliver what is due in the
outbox (and, once set, any other periodic federation task). One thread per process;
the outbox lease lets several processes run it without delivering a message twice at
once, and a receipt marks it delivered once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

log = logging.getLogger("hanoi.federation")

POLL_SECONDS = 0.5


class FederationWorker:
    def __init__(
        self,
        tasks: Sequence[Callable[[], object]],
        *,
        poll: float = POLL_SECONDS,
        wake: threading.Event | None = None,
        heartbeat: Callable[[], object] = lambda: None,
    ) -> None:
        self._tasks = tuple(tasks)
        self._heartbeat = heartbeat
        """Called after each round in which every task ran without error."""
        self._poll = poll
        self._wake = wake or threading.Event()
        """Set by whoever queues work: the worker runs its tasks at once instead of
        at the next poll."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="federation", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            failed = False
            for task in self._tasks:
                try:
                    task()
                    self.last_error = None
                except Exception as exc:  # noqa: BLE001 - the next round retries
                    failed = True
                    self.last_error = f"{type(exc).__name__}: {exc}"
                    log.warning("federation task failed: %s", self.last_error)
            if not failed:
                self._heartbeat()
            self._wake.wait(self._poll)
            self._wake.clear()
