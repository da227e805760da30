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

app = typer.Typer(
    help="Treaty status: signatures, instruments and entry into force (Arts 64-67).",
    no_args_is_help=True,
)

ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _as_of(value: str | None) -> date:
    if value is None:
        from hanoi.clock import SystemClock

        return SystemClock().now().date()
    try:
        if not ISO_DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "bad --as-of date",
            fields=(FieldProblem(path="--as-of", message=f"{value!r} is not YYYY-MM-DD"),),
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


@app.command("status")
def status(
    parties: Annotated[
        Path | None,
        typer.Option(
            "--parties",
            help="CSV: party,kind,signed,deposited,instrument,denounced. Default: bundled data.",
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD; default: today (UTC).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Signatures, instruments counted towards the 40 of Art. 65, and entry into force."""
    from hanoi.cli.output import print_json
    from hanoi.convention import default_catalogue, parse_parties, treaty_status

    rules = default_catalogue().treaty_rules
    day = _as_of(as_of)
    records = parse_parties(_read_parties(parties), rules=rules)
    result = treaty_status(records, as_of=day, rules=rules)
    if json_output:
        print_json(result.as_json())
    else:
        _print_table(result)


def _print_table(result: TreatyStatus) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"UN Convention against Cybercrime, as of {result.as_of}")
    table.add_column("Party", no_wrap=True)
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
            record.kind.value,
            _cell(record.signed),
            _cell(record.deposited),
            record.instrument.value if record.instrument else "-",
            _cell(party.in_force_for_party),
            _cell(party.denunciation_effective),
        )
    console = Console(soft_wrap=False)
    if not console.is_terminal:  # piped or redirected: room for every column
        console = Console(soft_wrap=False, width=max(console.width, 100))
    console.print(table)
    console.print(f"{result.summary()} ({result.signatories} signatories)", highlight=False)


def _cell(value: date | None) -> str:
    return value.isoformat() if value is not None else "-"
