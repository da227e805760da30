"""The workflow's periodic job in a server process: raise deadline alerts and apply
retention periods. One thread per process; several processes may run it, because an
alert is stored once (its key) and an item is marked deleted once (a conditional
update), so nothing is raised or logged twice."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from hanoi.cooperation.data_conditions import DataConditions
from hanoi.cooperation.service import CooperationService

log = logging.getLogger("hanoi.cooperation")


class WorkflowJobs:
    def __init__(
        self,
        service: CooperationService,
        conditions: DataConditions,
        *,
        interval_seconds: float,
        heartbeat: Callable[[], object] = lambda: None,
    ) -> None:
        self._service = service
        self._heartbeat = heartbeat
        """Called after each run that ended without error (the node's job metrics)."""
        self._conditions = conditions
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0
        self.last_error: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="workflow-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def run_once(self) -> None:
        self._service.check_deadlines()
        self._conditions.apply_retention()
        self.runs += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
                self.last_error = None
                self._heartbeat()
            except Exception as exc:  # noqa: BLE001 - keep the job alive after a transient failure
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("workflow job failed, retrying: %s", self.last_error)
            self._stop.wait(self._interval)
