"""``hanoi treaty import``: a saved UN Treaty Collection status page into a parties file.

The page is parsed by :func:`hanoi.convention.untc.parse_untc_status`, which refuses
what it cannot read. The new data are compared with the data the node uses now, so
that the officer sees what changes before relying on it.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import typer

from hanoi.errors import FieldProblem, InvalidInput, NotFound

PAGE_LIMIT = 4 * 1024 * 1024
"""The depositary's status page of a treaty with 200 participants is about 200 KiB."""
UNTC = "UN Treaty Collection, status of treaty XVIII-16"


def _read_page(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(PAGE_LIMIT + 1)
    except FileNotFoundError:
        raise NotFound(
            "page not found", fields=(FieldProblem(path="PAGE", message=f"{path} does not exist"),)
        ) from None
    except OSError as exc:
        raise InvalidInput(
            "cannot read the page",
            fields=(FieldProblem(path="PAGE", message=f"{path}: {exc.strerror}"),),
        ) from None
    if len(data) > PAGE_LIMIT:
        raise InvalidInput(
            "the page is too large",
            fields=(FieldProblem(path="PAGE", message=f"larger than {PAGE_LIMIT} bytes"),),
        )
    return data


def _data_day(page_day: date | None, given: date | None) -> date:
    if page_day is not None and given is not None and page_day != given:
        raise InvalidInput(
            "two dates for the same data",
            fields=(
                FieldProblem(
                    path="--data-as-of",
                    message=f"the page gives its status as at {page_day}, not {given}",
                ),
            ),
        )
    day = page_day or given
    if day is None:
        raise InvalidInput(
            "the page does not say the date of its status",
            fields=(
                FieldProblem(
                    path="--data-as-of", message="give the day the page was saved, YYYY-MM-DD"
                ),
            ),
        )
    return day


def run_import(
    page: Path,
    *,
    node_dir: Path | None,
    out: Path | None,
    data_as_of: date | None,
    json_output: bool,
) -> None:
    from hanoi.cli.output import print_json
    from hanoi.convention import default_catalogue, format_parties
    from hanoi.convention.parties_data import (
        PartiesAbout,
        PartyNote,
        ReportedCount,
        SourceConfidence,
        compare_parties,
    )
    from hanoi.convention.untc import parse_untc_status
    from hanoi.files import write_atomically
    from hanoi.node.parties_files import TREATY_FOLDER, parties_in_use, write_folder

    rules = default_catalogue().treaty_rules
    data = _read_page(page)
    parsed = parse_untc_status(data, rules=rules)
    day = _data_day(parsed.status_as_at, data_as_of)
    digest = hashlib.sha256(data).hexdigest()
    before = parties_in_use(node_dir, rules=rules)
    changes = compare_parties(before.data.records, parsed.records)
    about = PartiesAbout(
        data_as_of=day,
        sources=f"{UNTC} ({parsed.form} form, file {page.name}, SHA-256 {digest})",
        reported_signatories=None
        if parsed.signatories is None
        else ReportedCount(parsed.signatories, UNTC, f"status as at {day}"),
    )
    text = format_parties(parsed.records)
    if node_dir is not None:
        notes = [
            PartyNote(record.party, UNTC, SourceConfidence.CONFIRMED, f"imported from {page.name}")
            for record in parsed.records
        ]
        written = write_folder(node_dir / TREATY_FOLDER, text, about=about, notes=notes)
    else:
        assert out is not None
        write_atomically(out, text.encode("utf-8"))
        written = out
    older = before.data.data_as_of is not None and day < before.data.data_as_of
    summary = {
        "written": str(written),
        "form": parsed.form,
        "data_as_of": day.isoformat(),
        "participants": len(parsed.records),
        "signatories": sum(1 for record in parsed.records if record.is_signatory),
        "instruments": sum(1 for record in parsed.records if record.deposited is not None),
        "compared_with": before.data.origin,
        "new_signatories": list(changes.new_signatories),
        "new_instruments": list(changes.new_instruments),
        "new_denunciations": list(changes.new_denunciations),
        "changed": list(changes.changed),
        "not_on_the_page": list(changes.missing),
        "older_than_data_in_use": older,
    }
    if json_output:
        print_json(summary)
        return
    typer.echo(
        f"Read {summary['participants']} participants from the {parsed.form} page "
        f"(status as at {day}): {summary['signatories']} signatories, "
        f"{summary['instruments']} instruments."
    )
    typer.echo(f"Wrote {written}")
    labels = {
        "new_signatories": "New signatories",
        "new_instruments": "New instruments",
        "new_denunciations": "New denunciations",
        "changed": "Changed",
        "not_on_the_page": "In the data in use but not on the page",
    }
    for key, label in labels.items():
        codes = summary[key]
        if codes:
            assert isinstance(codes, list)
            typer.echo(f"{label}: {', '.join(codes)}")
    if older:
        typer.echo(
            f"Note: the page is older than the data in use ({before.data.data_as_of}); "
            "a node keeps using the newer data."
        )
