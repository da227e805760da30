"""The tile store port: path-addressed bytes for the custody log's public files.

The custody log publishes C2SP tlog-tiles (``tile/<L>/<N>[.p/<W>]`` and
``tile/entries/<N>[.p/<W>]``). Contract, for every implementation
(``tests/integration/test_tile_stores.py`` runs the same suite on each):

- ``write(path, data, final=True)`` stores a full tile, which is immutable:
  writing it again with the same bytes is a no-op, with different bytes an
  :class:`~hanoi.errors.IntegrityError` (a log must never change history).
- ``write(path, data, final=False)`` stores a partial tile, replacing any earlier
  version atomically (readers see the old or the new bytes, never a mix).
- ``read(path)`` returns the bytes or raises :class:`~hanoi.errors.NotFound`.
- Paths are relative, ``/``-separated, and made of ``[A-Za-z0-9._-]`` segments;
  anything else (``..``, absolute paths) is :class:`~hanoi.errors.InvalidInput`.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from hanoi.errors import IntegrityError, InvalidInput, NotFound, Unavailable
from hanoi.files import fsync_folder
from hanoi.storage.s3 import S3Location, ensure_bucket, is_missing, make_client, unavailable

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MAX_TILE_BYTES = 8 * 1024 * 1024  # an entry bundle holds 256 entries of at most 64 KiB, with slack
_SEGMENT = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$")


def check_path(path: str) -> str:
    segments = path.split("/")
    if len(path) > 256 or not all(_SEGMENT.match(s) and s != ".." for s in segments):
        raise InvalidInput(f"not a tile store path: {path[:80]!r}")
    return path


def _check_size(data: bytes) -> None:
    if len(data) > MAX_TILE_BYTES:
        raise InvalidInput(f"a tile is at most {MAX_TILE_BYTES} bytes")


def _immutable_conflict(path: str) -> IntegrityError:
    return IntegrityError(f"{path} is a full tile and already holds different bytes")


class TileStore(Protocol):
    def write(self, path: str, data: bytes, *, final: bool) -> None: ...

    def read(self, path: str) -> bytes: ...

    def exists(self, path: str) -> bool: ...

    def check(self) -> None: ...


class MemoryTileStore:
    """In-memory tiles, with fault injection: ``fail_writes`` makes writes raise OSError."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.fail_writes = False

    def write(self, path: str, data: bytes, *, final: bool) -> None:
        check_path(path)
        _check_size(data)
        if self.fail_writes:
            raise OSError(f"injected failure writing {path}")
        existing = self.files.get(path)
        if final and existing is not None:
            if existing != data:
                raise _immutable_conflict(path)
            return
        self.files[path] = bytes(data)

    def read(self, path: str) -> bytes:
        try:
            return self.files[check_path(path)]
        except KeyError:
            raise NotFound(f"no tile {path}") from None

    def exists(self, path: str) -> bool:
        return check_path(path) in self.files

    def check(self) -> None:
        return None


class DiskTileStore:
    """Tiles as files under ``root``: temporary file, fsync, then rename or link."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _file(self, path: str) -> Path:
        return self.root / check_path(path)

    def write(self, path: str, data: bytes, *, final: bool) -> None:
        _check_size(data)
        target = self._file(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            if final:
                try:
                    os.link(tmp_name, target)  # never replaces an existing full tile
                except FileExistsError:
                    if target.read_bytes() != data:
                        raise _immutable_conflict(path) from None
            else:
                os.replace(tmp_name, target)
        finally:
            Path(tmp_name).unlink(missing_ok=True)
        fsync_folder(target.parent)

    def read(self, path: str) -> bytes:
        try:
            return self._file(path).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise NotFound(f"no tile {path}") from None

    def exists(self, path: str) -> bool:
        return self._file(path).is_file()

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.root):
                pass
        except OSError as exc:
            raise Unavailable(f"tile folder {self.root} is not writable: {exc.strerror}") from None


class S3TileStore:
    """Tiles as objects under ``<prefix><path>``. A full tile is checked before it is written."""

    def __init__(self, location: S3Location) -> None:
        self.location = location
        self._client: S3Client = make_client(location)

    def _key(self, path: str) -> str:
        return self.location.prefix + check_path(path)

    def write(self, path: str, data: bytes, *, final: bool) -> None:
        _check_size(data)
        try:
            if final:
                try:
                    existing = self.read(path)
                except NotFound:
                    pass
                else:
                    if existing != data:
                        raise _immutable_conflict(path)
                    return
            self._client.put_object(Bucket=self.location.bucket, Key=self._key(path), Body=data)
        except (BotoCoreError, ClientError) as exc:
            raise unavailable(self.location, exc) from None

    def read(self, path: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self.location.bucket, Key=self._key(path))
            return response["Body"].read(MAX_TILE_BYTES + 1)
        except ClientError as exc:
            if is_missing(exc):
                raise NotFound(f"no tile {path}") from None
            raise unavailable(self.location, exc) from None
        except BotoCoreError as exc:
            raise unavailable(self.location, exc) from None

    def exists(self, path: str) -> bool:
        try:
            self._client.head_object(Bucket=self.location.bucket, Key=self._key(path))
        except ClientError as exc:
            if is_missing(exc):
                return False
            raise unavailable(self.location, exc) from None
        except BotoCoreError as exc:
            raise unavailable(self.location, exc) from None
        return True

    def check(self) -> None:
        ensure_bucket(self._client, self.location)
