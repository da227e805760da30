"""Writing a file so that a reader, or a crash, sees the old bytes or the new ones, never half.

The one way Hanoi replaces a file in a folder: write a hidden temporary file beside it,
flush and fsync it, set its mode, rename it over the target, fsync the folder so that the
rename survives a crash. :func:`write_atomically` does all of it; a command that must do
other work between writing and publishing (check the bytes, refuse on an error) uses
:func:`write_temporary` and :func:`publish`. Errors are the operating system's
(``OSError``); callers say what failed in their own words.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_folder(folder: Path) -> None:
    """Make the entries of ``folder`` (a rename, a new link) durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temporary(path: Path, data: bytes, *, mode: int = 0o644) -> Path:
    """A hidden ``.<name>.<random>.partial`` file beside ``path`` holding ``data``, fsynced,
    with ``mode``; nothing is left behind if writing fails."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def publish(temporary: Path, path: Path) -> None:
    """Rename ``temporary`` over ``path`` and fsync the folder; the temporary file is
    removed if the rename fails."""
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` (or create it): readers see the old file or the new."""
    publish(write_temporary(path, data, mode=mode), path)
