"""``hanoi treaty``: the Convention's signatures, instruments and entry into force."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hanoi.errors import FieldProblem, InvalidInput, NotFound

if TYPE_CHECKING:
    from hanoi.convention.status import TreatyStatus
    from hanoi.node.parties_files import PartiesInUse

app = typer.Typer(
    help="Treaty status: signatures, instruments and entry into force (Arts 64-67).",
    no_args_is_help=True,
)

ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _as_of(value: str | None, *, option: str = "--as-of") -> date:
    if value is None:
        from hanoi.clock import SystemClock

        return SystemClock().now().date()
    try:
        if not ISO_DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"bad {option} date",
            fields=(FieldProblem(path=option, message=f"{value!r} is not YYYY-MM-DD"),),
        ) from None


def _read_parties(path: Path | None) -> bytes:
    """The file's bytes, reading at most one byte past the size limit."""
    from hanoi.convention.parties import LIMITS, bundled_parties_bytes

    if path is None:
        return bundled_parties_bytes()
    try:
        with path.open("rb") as handle:
            return handle.read(LIMITS.file_bytes + 1)
    except FileNotFoundError:
        raise NotFound(
            "parties file not found",
            fields=(FieldProblem(path="--parties", message=f"{path} does not exist"),),
        ) from None
    except OSError as exc:
        raise InvalidInput(
            "cannot read the parties file",
            fields=(FieldProblem(path="--parties", message=f"{path}: {exc.strerror}"),),
        ) from None


def _node_dir(value: Path) -> Path:
    from hanoi.settings import read_config_file

    read_config_file(value)  # a clear error when it is not a node folder
    return value


@app.command("status")
def status(
    parties: Annotated[
        Path | None,
        typer.Option(
            "--parties",
            help="CSV: party,kind,signed,deposited,instrument,denounced. Default: bundled data.",
        ),
    ] = None,
    node_dir: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="A node folder: use the parties data that node uses (DIR/treaty/parties.csv "
            "when present and not older than the bundled data).",
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD; default: today (UTC).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Signatures, instruments counted towards the 40 of Art. 65, and entry into force."""
    from hanoi.cli.output import print_json
    from hanoi.convention import default_catalogue, treaty_status
    from hanoi.node.parties_files import (
        Choice,
        PartiesInUse,
        build_data,
        describe,
        parties_in_use,
    )

    rules = default_catalogue().treaty_rules
    day = _as_of(as_of)
    if parties is not None and node_dir is not None:
        raise InvalidInput(
            "choose one source of parties data",
            fields=(FieldProblem(path="--parties", message="--parties and --dir together"),),
        )
    if parties is not None:
        data = build_data(
            _read_parties(parties), about=None, notes=None, origin=str(parties), rules=rules
        )
        in_use = PartiesInUse(data, Choice.FILE)
    else:
        in_use = parties_in_use(_node_dir(node_dir) if node_dir else None, rules=rules)
    data = in_use.data
    result = treaty_status(data.records, as_of=day, rules=rules, data_as_of=data.data_as_of)
    if json_output:
        print_json({**result.as_json(), "data": describe(in_use)})
    else:
        _print_table(result, notes=_data_lines(in_use, result))


def _data_lines(in_use: PartiesInUse, result: TreatyStatus) -> list[str]:
    """Where the data come from, what they do not identify, and any file left aside."""
    data = in_use.data
    lines = [f"Data: {data.origin}, as of {data.data_as_of or 'an unstated date'}"]
    undated = result.undated_signatories
    if undated:
        lines.append(f"Signature date not confirmed: {', '.join(undated)}")
    reported = data.about.reported_signatories if data.about else None
    if reported is not None:
        lines.append(
            f"{reported.source} counted {reported.count} signatories ({reported.when}); "
            f"these data identify {result.signatories}"
        )
    if in_use.problem is not None:
        lines.append(f"Not used: the node folder's parties file: {in_use.problem.diagnostics()}")
    return lines


@app.command("import")
def import_page(
    page: Annotated[
        Path,
        typer.Argument(
            help="The depositary's status page of MTDSG XVIII-16, saved from the UN Treaty "
            "Collection (its XML form, XVIII-16.en.xml, or the HTML status page).",
        ),
    ],
    node_dir: Annotated[
        Path | None,
        typer.Option("--dir", help="Write DIR/treaty/parties.csv for this node (and its notes)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the parties CSV to this file instead.")
    ] = None,
    data_as_of: Annotated[
        str | None,
        typer.Option(
            "--data-as-of",
            help="YYYY-MM-DD: the day the page was saved, when the page does not say it.",
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Read a saved UN Treaty Collection status page and write a parties file from it.

    Nothing is guessed: a participant, date or mark that cannot be read stops the import,
    and nothing is written.
    """
    from hanoi.cli.treaty_import import run_import

    if (node_dir is None) == (out is None):
        raise InvalidInput(
            "say where to write the parties file",
            fields=(FieldProblem(path="--dir", message="give exactly one of --dir and --out"),),
        )
    day = _as_of(data_as_of, option="--data-as-of") if data_as_of is not None else None
    run_import(
        page,
        node_dir=_node_dir(node_dir) if node_dir is not None else None,
        out=out,
        data_as_of=day,
        json_output=json_output,
    )


def _print_table(result: TreatyStatus, *, notes: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    from hanoi.convention.state_names import un_short_name

    table = Table(title=f"UN Convention against Cybercrime, as of {result.as_of}")
    table.add_column("Party", no_wrap=True)
    table.add_column("Name (UN short name)", overflow="fold")
    table.add_column("Kind", overflow="fold")
    for header in ("Signed", "Deposited"):
        table.add_column(header, no_wrap=True, min_width=10)
    table.add_column("Instrument", overflow="fold")
    for header in ("In force", "Denounced"):
        table.add_column(header, no_wrap=True, min_width=10)
    for party in result.parties:
        record = party.record
        table.add_row(
            record.party,
            un_short_name(record.party, "en") or "-",
            record.kind.value,
            "undated" if record.signed_undated else _cell(record.signed),
            _cell(record.deposited),
            record.instrument.value if record.instrument else "-",
            _cell(party.in_force_for_party),
            _cell(party.denunciation_effective),
        )
    console = Console(soft_wrap=False)
    if not console.is_terminal:  # piped or redirected: room for every column
        console = Console(soft_wrap=False, width=max(console.width, 140))
    console.print(table)
    for note in notes:
        console.print(note, highlight=False, markup=False, soft_wrap=True)
    console.print(f"{result.summary()} ({result.signatories} signatories)", highlight=False)


def _cell(value: date | None) -> str:
    return value.isoformat() if value is not None else "-"
