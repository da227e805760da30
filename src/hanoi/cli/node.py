"""``hanoi node``: create a node folder and show its public identity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hanoi.cli.output import print_json

app = typer.Typer(help="Create a node and show its public identity.", no_args_is_help=True)

DirOption = Annotated[Path, typer.Option("--dir", help="The node folder.")]


@app.command("init")
def init(
    directory: DirOption,
    state: Annotated[str, typer.Option(help="ISO 3166-1 alpha-3 code, e.g. EGY.")],
    name: Annotated[str, typer.Option(help='e.g. "Central Authority of Egypt".')],
    log_origin: Annotated[
        str | None, typer.Option(help="Custody log origin; default hanoi.node/<state>/<key id>.")
    ] = None,
) -> None:
    """Create a node folder: configuration, migrated database, blob folder and keys."""
    from hanoi.clock import SystemClock
    from hanoi.node.folder import init_node
    from hanoi.wiring import prepare_new_node

    clock = SystemClock()
    identity = init_node(
        directory,
        state=state,
        name=name,
        now=clock.now(),
        log_origin=log_origin,
        prepare=lambda settings, keys: prepare_new_node(settings, keys, clock),
    )
    print_json(identity.as_json())


@app.command("show")
def show(directory: DirOption) -> None:
    """Print the node's public identity as JSON."""
    from hanoi.node.folder import load_identity
    from hanoi.settings import load_settings

    print_json(load_identity(load_settings(directory)).as_json())
