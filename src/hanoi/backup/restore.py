"""``hanoi restore``: a backup into a new node folder, checked before it is put in place.

1. The target folder must be absent or empty (and, for PostgreSQL, the target database
   must hold no table): a restore never mixes with what is there.
2. The archive is decrypted with the operator's age identity and unpacked into a hidden
   sibling of the target, every part hashed on the way. Only regular files named under
   ``database/`` or ``folder/`` are accepted.
3. The manifest (the last member) is checked against every part: a missing, extra or
   altered part stops the restore, and the sibling is removed.
4. The database is put back (the SQLite file, or ``pg_restore`` into the database given).
5. ``restored.json`` is written: ``hanoi serve`` then asks every witness whether the log
   is behind before it signs again (:mod:`hanoi.backup.log_guard`).
6. The sibling is renamed to the target.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import inspect

from hanoi.backup.archive import pg_command_url, run_tool
from hanoi.backup.manifest import (
    FOLDER_PREFIX,
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    RESTORED_MARKER,
    Manifest,
    check_part_name,
    parse_manifest,
)
from hanoi.clock import Clock
from hanoi.crypto.agekeys import AgeIdentity
from hanoi.errors import Conflict, IntegrityError, InvalidInput, NotFound
from hanoi.evidence.age import Decryptor
from hanoi.settings import CONFIG_FILE
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.db import make_engine

CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RestoreResult:
    manifest: Manifest
    folder: Path


def restore_backup(
    source: Path,
    *,
    identity: AgeIdentity,
    target: Path,
    database_url: str | None,
    clock: Clock,
) -> RestoreResult:
    """Restore the backup in ``source`` into the new node folder ``target``;
    ``database_url``: the empty PostgreSQL database a PostgreSQL backup goes into."""
    if not source.is_file():
        raise NotFound(f"no backup file at {source}")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise Conflict(f"{target} is not an empty folder; a restore never mixes with files")
    if not target.parent.is_dir():
        raise NotFound(f"the folder {target.parent} does not exist")
    if database_url is not None:
        _require_empty_database(database_url)
    stage = target.parent / f".{target.name}.restoring-{uuid.uuid4().hex[:8]}"
    stage.mkdir(mode=0o700)
    try:
        with (
            source.open("rb") as raw,
            io.BufferedReader(Decryptor(raw, [identity]), CHUNK) as plain,
        ):
            manifest = _unpack(plain, stage)
        folder = stage / FOLDER_PREFIX.rstrip("/")
        url = _put_database(manifest, stage=stage, folder=folder, database_url=database_url)
        if manifest.blob_store == "disk":
            _write_checkpoint(folder / "log", url)
        _write_marker(folder, manifest, restored=clock.now().isoformat())
        if target.exists():
            target.rmdir()
        os.rename(folder, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return RestoreResult(manifest, target)


def _require_empty_database(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise Conflict(f"the database to restore into is not empty ({len(tables)} tables)")


def _unpack(plain: IO[bytes], stage: Path) -> Manifest:
    found: dict[str, tuple[str, int]] = {}
    modes: dict[str, int] = {}
    manifest_bytes: bytes | None = None
    try:
        with tarfile.open(fileobj=plain, mode="r|", bufsize=CHUNK) as tar:
            for member in tar:
                if manifest_bytes is not None:
                    raise InvalidInput("the backup goes on after its manifest")
                if not member.isfile():
                    raise InvalidInput(f"the backup holds a non-file member {member.name!r}")
                data = tar.extractfile(member)
                if data is None:
                    raise InvalidInput(f"the backup's member {member.name!r} cannot be read")
                if member.name == MANIFEST_NAME:
                    if member.size > MAX_MANIFEST_BYTES:
                        raise InvalidInput("the backup's manifest is too large")
                    manifest_bytes = data.read()
                    continue
                name = check_part_name(member.name)
                if name in found:
                    raise InvalidInput(f"the backup holds {name} twice")
                found[name] = _extract(data, stage / name)
                modes[name] = member.mode & 0o777
    except tarfile.TarError as exc:
        raise InvalidInput(f"the backup is not a readable archive: {exc}") from None
    if manifest_bytes is None:
        raise IntegrityError("the backup has no manifest (a truncated file?)")
    manifest = parse_manifest(manifest_bytes)
    manifest.check_parts(found)
    for part in manifest.parts:  # on the disk before the folder is put in place
        _sync(stage / part.name)
        os.chmod(stage / part.name, part.mode)
    keys = stage / FOLDER_PREFIX / "keys"
    if keys.is_dir():
        os.chmod(keys, 0o700)
    return manifest


def _sync(path: Path) -> None:
    """fsync a file written earlier: by now the kernel has written most of it, so one pass
    at the end waits less than a sync after each part."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _extract(data: IO[bytes], path: Path) -> tuple[str, int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := data.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _put_database(
    manifest: Manifest, *, stage: Path, folder: Path, database_url: str | None
) -> str:
    """Put the database back; its URL."""
    snapshot = stage / manifest.database_part
    config = folder / CONFIG_FILE
    if not config.is_file():
        raise IntegrityError(f"the backup holds no {CONFIG_FILE}")
    if manifest.blob_store == "disk":
        _set_setting(config, "blob_dir", None)  # the blobs came back into the folder
    if manifest.engine == "sqlite":
        if database_url is not None:
            raise InvalidInput("a SQLite backup restores into the folder; drop --database-url")
        os.rename(snapshot, folder / "hanoi.db")
        _set_setting(config, "database_url", None)  # the folder's own hanoi.db
        return f"sqlite:///{folder / 'hanoi.db'}"
    if database_url is None:
        raise InvalidInput(
            "this backup's database is PostgreSQL: give the new, empty database with --database-url"
        )
    libpq, env = pg_command_url(database_url)
    run_tool(
        ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", f"--dbname={libpq}",
         str(snapshot)],
        env=env,
        what="pg_restore",
    )  # fmt: skip
    _set_setting(config, "database_url", database_url)
    return database_url


def _write_checkpoint(tiles: Path, url: str) -> None:
    """``log/checkpoint``: the restored database's latest checkpoint, with the cosignatures
    it kept, beside the restored tiles, so that ``hanoi log audit DIR/log`` checks the
    restored log offline, before the node starts (a node serves it from the database)."""
    engine = make_engine(url)
    try:
        repository = CustodyRepository(engine)
        state = repository.state()
        if state is None:
            return
        note = state.checkpoint + "".join(repository.cosignature_lines(state.size))
    finally:
        engine.dispose()
    tiles.mkdir(parents=True, exist_ok=True)
    (tiles / "checkpoint").write_text(note, encoding="utf-8")


def _set_setting(config: Path, key: str, value: str | None) -> None:
    """The restored folder's settings point at the restored database and blobs, never at
    the ones the backup was taken from (which may still be in use, or be the damaged ones).
    A setting the file does not hold stays unset (the environment may give it)."""
    text = config.read_text(encoding="utf-8")
    kept = re.sub(rf"^\s*{key}\s*=.*$\n?", "", text, flags=re.MULTILINE)
    if value is not None and text != kept:
        kept = f"{key} = {json.dumps(value)}\n" + kept
    if kept != text:
        config.write_text(kept, encoding="utf-8")


def _write_marker(folder: Path, manifest: Manifest, *, restored: str) -> None:
    record = {
        "restored": restored,
        "backup_created": manifest.created,
        "log_origin": manifest.log_origin,
        "log_size_at_backup": manifest.log_size,
    }
    (folder / RESTORED_MARKER).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
