"""``hanoi backup``: one age-encrypted tar of a node, taken while it runs (ADR 0048).

The archive is written in this order, which is what makes it consistent:

1. **database**: a snapshot first. SQLite through its online backup API
   (``sqlite3.Connection.backup``: a consistent copy while other connections write);
   PostgreSQL through ``pg_dump --format=custom --snapshot`` of the repeatable-read
   snapshot in which the log's size is read.
2. **folder**: then the node folder: settings, keys, the signed directory, blobs and
   tiles (when they are on disk). Blobs are content-addressed and never rewritten, tiles
   are written to a temporary name and renamed, and old partial tiles stay: whatever the
   database snapshot refers to was on disk before it, so it is in the copy.
3. **manifest**: last, listing every part with its SHA-256, size and mode, and the log's
   size in the snapshot.

Everything passes through the age encryptor to the recipients given: the host that keeps
the file holds no secret. The plaintext snapshot is staged in the node folder's scratch
space (the node's own host), never beside the output.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from hanoi.backup.manifest import (
    FOLDER_PREFIX,
    MANIFEST_NAME,
    POSTGRES_PART,
    SQLITE_PART,
    Manifest,
    Part,
)
from hanoi.clock import Clock
from hanoi.crypto.agekeys import AgeRecipient
from hanoi.errors import Conflict, InvalidInput, NotFound, Unavailable
from hanoi.evidence.age import Encryptor
from hanoi.settings import Settings
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.db import make_engine
from hanoi.storage.tables import log_state

CHUNK = 1024 * 1024
TRANSIENT = frozenset(
    {"scratch", "processes", "uploads", "restored.json", "blobs/tmp",
     "hanoi.db", "hanoi.db-wal", "hanoi.db-shm", "hanoi.db-journal"}
)  # fmt: skip
"""Paths of the node folder a backup leaves out: work in progress and this host's
processes, and the SQLite files (the snapshot replaces them; a node on PostgreSQL has
none, or a stale one)."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    manifest: Manifest
    bytes_written: int


def pg_command_url(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL for ``pg_dump`` / ``pg_restore`` and the environment that carries its
    password (never on a command line other users can read)."""
    parsed = make_url(url)
    env = dict(os.environ)  # PGSSLMODE, PGSSLROOTCERT and the like still apply
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def run_tool(command: list[str], *, env: dict[str, str], what: str) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise Unavailable(f"{command[0]} is not installed (Debian package postgresql-client)")
    done = subprocess.run(  # noqa: S603 - a fixed tool, arguments from the settings
        [tool, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise Unavailable(f"{what} failed: {lines[-1] if lines else f'exit {done.returncode}'}")


def sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise InvalidInput("an in-memory SQLite database cannot be backed up")
    return Path(parsed.database)


def _snapshot_sqlite(source: Path, target: Path) -> int:
    if not source.is_file():
        raise NotFound(f"the node's database {source} does not exist")
    live = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        live.backup(copy, pages=1024)  # steps, so writers are not held for the whole copy
    finally:
        copy.close()
        live.close()
    return _log_size(f"sqlite:///{target}")


def _log_size(url: str) -> int:
    engine = make_engine(url)
    try:
        state = CustodyRepository(engine).state()
    finally:
        engine.dispose()
    return state.size if state is not None else 0


def _snapshot_postgres(url: str, target: Path) -> int:
    """``pg_dump`` of the snapshot this function's transaction exports, so that the log
    size it reads is exactly the one in the dump, whatever is written meanwhile."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                row = connection.execute(select(log_state.c.size).where(log_state.c.id == 1))
                size = row.scalar() or 0
                libpq, env = pg_command_url(url)
                run_tool(
                    ["pg_dump", "--format=custom", "--no-owner", "--no-acl",
                     f"--snapshot={snapshot}", f"--file={target}", libpq],
                    env=env,
                    what="pg_dump",
                )  # fmt: skip
    finally:
        engine.dispose()
    return int(size)


class _Position:
    """The encryptor as ``tarfile`` writes to it: directly (its stream mode appends to one
    growing ``bytes``, which costs a copy of the buffer per 16 KiB written), with the
    position ``tarfile`` asks for."""

    def __init__(self, out: Encryptor) -> None:
        self._out = out
        self._position = 0

    def write(self, data: bytes) -> int:
        self._out.write(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position


class _Hashing(io.RawIOBase):
    """Reads ``src`` and hashes what it hands to ``tarfile``."""

    def __init__(self, src: BinaryIO) -> None:
        self._src = src
        self.digest = hashlib.sha256()
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._src.read(size)
        self.digest.update(data)
        self.count += len(data)
        return data


def folder_files(settings: Settings, *, skip: Sequence[Path]) -> Iterator[tuple[str, Path]]:
    """Each regular file of the node folder (and of an outside blob folder) a backup keeps,
    as (part name, path), in a stable order."""
    root = settings.node_dir
    blob_dir = settings.resolved_blob_dir
    skipped = {p.resolve() for p in skip}
    roots = [(root, "")]
    if settings.blob_store == "disk" and not _inside(blob_dir, root):
        roots.append((blob_dir, "blobs/"))
    for base, prefix in roots:
        for folder, dirs, files in os.walk(base):
            here = Path(folder)
            dirs[:] = sorted(
                d
                for d in dirs
                if prefix + (here / d).relative_to(base).as_posix() not in TRANSIENT
                and not d.startswith(".")
            )
            for name in sorted(files):
                path = here / name
                rel = prefix + path.relative_to(base).as_posix()
                if (
                    rel in TRANSIENT
                    or path.resolve() in skipped
                    or path.is_symlink()
                    or not path.is_file()
                    or name.startswith(".")
                ):
                    continue
                yield FOLDER_PREFIX + rel, path


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def make_backup(
    settings: Settings, *, out: Path, recipients: Sequence[AgeRecipient], clock: Clock
) -> BackupResult:
    """Write the backup of the node of ``settings`` to ``out`` (a new file), encrypted to
    ``recipients``."""
    if not recipients:
        raise InvalidInput("a backup needs at least one age recipient (--recipient)")
    if out.exists():
        raise Conflict(f"{out} exists; a backup never overwrites a file")
    if not out.parent.is_dir():
        raise NotFound(f"the folder {out.parent} does not exist")
    scratch = settings.node_dir / "scratch" / "tmp"
    scratch.mkdir(parents=True, exist_ok=True, mode=0o700)
    url = settings.resolved_database_url
    database = sqlite_file(url)
    created = clock.now().replace(microsecond=0).isoformat().replace("+00:00", "Z")
    with tempfile.TemporaryDirectory(dir=scratch, prefix="backup-") as stage:
        if database is not None:
            snapshot, part_name, engine = Path(stage) / "hanoi.db", SQLITE_PART, "sqlite"
            log_size = _snapshot_sqlite(database, snapshot)
        else:
            snapshot, part_name, engine = Path(stage) / "dump", POSTGRES_PART, "postgresql"
            log_size = _snapshot_postgres(url, snapshot)
        skip = [out, *(_sqlite_companions(database) if database else [])]
        partial = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        parts: list[Part] = []
        try:
            with partial.open("xb") as sink:
                with Encryptor(sink, list(recipients)) as encrypted:
                    tar = tarfile.TarFile(
                        fileobj=_Position(encrypted),  # type: ignore[arg-type]
                        mode="w",
                        format=tarfile.PAX_FORMAT,
                        copybufsize=CHUNK,
                    )
                    parts.append(_add(tar, part_name, snapshot, mode=0o600))
                    for name, path in folder_files(settings, skip=skip):
                        added = _add_if_present(tar, name, path)
                        if added is not None:
                            parts.append(added)
                    manifest = Manifest(
                        state=settings.state,
                        log_origin=settings.log_origin,
                        log_size=log_size,
                        created=created,
                        engine=engine,
                        blob_store=settings.blob_store,
                        parts=tuple(parts),
                    )
                    _add_bytes(tar, MANIFEST_NAME, manifest.to_json())
                    tar.close()
                sink.flush()
                os.fsync(sink.fileno())
            os.rename(partial, out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(manifest, out.stat().st_size)


def _sqlite_companions(database: Path) -> list[Path]:
    return [
        database.with_name(database.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")
    ]


def _add_if_present(tar: tarfile.TarFile, name: str, path: Path) -> Part | None:
    try:
        return _add(tar, name, path, mode=None)
    except FileNotFoundError:  # removed since the walk listed it (a swept leftover)
        return None


def _add(tar: tarfile.TarFile, name: str, path: Path, *, mode: int | None) -> Part:
    with path.open("rb") as src:
        status = os.fstat(src.fileno())
        info = tarfile.TarInfo(name)
        info.size = status.st_size
        info.mode = mode if mode is not None else status.st_mode & 0o777
        info.mtime = int(status.st_mtime)
        reader = _Hashing(src)
        tar.addfile(info, reader)
    if reader.count != info.size:
        raise Conflict(f"{path} changed size while it was copied; run the backup again")
    return Part(name, reader.digest.hexdigest(), info.size, info.mode)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))
