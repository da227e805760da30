"""Treaty data a diplomat can trust: undated signatures, the data's own date, the node
folder's newer file, and the conditions of Art. 64(2)-(4) for organisations."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hanoi.cli.main import app
from hanoi.convention import PartyRecord, default_catalogue, format_parties, parse_parties
from hanoi.convention.organization_conditions import OrganizationStep, organization_conditions
from hanoi.convention.parties import HEADER
from hanoi.convention.parties_data import (
    PartiesAbout,
    PartyNote,
    ReportedCount,
    SourceConfidence,
    compare_parties,
    format_about,
    parse_about,
    parse_notes,
)
from hanoi.convention.status import treaty_status
from hanoi.convention.treaty_rules import Instrument, PartyKind
from hanoi.errors import InvalidInput, NotFound
from hanoi.node.parties_files import (
    TREATY_FOLDER,
    Choice,
    bundled_data,
    parties_in_use,
    write_folder,
)

RULES = default_catalogue().treaty_rules
HEAD = ",".join(HEADER) + "\n"
UNDATED_IN_BUNDLE = ["ARE", "CAN", "GBR", "SWE", "VEN"]


def status_json(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["treaty", "status", "--json", *args])
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    return document


# --- undated signatures -----------------------------------------------------------------


def test_an_undated_signature_is_a_signature_never_a_non_signature() -> None:
    records = parse_parties(
        (HEAD + "GBR,state,undated,,,\nEGY,state,2025-10-25,,,\nFJI,state,,,,\n").encode(),
        rules=RULES,
    )
    britain = records[0]
    assert britain.signed is None
    assert britain.signed_undated
    assert britain.is_signatory
    assert not records[2].is_signatory
    status = treaty_status(records, as_of=date(2026, 12, 7), rules=RULES)
    assert status.signatories == 2
    assert status.undated_signatories == ("GBR",)
    parties = status.as_json()["parties"]
    assert isinstance(parties, list)
    shown = {party["party"]: party["signed"] for party in parties}
    assert shown == {"GBR": "undated", "EGY": "2025-10-25", "FJI": None}


def test_an_undated_signature_counts_from_the_opening_for_signature() -> None:
    records = [PartyRecord("GBR", PartyKind.STATE, signed_undated=True)]
    before = treaty_status(records, as_of=RULES.signature.opens.replace(day=24), rules=RULES)
    assert before.signatories == 0
    assert not before.parties[0].record.signed_undated
    assert treaty_status(records, as_of=RULES.signature.opens, rules=RULES).signatories == 1


def test_undated_round_trips_and_allows_a_later_ratification() -> None:
    text = HEAD + "SWE,state,undated,2026-05-04,ratification,\n"
    records = parse_parties(text.encode(), rules=RULES)
    assert records[0].instrument is Instrument.RATIFICATION
    assert format_parties(records) == text
    assert parse_parties(format_parties(records).encode(), rules=RULES) == records


@pytest.mark.parametrize(
    ("row", "path"),
    [
        ("SWE,state,2025-10-25,undated,ratification,", "line 2: deposited"),
        ("SWE,state,,,,undated", "line 2: denounced"),
        ("SWE,state,Undated,,,", "line 2: signed"),
    ],
)
def test_undated_is_a_value_of_the_signature_only(row: str, path: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_parties((HEAD + row + "\n").encode(), rules=RULES)
    assert [field.path for field in caught.value.fields] == [path]


def test_a_record_cannot_be_dated_and_undated() -> None:
    from hanoi.convention import check_parties

    record = PartyRecord("SWE", PartyKind.STATE, signed=date(2025, 10, 25), signed_undated=True)
    with pytest.raises(InvalidInput) as caught:
        check_parties([record], rules=RULES)
    assert [field.path for field in caught.value.fields] == ["parties[0].signed"]


# --- the bundled data -------------------------------------------------------------------


def test_the_bundled_status_counts_every_identified_signatory_and_dates_its_data() -> None:
    document = status_json("--as-of", "2026-12-07")
    assert document["data_as_of"] == "2026-12-07"
    parties = document["parties"]
    assert isinstance(parties, list)
    undated = sorted(party["party"] for party in parties if party["signed"] == "undated")
    assert undated == UNDATED_IN_BUNDLE
    assert document["signatories"] == len(parties) == 71
    data = document["data"]
    assert isinstance(data, dict)
    assert data["choice"] == "bundled"
    assert data["file"] == "bundled"
    assert data["reported_signatories"]["count"] == 72
    eu = document["organization_conditions"]
    assert isinstance(eu, list)
    assert eu[0]["party"] == "EU"
    assert eu[0]["met"] is True
    assert {"AUT", "FRA", "SWE"} <= set(eu[0]["members"])


def test_the_table_says_where_the_data_come_from_and_what_is_undated() -> None:
    result = CliRunner().invoke(app, ["treaty", "status", "--as-of", "2026-12-07"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "Not in force: 0 of 40 instruments deposited (71 signatories)"
    assert "Data: bundled, as of 2026-12-07" in result.stdout
    assert "Signature date not confirmed: VEN, SWE, GBR, ARE, CAN" in result.stdout
    assert "counted 72 signatories" in result.stdout


def test_the_bundled_notes_and_about_file_parse() -> None:
    data = bundled_data(RULES)
    assert data.about is not None
    assert data.about.data_as_of == date(2026, 12, 7)
    assert set(data.notes) == {record.party for record in data.records}
    assert data.notes["GBR"].confidence is SourceConfidence.SECONDARY
    assert data.notes["MUS"].confidence is SourceConfidence.OFFICIAL


# --- the about and notes files ----------------------------------------------------------


def test_about_round_trips() -> None:
    about = PartiesAbout(
        date(2027, 1, 5), "UNTC", ReportedCount(80, "UNTC", "status as at 2027-01-05")
    )
    assert parse_about(format_about(about).encode()) == about


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"data_as_of": "2027-01-05", "sources": "x", "colour": 1}, "colour"),
        ({"data_as_of": "5 Jan 2027", "sources": "x"}, "data_as_of"),
        ({"data_as_of": "2027-02-30", "sources": "x"}, "data_as_of"),
        ({"data_as_of": "2027-01-05", "sources": " "}, "sources"),
        (
            {
                "data_as_of": "2027-01-05",
                "sources": "x",
                "reported_signatories": {"count": True, "source": "x", "when": "y"},
            },
            "reported_signatories.count",
        ),
    ],
)
def test_a_bad_about_file_is_refused_by_field(document: dict[str, object], path: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_about(json.dumps(document).encode())
    assert [field.path for field in caught.value.fields] == [path]


def test_notes_must_follow_the_parties_file() -> None:
    records = parse_parties((HEAD + "EGY,state,2025-10-25,,,\n").encode(), rules=RULES)
    good = b"party,source,confidence,note\nEGY,UNTC,confirmed,\n"
    assert parse_notes(good, records)["EGY"].confidence is SourceConfidence.CONFIRMED
    with pytest.raises(InvalidInput, match="does not match"):
        parse_notes(b"party,source,confidence,note\nQAT,UNTC,confirmed,\n", records)
    with pytest.raises(InvalidInput) as caught:
        parse_notes(b"party,source,confidence,note\nEGY,UNTC,sure,\n", records)
    assert caught.value.fields[0].path == "line 2: confidence"


# --- the node folder --------------------------------------------------------------------


def node_folder(tmp_path: Path) -> Path:
    (tmp_path / "hanoi.toml").write_text('state = "EGY"\n', encoding="utf-8")
    return tmp_path


def write_local(node: Path, rows: str, *, as_of: date) -> None:
    records = parse_parties((HEAD + rows).encode(), rules=RULES)
    write_folder(
        node / TREATY_FOLDER,
        format_parties(records),
        about=PartiesAbout(as_of, "UNTC page saved by an officer"),
        notes=[PartyNote(r.party, "UNTC", SourceConfidence.CONFIRMED, "") for r in records],
    )


def test_a_newer_file_in_the_node_folder_is_used(tmp_path: Path) -> None:
    node = node_folder(tmp_path)
    assert parties_in_use(node, rules=RULES).choice is Choice.BUNDLED
    write_local(node, "EGY,state,2025-10-25,2027-01-04,ratification,\n", as_of=date(2027, 1, 5))
    in_use = parties_in_use(node, rules=RULES)
    assert in_use.choice is Choice.NODE_FOLDER
    assert in_use.data.origin == str(node / TREATY_FOLDER / "parties.csv")
    document = status_json("--dir", str(node), "--as-of", "2027-01-06")
    assert document["data_as_of"] == "2027-01-05"
    assert document["instruments_counted"] == 1
    assert document["data"]["choice"] == "node-folder"  # type: ignore[index]


def test_an_older_file_in_the_node_folder_gives_way_to_the_bundled_data(tmp_path: Path) -> None:
    node = node_folder(tmp_path)
    write_local(node, "EGY,state,2025-10-25,,,\n", as_of=date(2025, 11, 1))
    in_use = parties_in_use(node, rules=RULES)
    assert in_use.choice is Choice.BUNDLED_NEWER
    assert in_use.data.origin == "bundled"


def test_a_broken_file_in_the_node_folder_is_named_and_the_bundled_data_used(
    tmp_path: Path,
) -> None:
    node = node_folder(tmp_path)
    folder = node / TREATY_FOLDER
    folder.mkdir()
    (folder / "parties.csv").write_text(HEAD + "EGY,state,someday,,,\n", encoding="utf-8")
    in_use = parties_in_use(node, rules=RULES)
    assert in_use.choice is Choice.NODE_FOLDER_BROKEN
    assert in_use.problem is not None
    assert "someday" in in_use.problem.diagnostics()
    document = status_json("--dir", str(node))
    assert document["data"]["choice"] == "node-folder-broken"  # type: ignore[index]
    assert "someday" in document["data"]["problem"]  # type: ignore[index]


def test_status_refuses_two_sources_and_a_folder_that_is_no_node(tmp_path: Path) -> None:
    both = CliRunner().invoke(
        app, ["treaty", "status", "--dir", str(tmp_path), "--parties", str(tmp_path / "x.csv")]
    )
    assert isinstance(both.exception, InvalidInput)
    nowhere = CliRunner().invoke(app, ["treaty", "status", "--dir", str(tmp_path / "none")])
    assert isinstance(nowhere.exception, NotFound)
    assert "is not a Hanoi node folder" in str(nowhere.exception)


# --- what changes -----------------------------------------------------------------------


def test_compare_names_new_signatures_instruments_and_missing_rows() -> None:
    old = parse_parties(
        (HEAD + "EGY,state,2025-10-25,,,\nGBR,state,undated,,,\nSWE,state,undated,,,\n").encode(),
        rules=RULES,
    )
    new = parse_parties(
        (
            HEAD
            + "EGY,state,2025-10-25,2026-08-01,ratification,\n"
            + "GBR,state,2025-10-25,,,\n"
            + "CAN,state,2026-05-01,2026-09-01,ratification,\n"
        ).encode(),
        rules=RULES,
    )
    changes = compare_parties(old, new)
    assert changes.new_signatories == ("CAN",)
    assert changes.new_instruments == ("CAN", "EGY")
    assert changes.changed == ("GBR",)
    assert changes.missing == ("SWE",)


# --- organisations, Art. 64(2)-(4) ------------------------------------------------------


def conditions(text: str) -> dict[OrganizationStep, tuple[bool, tuple[str, ...]]]:
    records = parse_parties((HEAD + text).encode(), rules=RULES)
    return {c.step: (c.met, c.members) for c in organization_conditions(records, rules=RULES)}


def test_an_organisation_signs_after_a_member_state() -> None:
    assert conditions("EU,organization,2025-10-25,,,\nFRA,state,2025-10-25,,,\n") == {
        OrganizationStep.SIGNATURE: (True, ("FRA",))
    }
    later = conditions("EU,organization,2025-10-25,,,\nFRA,state,2025-11-02,,,\n")
    assert later[OrganizationStep.SIGNATURE] == (False, ())
    undated = conditions("EU,organization,2025-10-25,,,\nSWE,state,undated,,,\n")
    assert undated[OrganizationStep.SIGNATURE] == (True, ("SWE",))
    outsider = conditions("EU,organization,2025-10-25,,,\nEGY,state,2025-10-25,,,\n")
    assert outsider[OrganizationStep.SIGNATURE] == (False, ())


def test_an_organisation_ratifies_after_a_member_and_accedes_when_one_is_a_party() -> None:
    approve = conditions(
        "EU,organization,2025-10-25,2026-06-01,approval,\n"
        "FRA,state,2025-10-25,2026-05-01,ratification,\n"
        "DEU,state,2025-10-25,2026-07-01,ratification,\n"
    )
    assert approve[OrganizationStep.INSTRUMENT] == (True, ("FRA",))
    accede = conditions(
        "EU,organization,,2026-06-01,accession,\nDEU,state,,2026-07-01,accession,\n"
    )
    assert accede == {OrganizationStep.ACCESSION: (False, ())}


def test_an_organisation_without_known_members_is_reported_as_such() -> None:
    records = parse_parties((HEAD + "ASEAN,organization,2025-10-25,,,\n").encode(), rules=RULES)
    (found,) = organization_conditions(records, rules=RULES)
    assert not found.members_known
    assert not found.met


def test_the_conditions_change_no_count_or_date() -> None:
    rows = "".join(
        f"{code},state,2025-10-25,2026-0{1 + index % 8}-10,ratification,\n"
        for index, code in enumerate(["EGY", "VNM", "QAT", "KEN"])
    )
    alone = parse_parties((HEAD + rows).encode(), rules=RULES)
    early = parse_parties(
        (HEAD + rows + "EU,organization,2025-10-25,2026-01-01,approval,\n").encode(), rules=RULES
    )
    day = date(2026, 12, 1)
    plain, with_eu = (treaty_status(r, as_of=day, rules=RULES) for r in (alone, early))
    assert with_eu.instruments_counted == plain.instruments_counted
    assert with_eu.signatories == plain.signatories + 1
    assert [c.met for c in with_eu.organization_conditions] == [False, False]
