"""Migrated databases for tests, made by copying a template rather than by migrating
(ADR 0038): per test process (an xdist worker), one PostgreSQL database and one SQLite file
are migrated at first use, from whatever migrations the code has; each test that needs a
migrated database gets a clone (``CREATE DATABASE ... TEMPLATE``, a file copy). Clones are
dropped when their test ends (in a thread: ``Dropper``), the templates when the session
ends (``close_templates``, called by ``conftest.pytest_sessionfinish``).

Names carry the xdist worker id and a random part: workers of one run, and runs of other
worktrees on the same server, never touch each other's databases.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg

from hanoi.storage import migrate
from hanoi.storage.db import make_engine

ADMIN_URL = os.environ.get("HANOI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def postgres_url_of(name: str, admin_url: str = ADMIN_URL) -> str:
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL; None for any other database."""
    prefix = "sqlite:///"
    return Path(url[len(prefix) :]) if url.startswith(prefix) else None


def drop_database(name: str, admin_url: str = ADMIN_URL) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Dropper:
    """Drops databases in a thread of its own. PostgreSQL runs a checkpoint for every
    ``DROP DATABASE`` (1.3 to 1.9 s on the test machine, more than the clone and the test
    together): a test hands its clones over and ends; drops that wait together share a
    checkpoint, as they run at once on several connections. ``wait`` returns once every
    database handed over is gone (the end of the session)."""

    def __init__(self, admin_url: str = ADMIN_URL) -> None:
        self.admin_url = admin_url
        self._names: queue.Queue[str] = queue.Queue()
        self._failures: list[BaseException] = []
        self._thread: threading.Thread | None = None

    def drop(self, name: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="drop-clones", daemon=True)
            self._thread.start()
        self._names.put(name)

    def _run(self) -> None:
        with ThreadPoolExecutor(max_workers=8) as pool:
            while True:
                batch = [self._names.get()]
                while True:
                    try:
                        batch.append(self._names.get_nowait())
                    except queue.Empty:
                        break
                done = [pool.submit(drop_database, n, self.admin_url) for n in batch]
                for future in done:
                    failure = future.exception()
                    if failure is not None:
                        self._failures.append(failure)
                    self._names.task_done()

    def wait(self) -> None:
        if self._thread is not None:
            self._names.join()
        if self._failures:
            raise self._failures[0]


class Templates:
    """This process's migrated templates, built at first use."""

    def __init__(self, admin_url: str = ADMIN_URL) -> None:
        self.admin_url = admin_url
        self.tag = f"{WORKER}_{uuid.uuid4().hex[:6]}"
        self._postgres: str | None = None
        self._sqlite: Path | None = None
        self.server = ""  # what the PostgreSQL server said, for the CI log
        self.dropper = Dropper(admin_url)

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        try:
            return psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            from conftest import require_service

            require_service(f"PostgreSQL at {self.admin_url}: {exc}")
            raise

    def postgres_template(self) -> str:
        """The name of the migrated PostgreSQL template (no connection is left open on it:
        PostgreSQL copies a database only while nobody is connected to it)."""
        if self._postgres is None:
            name = f"hanoi_tpl_{self.tag}"
            with self._admin() as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
                row = admin.execute("SHOW server_version").fetchone()
            self.server = f"server {row[0] if row else '?'}, template {name}"
            engine = make_engine(postgres_url_of(name, self.admin_url))
            try:
                migrate.upgrade(engine)
            except BaseException:
                engine.dispose()
                drop_database(name, self.admin_url)
                raise
            engine.dispose()
            self._postgres = name
        return self._postgres

    def sqlite_template(self) -> Path:
        if self._sqlite is None:
            folder = Path(tempfile.mkdtemp(prefix=f"hanoi-tpl-{self.tag}-"))
            path = folder / "template.db"
            engine = make_engine(f"sqlite:///{path}")
            try:
                migrate.upgrade(engine)
            finally:
                engine.dispose()
            self._sqlite = path
        return self._sqlite

    def clone_postgres(self) -> str:
        """A new database copied from the template: its name."""
        template = self.postgres_template()
        name = f"hanoi_c_{self.tag}_{uuid.uuid4().hex[:8]}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def copy_sqlite(self, target: Path) -> str:
        """The SQLite template copied to ``target`` (a fresh file): its URL."""
        if target.exists():
            raise AssertionError(f"{target} exists: a clone never overwrites a database")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.sqlite_template(), target)
        return f"sqlite:///{target}"

    @contextmanager
    def clones(self) -> Iterator[Clones]:
        clones = Clones(self)
        try:
            yield clones
        finally:
            clones.drop()

    def close(self) -> None:
        self.dropper.wait()
        if self._postgres is not None:
            drop_database(self._postgres, self.admin_url)
            self._postgres = None
        if self._sqlite is not None:
            shutil.rmtree(self._sqlite.parent, ignore_errors=True)
            self._sqlite = None


class Clones:
    """Migrated databases for one test (or one module's fixture), dropped with it."""

    def __init__(self, templates: Templates) -> None:
        self.templates = templates
        self.made: list[str] = []

    def postgres(self) -> str:
        name = self.templates.clone_postgres()
        self.made.append(name)
        return postgres_url_of(name, self.templates.admin_url)

    def sqlite(self, target: Path) -> str:
        return self.templates.copy_sqlite(target)

    def url(self, engine: str, folder: Path) -> str:
        """A migrated database on ``engine`` ("sqlite": a file in ``folder``)."""
        if engine == "sqlite":
            return self.sqlite(folder / f"migrated-{uuid.uuid4().hex[:8]}.db")
        if engine == "postgresql":
            return self.postgres()
        raise AssertionError(f"unknown engine {engine!r}")

    def drop(self) -> None:
        made, self.made = self.made, []
        for name in made:
            self.templates.dropper.drop(name)


_TEMPLATES: list[Templates] = []


def templates() -> Templates:
    """This process's templates (one per xdist worker)."""
    if not _TEMPLATES:
        _TEMPLATES.append(Templates())
    return _TEMPLATES[0]


def templates_server() -> str:
    """The PostgreSQL server this process's template lives on ("" if it made none)."""
    return _TEMPLATES[0].server if _TEMPLATES else ""


def close_templates() -> None:
    while _TEMPLATES:
        _TEMPLATES.pop().close()


def ensure_migrated_sqlite(url: str) -> None:
    """A missing SQLite file at ``url`` becomes a copy of the template (a node folder's
    database, or one a test named); any other database is left alone."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        templates().copy_sqlite(path)
