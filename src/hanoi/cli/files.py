"""Reading the files a command is given: bounded, with one-line errors that name the option."""

from __future__ import annotations

from pathlib import Path

from hanoi.errors import HanoiError, InvalidInput, NotFound


def read_limited(
    path: Path, *, max_bytes: int, what: str, too_large: type[HanoiError] = InvalidInput
) -> bytes:
    """The bytes of ``path``, read no further than ``max_bytes`` + 1. :class:`NotFound` for
    a missing file, :class:`InvalidInput` for a folder or an unreadable file, ``too_large``
    for a file over ``max_bytes``; each message starts with ``what`` (the option)."""
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except FileNotFoundError:
        raise NotFound(f"{what}: no such file {path}") from None
    except IsADirectoryError:
        raise InvalidInput(f"{what}: {path} is a folder, not a file") from None
    except OSError as exc:
        raise InvalidInput(f"{what}: cannot read {path}: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise too_large(f"{what}: {path} is larger than {max_bytes} bytes")
    return data


def check_output(out: Path, *, force: bool) -> None:
    """Refuse to replace a file without --force, and anything but a file, before any work."""
    from hanoi.errors import Conflict, InvalidInput

    if out.is_dir():
        raise InvalidInput(f"--out {out} is a folder; name the file to write")
    if out.exists() and not force:
        raise Conflict(f"{out} exists; add --force to replace it (nothing was written)")
    if not out.parent.is_dir():
        raise InvalidInput(f"--out: the folder {out.parent} does not exist")


def write_temporary(out: Path, data: bytes) -> Path:
    """Write a hidden temporary file beside ``out`` and fsync it; :func:`publish` renames it
    over ``out``, so a reader sees the old file or the whole new one, never half of one."""
    from hanoi import files
    from hanoi.errors import InvalidInput

    try:
        return files.write_temporary(out, data)
    except OSError as exc:
        raise InvalidInput(f"cannot write {out}: {exc.strerror}") from None


def publish(temporary: Path, out: Path) -> None:
    from hanoi import files
    from hanoi.errors import InvalidInput

    try:
        files.publish(temporary, out)
    except OSError as exc:
        raise InvalidInput(f"cannot write {out}: {exc.strerror}") from None
