"""The depositary's status page of the Convention, read into parties records. Pure.

The Secretary-General is the depositary. The UN Treaty Collection (UNTC) publishes
the Convention's status as entry XVIII-16 of *Multilateral Treaties Deposited with
the Secretary-General* (MTDSG), in two forms:

- XML: ``https://treaties.un.org/doc/Publication/MTDSG/Volume%20II/Chapter%20XVIII/XVIII-16.en.xml``
- HTML, the "Status" page:
  ``https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-16&chapter=18&clang=_en``

:func:`parse_untc_status` takes the bytes of either form (it tells them apart itself)
and returns a :class:`UntcStatus`. It fetches and opens nothing. Every problem is
collected, named by row and column (``row 12: Signature``), and raised together as
one :class:`~hanoi.errors.InvalidInput`. Records that parse are then checked against
the Convention's rules by :func:`~hanoi.convention.parties.check_parties`.

How the structure was learned
-----------------------------
No page could be fetched while this was written. The structure is the one that public
code parsing these pages relies on (read, not copied). It was checked against a stored
text rendering of the XVIII-16 XML page, which shows the title block, "Signatories72",
the entry-into-force paragraph, then the columns ``Participant | Signature |
Acceptance(A), Ratification, Approval(AA), Accession(a)`` and rows such as
``Czech Republic | 25 Oct 2025``.

- A Go parser of the Paris Agreement XML (XXVII-7-d) reads rows at
  ``Treaty/Participants/Table/TGroup/Tbody/Rows/Row``, three ``Entry`` each. It
  removes ``<superscript>7</superscript>`` footnote markers from the name's text,
  reads an ``ISO-8859-1`` file, and expects dates such as ``22 Apr\\t 2016``
  followed by an optional A, AA or a.
- Python scripts for the Kigali and Doha Amendments read the header at
  ``Treaty/Participants/Table/TGroup/Thead/Row``. They strip ``<superscript>.</superscript>``
  with a regular expression on the ``Entry``'s ``.text``, so the marker is escaped text,
  not a child element. They also strip " A" and " AA" after the date.
- A Basel Convention parser built on defusedxml reads ``Participants//Tbody//Row``
  and ``Entry``. It knows the markers AA, A, a, c and d (d is succession), and folds
  ``Czech Republic`` to ``Czechia``.
- A fetcher of all MTDSG XML reads the counts at ``Status/Signatories`` and
  ``Status/Parties`` under ``Header/ExternalData``. A Java binding of XML in the same
  layout (``Treaty/Participants/Table/.../Rows/Row``) names the root element
  ``Document``. This module does not check the root's name.
- A TypeScript BBNJ tracker (XXI-10) reads one ``<Row>`` of ``<Entry>`` per participant.
- JavaScript and Python parsers of the HTML page read the rows of the table whose id
  is ``ctl00_ctl00_ContentPlaceHolder1_ContentPlaceHolderInnerPage_tblgrid``, with the
  header as the first row. Footnotes are ``<sup>`` elements, or show as trailing
  numbers in the cell's text (``Denmark 1``, ``... Ireland 6 , 18 , 19 ,``). The page
  prints ``STATUS AS AT : DD-MM-YYYY hh:mm:ss`` and a zone.

What this module relies on
--------------------------
- XML: under the root, ``Treaty/Participants/Table/TGroup``, with the header at
  ``Thead/Row`` and the participants at ``Tbody/Rows/Row``. Each row has one ``Entry``
  per column. The counts are the text of ``Status/Signatories`` and ``Status/Parties``,
  wherever they sit. The file's declared encoding is honoured, so ISO-8859-1 is read
  as such. The XML form states no date of status, so ``status_as_at`` is ``None``.
- HTML: one ``<table>`` whose id ends in ``tblgrid``, with its ``<tr>`` rows and their
  ``<td>``/``<th>`` cells. The first row is the header. The text of ``<sup>`` is a
  footnote marker and is dropped; so is the text of ``<script>`` and ``<style>``. The
  page is UTF-8 and ends with ``</html>``; anything else counts as truncated or foreign.
  ``STATUS AS AT : DD-MM-YYYY`` gives ``status_as_at``.
  **Not backed by the code above:** the assumption that the HTML page prints its
  counts as ``Signatories : 72`` and ``Parties : 3`` (label, colon, number) outside
  the grid. If no such text is found, the count is ``None`` and is not checked.
- Both forms share three columns: the participant's English short name (footnote
  markers removed); the signature date, written ``25 Oct 2025``; and the instrument's
  deposit date. The deposit date is followed by `` A`` (acceptance), `` AA``
  (approval), `` a`` (accession), or nothing (ratification). The header's third
  column must read ``Acceptance(A), Ratification, Approval(AA), Accession(a)``
  (spaces aside), because that text defines what the markers mean.

What is refused
---------------
A page over :data:`MAX_BYTES` is refused before any parsing. A page that is neither
XML nor HTML is refused, and so is XML that declares entities or refers outside itself
(defusedxml). XML that is not well-formed is refused, which includes truncated XML and
XML not in its declared encoding. HTML that is not UTF-8 or is truncated is refused.
The page is also refused for: a missing participants table, an unexpected header,
more rows than :data:`~hanoi.convention.parties.LIMITS` allows, and a wrong cell count
in a row. Within a row, it is refused for: a participant name that is neither a UN
short name (:func:`~hanoi.convention.state_names.state_names`) nor in
:data:`UNTC_ALIASES`, a duplicate participant, an unparseable date, an unknown marker,
and a succession (``d``), which the Convention provides no instrument for. It is also
refused when the printed number of signatories differs from the number of rows with a
signature date. The printed number of parties is reported but not checked, because a
participant that denounced the Convention keeps its row but no longer counts as a
party.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from types import MappingProxyType
from typing import Literal
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from hanoi.convention.parties import LIMITS, PartyRecord, check_parties
from hanoi.convention.state_names import state_names
from hanoi.convention.treaty_rules import Instrument, PartyKind, TreatyRules
from hanoi.errors import FieldProblem, InvalidInput, PayloadTooLarge

Form = Literal["xml", "html"]

MAX_BYTES = 4 * 1024 * 1024
"""The largest page read. The HTML page of a treaty with every State listed is far smaller."""

COLUMNS = ("Participant", "Signature", "Instrument")
"""The three columns, as problem paths name them. The page heads the third column
``Acceptance(A), Ratification, Approval(AA), Accession(a)``."""

HEADER = ("Participant", "Signature", "Acceptance(A),Ratification,Approval(AA),Accession(a)")
"""The header the markers are defined by, compared with all whitespace removed."""

MARKERS: Mapping[str, Instrument] = MappingProxyType(
    {
        "": Instrument.RATIFICATION,
        "A": Instrument.ACCEPTANCE,
        "AA": Instrument.APPROVAL,
        "a": Instrument.ACCESSION,
    }
)
"""The marker after an instrument's deposit date, and the instrument it stands for."""

REFUSED_MARKERS: Mapping[str, str] = MappingProxyType(
    {"d": "succession (d), for which the Convention provides no instrument (Art. 64)"}
)
"""Markers UNTC uses for other treaties that no Instrument of this Convention matches."""

UNTC_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        # UNTC keeps the short name in use before 2016. It is on the XVIII-16 page
        # itself, and the Basel and Paris Agreement parsers both fold it to Czechia.
        "Czech Republic": "CZE",
        # The Paris Agreement HTML parser rewrote UNTC's "St." as "Saint" before it
        # looked names up.
        "St. Kitts and Nevis": "KNA",
        "St. Lucia": "LCA",
        "St. Vincent and the Grenadines": "VCT",
    }
)
"""Names UNTC writes differently from ``state_names.json``, with their codes. Every other
name, including ``European Union`` (``EU``), must equal the file's English name."""

ORGANIZATIONS = frozenset({"EU"})
"""Codes of regional economic integration organizations. Every other code is a State."""

_MONTHS = {
    month: number
    for number, month in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
_DATE = re.compile(r"([0-9]{1,2}) ([A-Z][a-z]{2}) ([0-9]{4})")
_DATED_INSTRUMENT = re.compile(r"(?P<date>\S+ \S+ \S+)(?: (?P<marker>\S+))?")
_SUPERSCRIPT_TEXT = re.compile(r"<superscript>[^<]*</superscript>")
_FOOTNOTE_CHARACTERS = " ,0123456789"
"""What trails a name as footnote markers in the HTML grid's text. No UN short name ends
in a digit or a comma."""
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_STATUS_AS_AT = re.compile(r"status\s+as\s+at\s*:?\s*(\S*)", re.IGNORECASE)
_STATUS_DATE = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")
_HTML_COUNT = re.compile(r"\b(Signatories|Parties)\s*:\s*([0-9]+)")
_COUNT = re.compile(r"[0-9]+")
_PARTIES_PATH = re.compile(r"parties\[([0-9]+)\]\.(\w+)")
_COLUMN_OF_FIELD = {"party": 0, "kind": 0, "signed": 1, "deposited": 2, "instrument": 2}


@dataclass(frozen=True, slots=True)
class UntcStatus:
    """What the depositary's page says: one record per participant row, in page order."""

    records: tuple[PartyRecord, ...]
    form: Form
    signatories: int | None
    """The number of signatories the page prints, if it prints one."""
    parties: int | None
    """The number of parties the page prints, if it prints one."""
    status_as_at: date | None
    """The date the page gives for its status (HTML ``STATUS AS AT``), if any."""


def parse_untc_status(data: bytes, *, rules: TreatyRules) -> UntcStatus:
    """Read a UNTC status page (XML or HTML). Raise :class:`InvalidInput` with every problem."""
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(
            "the UNTC status page is too large",
            fields=(FieldProblem(path="file", message=f"larger than {MAX_BYTES} bytes"),),
        )
    form = _form(data)
    page = _read_xml(data) if form == "xml" else _read_html(data)
    problems = list(page.problems)
    rows: list[tuple[int, PartyRecord]] = []
    if page.grid is not None:
        reader = _Rows()
        rows = reader.read(page.grid)
        problems.extend(reader.problems)
        if not reader.problems and page.signatories not in (None, reader.signed):
            message = (
                f"the page prints {page.signatories} signatories, "
                f"but {reader.signed} rows have a signature date"
            )
            problems.append(FieldProblem(path="signatories", message=message))
    problems.extend(_rule_problems(rows, rules))
    if problems:
        raise InvalidInput(
            f"{len(problems)} problem(s) in the UNTC status page", fields=tuple(problems)
        )
    return UntcStatus(
        records=tuple(record for _, record in rows),
        form=form,
        signatories=page.signatories,
        parties=page.parties,
        status_as_at=page.status_as_at,
    )


@functools.cache
def codes_by_name() -> Mapping[str, str]:
    """Every name a participant may have on the page, with its code: the UN short names
    of ``state_names.json`` and :data:`UNTC_ALIASES`."""
    names = {entry["en"]: code for code, entry in state_names().items()}
    return MappingProxyType({**names, **UNTC_ALIASES})


# --- the two forms --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Grid:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class _Page:
    grid: _Grid | None
    signatories: int | None = None
    parties: int | None = None
    status_as_at: date | None = None
    problems: tuple[FieldProblem, ...] = ()


def _form(data: bytes) -> Form:
    """HTML if the page opens with an HTML doctype or has an ``<html>`` element near its
    start, XML if it opens with any other markup. Anything else is refused."""
    head = data[:2048].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if not head.startswith(b"<"):
        raise InvalidInput(
            "the UNTC status page is neither XML nor HTML",
            fields=(FieldProblem(path="file", message="does not start with markup"),),
        )
    if head.startswith(b"<!doctype html") or re.search(rb"<html[\s>/]", head):
        return "html"
    return "xml"


def _clean(text: str) -> str:
    """NFC, typographic apostrophes as ``'``, and whitespace (tabs, no-break spaces) as
    single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_APOSTROPHES).split())


def _read_xml(data: bytes) -> _Page:
    try:
        root = defused_fromstring(data)
    except DefusedXmlException as exc:
        raise InvalidInput(
            "the XML page declares entities or refers outside itself, which is refused",
            fields=(FieldProblem(path="file", message=f"{type(exc).__name__}: {exc}"),),
        ) from None
    except ParseError as exc:
        line, _ = exc.position
        raise InvalidInput(
            "the XML page is not well-formed (truncated, or not in its declared encoding)",
            fields=(FieldProblem(path=f"line {line}", message=str(exc)),),
        ) from None
    problems: list[FieldProblem] = []
    signatories = _xml_count(root, "Signatories", problems)
    parties = _xml_count(root, "Parties", problems)
    grid = None
    group = root.find("Treaty/Participants/Table/TGroup")
    head = group.find("Thead/Row") if group is not None else None
    body = group.find("Tbody/Rows") if group is not None else None
    if head is not None and body is not None:
        grid = _Grid(
            header=_xml_cells(head),
            rows=tuple(_xml_cells(row) for row in body.findall("Row")),
        )
    else:
        message = "no Treaty/Participants/Table/TGroup with a Thead/Row and Tbody/Rows"
        problems.append(FieldProblem(path="participants table", message=message))
    return _Page(grid=grid, signatories=signatories, parties=parties, problems=tuple(problems))


def _xml_cells(row: Element) -> tuple[str, ...]:
    return tuple(_xml_text(entry) for entry in row.findall("Entry"))


def _xml_text(entry: Element) -> str:
    """The entry's text without footnote markers, whether ``<superscript>`` is a child
    element or, as on the real pages, escaped text."""
    parts = [entry.text or ""]
    for child in entry:
        if child.tag != "superscript":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return _clean(_SUPERSCRIPT_TEXT.sub("", "".join(parts)))


def _xml_count(root: Element, name: str, problems: list[FieldProblem]) -> int | None:
    found = root.findall(f".//Status/{name}")
    path = name.lower()
    if len(found) > 1:
        problems.append(FieldProblem(path=path, message=f"{len(found)} Status/{name} elements"))
        return None
    text = _clean("".join(found[0].itertext())) if found else ""
    if not text:
        return None
    if not _COUNT.fullmatch(text):
        problems.append(FieldProblem(path=path, message=f"{text!r} is not a number"))
        return None
    return int(text)


def _read_html(data: bytes) -> _Page:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            "the HTML page is not UTF-8 text",
            fields=(FieldProblem(path=f"line {line}", message="not UTF-8"),),
        ) from None
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    problems: list[FieldProblem] = []
    if not reader.html_closed:
        problems.append(FieldProblem(path="file", message="no </html>: the page is truncated"))
    if reader.grids != 1:
        message = f"{reader.grids} tables whose id ends in tblgrid, where one is expected"
        problems.append(FieldProblem(path="participants table", message=message))
    elif not reader.grid_closed:
        message = "the table is not closed: the page is truncated"
        problems.append(FieldProblem(path="participants table", message=message))
    grid = None
    if reader.grids == 1:
        cells = [tuple(_clean(cell) for cell in row) for row in reader.rows] or [()]
        grid = _Grid(header=cells[0], rows=tuple(cells[1:]))
    outside = _clean(" ".join(reader.outside))
    counts = {label: _html_count(outside, label, problems) for label in ("Signatories", "Parties")}
    status_as_at = _status_as_at(outside, problems)
    return _Page(
        grid=grid,
        signatories=counts["Signatories"],
        parties=counts["Parties"],
        status_as_at=status_as_at,
        problems=tuple(problems),
    )


def _html_count(text: str, label: str, problems: list[FieldProblem]) -> int | None:
    values = {int(value) for found, value in _HTML_COUNT.findall(text) if found == label}
    if len(values) > 1:
        message = f"the page prints different numbers: {sorted(values)}"
        problems.append(FieldProblem(path=label.lower(), message=message))
        return None
    return values.pop() if values else None


def _status_as_at(text: str, problems: list[FieldProblem]) -> date | None:
    found: set[date] = set()
    for value in _STATUS_AS_AT.findall(text):
        match = _STATUS_DATE.fullmatch(value)
        try:
            if match is None:
                raise ValueError(value)
            found.add(date(int(match[3]), int(match[2]), int(match[1])))
        except ValueError:
            message = f"{value!r} is not a date written DD-MM-YYYY"
            problems.append(FieldProblem(path="status as at", message=message))
    if len(found) > 1:
        message = f"the page gives different dates: {sorted(found)}"
        problems.append(FieldProblem(path="status as at", message=message))
        return None
    return found.pop() if found else None


class _HtmlReader(HTMLParser):
    """Collects the cells of the participants grid (without ``<sup>`` text) and the
    page's visible text outside it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.grids = 0
        self.depth = 0
        """How deep in tables inside the grid (1: in the grid itself; 0: outside it)."""
        self.grid_closed = False
        self.html_closed = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.sup = 0
        self.hidden = 0
        self.outside: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag == "table" and self.depth:
            self.depth += 1
        elif tag == "table" and (dict(attrs).get("id") or "").endswith("tblgrid"):
            self.grids += 1
            self.depth = 1
        elif self.depth == 1 and tag == "tr":
            self.end_cell()
            self.rows.append([])
        elif self.depth == 1 and tag in ("td", "th"):
            self.end_cell()
            if not self.rows:
                self.rows.append([])
            self.cell = []
        elif tag == "sup":
            self.sup += 1
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag == "table" and self.depth:
            self.depth -= 1
            if not self.depth:
                self.end_cell()
                self.grid_closed = True
        elif self.depth == 1 and tag in ("td", "th", "tr"):
            self.end_cell()
        elif tag == "sup":
            self.sup = max(0, self.sup - 1)
        elif tag == "html":
            self.html_closed = True

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.cell is not None:
            if not self.sup:
                self.cell.append(data)
        elif not self.depth:
            self.outside.append(data)

    def end_cell(self) -> None:
        if self.cell is not None:
            self.rows[-1].append("".join(self.cell))
        self.cell = None
        self.sup = 0


# --- rows into records ------------------------------------------------------------------


class _Rows:
    """Turns the grid's rows into records, collecting every problem by row and column."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []
        self.first: dict[str, int] = {}
        self.signed = 0
        """Rows with a signature date, for the check against the printed count."""

    def add(self, row: int, column: int | None, message: str) -> None:
        path = f"row {row}" if column is None else f"row {row}: {COLUMNS[column]}"
        self.problems.append(FieldProblem(path=path, message=message))

    def read(self, grid: _Grid) -> list[tuple[int, PartyRecord]]:
        header = tuple("".join(cell.split()) for cell in grid.header)
        if header != HEADER:
            message = f"the columns are {list(grid.header)}, not {list(HEADER)} (spaces aside)"
            self.problems.append(FieldProblem(path="header", message=message))
            return []
        if len(grid.rows) > LIMITS.rows:
            message = f"{len(grid.rows)} rows, more than {LIMITS.rows}"
            self.problems.append(FieldProblem(path="participants table", message=message))
            return []
        rows = [(number, self.row(number, cells)) for number, cells in enumerate(grid.rows, 1)]
        return [(number, record) for number, record in rows if record is not None]

    def row(self, number: int, cells: tuple[str, ...]) -> PartyRecord | None:
        if len(cells) != len(COLUMNS):
            self.add(number, None, f"{len(cells)} cells where {len(COLUMNS)} are expected")
            return None
        before = len(self.problems)
        name = cells[0].rstrip(_FOOTNOTE_CHARACTERS)
        code = self.participant(number, name)
        signed = self.dated(number, 1, name, cells[1]) if cells[1] else None
        deposited, instrument = self.instrument(number, name, cells[2])
        self.signed += bool(cells[1])
        if len(self.problems) > before or code is None:
            return None
        kind = PartyKind.ORGANIZATION if code in ORGANIZATIONS else PartyKind.STATE
        return PartyRecord(
            party=code, kind=kind, signed=signed, deposited=deposited, instrument=instrument
        )

    def participant(self, number: int, name: str) -> str | None:
        code = codes_by_name().get(name)
        if code is None:
            message = (
                f"{name!r} is neither a UN short name of state_names.json "
                "nor a UNTC name of UNTC_ALIASES"
            )
            self.add(number, 0, message)
            return None
        if code in self.first:
            self.add(number, 0, f"{name}: {code} is already listed on row {self.first[code]}")
            return None
        self.first[code] = number
        return code

    def dated(self, number: int, column: int, name: str, text: str) -> date | None:
        match = _DATE.fullmatch(text)
        try:
            if match is None or match[2] not in _MONTHS:
                raise ValueError(text)
            return date(int(match[3]), _MONTHS[match[2]], int(match[1]))
        except ValueError:
            self.add(number, column, f"{name}: {text!r} is not a date written like 25 Oct 2025")
            return None

    def instrument(
        self, number: int, name: str, text: str
    ) -> tuple[date | None, Instrument | None]:
        if not text:
            return None, None
        match = _DATED_INSTRUMENT.fullmatch(text)
        if match is None:
            message = f"{text!r} is not a date written like 25 Oct 2025, then A, AA or a"
            self.add(number, 2, f"{name}: {message}")
            return None, None
        marker = match["marker"] or ""
        if marker in REFUSED_MARKERS:
            self.add(number, 2, f"{name}: {text!r} records a {REFUSED_MARKERS[marker]}")
            return None, None
        if marker not in MARKERS:
            message = (
                f"{text!r} ends in the unknown marker {marker!r}: expected A (acceptance), "
                "AA (approval), a (accession) or none (ratification)"
            )
            self.add(number, 2, f"{name}: {message}")
            return None, None
        return self.dated(number, 2, name, match["date"]), MARKERS[marker]


def _rule_problems(
    rows: Sequence[tuple[int, PartyRecord]], rules: TreatyRules
) -> list[FieldProblem]:
    """The Convention's rules, from :func:`check_parties`, renamed to the page's rows."""
    try:
        check_parties([record for _, record in rows], rules=rules)
    except InvalidInput as exc:
        return [_at_row(problem, rows) for problem in exc.fields]
    return []


def _at_row(problem: FieldProblem, rows: Sequence[tuple[int, PartyRecord]]) -> FieldProblem:
    match = _PARTIES_PATH.fullmatch(problem.path)
    if match is None:
        return problem
    number, record = rows[int(match[1])]
    column = COLUMNS[_COLUMN_OF_FIELD.get(match[2], 0)]
    return FieldProblem(
        path=f"row {number}: {column}",
        message=f"{record.party}: {problem.message}",
        article=problem.article,
    )
