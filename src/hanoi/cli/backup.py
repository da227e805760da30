"""``hanoi backup`` and ``hanoi restore``: a node in one age-encrypted file, and back
(``hanoi.backup``, ADR 0048)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hanoi.errors import InvalidInput, NotFound


def _recipients(given: list[str], files: list[Path]) -> list[str]:
    texts = list(given)
    for path in files:
        if not path.is_file():
            raise NotFound(f"no recipients file at {path}")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                texts.append(line.strip())
    return texts


def backup(
    directory: Annotated[Path, typer.Option("--dir", help="The node folder.")],
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (new).")],
    recipient: Annotated[
        list[str] | None,
        typer.Option("--recipient", "-r", help="An age recipient (age1...); repeatable."),
    ] = None,
    recipients_file: Annotated[
        list[Path] | None,
        typer.Option("--recipients-file", "-R", help="A file of age recipients, one a line."),
    ] = None,
) -> None:
    """Write a consistent, age-encrypted backup of the node: database, blobs, tiles, keys.
    Runs while the node serves."""
    from hanoi.backup.archive import make_backup
    from hanoi.clock import SystemClock
    from hanoi.crypto.agekeys import AgeRecipient
    from hanoi.settings import load_settings

    parsed = [
        AgeRecipient.parse(text) for text in _recipients(recipient or [], recipients_file or [])
    ]
    result = make_backup(load_settings(directory), out=out, recipients=parsed, clock=SystemClock())
    manifest = result.manifest
    print(
        f"backup: {out} ({len(manifest.parts)} parts, {result.bytes_written} bytes, "
        f"{manifest.engine}, log {manifest.log_origin} size {manifest.log_size}, "
        f"encrypted to {len(parsed)} recipient(s))"
    )


def restore(
    source: Annotated[Path, typer.Argument(help="The backup file.")],
    directory: Annotated[
        Path, typer.Option("--dir", help="The new node folder (absent or empty).")
    ],
    identity: Annotated[
        Path, typer.Option("--identity", "-i", help="The age identity file that opens the backup.")
    ],
    database_url: Annotated[
        str | None,
        typer.Option(help="A PostgreSQL backup: the new, empty database to restore into."),
    ] = None,
) -> None:
    """Restore a backup into a new node folder; the node then checks with its witnesses
    that its log is not behind before it signs again."""
    from hanoi.backup.restore import restore_backup
    from hanoi.clock import SystemClock
    from hanoi.crypto.agekeys import read_identity_file

    if not identity.is_file():
        raise NotFound(f"no identity file at {identity}")
    try:
        key = read_identity_file(identity.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(f"{identity} is not an age identity file") from None
    result = restore_backup(
        source, identity=key, target=directory, database_url=database_url, clock=SystemClock()
    )
    manifest = result.manifest
    print(
        f"restored: {directory} ({manifest.state}, backup of {manifest.created}, "
        f"log {manifest.log_origin} size {manifest.log_size}, {len(manifest.parts)} parts)"
    )
    if manifest.blob_store == "s3":
        print("  blobs and tiles are in the S3 bucket the settings name; they were not copied")
    print(f"  next: hanoi log audit {directory / 'log'} --key <log_verifier_key>, then hanoi serve")
