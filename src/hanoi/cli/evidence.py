"""``hanoi evidence``: record evidence on a node (and, with issue 5, pack and verify)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from hanoi.cli.output import print_json

app = typer.Typer(help="Record, pack and verify electronic evidence.", no_args_is_help=True)


@app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="The file to record (read once, streamed).")],
    directory: Annotated[Path, typer.Option("--dir", help="The node folder.")],
    request_ref: Annotated[str, typer.Option("--request", help="The request it answers.")],
    source_kind: Annotated[str, typer.Option(help="provider, system or device.")],
    source: Annotated[str, typer.Option(help="Which provider, system or device.")],
    method: Annotated[str, typer.Option(help="How it was acquired (tool, order, procedure).")],
    officer: Annotated[str, typer.Option(help="The acquiring officer.")],
    article: Annotated[str, typer.Option(help="The article that authorises it.")] = "Art. 40",
    acquired_at: Annotated[
        str | None, typer.Option(help="ISO 8601 time of acquisition; default now.")
    ] = None,
    media_type: Annotated[str, typer.Option(help="Media type.")] = "application/octet-stream",
) -> None:
    """Record a file as evidence: hash and store it in one pass, log its custody event."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from hanoi.errors import InvalidInput
    from hanoi.evidence.items import Acquisition, SourceKind
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    try:
        kind = SourceKind(source_kind)
    except ValueError:
        raise InvalidInput("--source-kind is provider, system or device") from None
    try:
        when = datetime.fromisoformat(acquired_at) if acquired_at else None
    except ValueError:
        raise InvalidInput(
            "--acquired-at must be ISO 8601, e.g. 2026-11-28T09:30:00+00:00"
        ) from None
    if not file.is_file():
        raise InvalidInput(f"{file} is not a readable file")
    node = open_node(load_settings(directory))
    try:
        acquisition = Acquisition(
            original_name=file.name,
            media_type=media_type,
            source_kind=kind,
            source=source,
            method=method,
            acquired_at=when or node.clock.now(),
            officer=officer,
            request_ref=request_ref,
            article=article,
        )
        columns = ("{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn())
        with Progress(*columns, transient=True) as progress, file.open("rb") as stream:
            task = progress.add_task(f"recording {file.name}", total=file.stat().st_size)
            recorded = node.evidence.ingest(progress.wrap_file(stream, task_id=task), acquisition)
        node.custody.sequence()
    finally:
        node.engine.dispose()
    item = recorded.item
    print_json({"id": item.id, "sha256": item.sha256, "size": item.size, "request": request_ref})
