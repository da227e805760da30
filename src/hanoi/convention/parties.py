"""Signatures and instruments: the parties file, its checks, and the bundled data.

The parties file is CSV with the header ``party,kind,signed,deposited,instrument,denounced``:
``party`` is an ISO 3166-1 alpha-3 code (or an organisation code when ``kind`` is
``organization``), dates are ISO 8601 ``YYYY-MM-DD`` or empty, and ``instrument`` is
ratification, acceptance, approval, accession or empty. ``signed`` may also be
``undated``: the State signed, but the day is not confirmed by any source at hand. Such
a signature is a signature (it is counted, and shown as "date not confirmed"), never
a non-signature.

Every problem is collected, named by line and field, and raised together as
one :class:`hanoi.errors.InvalidInput`; nothing is computed from a file with
errors. The same rules check records built in code (:func:`check_parties`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from importlib.resources import files

from hanoi.convention.treaty_rules import Instrument, PartyKind, TreatyRules
from hanoi.errors import FieldProblem, InvalidInput

HEADER = ("party", "kind", "signed", "deposited", "instrument", "denounced")
STATE_CODE = re.compile(r"^[A-Z]{3}$")
ORGANIZATION_CODE = re.compile(r"^[A-Z]{2,10}$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
UNDATED = "undated"
"""The ``signed`` cell of a signature whose day is not confirmed."""


@dataclass(frozen=True, slots=True)
class PartiesLimits:
    file_bytes: int = 256 * 1024
    """A file of every State of the world, with all dates, is about 10 KiB."""
    rows: int = 1_000


LIMITS = PartiesLimits()


@dataclass(frozen=True, slots=True)
class PartyRecord:
    """What is known of one State's or organisation's steps towards the Convention."""

    party: str
    kind: PartyKind
    signed: date | None = None
    deposited: date | None = None
    instrument: Instrument | None = None
    denounced: date | None = None
    """The date the Secretary-General received the notification of denunciation."""
    signed_undated: bool = False
    """Signed on a day no source at hand confirms (``signed`` is then ``None``)."""

    @property
    def is_signatory(self) -> bool:
        return self.signed is not None or self.signed_undated


@dataclass(frozen=True, slots=True)
class _RuleProblem:
    field: str
    message: str
    article: str | None = None


def _code_problems(record: PartyRecord) -> Iterator[_RuleProblem]:
    if record.kind is PartyKind.STATE and not STATE_CODE.match(record.party):
        yield _RuleProblem("party", "a State is named by its ISO 3166-1 alpha-3 code, e.g. EGY")
    if record.kind is PartyKind.ORGANIZATION and not ORGANIZATION_CODE.match(record.party):
        yield _RuleProblem("party", "an organisation is named by 2 to 10 capital letters, e.g. EU")


def _record_problems(record: PartyRecord, rules: TreatyRules) -> Iterator[_RuleProblem]:
    """The Convention's rules for one record (Arts 64 and 67)."""
    yield from _code_problems(record)
    if record.signed_undated and record.signed is not None:
        yield _RuleProblem("signed", "a signature is either dated or undated, not both")
    signature = rules.signature
    art64 = signature.source.citation()
    if record.signed is not None and not signature.opens <= record.signed <= signature.closes:
        yield _RuleProblem(
            "signed",
            f"{record.signed} is outside the signature period "
            f"{signature.opens} to {signature.closes}",
            art64,
        )
    if (record.instrument is None) != (record.deposited is None):
        field = "deposited" if record.deposited is None else "instrument"
        yield _RuleProblem(field, "an instrument and its deposit date go together")
    if record.deposited is not None and record.deposited < signature.opens:
        yield _RuleProblem(
            "deposited",
            f"before the Convention was opened for signature on {signature.opens}",
            art64,
        )
    needs_signature = record.instrument in rules.instruments.requiring_signature
    if needs_signature and record.deposited is not None:
        art = rules.instruments.source.citation()
        if not record.is_signatory:
            yield _RuleProblem(
                "signed", f"{record.instrument} follows a signature (accession does not)", art
            )
        elif record.signed is not None and record.deposited < record.signed:
            yield _RuleProblem(
                "deposited", f"{record.deposited} is before the signature on {record.signed}", art
            )
    if record.denounced is not None:
        art67 = rules.denunciation.source.citation()
        if record.deposited is None:
            yield _RuleProblem(
                "denounced", "only a party that deposited an instrument can denounce", art67
            )
        elif record.denounced < record.deposited:
            yield _RuleProblem(
                "denounced",
                f"{record.denounced} is before the deposit on {record.deposited}",
                art67,
            )


def check_parties(records: Sequence[PartyRecord], *, rules: TreatyRules) -> None:
    """Raise :class:`InvalidInput` naming ``parties[i].field`` for every broken rule."""
    problems: list[FieldProblem] = []
    first: dict[str, int] = {}
    for index, record in enumerate(records):
        for problem in _record_problems(record, rules):
            path = f"parties[{index}].{problem.field}"
            problems.append(
                FieldProblem(path=path, message=problem.message, article=problem.article)
            )
        if record.party in first:
            message = f"{record.party} is already listed at parties[{first[record.party]}]"
            problems.append(FieldProblem(path=f"parties[{index}].party", message=message))
        first.setdefault(record.party, index)
    if problems:
        raise InvalidInput(f"{len(problems)} problem(s) in the parties", fields=tuple(problems))


# --- the CSV file ----------------------------------------------------------------------


def parse_parties(data: bytes, *, rules: TreatyRules) -> tuple[PartyRecord, ...]:
    """Parse and check a parties file; raise :class:`InvalidInput` with every problem."""
    if len(data) > LIMITS.file_bytes:
        raise InvalidInput(
            "the parties file is too large",
            fields=(FieldProblem(path="file", message=f"larger than {LIMITS.file_bytes} bytes"),),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            "the parties file is not UTF-8 text",
            fields=(FieldProblem(path=f"line {line}", message="not UTF-8"),),
        ) from None
    return _CsvParser(rules).parse(text)


class _CsvParser:
    def __init__(self, rules: TreatyRules) -> None:
        self.rules = rules
        self.problems: list[FieldProblem] = []

    def add(self, line: int, field: str, message: str, article: str | None = None) -> None:
        self.problems.append(
            FieldProblem(path=f"line {line}: {field}", message=message, article=article)
        )

    def fail(self) -> InvalidInput:
        return InvalidInput(
            f"{len(self.problems)} problem(s) in the parties file", fields=tuple(self.problems)
        )

    def parse(self, text: str) -> tuple[PartyRecord, ...]:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        records: list[PartyRecord] = []
        first: dict[str, int] = {}
        try:
            header = next(reader, None)
            if header is None or tuple(header) != HEADER:
                self.add(1, "header", f"the first line must be exactly {','.join(HEADER)}")
                raise self.fail()
            for row in reader:
                line = reader.line_num
                if not row:
                    continue
                if len(records) >= LIMITS.rows:
                    self.add(line, "file", f"more than {LIMITS.rows} parties")
                    break
                code = row[0].strip()
                if code and code in first:
                    self.add(line, "party", f"{code} is already listed on line {first[code]}")
                first.setdefault(code, line)
                record = self.row(line, row)
                if record is not None:
                    records.append(record)
        except csv.Error as exc:
            self.add(reader.line_num, "row", f"malformed CSV: {exc}")
        if self.problems:
            raise self.fail()
        return tuple(records)

    def row(self, line: int, row: list[str]) -> PartyRecord | None:
        if len(row) != len(HEADER):
            self.add(line, "row", f"{len(row)} fields where {len(HEADER)} are expected")
            return None
        fields = dict(zip(HEADER, (value.strip() for value in row), strict=True))
        before = len(self.problems)
        kind = self.enum(line, "kind", fields["kind"], PartyKind, required=True)
        instrument = self.enum(line, "instrument", fields["instrument"], Instrument, required=False)
        undated = fields["signed"] == UNDATED
        dates = {
            name: self.date(line, name, fields[name])
            for name in ("signed", "deposited", "denounced")
            if not (name == "signed" and undated)
        }
        if not fields["party"]:
            self.add(line, "party", "empty")
        if len(self.problems) > before or not isinstance(kind, PartyKind):
            return None
        record = PartyRecord(
            party=fields["party"],
            kind=kind,
            signed=dates.get("signed"),
            deposited=dates["deposited"],
            instrument=instrument if isinstance(instrument, Instrument) else None,
            denounced=dates["denounced"],
            signed_undated=undated,
        )
        for problem in _record_problems(record, self.rules):
            self.add(line, problem.field, problem.message, problem.article)
        return record

    def enum(
        self,
        line: int,
        field: str,
        value: str,
        choices: type[PartyKind] | type[Instrument],
        *,
        required: bool,
    ) -> PartyKind | Instrument | None:
        if not value and not required:
            return None
        try:
            return choices(value)
        except ValueError:
            allowed = ", ".join(choice.value for choice in choices)
            self.add(line, field, f"{value!r} is not one of {allowed}")
            return None

    def date(self, line: int, field: str, value: str) -> date | None:
        if not value:
            return None
        try:
            if not ISO_DATE.match(value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self.add(line, field, f"{value!r} is not a date written YYYY-MM-DD")
            return None


def format_parties(records: Sequence[PartyRecord]) -> str:
    """The records as a parties file (the inverse of :func:`parse_parties`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for record in records:
        writer.writerow(
            [
                record.party,
                record.kind.value,
                UNDATED if record.signed_undated else _iso(record.signed),
                _iso(record.deposited),
                record.instrument.value if record.instrument else "",
                _iso(record.denounced),
            ]
        )
    return out.getvalue()


def _iso(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def bundled_parties_bytes() -> bytes:
    """The bundled ``parties.csv`` (see ``parties.notes.csv`` beside it for sources)."""
    return files("hanoi.convention").joinpath("data", "parties.csv").read_bytes()
