"""``hanoi node`` and ``hanoi db`` as a user runs them, including every bad input."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from conftest import run_hanoi
from hanoi.crypto.agekeys import read_identity_file
from hanoi.crypto.ed25519keys import NoteVerifierKey
from hanoi.settings import load_settings
from hanoi.wiring import open_node


def assert_one_line_error(stderr: str, *fragments: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got:\n{stderr}"
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_init_creates_a_complete_node(node_dir: Path) -> None:
    assert (node_dir / "hanoi.toml").is_file()
    assert (node_dir / "blobs").is_dir()
    for key in ("node-signing.pem", "log-signing.key", "witness-signing.pem", "age-identity.txt"):
        mode = stat.S_IMODE((node_dir / "keys" / key).stat().st_mode)
        assert mode == 0o600, f"{key} has mode {oct(mode)}"
    with sqlite3.connect(node_dir / "hanoi.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        purposes = sorted(row[0] for row in db.execute("SELECT purpose FROM node_keys"))
        revision = db.execute("SELECT version_num FROM alembic_version").fetchone()
    assert purposes == ["age", "log-signing", "node-signing", "witness-signing"]
    assert revision is not None


def test_show_prints_the_public_identity(node_dir: Path) -> None:
    result = run_hanoi("node", "show", "--dir", str(node_dir))
    assert result.returncode == 0, result.stderr
    identity = json.loads(result.stdout)
    assert identity["state"] == "EGY"
    assert identity["name"] == "Central Authority of Egypt"
    assert identity["age_recipient"].startswith("age1")
    assert len(identity["signing_key_id"]) == 43  # base64url SHA-256 thumbprint
    key = NoteVerifierKey.parse(identity["log_verifier_key"])
    assert key.name == identity["log_origin"]
    age_file = (node_dir / "keys" / "age-identity.txt").read_text()
    assert str(read_identity_file(age_file).recipient()) == identity["age_recipient"]
    assert "PRIVATE" not in result.stdout
    assert "AGE-SECRET" not in result.stdout


def test_init_into_a_non_empty_folder_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    result = run_hanoi("node", "init", "--dir", str(target), "--state", "EGY", "--name", "X")
    assert result.returncode == 4
    assert_one_line_error(result.stderr, "not empty", "nothing was changed")
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
    assert (target / "notes.txt").read_text() == "keep me"


def test_init_into_an_existing_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    result = run_hanoi("node", "init", "--dir", str(target), "--state", "FRA", "--name", "X")
    assert result.returncode == 0, result.stderr
    assert (target / "hanoi.toml").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]  # no staging folder left


@pytest.mark.parametrize("state", ["eg", "Egypt", "egy", "12A"])
def test_invalid_state_code(tmp_path: Path, state: str) -> None:
    result = run_hanoi(
        "node", "init", "--dir", str(tmp_path / "n"), "--state", state, "--name", "X"
    )
    assert result.returncode == 2
    assert_one_line_error(result.stderr, "ISO 3166-1 alpha-3", "EGY")
    assert list(tmp_path.iterdir()) == []


def test_unreachable_database(tmp_path: Path) -> None:
    env = {"HANOI_DATABASE_URL": "postgresql://hanoi:s3cr3t-pw@127.0.0.1:1/hanoi"}
    result = run_hanoi(
        "node", "init", "--dir", str(tmp_path / "n"), "--state", "EGY", "--name", "X", env=env
    )
    assert result.returncode == 9
    assert_one_line_error(result.stderr, "cannot connect to database postgresql", "127.0.0.1:1")
    assert "s3cr3t-pw" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_refusing_s3_endpoint(tmp_path: Path) -> None:
    env = {"HANOI_BLOB_STORE": "s3", "HANOI_S3_ENDPOINT_URL": "http://127.0.0.1:9"}
    result = run_hanoi(
        "node", "init", "--dir", str(tmp_path / "n"), "--state", "EGY", "--name", "X", env=env
    )
    assert result.returncode == 9
    assert_one_line_error(result.stderr, "cannot reach the S3 store http://127.0.0.1:9")
    assert list(tmp_path.iterdir()) == []


def test_show_refuses_a_key_file_readable_by_others(tmp_path: Path) -> None:
    target = tmp_path / "n"
    assert (
        run_hanoi("node", "init", "--dir", str(target), "--state", "EGY", "--name", "X").returncode
        == 0
    )
    (target / "keys" / "node-signing.pem").chmod(0o644)
    result = run_hanoi("node", "show", "--dir", str(target))
    assert result.returncode == 6
    assert_one_line_error(result.stderr, "readable by other users", "chmod 600")


def test_show_outside_a_node_folder(tmp_path: Path) -> None:
    result = run_hanoi("node", "show", "--dir", str(tmp_path))
    assert result.returncode == 3
    assert_one_line_error(result.stderr, "not a Hanoi node folder", "hanoi node init")


def test_db_upgrade_is_idempotent(node_dir: Path) -> None:
    result = run_hanoi("db", "upgrade", "--dir", str(node_dir))
    assert result.returncode == 0, result.stderr
    assert "already at revision" in result.stdout


@pytest.mark.postgres
def test_node_on_postgresql_and_s3(
    tmp_path: Path,
    fresh_postgres_url: str,
    s3_server,
    s3_bucket,  # type: ignore[no-untyped-def]
) -> None:
    env = {
        "HANOI_DATABASE_URL": fresh_postgres_url,
        "HANOI_BLOB_STORE": "s3",
        "HANOI_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "HANOI_S3_BUCKET": s3_bucket,
        "HANOI_S3_ACCESS_KEY_ID": s3_server.access_key_id,
        "HANOI_S3_SECRET_ACCESS_KEY": s3_server.secret_access_key,
    }
    target = tmp_path / "n"
    result = run_hanoi(
        "node", "init", "--dir", str(target), "--state", "VNM", "--name", "B", env=env
    )
    assert result.returncode == 0, result.stderr
    assert not (target / "hanoi.db").exists()  # the database is PostgreSQL
    upgrade = run_hanoi("db", "upgrade", "--dir", str(target), env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    assert "postgresql" in upgrade.stdout
    assert "already at revision" in upgrade.stdout
    import psycopg

    with psycopg.connect(fresh_postgres_url) as db:
        rows = db.execute("SELECT purpose FROM node_keys ORDER BY purpose").fetchall()
    assert [r[0] for r in rows] == ["age", "log-signing", "node-signing", "witness-signing"]


def test_a_node_closes_twice_and_opens_again(node_dir: Path) -> None:
    node = open_node(load_settings(node_dir))
    assert node.accounts.users() is not None
    node.close()
    node.close()  # safe again: CLI commands close in ``finally``, whatever happened before
    again = open_node(load_settings(node_dir))
    try:
        assert again.identity.state == "EGY"
    finally:
        again.close()
