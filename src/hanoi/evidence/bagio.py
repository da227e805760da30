"""A bag on disk, as a folder or as one ``.tar``: writing it in one pass, reading it safely.

Writers build the bag under a temporary name beside the target and move it into
place only when complete, so an interrupted run leaves no half package and never
replaces an existing file. The tar writer streams each payload straight into
the archive: it writes a placeholder header, the ciphertext, then goes back to
fill in the size (GNU tar headers have the same length whatever the size).

Readers list regular files only and refuse anything extraction could turn
against the destination: ``..`` or absolute paths, symbolic and hard links,
devices, duplicate tar members, and a truncated tar. Tar members are read in
place, never extracted. A tar's raw headers are walked and bounded first
(:mod:`hanoi.evidence.tarscan`), so ``tarfile`` never parses a hostile header, and
``tarfile`` must then find the members the walk found, where it found them.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from hanoi.errors import Conflict, InvalidInput, NotFound
from hanoi.evidence.layout import DEFAULT_PACKAGE_LIMITS, PackageLimits, check_relative_path
from hanoi.evidence.package_errors import MalformedPackage, UnsafePath
from hanoi.evidence.tarscan import TarEntry, scan_tar_file

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_BLOCK = tarfile.BLOCKSIZE
_RECORD = tarfile.RECORDSIZE


def _write_all(out: BinaryIO, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = out.write(view)
        if not written:
            raise OSError("the package file accepted no more bytes")
        view = view[written:]


def _check_free(target: Path) -> None:
    if target.exists() or target.is_symlink():
        raise Conflict(f"{target} exists; choose a new name (nothing was written)")


class BagWriter(Protocol):
    """Where a bag is built: payload files as streams, tag files as bytes."""

    def payload(self, path: str) -> AbstractContextManager[BinaryIO]: ...

    def add(self, path: str, data: bytes) -> None: ...

    def commit(self) -> Path: ...

    def abort(self) -> None: ...


class FolderBagWriter:
    """Writes the bag into a hidden sibling folder, renamed to ``target`` at :meth:`commit`."""

    def __init__(self, target: Path) -> None:
        self._target = target.absolute()
        _check_free(self._target)
        self._target.parent.mkdir(parents=True, exist_ok=True)
        self._staging = Path(
            tempfile.mkdtemp(prefix=f".{self._target.name}.partial-", dir=self._target.parent)
        )

    def _file(self, path: str) -> Path:
        file = self._staging / check_relative_path(path)
        file.parent.mkdir(parents=True, exist_ok=True)
        return file

    @contextmanager
    def payload(self, path: str) -> Iterator[BinaryIO]:
        with self._file(path).open("xb", buffering=0) as out:
            yield out

    def add(self, path: str, data: bytes) -> None:
        with self._file(path).open("xb") as out:
            out.write(data)

    def commit(self) -> Path:
        _check_free(self._target)
        self._staging.rename(self._target)
        return self._target

    def abort(self) -> None:
        shutil.rmtree(self._staging, ignore_errors=True)


class TarBagWriter:
    """Writes the bag as an uncompressed tar holding one folder, ``<name>/`` (RFC 8493, 4.2)."""

    def __init__(self, target: Path, *, mtime: int) -> None:
        self._target = target.absolute()
        _check_free(self._target)
        self._target.parent.mkdir(parents=True, exist_ok=True)
        self._root = bag_folder(self._target)
        check_relative_path(self._root)
        fd, temporary = tempfile.mkstemp(
            prefix=f".{self._target.name}.", suffix=".partial", dir=self._target.parent
        )
        self._temporary = Path(temporary)
        self._out: BinaryIO = os.fdopen(fd, "wb", buffering=0)
        self._mtime = mtime
        self._dirs: set[str] = set()
        self._directory(self._root)

    def _header(self, name: str, size: int, *, directory: bool = False) -> bytes:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = self._mtime
        info.mode = 0o755 if directory else 0o644
        info.type = tarfile.DIRTYPE if directory else tarfile.REGTYPE
        info.uname = info.gname = ""
        return info.tobuf(tarfile.GNU_FORMAT, "utf-8", "strict")

    def _directory(self, name: str) -> None:
        if name not in self._dirs:
            self._dirs.add(name)
            _write_all(self._out, self._header(name, 0, directory=True))

    def _member_name(self, path: str) -> str:
        parts = check_relative_path(path).split("/")
        for depth in range(1, len(parts)):
            self._directory("/".join([self._root, *parts[:depth]]))
        return f"{self._root}/{path}"

    def _pad(self, size: int) -> None:
        if size % _BLOCK:
            _write_all(self._out, bytes(_BLOCK - size % _BLOCK))

    @contextmanager
    def payload(self, path: str) -> Iterator[BinaryIO]:
        name = self._member_name(path)
        start = self._out.tell()
        placeholder = self._header(name, 0)
        _write_all(self._out, placeholder)
        yield self._out
        end = self._out.tell()
        header = self._header(name, end - start - len(placeholder))
        if len(header) != len(placeholder):
            raise InvalidInput(f"{path}: its tar header changed length; the package is not valid")
        self._out.seek(start)
        _write_all(self._out, header)
        self._out.seek(end)
        self._pad(end - start - len(placeholder))

    def add(self, path: str, data: bytes) -> None:
        _write_all(self._out, self._header(self._member_name(path), len(data)))
        _write_all(self._out, data)
        self._pad(len(data))

    def commit(self) -> Path:
        _write_all(self._out, bytes(2 * _BLOCK))
        if self._out.tell() % _RECORD:
            _write_all(self._out, bytes(_RECORD - self._out.tell() % _RECORD))
        self._out.close()
        _check_free(self._target)
        self._temporary.rename(self._target)
        return self._target

    def abort(self) -> None:
        self._out.close()
        self._temporary.unlink(missing_ok=True)


def bag_folder(target: Path) -> str:
    """The name of the bag's folder: the folder itself, or the one folder a ``.tar`` holds."""
    if target.name.lower().endswith(".tar"):
        return target.name[: -len(".tar")] or "package"
    return target.name


def open_bag_writer(target: Path, *, mtime: int) -> BagWriter:
    """A ``.tar`` if ``target`` ends with ``.tar``, else a folder."""
    if target.name.lower().endswith(".tar"):
        return TarBagWriter(target, mtime=mtime)
    return FolderBagWriter(target)


# -- reading -----------------------------------------------------------------------------


class BagReader(Protocol):
    """The regular files of a bag, by path relative to its root, and a way to read each."""

    @property
    def name(self) -> str: ...

    def files(self) -> Mapping[str, int]: ...

    def open(self, path: str) -> BinaryIO: ...


def _decoded(name: str, *, where: str) -> str:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedPackage(f"{where}: a file name that is not UTF-8") from None
    return name


class FolderBagReader:
    def __init__(self, root: Path, *, limits: PackageLimits) -> None:
        self._root = root
        self._limits = limits
        self._files: dict[str, int] = {}
        self._walk(root, "")

    @property
    def name(self) -> str:
        return self._root.name

    def _walk(self, folder: Path, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                path = check_relative_path(
                    prefix + _decoded(entry.name, where=prefix or "."), limits=self._limits
                )
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISLNK(info.st_mode):
                    raise UnsafePath(f"{path}: a symbolic link; a package holds only files")
                if stat.S_ISDIR(info.st_mode):
                    self._walk(Path(entry.path), path + "/")
                elif not stat.S_ISREG(info.st_mode):
                    raise UnsafePath(f"{path}: not a regular file (a device, FIFO or socket)")
                elif len(self._files) == self._limits.max_files:
                    raise MalformedPackage(f"more than {self._limits.max_files} files")
                else:
                    self._files[path] = info.st_size

    def files(self) -> Mapping[str, int]:
        return self._files

    def open(self, path: str) -> BinaryIO:
        if path not in self._files:
            raise NotFound(f"{path}: not in the package")
        fd = os.open(self._root / path, os.O_RDONLY | os.O_NOFOLLOW)
        return os.fdopen(fd, "rb", buffering=0)


class _Window(io.RawIOBase):
    """``size`` bytes of a file from ``offset``: one tar member, read in place."""

    def __init__(self, path: Path, *, offset: int, size: int, name: str) -> None:
        super().__init__()
        self._file = path.open("rb", buffering=0)
        self._file.seek(offset)
        self._left = size
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")[: self._left]
        if not view:
            return 0
        n = self._file.readinto(view)
        if not n:
            raise MalformedPackage(f"{self._name}: the tar file is truncated")
        self._left -= n
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


class TarBagReader:
    """A bag serialised as a tar with one top-level folder; members are checked, never extracted."""

    def __init__(self, path: Path, *, limits: PackageLimits) -> None:
        self._path = path
        self._offsets: dict[str, tuple[int, int]] = {}
        self._root = ""
        scanned = scan_tar_file(path, limits=limits)  # before tarfile reads a header
        try:
            with tarfile.open(path, mode="r:") as archive:
                self._index(archive, limits, scanned)
        except (tarfile.TarError, EOFError) as exc:
            raise MalformedPackage(
                f"{path.name}: not a tar file, or a truncated one: {exc}"
            ) from None

    @property
    def name(self) -> str:
        return self._root

    def _index(
        self, archive: tarfile.TarFile, limits: PackageLimits, scanned: tuple[TarEntry, ...]
    ) -> None:
        seen: set[str] = set()
        while (member := archive.next()) is not None:
            walked = scanned[len(seen)] if len(seen) < len(scanned) else None
            if walked is None or (walked.data_offset, walked.size) != (
                member.offset_data,
                member.size,
            ):
                raise MalformedPackage(
                    f"{self._path.name}: tar readers disagree on member {len(seen) + 1} "
                    f"({member.name[:80]!r}); the tar file is ambiguous"
                )
            name = check_relative_path(_decoded(member.name, where="a tar member"), limits=limits)
            if member.issym() or member.islnk():
                kind = "symbolic" if member.issym() else "hard"
                raise UnsafePath(f"{name}: a {kind} link (to {member.linkname[:80]!r})")
            if member.issparse() or not (member.isreg() or member.isdir()):
                raise UnsafePath(f"{name}: not a regular file or folder")
            if name in seen:
                raise UnsafePath(f"{name}: appears twice; extraction would overwrite it")
            seen.add(name)
            top, _, rest = name.partition("/")
            self._root = self._root or top
            if top != self._root:
                raise MalformedPackage(f"{name}: a packaged bag holds one top-level folder")
            if member.isreg():
                if not rest:
                    raise MalformedPackage(f"{name}: a packaged bag holds one top-level folder")
                self._offsets[rest] = (member.offset_data, member.size)
        if len(seen) != len(scanned):
            raise MalformedPackage(
                f"{self._path.name}: tarfile read {len(seen)} members where the headers hold "
                f"{len(scanned)}; the tar file is ambiguous or damaged"
            )

    def files(self) -> Mapping[str, int]:
        return {path: size for path, (_, size) in self._offsets.items()}

    def open(self, path: str) -> BinaryIO:
        if path not in self._offsets:
            raise NotFound(f"{path}: not in the package")
        offset, size = self._offsets[path]
        return _Window(self._path, offset=offset, size=size, name=path)  # type: ignore[return-value]


def read_at_most(stream: BinaryIO, max_bytes: int) -> bytes:
    """Up to ``max_bytes + 1`` bytes of ``stream`` (one more than allowed shows it is too long)."""
    data = bytearray()
    while len(data) <= max_bytes:
        chunk = stream.read(max_bytes + 1 - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def open_bag(path: Path, *, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS) -> BagReader:
    """A package as a folder or a ``.tar`` file."""
    if path.is_dir():
        return FolderBagReader(path, limits=limits)
    if path.is_file():
        return TarBagReader(path, limits=limits)
    raise NotFound(f"no package at {path}")
