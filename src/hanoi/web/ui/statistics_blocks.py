"""What the statistics page's blocks are made of: a table's columns and rows, a block
(a chart, or none, and its table), the page's facts, and the words a block is written in
(:class:`Words`: the page's catalogue, its locale, the Convention catalogue's labels). And
the two blocks that are tables only, preservation and evidence: a handful of counts. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from markupsafe import Markup

from hanoi.convention import Catalogue
from hanoi.errors import NotFound
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.labels import DIRECTION_LABELS, PACKAGE_REFUSAL_LABELS
from hanoi.i18n.messages import N_, Message
from hanoi.statistics.figures import Direction, Figures

Gettext = Callable[[str], str]

PRESERVATION = N_("Expedited preservation (%(article)s)")
EVIDENCE = N_("Evidence packages")
FIGURE = N_("Figure")
COUNT = N_("Count")
SIZE = N_("Size")
NO_REQUESTS = N_("No requests in this period.")
NO_PACKAGE_REFUSED = N_("No package refused.")
PRESERVATION_ROWS: tuple[tuple[str, Message], ...] = (
    ("requests", N_("Preservation requests")),
    ("periods_granted", N_("Preservation periods granted")),
    ("extensions", N_("Extensions")),
)
CONFIRMED = N_("Confirmed in time")
CONFIRMED_SHARE = N_("%(confirmed)s of %(confirmable)s")
PACKAGES_SENT = N_("Packages sent")
PACKAGES_RECEIVED = N_("Packages received")
REFUSED_AT_ACCEPTANCE = N_("Packages refused after checking")


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    numeric: bool = True


@dataclass(frozen=True, slots=True)
class Row:
    """A row of a table: its header (a label, with a code such as a State's beside it)
    and its cells; None is a figure that does not exist (a median of no request)."""

    header: str
    code: str | None
    cells: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class Block:
    ident: str
    title: str
    chart: Markup | None
    """The SVG, or None for a table alone."""
    note: str | None
    head: str
    """The first column's title (what the rows are)."""
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    empty: str


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class StatisticsView:
    facts: tuple[Fact, ...]
    blocks: tuple[Block, ...]
    tables: tuple[Block, ...]
    """Preservation and evidence: tables without a chart."""


@dataclass(frozen=True, slots=True)
class Words:
    """What a block needs to speak the page's language."""

    fmt: LocaleFormat
    gettext: Gettext
    catalogue: Catalogue

    def __call__(self, message: str, **values: str) -> str:
        text = self.gettext(message)
        return text % values if values else text

    def label(self, key: str, fallback: str) -> str:
        try:
            return self.fmt.label(key)
        except NotFound:
            return fallback

    def kind(self, code: str) -> str:
        try:
            return self.fmt.label(self.catalogue.kind(code).title_key)
        except NotFound:
            return code

    def message(self, table: Mapping[str, Message], code: str) -> str:
        found = table.get(code)
        return self(found) if found is not None else code

    def article(self, article: str) -> str:
        """A ground's article as the figures give it (``40(21)(b)``), cited in the page's
        language; anything else (``unknown``) as it is."""
        return self.fmt.citation(f"Art. {article}") if article[:1].isdigit() else article


def directions(w: Words) -> tuple[str, str]:
    return w(DIRECTION_LABELS[Direction.OUTGOING]), w(DIRECTION_LABELS[Direction.INCOMING])


def table_blocks(w: Words, figures: Figures) -> list[Block]:
    out, inc = directions(w)
    keeping = [figures.preservation.get(d) for d in Direction]
    preservation_rows = [
        Row(
            header=w(label),
            code=None,
            cells=tuple(w.fmt.number(getattr(p, field) if p else 0) for p in keeping),
        )
        for field, label in PRESERVATION_ROWS
    ]
    preservation_rows.append(
        Row(
            header=w(CONFIRMED),
            code=None,
            cells=tuple(
                w(
                    CONFIRMED_SHARE,
                    confirmed=w.fmt.number(p.confirmed if p else 0),
                    confirmable=w.fmt.number(p.confirmable if p else 0),
                )
                for p in keeping
            ),
        )
    )
    ev = figures.evidence
    evidence_rows = [
        Row(w(PACKAGES_SENT), None, (w.fmt.number(ev.packages_sent), w.fmt.bytes(ev.bytes_sent))),
        Row(
            w(PACKAGES_RECEIVED),
            None,
            (w.fmt.number(ev.packages_received), w.fmt.bytes(ev.bytes_received)),
        ),
        Row(w(REFUSED_AT_ACCEPTANCE), None, (w.fmt.number(ev.refused_at_acceptance), None)),
    ]
    evidence_rows.extend(
        Row(w.message(PACKAGE_REFUSAL_LABELS, reason), None, (w.fmt.number(count), None))
        for reason, count in sorted(ev.refusal_reasons.items(), key=lambda rc: (-rc[1], rc[0]))
    )
    article = w.fmt.citation("Art. 42")
    return [
        Block(
            ident="preservation",
            title=w(PRESERVATION, article=article),
            chart=None,
            note=None,
            head=w(FIGURE),
            columns=(Column(out), Column(inc)),
            rows=tuple(preservation_rows),
            empty=w(NO_REQUESTS),
        ),
        Block(
            ident="evidence",
            title=w(EVIDENCE),
            chart=None,
            note=None,
            head=w(FIGURE),
            columns=(Column(w(COUNT)), Column(w(SIZE))),
            rows=tuple(evidence_rows),
            empty=w(NO_PACKAGE_REFUSED),
        ),
    ]
