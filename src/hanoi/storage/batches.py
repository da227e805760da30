"""Rows for several tables, written by one statement on PostgreSQL.

A request's creation writes its row, its facts, its first assignees, its custody events
and any steps and outbox messages: six round trips to PostgreSQL with a statement per
table (with the transaction's BEGIN and COMMIT). :func:`insert_all` sends them as one
statement of data-modifying CTEs (``WITH a AS (INSERT ...), b AS (INSERT ...) INSERT
...``): PostgreSQL runs every part of it to completion, as one statement of the caller's
transaction, and checks foreign keys at its end, so a row may refer to another inserted
by the same statement. Any constraint that fails fails the whole statement, as
SQLAlchemy's ``IntegrityError``. SQLite has no such statements: there each table's rows
go in one executemany, in the order given (parents first).

On PostgreSQL the SQL is built once per shape (the tables, their columns and how many
rows each) and the values go to the driver directly, converted by each column's type
(SQLAlchemy's bind processors, the ones its own ``insert`` applies). Only for tables
whose columns have no Python-side defaults, which SQLAlchemy would fill in: checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Table, insert

Rows = Sequence[Mapping[str, Any]]
Batch = tuple[Table, Rows]
"""A table and its rows, each with the same keys (column names)."""

_Shape = tuple[tuple[Table, tuple[str, ...], int], ...]


def write_all(engine: Engine, batches: Sequence[Batch]) -> None:
    """Insert every batch's rows in a transaction of their own: all are written or none.
    On PostgreSQL the one statement is that transaction (autocommitted: no BEGIN and
    COMMIT round trips around it); elsewhere a transaction holds the executemanys."""
    if engine.dialect.name != "postgresql":
        with engine.begin() as connection:
            insert_all(connection, batches)
        return
    with engine.connect() as connection:
        insert_all(connection.execution_options(isolation_level="AUTOCOMMIT"), batches)


def insert_all(connection: Connection, batches: Sequence[Batch]) -> None:
    """Insert every batch's rows (batches without rows are skipped) in the caller's
    transaction: one statement on PostgreSQL, one executemany per table elsewhere."""
    batches = [(table, rows) for table, rows in batches if rows]
    if not batches:
        return
    dialect = connection.dialect
    shape: list[tuple[Table, tuple[str, ...], int]] = []
    values: list[Any] = []
    for table, rows in batches:
        keys = rows[0].keys()
        processors = _processors(table, dialect)
        if not keys <= processors.keys():
            raise ValueError(f"not columns of {table.name}: {sorted(keys - processors.keys())}")
        if any(row.keys() != keys for row in rows):
            raise ValueError(f"the rows for {table.name} have different columns")
        columns = tuple(keys)
        shape.append((table, columns, len(rows)))
        for row in rows:
            for name in columns:
                value, process = row[name], processors[name]
                values.append(value if process is None or value is None else process(value))
    if dialect.name == "postgresql":
        connection.exec_driver_sql(_sql(tuple(shape), dialect), tuple(values))
        return
    for table, rows in batches:
        connection.execute(insert(table), list(rows))


@lru_cache(maxsize=64)
def _processors(table: Table, dialect: Dialect) -> dict[str, Callable[[Any], Any] | None]:
    for column in table.columns:
        if column.default is not None or column.onupdate is not None:
            raise ValueError(f"{table.name}.{column.name} has a Python-side default")
    return {column.name: column.type.bind_processor(dialect) for column in table.columns}


@lru_cache(maxsize=256)
def _sql(shape: _Shape, dialect: Dialect) -> str:
    quote = dialect.identifier_preparer.quote
    parts = []
    for table, columns, count in shape:  # names of the schema, quoted, and placeholders
        marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
        parts.append(
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
            f"VALUES {', '.join([marks] * count)}"
        )
    *first, last = parts
    if not first:
        return last
    ctes = ", ".join(f"i{n} AS ({part})" for n, part in enumerate(first))
    return f"WITH {ctes} {last}"
