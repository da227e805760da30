"""What the treaty status page shows: the Convention's status, put in a reader's words.

The status itself comes from :func:`hanoi.convention.treaty_status`; this
module only names parties and labels in the page's language and orders rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from hanoi.convention import TreatyStatus, default_catalogue, treaty_status
from hanoi.convention.organization_conditions import OrganizationStep
from hanoi.convention.parties_data import ReportedCount, SourceConfidence
from hanoi.i18n.formatting import LocaleFormat, sort_key
from hanoi.i18n.messages import N_, Message
from hanoi.node.parties_files import Choice, PartiesInUse

ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
BAD_DATE = N_("Enter a date as YYYY-MM-DD, for example 2026-03-01.")

SOURCE_LABELS: dict[SourceConfidence, Message] = {
    SourceConfidence.CONFIRMED: N_("UN depositary"),
    SourceConfidence.OFFICIAL: N_("Official treaty database"),
    SourceConfidence.SECONDARY: N_("Press reports"),
}
CHOICE_TEXT: dict[Choice, Message] = {
    Choice.BUNDLED: N_("The data bundled with Hanoi."),
    Choice.NODE_FOLDER: N_("The parties file in this node's folder (treaty/parties.csv)."),
    Choice.BUNDLED_NEWER: N_(
        "The data bundled with Hanoi: the parties file in this node's folder is older."
    ),
    Choice.NODE_FOLDER_BROKEN: N_(
        "The data bundled with Hanoi: the parties file in this node's folder cannot be read."
    ),
    Choice.FILE: N_("A parties file named by the administrator."),
}
CONDITION_TEXT: dict[OrganizationStep, tuple[Message, Message]] = {
    OrganizationStep.SIGNATURE: (
        N_("%(party)s signed after at least one member State had signed (%(article)s)."),
        N_("The data show no member State of %(party)s that had signed before it (%(article)s)."),
    ),
    OrganizationStep.INSTRUMENT: (
        N_(
            "%(party)s deposited its instrument after a member State had done likewise "
            "(%(article)s)."
        ),
        N_(
            "The data show no member State of %(party)s that had deposited an instrument of "
            "ratification, acceptance or approval before it (%(article)s)."
        ),
    ),
    OrganizationStep.ACCESSION: (
        N_("%(party)s acceded when at least one member State was a party (%(article)s)."),
        N_(
            "The data show no member State of %(party)s that was a party when it acceded "
            "(%(article)s)."
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class PartyRow:
    code: str
    name: str
    kind: str
    signed_undated: bool
    source: Message | None
    signed: date | None
    deposited: date | None
    instrument: str | None
    in_force: date | None
    denunciation_effective: date | None


@dataclass(frozen=True, slots=True)
class DataView:
    """Which parties data the page shows, how old they are, and what they do not name."""

    choice: Message
    data_as_of: date | None
    problem: str | None
    reported: ReportedCount | None
    undated: tuple[str, ...]
    """The names of the signatories whose day is not confirmed."""


@dataclass(frozen=True, slots=True)
class TreatyPage:
    status: TreatyStatus
    rows: tuple[PartyRow, ...]
    threshold_citation: str
    data: DataView
    conditions: tuple[tuple[Message, dict[str, str]], ...]
    """One sentence per organisation step (Art. 64(2)-(4)), with its values."""


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


def treaty_page(in_use: PartiesInUse, *, as_of: date, fmt: LocaleFormat) -> TreatyPage:
    catalogue = default_catalogue()
    rules = catalogue.treaty_rules
    data = in_use.data
    status = treaty_status(data.records, as_of=as_of, rules=rules, data_as_of=data.data_as_of)
    sources = {code: SOURCE_LABELS[note.confidence] for code, note in data.notes.items()}
    rows = [
        PartyRow(
            code=party.record.party,
            name=fmt.territory(party.record.party),
            kind=fmt.label(f"party-kind.{party.record.kind.value}"),
            signed_undated=party.record.signed_undated,
            source=sources.get(party.record.party),
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
    undated = sorted((fmt.territory(code) for code in status.undated_signatories), key=sort_key)
    conditions = [
        (
            CONDITION_TEXT[condition.step][0 if condition.met else 1],
            {
                "party": fmt.territory(condition.party),
                "article": catalogue.cite(condition.source, fmt.language),
            },
        )
        for condition in status.organization_conditions
        if condition.members_known
    ]
    return TreatyPage(
        status=status,
        rows=tuple(rows),
        threshold_citation=catalogue.cite(rules.entry_into_force.source, fmt.language),
        data=DataView(
            choice=CHOICE_TEXT[in_use.choice],
            data_as_of=data.data_as_of,
            problem=in_use.problem.diagnostics() if in_use.problem is not None else None,
            reported=data.about.reported_signatories if data.about is not None else None,
            undated=tuple(undated),
        ),
        conditions=tuple(conditions),
    )
