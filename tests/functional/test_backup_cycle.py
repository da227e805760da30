"""Backup, destroy, restore and continue (issue 21): EGY's log, witnessed by VNM and FRA,
each a real ``hanoi serve``. Restored from an older backup, EGY refuses to start: its log
is behind what its witnesses cosigned. Restored from the newer one, it audits and goes on."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import psycopg
import pytest

from conftest import POSTGRES_ADMIN_URL, free_port_run, run_hanoi, serving
from support_backups import (
    backup_key,
    draft_requests,
    log_verifier_key,
    logged_size,
    wait_cosigned,
)
from support_databases import Clones, drop_database, postgres_url_of
from support_nodes import federate, open_at


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Databases:
    """EGY's databases: the first a migrated clone, each restore's a new empty one."""

    def __init__(self, engine: str, clones: Clones) -> None:
        self.engine = engine
        self._clones = clones
        self.made: list[str] = []

    def first(self, folder: Path) -> dict[str, str]:
        if self.engine == "sqlite":
            return {}
        url = self._clones.postgres()
        open_at(folder, url).close()  # the node's keys recorded, as 'hanoi node init' does
        return {"HANOI_DATABASE_URL": url}

    def empty(self) -> str | None:
        if self.engine == "sqlite":
            return None
        name = f"hanoi_r_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return postgres_url_of(name)

    def drop(self) -> None:
        for name in self.made:
            drop_database(name)


def restore(backup: Path, folder: Path, identity: Path, url: str | None) -> dict[str, str]:
    shutil.rmtree(folder)  # the node is destroyed
    extra = ["--database-url", url] if url else []
    restored = run_hanoi(
        "restore", str(backup), "--dir", str(folder), "--identity", str(identity), *extra
    )
    assert restored.returncode == 0, restored.stderr
    assert (folder / "restored.json").is_file()
    return {"HANOI_DATABASE_URL": url} if url else {}


def test_backup_destroy_restore_and_continue(
    tmp_path: Path, engine_name: str, migrated_databases: Clones
) -> None:
    base = free_port_run(3)
    root = tmp_path / "fed"
    federate(root, ["EGY", "VNM", "FRA"], base_port=base)
    egy, vnm, fra = root / "egy", root / "vnm", root / "fra"
    key = backup_key(tmp_path / "operator")
    databases = Databases(engine_name, migrated_databases)
    env = databases.first(egy)
    added = run_hanoi("user", "add", "amira", "--role", "officer", "--dir", str(egy), env=env)
    assert added.returncode == 0, added.stderr
    vkey = log_verifier_key(egy)
    older, newer = tmp_path / "backups" / "older.age", tmp_path / "backups" / "newer.age"
    older.parent.mkdir()
    try:
        with serving(vnm, port=base + 1), serving(fra, port=base + 2):
            with serving(egy, port=base, env=env) as served:
                draft_requests(egy, 3, env=env)
                first = wait_cosigned(served.url, at_least=3, witnesses=2)
                taken = run_hanoi(
                    "backup", "--dir", str(egy), "--out", str(older), "-r", key.recipient, env=env
                )
                assert taken.returncode == 0, taken.stderr
                assert logged_size(taken.stdout) == first
                draft_requests(egy, 4, env=env)
                second = wait_cosigned(served.url, at_least=first + 4, witnesses=2)
                taken = run_hanoi(
                    "backup", "--dir", str(egy), "--out", str(newer), "-r", key.recipient, env=env
                )
                assert taken.returncode == 0, taken.stderr
                assert logged_size(taken.stdout) == second

            # The older backup: the log is behind its witnesses, and the node will not start.
            env = restore(older, egy, key.identity, databases.empty())
            refused = run_hanoi(
                "serve", "--dir", str(egy), "--port", str(base), env=env, timeout=90
            )
            assert refused.returncode == 5, refused.stderr
            assert f"is at size {first} but witness" in refused.stderr
            assert f"cosigned size {second}" in refused.stderr
            assert "restore a newer backup" in refused.stderr
            assert (egy / "restored.json").is_file()  # still to be checked

            # The newer backup: it audits, starts, and its log goes on, witnessed.
            env = restore(newer, egy, key.identity, databases.empty())
            audit = run_hanoi("log", "audit", str(egy / "log"), "--key", vkey)
            assert audit.returncode == 0, audit.stderr
            assert f"size {second} " in audit.stdout
            with serving(egy, port=base, env=env) as served:
                assert not (egy / "restored.json").exists()
                draft_requests(egy, 2, env=env)
                assert wait_cosigned(served.url, at_least=second + 2, witnesses=2) >= second + 2
            audit = run_hanoi("log", "audit", str(egy / "log"), "--key", vkey)
            assert audit.returncode == 0, audit.stderr
    finally:
        databases.drop()


def test_a_restored_node_starts_only_once_every_witness_has_answered(tmp_path: Path) -> None:
    base = free_port_run(2)
    root = tmp_path / "fed"
    federate(root, ["EGY", "VNM"], base_port=base)
    egy, vnm = root / "egy", root / "vnm"
    key = backup_key(tmp_path / "operator")
    backup = tmp_path / "egy.age"
    taken = run_hanoi("backup", "--dir", str(egy), "--out", str(backup), "-r", key.recipient)
    assert taken.returncode == 0, taken.stderr
    restore(backup, egy, key.identity, None)
    # VNM's node is down: EGY cannot learn whether its log is behind, and does not start.
    refused = run_hanoi("serve", "--dir", str(egy), "--port", str(base), timeout=90)
    assert refused.returncode == 9, refused.stderr
    assert "after a restore every witness must confirm" in refused.stderr
    assert "not heard: " in refused.stderr
    assert (egy / "restored.json").is_file()
    with serving(vnm, port=base + 1), serving(egy, port=base):
        assert not (egy / "restored.json").exists()
