"""What a migrated database costs a test (ADR 0038): migrating an empty database against
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
from functools import partial
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
            empty, clone = (f"hanoi_bench_{uuid.uuid4().hex[:8]}" for _ in range(2))
            made += [empty, clone]
            target, scratch = folder / f"{run}.db", folder / f"m{run}.db"
            steps: list[tuple[str, Callable[[], object]]] = [
                ("PostgreSQL: CREATE DATABASE (empty)",
                 partial(admin, f'CREATE DATABASE "{empty}"')),
                ("PostgreSQL: migrate the empty database", partial(migrated, url(empty))),
                ("PostgreSQL: CREATE DATABASE ... TEMPLATE (migrated)",
                 partial(admin, f'CREATE DATABASE "{clone}" TEMPLATE "{template}"')),
                ("PostgreSQL: no-op migration of the clone", partial(migrated, url(clone))),
                ("PostgreSQL: DROP DATABASE ... WITH (FORCE)",
                 partial(admin, f'DROP DATABASE "{clone}" WITH (FORCE)')),
                ("SQLite: migrate an empty file", partial(migrated, f"sqlite:///{scratch}")),
                ("SQLite: copy the migrated file",
                 partial(shutil.copyfile, sqlite_template, target)),
                ("SQLite: no-op migration of the copy", partial(migrated, f"sqlite:///{target}")),
            ]  # fmt: skip
            for what, action in steps:
                record(what, timed(action))
            made.remove(clone)
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
