"""What the treaty status page shows: the Convention's status, put in a reader's words.

The status itself comes from :func:`hanoi.convention.treaty_status`; this
module only names parties and labels in the page's language and orders rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hanoi.convention import PartyRecord, TreatyStatus, default_catalogue, treaty_status
from hanoi.web.ui.i18n import N_, LocaleFormat, Message, sort_key

ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
BAD_DATE = N_("Enter a date as YYYY-MM-DD, for example 2026-03-01.")


@dataclass(frozen=True, slots=True)
class PartyRow:
    code: str
    name: str
    kind: str
    signed: date | None
    deposited: date | None
    instrument: str | None
    in_force: date | None
    denunciation_effective: date | None


@dataclass(frozen=True, slots=True)
class TreatyPage:
    status: TreatyStatus
    rows: tuple[PartyRow, ...]
    threshold_citation: str


def parse_as_of(value: str | None, *, today: date) -> tuple[date, Message | None]:
    """The date asked for (today when none); a bad value gives today and an error."""
    if value is None or value == "":
        return today, None
    if not ISO_DATE.match(value):
        return today, BAD_DATE
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return today, BAD_DATE


def treaty_page(records: Sequence[PartyRecord], *, as_of: date, fmt: LocaleFormat) -> TreatyPage:
    catalogue = default_catalogue()
    rules = catalogue.treaty_rules
    status = treaty_status(records, as_of=as_of, rules=rules)
    rows = [
        PartyRow(
            code=party.record.party,
            name=fmt.territory(party.record.party),
            kind=fmt.label(f"party-kind.{party.record.kind.value}"),
            signed=party.record.signed,
            deposited=party.record.deposited,
            instrument=fmt.label(f"instrument.{party.record.instrument.value}")
            if party.record.instrument
            else None,
            in_force=party.in_force_for_party,
            denunciation_effective=party.denunciation_effective,
        )
        for party in status.parties
    ]
    rows.sort(key=lambda row: (sort_key(row.name), row.code))
    return TreatyPage(
        status=status,
        rows=tuple(rows),
        threshold_citation=catalogue.cite(rules.entry_into_force.source, fmt.language),
    )
