"""What a migrated database costs a test (ADR 0035): migrating an empty database against
copying a migrated template, on PostgreSQL and SQLite; and the no-op migration a node
opened on a copy still runs (``prepare_new_node``).

It prints the median of RUNS runs of each, in milliseconds.

    HANOI_BENCH_RUNS=10 .venv/bin/python bench/bench_test_databases.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
from common import env_int, machine

from hanoi.storage import migrate
from hanoi.storage.db import make_engine

ADMIN = os.environ.get("HANOI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
RUNS = env_int("HANOI_BENCH_RUNS", 10)


def url(name: str) -> str:
    return ADMIN.rsplit("/", 1)[0] + f"/{name}"


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def admin(sql: str) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


def migrated(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def main() -> None:
    made: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="bench-dbs-"))
    figures: dict[str, list[float]] = {}

    def record(what: str, ms: float) -> None:
        figures.setdefault(what, []).append(ms)

    try:
        template = f"hanoi_bench_tpl_{uuid.uuid4().hex[:8]}"
        admin(f'CREATE DATABASE "{template}"')
        made.append(template)
        migrated(url(template))
        sqlite_template = folder / "template.db"
        migrated(f"sqlite:///{sqlite_template}")
        for run in range(RUNS):
            empty = f"hanoi_bench_{uuid.uuid4().hex[:8]}"
            made.append(empty)
            record(
                "PostgreSQL: CREATE DATABASE (empty)",
                timed(lambda: admin(f'CREATE DATABASE "{empty}"')),
            )  # noqa: B023,E501
            record("PostgreSQL: migrate the empty database", timed(lambda: migrated(url(empty))))  # noqa: B023
            clone = f"hanoi_bench_{uuid.uuid4().hex[:8]}"
            made.append(clone)
            record(
                "PostgreSQL: CREATE DATABASE ... TEMPLATE (migrated)",
                timed(lambda: admin(f'CREATE DATABASE "{clone}" TEMPLATE "{template}"')),
            )  # noqa: B023,E501
            record("PostgreSQL: no-op migration of the clone", timed(lambda: migrated(url(clone))))  # noqa: B023
            record(
                "PostgreSQL: DROP DATABASE ... WITH (FORCE)",
                timed(lambda: admin(f'DROP DATABASE "{clone}" WITH (FORCE)')),
            )  # noqa: B023,E501
            made.remove(clone)
            target = folder / f"{run}.db"
            record(
                "SQLite: migrate an empty file",
                timed(lambda: migrated(f"sqlite:///{folder / f'm{run}.db'}")),
            )  # noqa: B023,E501
            record(
                "SQLite: copy the migrated file",
                timed(lambda: shutil.copyfile(sqlite_template, target)),
            )  # noqa: B023,E501
            record(
                "SQLite: no-op migration of the copy",
                timed(lambda: migrated(f"sqlite:///{target}")),
            )  # noqa: B023,E501
    finally:
        for name in made:
            admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)
    print(machine())
    print(f"median of {RUNS} runs, milliseconds")
    for what, values in figures.items():
        print(f"{what:55} {statistics.median(values):8.1f}")


if __name__ == "__main__":
    main()
