"""The UNTC status page: both forms read alike, and every refusal names its row.

The fixtures under ``untc/`` are hand-written in the structure of the public pages
(see ``untc/README.md``). Each refusal test changes one thing in memory and checks
that the problem is named where a person would look for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from hanoi.convention import (
    Instrument,
    PartyKind,
    PartyRecord,
    default_catalogue,
    format_parties,
    parse_parties,
)
from hanoi.convention.parties import LIMITS
from hanoi.convention.state_names import state_names
from hanoi.convention.untc import (
    MAX_BYTES,
    UNTC_ALIASES,
    codes_by_name,
    parse_untc_status,
)
from hanoi.errors import InvalidInput, PayloadTooLarge

RULES = default_catalogue().treaty_rules
HERE = Path(__file__).parent / "untc"
PAGES = {
    "xml": (HERE / "XVIII-16.en.xml").read_bytes(),
    "html": (HERE / "XVIII-16.status.html").read_bytes(),
}
ENCODING = {"xml": "iso-8859-1", "html": "utf-8"}
FORMS = sorted(PAGES)

HANOI = date(2025, 10, 25)
STATE = PartyKind.STATE


def signed(code: str, on: date = HANOI) -> PartyRecord:
    return PartyRecord(code, STATE, on)


EXPECTED = (
    signed("DZA"),
    signed("AUT"),
    PartyRecord("BEL", STATE, HANOI, date(2026, 7, 10), Instrument.RATIFICATION),
    signed("CHN"),
    PartyRecord("CIV", STATE, HANOI, date(2026, 6, 3), Instrument.RATIFICATION),
    signed("CZE"),
    PartyRecord("EGY", STATE, HANOI, date(2026, 4, 14), Instrument.ACCEPTANCE),
    PartyRecord("EU", PartyKind.ORGANIZATION, HANOI, date(2026, 9, 2), Instrument.APPROVAL),
    signed("IRN"),
    signed("JAM", date(2025, 10, 26)),
    PartyRecord("MNG", STATE, None, date(2026, 7, 20), Instrument.ACCESSION),
    signed("NLD", date(2026, 2, 12)),
    signed("TUR", date(2026, 1, 30)),
    signed("GBR"),
    PartyRecord("VNM", STATE, HANOI, date(2026, 3, 18), Instrument.RATIFICATION),
)


def edited(form: str, *edits: tuple[str, str]) -> bytes:
    """The fixture of ``form`` with each ``old`` (found exactly once) replaced by ``new``."""
    data = PAGES[form]
    for old, new in edits:
        before, after = old.encode(ENCODING[form]), new.encode(ENCODING[form])
        assert data.count(before) == 1, f"{old!r} is not exactly once in the {form} fixture"
        data = data.replace(before, after)
    return data


def problems(data: bytes) -> dict[str, str]:
    """The refusal's problems, message by path (several on one path are joined)."""
    with pytest.raises(InvalidInput) as caught:
        parse_untc_status(data, rules=RULES)
    found: dict[str, str] = {}
    for problem in caught.value.fields:
        found[problem.path] = " | ".join(filter(None, (found.get(problem.path), problem.message)))
    return found


# --- what the pages say -------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_each_form_gives_every_participant_in_page_order(form: str) -> None:
    status = parse_untc_status(PAGES[form], rules=RULES)
    assert status.form == form
    assert status.records == EXPECTED


def test_both_forms_give_the_same_records() -> None:
    xml, html = (parse_untc_status(PAGES[form], rules=RULES) for form in ("xml", "html"))
    assert xml.records == html.records
    assert (xml.signatories, xml.parties) == (html.signatories, html.parties) == (14, 6)


def test_the_counts_agree_with_the_rows() -> None:
    status = parse_untc_status(PAGES["html"], rules=RULES)
    assert status.signatories == sum(record.signed is not None for record in status.records)
    assert status.parties == sum(record.instrument is not None for record in status.records)


def test_only_the_html_page_states_the_date_of_its_status() -> None:
    assert parse_untc_status(PAGES["html"], rules=RULES).status_as_at == date(2026, 12, 7)
    assert parse_untc_status(PAGES["xml"], rules=RULES).status_as_at is None


@pytest.mark.parametrize(
    ("form", "edits"),
    [
        ("xml", [("<Signatories>14</Signatories>", ""), ("<Parties>6</Parties>", "")]),
        ("xml", [("<Signatories>14</Signatories>", "<Signatories></Signatories>")]),
        ("html", [("Signatories : 14. Parties : 6.", "")]),
    ],
)
def test_a_page_without_counts_gives_none(form: str, edits: list[tuple[str, str]]) -> None:
    status = parse_untc_status(edited(form, *edits), rules=RULES)
    assert status.signatories is None
    assert status.records == EXPECTED


def test_the_html_counts_in_a_script_are_not_the_page_s() -> None:
    """The fixture's ``<script>`` says 999; the page's text says 14."""
    assert b"Signatories : 999" in PAGES["html"]
    assert parse_untc_status(PAGES["html"], rules=RULES).signatories == 14


def test_a_superscript_element_is_a_footnote_too() -> None:
    """The real files escape ``<superscript>`` as text; a child element is read the same."""
    escaped = "&lt;superscript&gt;{}&lt;/superscript&gt;"
    data = edited(
        "xml",
        ("Union" + escaped.format(1), "Union<superscript>1</superscript>"),
        ("2026" + escaped.format(3), "2026<superscript>3</superscript>"),
    )
    assert parse_untc_status(data, rules=RULES).records == EXPECTED


def test_html_cells_may_be_left_unclosed() -> None:
    """HTML lets ``</td>`` and ``</tr>`` be omitted; the cells are the same."""
    row = "<tr><td>Egypt</td><td>25 Oct 2025</td><td>14 Apr 2026 A</td></tr>"
    data = edited("html", (row, "<tr><td>Egypt<td>25 Oct 2025<td>14 Apr 2026 A"))
    assert parse_untc_status(data, rules=RULES).records == EXPECTED


def test_round_trip_through_the_parties_file() -> None:
    records = parse_untc_status(PAGES["xml"], rules=RULES).records
    assert parse_parties(format_parties(records).encode(), rules=RULES) == records


def test_the_aliases_name_only_states_of_the_file_under_other_names() -> None:
    names = {entry["en"] for entry in state_names().values()}
    assert set(UNTC_ALIASES.values()) <= set(state_names())
    assert not set(UNTC_ALIASES) & names
    assert codes_by_name()["Czech Republic"] == codes_by_name()["Czechia"] == "CZE"
    assert codes_by_name()["European Union"] == "EU"


# --- refusals, each naming its row -----------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """One change to both fixtures (or per form) and where the problem must be named."""

    id: str
    edits: dict[str, list[tuple[str, str]]]
    path: str
    words: str


def both(old: str, new: str) -> dict[str, list[tuple[str, str]]]:
    return {"xml": [(old, new)], "html": [(old, new)]}


REFUSALS = [
    Refusal("unknown participant", both("Algeria", "Atlantis"), "row 1: Participant", "'Atlantis'"),
    Refusal(
        "unparseable signature date",
        both("26 Oct 2025", "26 Okt 2025"),
        "row 10: Signature",
        "'26 Okt 2025' is not a date",
    ),
    Refusal(
        "impossible date",
        both("30 Jan 2026", "30 Feb 2026"),
        "row 13: Signature",
        "'30 Feb 2026' is not a date",
    ),
    Refusal(
        "unparseable instrument date",
        both("18 Mar 2026", "18 Mar"),
        "row 15: Instrument",
        "'18 Mar' is not a date",
    ),
    Refusal(
        "unknown marker",
        both("14 Apr 2026 A", "14 Apr 2026 X"),
        "row 7: Instrument",
        "unknown marker 'X'",
    ),
    Refusal(
        "succession",
        both("20 Jul 2026 a", "20 Jul 2026 d"),
        "row 11: Instrument",
        "succession (d)",
    ),
    Refusal(
        "a marker after a signature",
        both("26 Oct 2025", "26 Oct 2025 a"),
        "row 10: Signature",
        "is not a date",
    ),
    Refusal(
        "a missing cell",
        {
            "xml": [("<Entry>26 Oct 2025</Entry>", "")],
            "html": [("<td>26 Oct 2025</td>", "")],
        },
        "row 10",
        "2 cells where 3",
    ),
    Refusal(
        "an extra cell",
        {
            "xml": [("<Entry>26 Oct 2025</Entry>", "<Entry>26 Oct 2025</Entry><Entry>x</Entry>")],
            "html": [("<td>26 Oct 2025</td>", "<td>26 Oct 2025</td><td>x</td>")],
        },
        "row 10",
        "4 cells where 3",
    ),
    Refusal(
        "no participants table",
        {
            "xml": [
                ("<Participants>", "<Participations>"),
                ("</Participants>", "</Participations>"),
            ],
            "html": [("InnerPage_tblgrid", "InnerPage_tblgrids")],
        },
        "participants table",
        "",
    ),
    Refusal(
        "an unexpected header",
        both(">Signature<", ">Signed<"),
        "header",
        "Signed",
    ),
    Refusal(
        "a header whose markers mean something else",
        both("Accession(a)", "Succession(d)"),
        "header",
        "Succession(d)",
    ),
    Refusal(
        "more signatories printed than signed",
        {
            "xml": [("<Signatories>14<", "<Signatories>15<")],
            "html": [("Signatories : 14", "Signatories : 15")],
        },
        "signatories",
        "prints 15 signatories, but 14 rows",
    ),
    Refusal(
        "a signature the count does not include",
        {
            "xml": [("<Entry>Mongolia</Entry><Entry>", "<Entry>Mongolia</Entry><Entry>1 Jul 2026")],
            "html": [("<td>Mongolia</td><td>", "<td>Mongolia</td><td>1 Jul 2026")],
        },
        "signatories",
        "prints 14 signatories, but 15 rows",
    ),
    Refusal(
        "a duplicate participant",
        both("Belgium", "Austria"),
        "row 3: Participant",
        "AUT is already listed on row 2",
    ),
    Refusal(
        "a duplicate under the file's name and UNTC's",
        both("China", "Czechia"),
        "row 6: Participant",
        "CZE is already listed on row 4",
    ),
    Refusal(
        "a deposit before the signature (the Convention's rules)",
        both("18 Mar 2026", "18 Mar 2025"),
        "row 15: Instrument",
        "VNM: ",
    ),
]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda refusal: refusal.id)
def test_each_refusal_names_where_the_problem_is(form: str, refusal: Refusal) -> None:
    found = problems(edited(form, *refusal.edits[form]))
    assert refusal.path in found, found
    assert refusal.words in found[refusal.path]


@pytest.mark.parametrize("form", FORMS)
def test_every_row_problem_is_reported_at_once(form: str) -> None:
    found = problems(
        edited(
            form,
            ("Algeria", "Atlantis"),
            ("26 Oct 2025", "26 Okt 2025"),
            ("14 Apr 2026 A", "14 Apr 2026 X"),
            ("Belgium", "Austria"),
        )
    )
    assert set(found) == {
        "row 1: Participant",
        "row 3: Participant",
        "row 7: Instrument",
        "row 10: Signature",
    }


@pytest.mark.parametrize("form", FORMS)
def test_a_refused_page_gives_no_records_at_all(form: str) -> None:
    """One bad row refuses the whole page: nothing is computed from a page with errors."""
    with pytest.raises(InvalidInput) as caught:
        parse_untc_status(edited(form, ("Algeria", "Atlantis")), rules=RULES)
    assert [problem.path for problem in caught.value.fields] == ["row 1: Participant"]


def test_a_ratification_without_a_signature_breaks_the_convention_s_rules() -> None:
    data = edited(
        "html",
        ("<td>Viet Nam</td><td>25 Oct 2025</td>", "<td>Viet Nam</td><td></td>"),
        ("Signatories : 14", "Signatories : 13"),
    )
    found = problems(data)
    assert list(found) == ["row 15: Signature"]
    assert "follows a signature" in found["row 15: Signature"]


def test_a_status_date_that_is_no_date_is_refused() -> None:
    found = problems(edited("html", ("07-12-2026", "31-02-2026")))
    assert "'31-02-2026' is not a date" in found["status as at"]


def test_a_count_that_is_no_number_is_refused() -> None:
    found = problems(edited("xml", ("<Signatories>14<", "<Signatories>fourteen<")))
    assert "'fourteen' is not a number" in found["signatories"]


def test_more_rows_than_the_limit_are_refused() -> None:
    row = "<Row><Entry>Algeria</Entry><Entry>25 Oct 2025</Entry><Entry></Entry></Row>"
    data = edited("xml", ("<Rows>", "<Rows>" + row * LIMITS.rows))
    found = problems(data)
    assert list(found) == ["participants table"]
    assert f"more than {LIMITS.rows}" in found["participants table"]


# --- hostile and broken bytes --------------------------------------------------------------


def test_html_that_is_not_utf8_is_refused_naming_the_line() -> None:
    data = PAGES["html"].replace(b"Algeria", b"Alg\xe9ria")
    found = problems(data)
    line = PAGES["html"][: PAGES["html"].index(b"Algeria")].count(b"\n") + 1
    assert found == {f"line {line}": "not UTF-8"}


def test_xml_not_in_its_declared_encoding_is_refused() -> None:
    """The fixture is ISO-8859-1; declared UTF-8, its "ô" and "ü" are invalid bytes."""
    data = edited("xml", ('encoding="ISO-8859-1"', 'encoding="UTF-8"'))
    found = problems(data)
    assert len(found) == 1
    [(path, message)] = found.items()
    assert path.startswith("line ")
    assert "not well-formed" in message


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("keep", [0.25, 0.5, 0.75, 0.99])
def test_a_truncated_page_is_refused(form: str, keep: float) -> None:
    data = PAGES[form]
    with pytest.raises(InvalidInput):
        parse_untc_status(data[: int(len(data) * keep)], rules=RULES)


def test_a_truncated_html_page_names_the_truncation() -> None:
    data = PAGES["html"]
    found = problems(data[: data.index(b"<tr><td>Mongolia")])
    assert "truncated" in found["participants table"]
    assert "truncated" in found["file"]


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE Document [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document><Treaty><Header><ExternalData><Titlesect>&lol4;</Titlesect></ExternalData></Header></Treaty></Document>
"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document><Treaty><Participants><Table><TGroup><Tbody><Rows>
<Row><Entry>&secret;</Entry><Entry></Entry><Entry></Entry></Row>
</Rows></Tbody></TGroup></Table></Participants></Treaty></Document>
"""


@pytest.mark.parametrize("data", [BOMB, EXTERNAL], ids=["entity bomb", "external entity"])
def test_xml_with_entities_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_untc_status(data, rules=RULES)
    assert "entities" in caught.value.detail
    [problem] = caught.value.fields
    assert problem.path == "file"
    assert problem.message.startswith("EntitiesForbidden")


def test_a_page_over_the_size_limit_is_refused_before_parsing() -> None:
    """Bytes that are no page at all are refused for their size, not their form."""
    with pytest.raises(PayloadTooLarge) as caught:
        parse_untc_status(b"\xff" * (MAX_BYTES + 1), rules=RULES)
    assert [problem.path for problem in caught.value.fields] == ["file"]


def test_a_page_at_the_size_limit_is_read() -> None:
    padding = b" " * (MAX_BYTES - len(PAGES["xml"]))
    status = parse_untc_status(PAGES["xml"] + padding, rules=RULES)
    assert status.records == EXPECTED


@pytest.mark.parametrize(
    "data",
    [b"", b"party,kind,signed,deposited,instrument,denounced\n", b"%PDF-1.7\n", b"\xff\xfe<\x00"],
    ids=["empty", "csv", "pdf", "utf-16"],
)
def test_bytes_that_are_neither_xml_nor_html_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_untc_status(data, rules=RULES)
    assert "neither XML nor HTML" in caught.value.detail


def test_an_xhtml_page_with_an_xml_declaration_is_read_as_html() -> None:
    data = b'<?xml version="1.0" encoding="utf-8"?>\n' + PAGES["html"]
    assert parse_untc_status(data, rules=RULES).form == "html"
