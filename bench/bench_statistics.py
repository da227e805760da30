"""What the statistics of issue 19 cost, against a plain count over the steps table in the
same run.

A node's database (migrated to the latest revision) is filled, fast and not through the
service (SQLite: ``executemany`` in large transactions; PostgreSQL: ``COPY``), with N
requests made over five years (2022-2026), each with a realistic history of 5-12 steps
(submitted or not, additional information asked for or not, then executed, partly
executed, refused on grounds, postponed, withdrawn, a preservation ordered, carried out,
renewed, continued and released, or still open), both directions, eleven kinds, twenty
States, four channels, three urgencies, and evidence packages for a share of them. The
statistics rows are derived by the same pure rules the node applies when it stores a step
(:mod:`hanoi.statistics.facts`). Then, on each engine:

1. baseline: ``SELECT count(*) FROM request_steps``;
2. ``StatisticsRepository.figures`` for one year (2025), every figure of the document.

It prints the median of RUNS runs of each and the ratio figures/baseline.

    HANOI_BENCH_REQUESTS=1000000 HANOI_BENCH_RUNS=5 HANOI_BENCH_ENGINES=postgresql,sqlite \\
        .venv/bin/python bench/bench_statistics.py
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
from common import env_int, machine

from hanoi.convention import default_catalogue
from hanoi.cooperation.statuses import Side
from hanoi.cooperation.table import TransitionName
from hanoi.statistics.facts import (
    StepFact,
    grounds,
    is_preservation,
    milestones,
    request_facts,
)
from hanoi.statistics.ports import Query
from hanoi.storage import migrate
from hanoi.storage.db import make_engine
from hanoi.storage.statistics_repo import StatisticsRepository

REQUESTS = env_int("HANOI_BENCH_REQUESTS", 1_000_000)
RUNS = env_int("HANOI_BENCH_RUNS", 5)
ENGINES = os.environ.get("HANOI_BENCH_ENGINES", "postgresql,sqlite").split(",")
ADMIN_URL = os.environ.get("HANOI_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
CHUNK = 20_000
START = datetime(2022, 1, 1, tzinfo=UTC)
SPAN_SECONDS = int((datetime(2027, 1, 1, tzinfo=UTC) - START).total_seconds())
YEAR = Query(date(2025, 1, 1), date(2025, 12, 31))

CATALOGUE = default_catalogue()
KINDS = list(CATALOGUE.kind_keys)
STATES = ("VNM", "FRA", "KEN", "BRA", "IND", "JPN", "NGA", "MEX", "DEU", "ZAF",
          "IDN", "TUR", "ARG", "CHL", "GHA", "MAR", "PHL", "THA", "PER", "SEN")  # fmt: skip
CHANNELS = (("hanoi", 80), ("diplomatic", 10), ("email", 7), ("interpol", 3))
URGENCIES = (("routine", 85), ("urgent", 12), ("emergency", 3))
MLA_GROUNDS = ("non-conformity", "essential-interests", "domestic-prohibition",
               "absence-of-dual-criminality", "persecution-or-discrimination")  # fmt: skip
N = TransitionName
REASONS = "Reasons as an officer writes them, a sentence or two long, naming nobody here."


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def history(rng: random.Random, preservation: bool, made: datetime) -> list[StepFact]:
    """A plausible history of 5-12 steps, the sending at ``made``."""
    t = made - timedelta(hours=rng.randint(2, 96))
    out: list[StepFact] = []

    def add(name: TransitionName, after: timedelta, grounds_: tuple[str, ...] = (),
            until: timedelta | None = None) -> None:  # fmt: skip
        nonlocal t
        t = t + after
        out.append(StepFact(len(out) + 1, name, t, grounds_, None if until is None else t + until))

    if rng.random() < 0.5:
        add(N.SUBMIT, timedelta(0))
    add(N.APPROVE, timedelta(hours=1))
    add(N.SEND, made - t)
    add(N.RECEIVE, timedelta(minutes=rng.randint(1, 600)))
    add(N.ACKNOWLEDGE, timedelta(hours=rng.randint(1, 72)))
    day = timedelta(days=1)
    if preservation:
        add(N.ORDER_PRESERVATION, timedelta(hours=rng.randint(1, 48)))
        add(N.PRESERVE, timedelta(hours=rng.randint(1, 72)), until=90 * day)
        if rng.random() < 0.3:
            add(N.RENEW_PRESERVATION, 30 * day, until=120 * day)
        if rng.random() < 0.4:
            add(N.CONTINUE_PRESERVATION, rng.randint(10, 80) * day)
        add(N.RELEASE_PRESERVATION, 150 * day)
        add(N.CLOSE, day)
        return out
    if rng.random() < 0.2:
        add(N.REQUEST_ADDITIONAL_INFORMATION, rng.randint(1, 30) * day)
        add(N.RECORD_ADDITIONAL_INFORMATION, rng.randint(1, 30) * day)
    fate = rng.random()
    if fate < 0.45:
        add(N.ACCEPT, rng.randint(1, 60) * day)
        if rng.random() < 0.2:
            add(N.EXECUTE_PARTIALLY, rng.randint(1, 60) * day)
            add(N.RESUME_EXECUTION, rng.randint(1, 60) * day)
        add(N.COMPLETE, rng.randint(1, 200) * day)
        add(N.CLOSE, day)
    elif fate < 0.55:
        add(N.CONSULT, rng.randint(1, 60) * day)
        add(N.REFUSE, rng.randint(1, 30) * day, tuple(rng.sample(MLA_GROUNDS, rng.randint(1, 2))))
        add(N.CLOSE, day)
    elif fate < 0.62:
        add(N.CONSULT, rng.randint(1, 60) * day)
        add(N.POSTPONE, rng.randint(1, 30) * day)
    elif fate < 0.7:
        add(N.WITHDRAW, rng.randint(1, 90) * day)
        add(N.CONFIRM_WITHDRAWAL, rng.randint(1, 10) * day)
        add(N.CLOSE, day)
    elif fate < 0.8:
        add(N.ACCEPT, rng.randint(1, 60) * day)
        add(N.EXECUTE_PARTIALLY, rng.randint(1, 60) * day)
    elif len(out) < 5:  # still open after acknowledgement
        add(N.REQUEST_ADDITIONAL_INFORMATION, rng.randint(1, 30) * day)
    return out


def _record(request_id: str, s: StepFact) -> str:
    return json.dumps(
        {
            "sequence": s.sequence,
            "request_id": request_id,
            "transition": s.transition.value,
            "at": s.at.isoformat().replace("+00:00", "Z"),
            "article": "Art. 40(25)",
            "officer": "officer.name",
            "reasons": REASONS,
            "grounds": list(s.grounds),
            "until": None if s.until is None else s.until.isoformat().replace("+00:00", "Z"),
        },
        separators=(",", ":"),
    )


def generate() -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """Chunks of rows for each table, in insertion order, reproducible (seeded)."""
    rng = random.Random(19)
    preservation_kinds = {k for k in KINDS if is_preservation(CATALOGUE, k)}
    for first in range(0, REQUESTS, CHUNK):
        rows: dict[str, list[tuple[Any, ...]]] = {
            "cooperation_requests": [], "request_steps": [], "request_facts": [],
            "request_milestones": [], "refusal_grounds": [], "evidence_packages": [],
        }  # fmt: skip
        for n in range(first, min(first + CHUNK, REQUESTS)):
            request_id = f"R-{n:08d}"
            side = Side.REQUESTED if rng.random() < 0.6 else Side.REQUESTING
            kind = rng.choice(KINDS)
            other = rng.choice(STATES)
            channel = _weighted(rng, CHANNELS)
            urgency = _weighted(rng, URGENCIES)
            made = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
            steps = history(rng, kind in preservation_kinds, made)
            requesting, requested = ("EGY", other) if side is Side.REQUESTING else (other, "EGY")
            facts = request_facts(
                request_id=request_id, side=side, kind=kind, other_state=other, channel=channel,
                urgency=urgency, preservation=kind in preservation_kinds, steps=steps,
            )  # fmt: skip
            last = steps[-1]
            rows["cooperation_requests"].append((
                request_id, kind, "central-authority", channel, requesting, requested,
                side.value, facts.outcome.value, urgency, len(steps),
                json.dumps({"id": request_id, "kind": kind, "contents": {"summary": REASONS}}),
                steps[0].at, last.at,
            ))  # fmt: skip
            rows["request_steps"].extend(
                (request_id, s.sequence, s.transition.value, s.at, _record(request_id, s))
                for s in steps
            )
            rows["request_facts"].append((
                request_id, facts.direction.value, kind, other, channel, urgency,
                int(facts.preservation), facts.made_at, facts.received_at, facts.decided_at,
                facts.executed_at, facts.preserved_at, facts.preserved_until,
                facts.continued_at, facts.outcome.value, facts.outcome_at,
            ))  # fmt: skip
            rows["request_milestones"].extend(
                (request_id, m.sequence, m.at, m.mark.value) for m in milestones(steps)
            )
            rows["refusal_grounds"].extend(
                (request_id, g.sequence, g.ground, g.article, g.at)
                for g in grounds(steps, CATALOGUE)
            )
            if facts.executed_at is not None and rng.random() < 0.5:
                offered = facts.executed_at + timedelta(hours=rng.randint(1, 48))
                outcome = offered + timedelta(hours=rng.randint(1, 72))
                refused = rng.random() < 0.05
                package_direction = "incoming" if side is Side.REQUESTING else "outgoing"
                rows["evidence_packages"].append((
                    uuid.UUID(int=rng.getrandbits(128)).hex, request_id, package_direction,
                    other, "ab" * 32, rng.randint(10**4, 10**9),
                    "refused" if refused else "accepted", 0, offered, outcome,
                    outcome if package_direction == "outgoing" else None,
                    "integrity" if refused and package_direction == "incoming" else None,
                ))  # fmt: skip
        yield rows


COLUMNS = {
    "cooperation_requests": ("id", "kind", "channel", "route", "requesting_state",
                             "requested_state", "side", "status", "urgency", "steps",
                             "document", "created_at", "updated_at"),
    "request_steps": ("request_id", "sequence", "transition", "at", "record"),
    "request_facts": ("request_id", "direction", "kind", "other_state", "channel", "urgency",
                      "preservation", "made_at", "received_at", "decided_at", "executed_at",
                      "preserved_at", "preserved_until", "continued_at", "outcome",
                      "outcome_at"),
    "request_milestones": ("request_id", "sequence", "at", "mark"),
    "refusal_grounds": ("request_id", "sequence", "ground", "article", "at"),
    "evidence_packages": ("id", "request_id", "direction", "peer", "sha256", "size", "status",
                          "received", "created_at", "updated_at", "peer_outcome_at",
                          "refusal_reason"),
}  # fmt: skip


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):  # SQLAlchemy's text form for SQLite
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def fill_sqlite(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    for rows in generate():
        with connection:
            for table, values in rows.items():
                columns = COLUMNS[table]
                connection.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})",
                    ([_sqlite_value(v) for v in row] for row in values),
                )
    connection.execute("ANALYZE")
    connection.close()


def fill_postgres(url: str) -> None:
    with psycopg.connect(url) as connection:
        for rows in generate():
            with connection.cursor() as cursor:
                for table, values in rows.items():
                    with cursor.copy(
                        f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN"
                    ) as copy:
                        for row in values:
                            copy.write_row(row)
            connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")


def median_seconds(run: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure(url: str) -> tuple[float, float, int, Any]:
    engine = make_engine(url)
    try:
        repository = StatisticsRepository(engine)

        def baseline() -> int:
            with engine.connect() as connection:
                return int(
                    connection.execute(text("SELECT count(*) FROM request_steps")).scalar_one()
                )

        base, steps = median_seconds(baseline)
        took, figures = median_seconds(lambda: repository.figures("EGY", YEAR))
        return base, took, steps, figures
    finally:
        engine.dispose()


def main() -> None:
    print(f"# statistics: {REQUESTS} requests, one year of figures, medians of {RUNS} runs")
    print(f"# {machine()}")
    with tempfile.TemporaryDirectory(prefix="hanoi-bench-stats-") as folder:
        for name in ENGINES:
            if name == "sqlite":
                url = f"sqlite:///{Path(folder) / 'node.db'}"
                database = None
            else:
                database = f"hanoi_bench_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{database}"')
                url = ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"
            try:
                engine = make_engine(url)
                migrate.upgrade(engine)
                engine.dispose()
                started = time.perf_counter()
                if name == "sqlite":
                    fill_sqlite(Path(folder) / "node.db")
                else:
                    fill_postgres(url)
                filled = time.perf_counter() - started
                base, took, steps, figures = measure(url)
                made = figures.outgoing.total + figures.incoming.total
                print(
                    f"{name}: filled in {filled:.0f} s; {steps} steps; "
                    f"count(*) {base:.3f} s; figures for 2025 ({made} requests) {took:.3f} s; "
                    f"ratio {took / base:.2f}"
                )
            finally:
                if database is not None:
                    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
