"""The parties file: every malformed line is named, all errors are collected."""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib.resources import files

import pytest

from hanoi.convention import (
    Instrument,
    PartyKind,
    PartyRecord,
    bundled_parties_bytes,
    check_parties,
    default_catalogue,
    parse_parties,
)
from hanoi.convention.parties import HEADER, LIMITS
from hanoi.errors import InvalidInput

RULES = default_catalogue().treaty_rules
HEAD = "party,kind,signed,deposited,instrument,denounced\n"


def problems(text: str | bytes) -> list[tuple[str, str]]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(InvalidInput) as caught:
        parse_parties(data, rules=RULES)
    return [(problem.path, problem.message) for problem in caught.value.fields]


def paths(text: str | bytes) -> list[str]:
    return [path for path, _ in problems(text)]


def test_a_good_file() -> None:
    text = HEAD + (
        "EGY,state,2025-10-25,2026-05-01,ratification,\n"
        "\n"
        "EU,organization,2025-10-25,2026-06-01,approval,\n"
        " VNM , state ,,2026-02-01,accession,2027-02-01\n"
    )
    hanoi = date(2025, 10, 25)
    assert parse_parties(text.encode(), rules=RULES) == (
        PartyRecord("EGY", PartyKind.STATE, hanoi, date(2026, 5, 1), Instrument.RATIFICATION),
        PartyRecord("EU", PartyKind.ORGANIZATION, hanoi, date(2026, 6, 1), Instrument.APPROVAL),
        PartyRecord(
            "VNM", PartyKind.STATE, None, date(2026, 2, 1), Instrument.ACCESSION, date(2027, 2, 1)
        ),
    )


def test_a_byte_order_mark_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + (HEAD + "EGY,state,2025-10-25,,,\n").encode()
    assert len(parse_parties(data, rules=RULES)) == 1


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("EGY,state,2025-10-32,,,", ("line 2: signed", "not a date")),
        ("EGY,state,25/10/2025,,,", ("line 2: signed", "not a date")),
        ("EGY,state,20251025,,,", ("line 2: signed", "not a date")),
        ("EGY,country,2025-10-25,,,", ("line 2: kind", "not one of state, organization")),
        ("EGY,state,2025-10-25,2026-01-01,signature,", ("line 2: instrument", "not one of")),
        (
            "EGY,state,2025-10-26,2025-10-25,ratification,",
            ("line 2: deposited", "before the signature"),
        ),
        ("EGY,state,,2026-01-01,acceptance,", ("line 2: signed", "follows a signature")),
        (
            "EGY,state,2025-10-25,2026-01-01,ratification,2025-12-31",
            ("line 2: denounced", "before the deposit"),
        ),
        ("EGY,state,2025-10-25,,,2026-12-31", ("line 2: denounced", "only a party that deposited")),
        ("EGY,state,2027-01-01,,,", ("line 2: signed", "outside the signature period")),
        ("EGY,state,2025-10-24,,,", ("line 2: signed", "outside the signature period")),
        ("EGY,state,2025-10-25,2026-01-01,,", ("line 2: instrument", "go together")),
        ("EGY,state,2025-10-25,,ratification,", ("line 2: deposited", "go together")),
        (
            "EGY,state,,2025-01-01,accession,",
            ("line 2: deposited", "before the Convention was opened"),
        ),
        ("Egypt,state,2025-10-25,,,", ("line 2: party", "ISO 3166-1 alpha-3")),
        ("EU,state,2025-10-25,,,", ("line 2: party", "ISO 3166-1 alpha-3")),
        ("E,organization,2025-10-25,,,", ("line 2: party", "2 to 10 capital letters")),
        (",state,2025-10-25,,,", ("line 2: party", "empty")),
        ("EGY,state,2025-10-25,,", ("line 2: row", "5 fields where 6 are expected")),
        ('EGY,state,"2025-10-25,,,', ("line 2: row", "malformed CSV")),
    ],
)
def test_each_mistake_is_named_by_line_and_field(row: str, expected: tuple[str, str]) -> None:
    found = problems(HEAD + row + "\n")
    assert len(found) == 1, found
    path, message = found[0]
    assert path == expected[0]
    assert expected[1] in message


def test_accession_needs_no_signature() -> None:
    assert parse_parties((HEAD + "EGY,state,,2027-03-01,accession,\n").encode(), rules=RULES)


def test_all_errors_are_collected() -> None:
    text = HEAD + (
        "EGY,state,2025-10-25,,,\n"
        "VNM,state,2025-10-25,2026-13-01,ratification,\n"
        "EGY,state,2025-10-25,,,\n"
        "QAT,state,,2026-02-01,ratification,\n"
        "AZE,state,2025-10-25,2026-02-01,approval,2026-01-01\n"
    )
    assert paths(text) == [
        "line 3: deposited",
        "line 4: party",
        "line 5: signed",
        "line 6: denounced",
    ]


def test_a_duplicate_is_found_even_on_a_line_with_other_errors() -> None:
    text = HEAD + "EGY,state,bad,,,\nEGY,state,2025-10-25,,,\n"
    assert problems(text) == [
        ("line 2: signed", "'bad' is not a date written YYYY-MM-DD"),
        ("line 3: party", "EGY is already listed on line 2"),
    ]


@pytest.mark.parametrize(
    "header",
    [
        "",
        "party,kind,signed,deposited,instrument\n",
        "Party,Kind,Signed,Deposited,Instrument,Denounced\n",
        "kind,party,signed,deposited,instrument,denounced\n",
        "party;kind;signed;deposited;instrument;denounced\n",
    ],
)
def test_the_header_must_be_exact(header: str) -> None:
    found = problems(header + "EGY,state,2025-10-25,,,\n")
    assert found == [("line 1: header", f"the first line must be exactly {','.join(HEADER)}")]


def test_a_file_too_large_is_refused_before_parsing() -> None:
    row = "EGY,state,2025-10-25,,,\n"
    data = (HEAD + row * (LIMITS.file_bytes // len(row) + 1)).encode()
    assert problems(data) == [("file", f"larger than {LIMITS.file_bytes} bytes")]


def test_too_many_rows_are_refused() -> None:
    rows = "".join(
        f"{chr(65 + i // 676)}{chr(65 + i // 26 % 26)}{chr(65 + i % 26)},state,,,,\n"
        for i in range(LIMITS.rows + 1)
    )
    assert paths(HEAD + rows) == [f"line {LIMITS.rows + 2}: file"]


def test_bytes_that_are_not_utf8_are_refused() -> None:
    assert paths((HEAD + "EGY,state,,,,\n").encode() + b"C\xf4te,state,,,,\n") == ["line 3"]


def test_records_built_in_code_are_checked_too() -> None:
    opens = RULES.signature.opens
    with pytest.raises(InvalidInput) as caught:
        check_parties(
            [
                PartyRecord("EGY", PartyKind.STATE, None, opens, Instrument.RATIFICATION),
                PartyRecord("EGY", PartyKind.STATE),
            ],
            rules=RULES,
        )
    assert [p.path for p in caught.value.fields] == ["parties[0].signed", "parties[1].party"]
    assert caught.value.fields[0].article == "Art. 64(3)"


# --- the bundled file ------------------------------------------------------------------


def test_the_bundled_file_is_valid_and_in_the_user_format() -> None:
    data = bundled_parties_bytes()
    assert data.decode().splitlines()[0] == ",".join(HEADER)
    records = parse_parties(data, rules=RULES)
    egypt = next(r for r in records if r.party == "EGY")
    assert egypt.signed is not None
    assert egypt.signed.isoformat() == "2025-10-25"
    eu = next(r for r in records if r.party == "EU")
    assert eu.kind is PartyKind.ORGANIZATION


def test_every_bundled_row_has_a_note_with_its_source() -> None:
    notes_text = files("hanoi.convention").joinpath("data", "parties.notes.csv").read_text("utf-8")
    notes = list(csv.DictReader(io.StringIO(notes_text)))
    records = parse_parties(bundled_parties_bytes(), rules=RULES)
    assert [note["party"] for note in notes] == [record.party for record in records]
    for note in notes:
        assert note["source"]
        assert note["confidence"] in {"confirmed", "official", "secondary"}
    for record, note in zip(records, notes, strict=True):
        if record.signed is None:
            assert "not" in note["note"]  # says why the date is left empty


def test_the_bundled_signatures_dated_by_the_netherlands_treaty_database() -> None:
    """Issue 16: 24 signatories the file lacked, and 9 whose day was unknown, dated from the
    Netherlands treaty database (verdragen.nl, treaty 013891), which records the depositary's
    data; each row names that source."""
    records = {r.party: r for r in parse_parties(bundled_parties_bytes(), rules=RULES)}
    notes_text = files("hanoi.convention").joinpath("data", "parties.notes.csv").read_text("utf-8")
    notes = {n["party"]: n for n in csv.DictReader(io.StringIO(notes_text))}
    on = {
        "2025-10-25": "PHL KAZ LAO LBY MDV MYS MAR MOZ NAM NRU NGA UZB PLW PSE PNG PER LKA TZA "
        "THA TGO RUS NIC LUX POL PRT SVK SVN ESP TUR QAT",
        "2025-10-26": "MLI RWA SAU",
        "2025-11-19": "MUS",
    }
    for day, parties in on.items():
        for party in parties.split():
            signed = records[party].signed
            assert signed is not None, party
            assert signed.isoformat() == day, party
            assert "verdragen.nl" in notes[party]["source"], party
            assert notes[party]["confidence"] == "official", party
    assert sum(1 for r in records.values() if r.signed is not None) == 66
    undated = sorted(p for p, r in records.items() if r.signed is None)
    assert undated == ["ARE", "CAN", "GBR", "SWE", "VEN"]
