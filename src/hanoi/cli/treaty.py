"""``hanoi treaty``."""

from __future__ import annotations

import typer

app = typer.Typer(help="treaty commands.", no_args_is_help=True)
