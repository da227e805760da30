"""``hanoi stats``: the node's figures for the Conference of the States Parties (issue 19).

``hanoi stats --dir DIR --from DATE --to DATE [--kind K] [--state S] [--json | --csv]``
prints them as a table, as the JSON document of ``docs/statistics.md``, or as CSV (one row
per figure). The node reads its own figures (``Node.statistics.own_figures``): whoever can
open the node folder is its operator. The signed export and the aggregation of many States
are subcommands of this group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hanoi.cli import stats_publish

app = typer.Typer(
    help="Statistics on cooperation: counts and durations, never case content; signed by "
    "each State, checked and summed by anyone.",
    invoke_without_command=True,
    no_args_is_help=False,
)
stats_publish.register(app)


@app.callback()
def stats(
    ctx: typer.Context,
    directory: Annotated[Path | None, typer.Option("--dir", help="The node folder.")] = None,
    period_from: Annotated[
        str | None, typer.Option("--from", help="First day of the period, YYYY-MM-DD.")
    ] = None,
    period_to: Annotated[
        str | None, typer.Option("--to", help="Last day of the period, YYYY-MM-DD.")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Only requests of this kind.")] = None,
    state: Annotated[
        str | None, typer.Option(help="Only requests with this State (ISO alpha-3).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON document.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV, one row per figure.")] = False,
) -> None:
    """The node's figures for a period: requests by kind, State, channel, urgency and
    outcome, refusals by ground, response times, preservation and evidence."""
    if ctx.invoked_subcommand is not None:
        return
    from hanoi.cli.output import print_json
    from hanoi.errors import InvalidInput
    from hanoi.settings import load_settings
    from hanoi.statistics.figures import figures_json
    from hanoi.statistics.ports import parse_query
    from hanoi.statistics.tabular import figures_csv, figures_text
    from hanoi.wiring import open_node

    if directory is None:
        raise InvalidInput("--dir names the node folder")
    if as_json and as_csv:
        raise InvalidInput("choose one of --json and --csv")
    query = parse_query(period_from, period_to, kind=kind, state=state)
    node = open_node(load_settings(directory))
    try:
        figures = node.statistics.own_figures(query)
    finally:
        node.close()
    if as_json:
        print_json(figures_json(figures))
    elif as_csv:
        print(figures_csv(figures), end="")
    else:
        print(figures_text(figures), end="")
