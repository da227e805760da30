"""The rule of rolling upgrades (ADR 0050, docs/operations.md "Upgrading"): from migration
0021 on, a migration leaves the previous version's code a schema it still works with, so
that the processes of a node are upgraded one by one while it answers.

Checked on SQLite and PostgreSQL, migration by migration, on the schema each one leaves:
no table or column the previous revision had is dropped or changes type, a column added
to an existing table is nullable or has a server default (the previous code's INSERTs do
not name it), and no columns the previous code writes become unique (its writes could
fail); a new column may be unique, since the previous code leaves it NULL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect

from hanoi.accounts.model import Role
from hanoi.storage import migrate
from hanoi.storage.db import make_engine
from support_nodes import build_node

FIRST_ROLLING = "0021"
"""The first migration written under the rule; older ones were applied with every process
stopped."""


def _schema(engine: Engine) -> dict[str, Any]:
    found = inspect(engine)
    schema: dict[str, Any] = {}
    for table in found.get_table_names():
        if table == "alembic_version":
            continue
        columns = {
            c["name"]: (
                type(c["type"]).__name__,
                c["nullable"],
                c.get("default") is not None,
            )
            for c in found.get_columns(table)
        }
        unique = {tuple(i["column_names"]) for i in found.get_indexes(table) if i.get("unique")} | {
            tuple(u["column_names"]) for u in found.get_unique_constraints(table)
        }
        schema[table] = {"columns": columns, "unique": unique}
    return schema


def _revisions(engine: Engine) -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate._config(engine))
    ordered = [r.revision for r in script.walk_revisions("base", "heads")]
    return list(reversed(ordered))


def problems(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What in ``after`` would break code written for ``before``."""
    found = []
    for table, was in before.items():
        if table not in after:
            found.append(f"table {table} dropped")
            continue
        now = after[table]
        for column, (kind, _nullable, _default) in was["columns"].items():
            if column not in now["columns"]:
                found.append(f"column {table}.{column} dropped")
            elif now["columns"][column][0] != kind:
                found.append(f"column {table}.{column} changed type")
        for column, (_kind, nullable, default) in now["columns"].items():
            if column not in was["columns"] and not (nullable or default):
                found.append(f"column {table}.{column} added NOT NULL without a default")
        for columns in sorted(now["unique"] - was["unique"]):
            if all(column in was["columns"] for column in columns):
                found.append(f"{table}{columns} made unique")  # old writes could fail
    return found


def test_each_migration_since_0021_keeps_the_previous_code_working(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        revisions = _revisions(engine)
        start = revisions.index(FIRST_ROLLING)
        migrate.upgrade(engine, revisions[start - 1])
        before = _schema(engine)
        checked = []
        for revision in revisions[start:]:
            migrate.upgrade(engine, revision)
            after = _schema(engine)
            assert problems(before, after) == [], f"migration {revision}"
            checked.append(revision)
            before = after
        assert checked[0] == FIRST_ROLLING
        assert checked[-1] == migrate.alembic_head_revision(engine)
    finally:
        engine.dispose()


def test_the_rule_catches_what_breaks_the_previous_code() -> None:
    table = {
        "columns": {"id": ("VARCHAR", False, False), "note": ("TEXT", True, False)},
        "unique": {("id",)},
    }
    same = {"t": table}
    assert problems(same, same) == []
    added_ok = {
        "t": {
            "columns": {**table["columns"], "extra": ("TEXT", True, False),
                        "count": ("INTEGER", False, True)},
            "unique": table["unique"],
        },
        "new": table,
    }  # fmt: skip
    assert problems(same, added_ok) == []
    broken = {
        "t": {
            "columns": {"id": ("INTEGER", False, False), "must": ("TEXT", False, False)},
            "unique": {("id",), ("must",)},  # a new column's: not a problem of its own
        }
    }
    assert problems(same, broken) == [
        "column t.id changed type",
        "column t.note dropped",
        "column t.must added NOT NULL without a default",
    ]
    assert problems(same, {}) == ["table t dropped"]
    new_unique = {  # a new nullable column made unique: the previous code leaves it NULL
        "t": {
            "columns": {**table["columns"], "subject": ("TEXT", True, False)},
            "unique": {("id",), ("subject",)},
        }
    }
    assert problems(same, new_unique) == []
    old_unique = {"t": {"columns": table["columns"], "unique": {("id",), ("note",)}}}
    assert problems(same, old_unique) == ["t('note',) made unique"]


def test_a_node_with_users_and_tokens_goes_down_to_0021_and_up_again(
    tmp_path: Path, database_url: str
) -> None:
    """0022 alters 'users', which API tokens and sessions reference: done in place, a node
    that has users upgrades (and downgrades) with them; a table rebuild on SQLite failed on
    the foreign keys."""
    url = None if database_url.startswith("sqlite") else database_url
    node = build_node(tmp_path / "egy", "EGY", url)
    try:
        made = node.accounts.add_user(name="amira", role=Role.OFFICER, with_token=True)
        assert made.token is not None
        migrate.downgrade(node.engine, "0021")
        assert "external_subject" not in {
            c["name"] for c in inspect(node.engine).get_columns("users")
        }
        migrate.upgrade(node.engine)
        assert node.accounts.named("amira").role is Role.OFFICER
        assert node.accounts.authenticate_token(made.token).name == "amira"
    finally:
        node.close()
