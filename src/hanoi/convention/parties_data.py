"""A parties file with what it says of itself: its date, its sources, and a note per row.

The parties CSV (:mod:`hanoi.convention.parties`) holds the facts. Two optional files
beside it say where they come from:

- ``parties.about.json``: the day the data were last checked against their sources
  (``data_as_of``), what those sources were, and the signatory count the depositary
  reported when last read (``reported_signatories``), so that a reader can see what
  the file does not identify;
- ``parties.notes.csv``: for each row, its source, a confidence tag and a note.

This module only parses and checks bytes; reading the files (bundled or from a node
folder) is :mod:`hanoi.node.parties_files`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from importlib.resources import files

from hanoi.convention.parties import ISO_DATE, PartyRecord
from hanoi.errors import FieldProblem, InvalidInput

ABOUT_FILE = "parties.about.json"
NOTES_FILE = "parties.notes.csv"
NOTES_HEADER = ("party", "source", "confidence", "note")
ABOUT_LIMIT = 16 * 1024
NOTES_LIMIT = 256 * 1024
TEXT_LIMIT = 1_000


class SourceConfidence(StrEnum):
    """How directly a row's source reflects the depositary's record."""

    CONFIRMED = "confirmed"
    """The UN Treaty Collection's status page itself (the depositary)."""
    OFFICIAL = "official"
    """An official treaty database that records the depositary's data."""
    SECONDARY = "secondary"
    """News or press reports."""


@dataclass(frozen=True, slots=True)
class ReportedCount:
    """A signatory count a source gave, which the rows may not all identify."""

    count: int
    source: str
    when: str
    """In words: the depositary page's date is not always known to the day."""


@dataclass(frozen=True, slots=True)
class PartiesAbout:
    data_as_of: date
    """The day the data were last checked against their sources."""
    sources: str
    reported_signatories: ReportedCount | None = None


@dataclass(frozen=True, slots=True)
class PartyNote:
    party: str
    source: str
    confidence: SourceConfidence
    note: str


@dataclass(frozen=True, slots=True)
class PartiesData:
    """A parties file, and where it comes from."""

    records: tuple[PartyRecord, ...]
    origin: str
    """``bundled``, or the file's path in a node folder."""
    sha256: str
    about: PartiesAbout | None = None
    notes: Mapping[str, PartyNote] = field(default_factory=dict)

    @property
    def data_as_of(self) -> date | None:
        return self.about.data_as_of if self.about is not None else None


def _invalid(what: str, path: str, message: str) -> InvalidInput:
    return InvalidInput(what, fields=(FieldProblem(path=path, message=message),))


def _text(document: Mapping[str, object], key: str, *, where: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > TEXT_LIMIT:
        raise _invalid(
            f"the {where} is malformed", key, f"text of 1 to {TEXT_LIMIT} characters expected"
        )
    return value.strip()


def parse_about(data: bytes) -> PartiesAbout:
    """``parties.about.json``: ``{"data_as_of": "YYYY-MM-DD", "sources": "...",
    "reported_signatories": {"count": 72, "source": "...", "when": "..."} | null}``."""
    where = ABOUT_FILE
    if len(data) > ABOUT_LIMIT:
        raise _invalid(f"the {where} is too large", "file", f"larger than {ABOUT_LIMIT} bytes")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _invalid(f"the {where} is not JSON", "file", "not UTF-8 JSON") from None
    if not isinstance(document, dict):
        raise _invalid(f"the {where} is malformed", "file", "a JSON object expected")
    known = {"data_as_of", "sources", "reported_signatories"}
    unknown = sorted(set(document) - known)
    if unknown:
        raise _invalid(f"the {where} is malformed", unknown[0], "unknown field")
    day = document.get("data_as_of")
    if not isinstance(day, str) or not ISO_DATE.match(day):
        raise _invalid(f"the {where} is malformed", "data_as_of", "a date YYYY-MM-DD expected")
    try:
        data_as_of = date.fromisoformat(day)
    except ValueError:
        raise _invalid(f"the {where} is malformed", "data_as_of", f"{day} is no date") from None
    reported = document.get("reported_signatories")
    count: ReportedCount | None = None
    if reported is not None:
        if not isinstance(reported, dict) or set(reported) != {"count", "source", "when"}:
            raise _invalid(
                f"the {where} is malformed",
                "reported_signatories",
                "an object with count, source and when expected",
            )
        number = reported["count"]
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 1_000:
            raise _invalid(
                f"the {where} is malformed", "reported_signatories.count", "0 to 1000 expected"
            )
        count = ReportedCount(
            count=number,
            source=_text(reported, "source", where=where),
            when=_text(reported, "when", where=where),
        )
    return PartiesAbout(
        data_as_of=data_as_of,
        sources=_text(document, "sources", where=where),
        reported_signatories=count,
    )


def format_about(about: PartiesAbout) -> str:
    reported = about.reported_signatories
    document = {
        "data_as_of": about.data_as_of.isoformat(),
        "sources": about.sources,
        "reported_signatories": None
        if reported is None
        else {"count": reported.count, "source": reported.source, "when": reported.when},
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def parse_notes(data: bytes, records: Sequence[PartyRecord]) -> dict[str, PartyNote]:
    """``parties.notes.csv``: one row per party of ``records``, in the same order."""
    where = NOTES_FILE
    if len(data) > NOTES_LIMIT:
        raise _invalid(f"the {where} is too large", "file", f"larger than {NOTES_LIMIT} bytes")
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _invalid(f"the {where} is malformed", "file", str(exc)) from None
    if not rows or tuple(rows[0]) != NOTES_HEADER:
        raise _invalid(
            f"the {where} is malformed", "line 1", f"the header must be {','.join(NOTES_HEADER)}"
        )
    body = [row for row in rows[1:] if row]
    expected = [record.party for record in records]
    if [row[0] if row else "" for row in body] != expected:
        raise _invalid(
            f"the {where} does not match the parties file",
            "party",
            "the notes must list the same parties in the same order",
        )
    notes: dict[str, PartyNote] = {}
    for line, row in enumerate(body, start=2):
        if len(row) != len(NOTES_HEADER):
            raise _invalid(f"the {where} is malformed", f"line {line}", "4 fields expected")
        try:
            confidence = SourceConfidence(row[2])
        except ValueError:
            allowed = ", ".join(tag.value for tag in SourceConfidence)
            raise _invalid(
                f"the {where} is malformed", f"line {line}: confidence", f"one of {allowed}"
            ) from None
        notes[row[0]] = PartyNote(party=row[0], source=row[1], confidence=confidence, note=row[3])
    return notes


def format_notes(notes: Sequence[PartyNote]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(NOTES_HEADER)
    for note in notes:
        writer.writerow([note.party, note.source, note.confidence.value, note.note])
    return out.getvalue()


def bundled_file_bytes(name: str) -> bytes:
    """A file of the bundled parties data (``parties.csv`` and the two beside it)."""
    return files("hanoi.convention").joinpath("data", name).read_bytes()


@dataclass(frozen=True, slots=True)
class PartiesChanges:
    """What a new parties file says that the data in use do not, party by party."""

    new_signatories: tuple[str, ...]
    new_instruments: tuple[str, ...]
    new_denunciations: tuple[str, ...]
    changed: tuple[str, ...]
    """Listed in both, with some other fact different (a date now known, corrected)."""
    missing: tuple[str, ...]
    """In the data in use, absent from the new file."""


def compare_parties(old: Sequence[PartyRecord], new: Sequence[PartyRecord]) -> PartiesChanges:
    before = {record.party: record for record in old}
    after = {record.party: record for record in new}
    signed: list[str] = []
    deposited: list[str] = []
    denounced: list[str] = []
    changed: list[str] = []
    for code, record in after.items():
        earlier = before.get(code)
        was = earlier or PartyRecord(party=code, kind=record.kind)
        news = False
        for facts, now, then in (
            (signed, record.is_signatory, was.is_signatory),
            (deposited, record.deposited is not None, was.deposited is not None),
            (denounced, record.denounced is not None, was.denounced is not None),
        ):
            if now and not then:
                facts.append(code)
                news = True
        if not news and earlier is not None and earlier != record:
            changed.append(code)
    return PartiesChanges(
        new_signatories=tuple(sorted(signed)),
        new_instruments=tuple(sorted(deposited)),
        new_denunciations=tuple(sorted(denounced)),
        changed=tuple(sorted(changed)),
        missing=tuple(sorted(set(before) - set(after))),
    )
