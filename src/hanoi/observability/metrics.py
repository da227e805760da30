"""The node's metrics, all named ``hanoi_*``, in two kinds (ADR 0047):

- **of the process**: HTTP latency by route template and status, bytes of evidence
  packages sent and received, the last time each background job finished a round. Each
  server process counts its own; under ``hanoi serve`` they are written to files in
  ``PROMETHEUS_MULTIPROC_DIR`` (``DIR/metrics/``, emptied at start) and any process sums
  them when scraped (prometheus-client's multiprocess mode), so ``--workers N`` reports
  one node.
- **of the node**: cooperation requests by status, the outbox, the custody log and its
  witnesses, unanswered deadline alerts. These are the database's, read when scraped
  (:class:`NodeCollector`), so every process reports the same truth.

Label values come from closed sets (route templates, never paths; statuses; rules), and
no metric carries a request id, a name or a message.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

NAMESPACE = "hanoi"
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
MULTIPROCESS_FOLDER = "metrics"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# No *_created series: Prometheus does not need them.
disable_created_metrics()  # type: ignore[no-untyped-call]

HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template and status.",
    ("method", "route", "status"),
    namespace=NAMESPACE,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
TRANSFER_BYTES = Counter(
    "transfer_bytes",
    "Bytes of evidence packages served to other States (sent) or fetched from them (received).",
    ("direction",),
    namespace=NAMESPACE,
)
JOB_HEARTBEAT = Gauge(
    "job_last_run_timestamp_seconds",
    "When a background job last finished a round (Unix time; the latest of every process).",
    ("job",),
    namespace=NAMESPACE,
    multiprocess_mode="max",
)

JOBS = ("custody-sequencer", "workflow-jobs", "federation", "provider-orders")
for _job in JOBS:  # every job is listed from the start, at 0 until its first round
    JOB_HEARTBEAT.labels(job=_job)
for _direction in ("sent", "received"):
    TRANSFER_BYTES.labels(direction=_direction)


def heartbeat(job: str) -> Callable[[], None]:
    """The callback a background job calls after each round it finished."""
    gauge = JOB_HEARTBEAT.labels(job=job)

    def beat() -> None:
        gauge.set(time.time())

    return beat


def prepare_multiprocess(node_dir: Path) -> Path:
    """Point prometheus-client at ``DIR/metrics/``, emptied: called by ``hanoi serve``
    before anything imports this module in the server's processes (the client chooses
    its storage when first imported). The files of an earlier run are removed, so counters
    start at zero with the server, as Prometheus expects of a restart."""
    folder = node_dir / MULTIPROCESS_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    os.environ[MULTIPROCESS_ENV] = str(folder)
    return folder


class Counts(Protocol):
    """What :class:`NodeCollector` reads (``hanoi.storage.gauges_repo.NodeCounts``)."""

    @property
    def requests(self) -> dict[tuple[str, str], int]: ...
    @property
    def outbox_pending(self) -> int: ...
    @property
    def outbox_oldest_pending(self) -> datetime | None: ...
    @property
    def log_size(self) -> int: ...
    @property
    def cosigned_size(self) -> int: ...
    @property
    def last_cosignature(self) -> datetime | None: ...
    @property
    def custody_pending(self) -> int: ...
    @property
    def unanswered_alerts(self) -> dict[tuple[str, str], int]: ...


def _gauge(name: str, documentation: str, labels: Iterable[str] = ()) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{NAMESPACE}_{name}", documentation, labels=list(labels))


class NodeCollector(Collector):
    """The node's gauges, read from the database each time ``/metrics`` is scraped. A
    failed read gives ``hanoi_node_scrape_ok 0`` and no other node gauge (the process's
    own metrics still come)."""

    def __init__(self, read: Callable[[], Counts], *, now: Callable[[], datetime]) -> None:
        self._read = read
        self._now = now

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        ok = _gauge("node_scrape_ok", "1 if the node's gauges were read from the database.")
        took = _gauge("node_scrape_duration_seconds", "Time taken to read the node's gauges.")
        try:
            counts = self._read()
        except Exception:  # noqa: BLE001 - a scrape reports the failure, it never fails
            ok.add_metric([], 0)
            took.add_metric([], time.perf_counter() - started)
            yield from (ok, took)
            return
        yield from self._families(counts)
        ok.add_metric([], 1)
        took.add_metric([], time.perf_counter() - started)
        yield from (ok, took)

    def _families(self, counts: Counts) -> Iterator[Metric]:
        now = self._now()
        requests = _gauge(
            "requests", "Cooperation requests by this node's side and status.", ("side", "status")
        )
        for (side, status), count in sorted(counts.requests.items()):
            requests.add_metric([side, status], count)
        yield requests
        pending = _gauge("outbox_pending_messages", "Messages to other States not delivered yet.")
        pending.add_metric([], counts.outbox_pending)
        yield pending
        oldest = _gauge(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest message not delivered yet (0 when none waits).",
        )
        age = 0.0
        if counts.outbox_oldest_pending is not None:
            age = max(0.0, (now - counts.outbox_oldest_pending).total_seconds())
        oldest.add_metric([], age)
        yield oldest
        size = _gauge("log_size_entries", "Entries in the custody log's latest checkpoint.")
        size.add_metric([], counts.log_size)
        yield size
        cosigned = _gauge(
            "log_cosigned_size_entries",
            "Size of the largest checkpoint cosigned by the witnesses the node requires.",
        )
        cosigned.add_metric([], counts.cosigned_size)
        yield cosigned
        lag = _gauge(
            "witness_lag_entries", "Custody log entries not covered by a cosigned checkpoint."
        )
        lag.add_metric([], max(0, counts.log_size - counts.cosigned_size))
        yield lag
        last = _gauge(
            "witness_last_cosignature_timestamp_seconds",
            "When the latest witness cosignature arrived (Unix time; 0: never).",
        )
        last.add_metric([], counts.last_cosignature.timestamp() if counts.last_cosignature else 0.0)
        yield last
        queued = _gauge("custody_pending_events", "Custody events queued, not yet in the log.")
        queued.add_metric([], counts.custody_pending)
        yield queued
        alerts = _gauge(
            "deadline_alerts_unanswered",
            "Deadline alerts whose request has taken no step since, by rule and state.",
            ("rule", "state"),
        )
        for (rule, state), count in sorted(counts.unanswered_alerts.items()):
            alerts.add_metric([rule, state], count)
        yield alerts


def exposition(node: Collector) -> bytes:
    """The text ``/metrics`` answers: this process's metrics (or every process's, in
    multiprocess mode) and the node's gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROCESS_ENV):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Process())
    registry.register(node)
    return generate_latest(registry)


class _Process(Collector):
    """This process's own ``hanoi_*`` metrics (outside multiprocess mode: tests in one
    process, ``create_app`` without ``hanoi serve``)."""

    def collect(self) -> Iterator[Metric]:
        for metric in REGISTRY.collect():
            if metric.name.startswith(f"{NAMESPACE}_"):
                yield metric
