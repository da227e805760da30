"""``hanoi backup`` of a node that serves and takes requests meanwhile, on both engines, and
``hanoi restore`` with what an operator can get wrong: each a one-line error and its exit
code, and nothing written."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
import threading
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest

from conftest import POSTGRES_ADMIN_URL, require_tool, run_hanoi, serving
from hanoi.custody.rollback import LogOnHold
from hanoi.wiring import open_node
from support_backups import BackupKey, backup_key, draft_requests, log_verifier_key, logged_size
from support_databases import Clones, drop_database, postgres_url_of
from support_nodes import init_folder, open_at, settings_of


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def new_node(folder: Path, engine: str, clones: Clones) -> dict[str, str]:
    """A node of EGY with the officer amira; the environment that points at its database."""
    init_folder(folder, "EGY")
    env: dict[str, str] = {}
    if engine == "postgresql":
        url = clones.postgres()
        open_at(folder, url).close()
        env = {"HANOI_DATABASE_URL": url}
    added = run_hanoi("user", "add", "amira", "--role", "officer", "--dir", str(folder), env=env)
    assert added.returncode == 0, added.stderr
    return env


def draft(folder: Path, env: dict[str, str]) -> str:
    drafted = run_hanoi(
        "requests", "draft", "--dir", str(folder), "--user", "amira",
        "--kind", "mla-stored-data", "--to", "VNM", "--json", env=env,
    )  # fmt: skip
    assert drafted.returncode == 0, drafted.stderr
    request_id: str = json.loads(drafted.stdout)["id"]
    return request_id


def add_evidence(folder: Path, request_id: str, data: bytes, env: dict[str, str]) -> None:
    source = folder.parent / f"evidence-{uuid.uuid4().hex[:6]}.bin"
    source.write_bytes(data)
    added = run_hanoi(
        "evidence", "add", str(source), "--dir", str(folder), "--request", request_id,
        "--source-kind", "device", "--source", "a seized laptop", "--method", "forensic image",
        "--user", "amira", env=env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr


def decrypt(backup: Path, key: BackupKey) -> bytes:
    """The backup opened by the real ``age`` tool, without Hanoi."""
    return subprocess.run(
        [require_tool("age"), "-d", "-i", str(key.identity), str(backup)],
        check=True,
        capture_output=True,
    ).stdout


def test_a_backup_taken_while_the_node_serves_restores_whole(
    tmp_path: Path, engine_name: str, migrated_databases: Clones
) -> None:
    folder, key = tmp_path / "egy", backup_key(tmp_path / "operator")
    env = new_node(folder, engine_name, migrated_databases)
    evidence = b"disk image " * 50_000
    add_evidence(folder, draft(folder, env), evidence, env)
    backup = tmp_path / "node.age"
    answers: list[int] = []
    failures: list[BaseException] = []
    stop = threading.Event()
    with serving(folder, env=env) as served:

        def keep_busy() -> None:  # officers at work, and readers of the log
            try:
                while not stop.is_set():
                    draft_requests(folder, 1, env=env)
                    for path in ("/healthz", "/log/checkpoint"):
                        answers.append(httpx.get(served.url + path, timeout=10).status_code)
            except BaseException as exc:  # noqa: BLE001 - reported by the test's thread
                failures.append(exc)

        busy = threading.Thread(target=keep_busy)
        busy.start()
        try:
            draft_requests(folder, 2, env=env)
            taken = run_hanoi(
                "backup", "--dir", str(folder), "--out", str(backup), "-r", key.recipient,
                env=env, process=True,
            )  # fmt: skip
        finally:
            stop.set()
            busy.join()
    assert taken.returncode == 0, taken.stderr
    assert not failures, failures
    assert answers
    assert set(answers) <= {200, 404}
    size = logged_size(taken.stdout)

    # The age tool opens it; the manifest is the last member.
    with tarfile.open(fileobj=io.BytesIO(decrypt(backup, key))) as plain:
        names = plain.getnames()
    assert names[-1] == "manifest.json"
    assert "folder/keys/log-signing.key" in names
    assert not any(n.startswith(("folder/scratch", "folder/processes")) for n in names)

    target, new_database = tmp_path / "restored", None
    extra: list[str] = []
    if env:
        new_database = f"hanoi_r_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{new_database}"')
        extra = ["--database-url", postgres_url_of(new_database)]
    try:
        restored = run_hanoi(
            "restore", str(backup), "--dir", str(target), "--identity", str(key.identity), *extra
        )
        assert restored.returncode == 0, restored.stderr
        assert (target / "keys").stat().st_mode & 0o777 == 0o700
        assert (target / "keys" / "log-signing.key").stat().st_mode & 0o777 == 0o600
        audit = run_hanoi("log", "audit", str(target / "log"), "--key", log_verifier_key(folder))
        assert audit.returncode == 0, audit.stderr
        assert f"size {size} " in audit.stdout
        # Until 'hanoi serve' has asked the witnesses, no command signs with this log.
        held = open_node(settings_of(target, extra[1] if extra else None))
        try:
            with pytest.raises(LogOnHold, match="signs nothing until 'hanoi serve'"):
                held.custody.sequence()
        finally:
            held.close()
        blobs = [p for p in (target / "blobs").rglob("*") if p.is_file()]
        assert [p.read_bytes() for p in blobs] == [evidence]
        restored_env = {"HANOI_DATABASE_URL": extra[1]} if extra else {}
        listed = run_hanoi(
            "requests", "list", "--dir", str(target), "--user", "amira", "--json",
            env=restored_env,
        )  # fmt: skip
        assert listed.returncode == 0, listed.stderr
        assert len(json.loads(listed.stdout)["items"]) >= 3  # drafted before the backup
    finally:
        if new_database is not None:
            drop_database(new_database)


def test_restore_refuses_what_it_cannot_trust_and_writes_nothing(
    tmp_path: Path, migrated_databases: Clones
) -> None:
    folder, key = tmp_path / "egy", backup_key(tmp_path / "operator")
    new_node(folder, "sqlite", migrated_databases)
    backup = tmp_path / "node.age"
    taken = run_hanoi("backup", "--dir", str(folder), "--out", str(backup), "-r", key.recipient)
    assert taken.returncode == 0, taken.stderr

    def restore(source: Path, target: Path, identity: Path = key.identity, *extra: str) -> str:
        before = sorted(target.rglob("*")) if target.exists() else None
        done = run_hanoi(
            "restore", str(source), "--dir", str(target), "--identity", str(identity), *extra
        )
        assert len(done.stderr.splitlines()) == 1, done.stderr
        assert (sorted(target.rglob("*")) if target.exists() else None) == before
        assert not list(tmp_path.glob(".*restoring*"))
        return f"{done.returncode} {done.stderr.strip()}"

    # The backup file exists already; a recipient that is not one.
    again = run_hanoi("backup", "--dir", str(folder), "--out", str(backup), "-r", key.recipient)
    assert again.returncode == 4
    assert "never overwrites" in again.stderr
    bad = run_hanoi("backup", "--dir", str(folder), "--out", str(tmp_path / "x"), "-r", "age1no")
    assert bad.returncode == 2, bad.stderr

    # Not a backup; another operator's identity; a folder with something in it.
    junk = tmp_path / "junk.age"
    junk.write_bytes(b"not an age file\n")
    assert restore(junk, tmp_path / "a").startswith("2 hanoi: invalid input: not an age file")
    other = backup_key(tmp_path / "other")
    assert restore(backup, tmp_path / "a", other.identity).startswith("2 hanoi: invalid input")
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("keep me")
    assert restore(backup, occupied).startswith("4 hanoi: conflict: ")
    (occupied / "notes.txt").unlink()

    # A part altered after the backup was taken (re-encrypted, so age itself is happy).
    altered = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(decrypt(backup, key))) as plain,
        tarfile.open(fileobj=altered, mode="w", format=tarfile.PAX_FORMAT) as out,
    ):
        for member in plain.getmembers():
            data = plain.extractfile(member)
            assert data is not None
            content = data.read()
            if member.name == "folder/hanoi.toml":
                content = content.replace(b"EGY", b"XXX")
            out.addfile(member, io.BytesIO(content))
    tampered = tmp_path / "tampered.age"
    subprocess.run(
        [require_tool("age"), "-r", key.recipient, "-o", str(tampered)],
        input=altered.getvalue(),
        check=True,
    )
    message = restore(tampered, tmp_path / "b")
    assert message.startswith("6 hanoi: integrity failure: digest mismatch: folder/hanoi.toml")

    # A truncated backup: its manifest, the last member, is missing.
    cut = tmp_path / "cut.age"
    cut.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    assert restore(cut, tmp_path / "c")[0] in "26"

    # A PostgreSQL database to restore into that already holds a node.
    used = ("--database-url", migrated_databases.postgres())
    assert restore(backup, tmp_path / "d", key.identity, *used).startswith(
        "4 hanoi: conflict: the database"
    )


def test_a_node_on_s3_backs_up_its_database_and_folder_and_leaves_the_bucket(
    tmp_path: Path,
    s3_server,
    s3_bucket,  # type: ignore[no-untyped-def]
) -> None:
    env = {
        "HANOI_BLOB_STORE": "s3",
        "HANOI_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "HANOI_S3_BUCKET": s3_bucket,
        "HANOI_S3_ACCESS_KEY_ID": s3_server.access_key_id,
        "HANOI_S3_SECRET_ACCESS_KEY": s3_server.secret_access_key,
    }
    folder, key = tmp_path / "egy", backup_key(tmp_path / "operator")
    made = run_hanoi("node", "init", "--dir", str(folder), "--state", "EGY", "--name", "E", env=env)
    assert made.returncode == 0, made.stderr
    added = run_hanoi("user", "add", "amira", "--role", "officer", "--dir", str(folder), env=env)
    assert added.returncode == 0, added.stderr
    evidence = b"mailbox export " * 10_000
    add_evidence(folder, draft(folder, env), evidence, env)
    backup = tmp_path / "node.age"
    taken = run_hanoi(
        "backup", "--dir", str(folder), "--out", str(backup), "-r", key.recipient, env=env
    )
    assert taken.returncode == 0, taken.stderr
    with tarfile.open(fileobj=io.BytesIO(decrypt(backup, key))) as plain:
        manifest = json.loads(plain.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["blob_store"] == "s3"
    assert not [p for p in manifest["parts"] if p["name"].startswith("folder/blobs/")]

    target = tmp_path / "restored"
    restored = run_hanoi(
        "restore", str(backup), "--dir", str(target), "--identity", str(key.identity)
    )
    assert restored.returncode == 0, restored.stderr
    assert "in the S3 bucket" in restored.stdout
    with serving(target, env=env) as served:  # no witnesses: it starts, its blobs are there
        health = httpx.get(f"{served.url}/readyz", timeout=10).json()
    assert (health["state"], health["database"], health["blobs"]) == ("EGY", "ok", "ok")
    assert not (target / "restored.json").exists()
    keys = s3_server.client().list_objects_v2(Bucket=s3_bucket).get("Contents", [])
    assert any(hashlib.sha256(evidence).hexdigest() in item["Key"] for item in keys)
