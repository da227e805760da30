"""``hanoi db``: database migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Database migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(directory: Annotated[Path, typer.Option("--dir", help="The node folder.")]) -> None:
    """Apply every pending migration (SQLite or PostgreSQL, per the node's settings)."""
    from hanoi.settings import load_settings
    from hanoi.storage.db import safe_url
    from hanoi.wiring import upgrade_database

    settings = load_settings(directory)
    before, after = upgrade_database(settings)
    where = safe_url(settings.resolved_database_url)
    if before == after:
        print(f"{where}: already at revision {after}")
    else:
        print(f"{where}: upgraded from {before or 'empty'} to {after}")
