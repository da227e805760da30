"""Engines for SQLite (embedded default) and PostgreSQL (at scale).

SQLite runs in WAL mode with foreign keys on and a busy timeout, so that
a web worker and a background worker can share one file. Connection
failures become :class:`~hanoi.errors.Unavailable` with a one-line reason.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from hanoi.errors import InvalidInput, Unavailable

SQLITE_BUSY_TIMEOUT_MS = 10_000


def safe_url(url: str) -> str:
    """The URL with any password masked, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


MAX_CONNECTIONS = 15
"""PostgreSQL connections one process may hold at once (SQLAlchemy's default bound)."""
DEFAULT_KEPT_CONNECTIONS = 10


def make_engine(url: str, *, kept_connections: int = DEFAULT_KEPT_CONNECTIONS) -> Engine:
    """``kept_connections``: of the :data:`MAX_CONNECTIONS` a PostgreSQL engine may open,
    how many it keeps open when idle (the node's ``database_pool_size``)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(f"not a database URL: {safe_url(url)}") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
        # At most 15 connections a process, as with SQLAlchemy's default pool, of which
        # 10 are kept (the default keeps 5): under load the default closed and reopened
        # connections hundreds of times a second (a PostgreSQL backend started each time,
        # its caches and prepared statements lost). Kept connections count against the
        # server's max_connections on every host and worker (docs/operations.md).
        kept = max(1, min(kept_connections, MAX_CONNECTIONS))
        kwargs: dict[str, Any] = {
            "pool_pre_ping": False,
            "connect_args": {"connect_timeout": 5},
            "pool_size": kept,
            "max_overflow": MAX_CONNECTIONS - kept,
        }
    elif backend == "sqlite":
        kwargs = {}
    else:
        raise InvalidInput(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
    try:
        # hide_parameters: a failed statement's error (logged) never shows its values,
        # which may be evidence metadata or personal data.
        engine = create_engine(parsed, hide_parameters=True, **kwargs)
    except (NoSuchModuleError, ArgumentError) as exc:
        raise InvalidInput(f"cannot use database URL {safe_url(url)}: {exc}") from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def check_connection(engine: Engine) -> None:
    """Raise :class:`Unavailable` naming the database if it cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (OperationalError, DBAPIError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        where = engine.url.render_as_string(hide_password=True)
        raise Unavailable(f"cannot connect to database {where}: {reason}") from None
