"""Art. 64(2)-(4): what an organisation's member States must have done before it acts.

A regional economic integration organization (Art. 2(n)) may sign only if at least one
of its member States has signed (64(2)); may deposit an instrument of ratification,
acceptance or approval only if at least one member State has done likewise (64(3));
and may accede only if at least one member State is a party (64(4)).

These are reported, not enforced: the depositary decides what it accepts, so a
parties file that shows an organisation acting first is still computed as written,
and the treaty page says which condition its data do not show as met. A member State
whose signature is undated counts as having signed (its day is unknown, not absent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from hanoi.convention.parties import PartyRecord
from hanoi.convention.sources import Source
from hanoi.convention.treaty_rules import Instrument, PartyKind, TreatyRules

FOLLOWING = frozenset({Instrument.RATIFICATION, Instrument.ACCEPTANCE, Instrument.APPROVAL})


class OrganizationStep(StrEnum):
    SIGNATURE = "signature"
    INSTRUMENT = "instrument"
    ACCESSION = "accession"


@dataclass(frozen=True, slots=True)
class OrganizationCondition:
    party: str
    step: OrganizationStep
    source: Source
    members_known: bool
    """False when the rules list no member States for this organisation."""
    members: tuple[str, ...]
    """The member States whose steps meet the condition, by code."""

    @property
    def met(self) -> bool:
        return bool(self.members)


def _signed_by(member: PartyRecord, day: date | None) -> bool:
    if member.signed_undated:
        return True
    return member.signed is not None and (day is None or member.signed <= day)


def _deposited_by(member: PartyRecord, day: date, kinds: frozenset[Instrument] | None) -> bool:
    if member.deposited is None or member.deposited > day:
        return False
    return kinds is None or member.instrument in kinds


def organization_conditions(
    records: Sequence[PartyRecord], *, rules: TreatyRules
) -> tuple[OrganizationCondition, ...]:
    """Each organisation's steps in ``records``, with the member States that allow them."""
    by_code = {record.party: record for record in records}
    rule = rules.organizations
    found: list[OrganizationCondition] = []
    for record in records:
        if record.kind is not PartyKind.ORGANIZATION:
            continue
        members = [by_code[code] for code in rule.members.get(record.party, ()) if code in by_code]
        steps: list[tuple[OrganizationStep, Source, list[PartyRecord]]] = []
        if record.is_signatory:
            signed = [member for member in members if _signed_by(member, record.signed)]
            steps.append((OrganizationStep.SIGNATURE, rule.signature, signed))
        day = record.deposited
        if day is not None and record.instrument in FOLLOWING:
            likewise = [member for member in members if _deposited_by(member, day, FOLLOWING)]
            steps.append((OrganizationStep.INSTRUMENT, rule.instrument, likewise))
        if day is not None and record.instrument is Instrument.ACCESSION:
            party = [member for member in members if _deposited_by(member, day, None)]
            steps.append((OrganizationStep.ACCESSION, rule.accession, party))
        found.extend(
            OrganizationCondition(
                party=record.party,
                step=step,
                source=source,
                members_known=record.party in rule.members,
                members=tuple(sorted(member.party for member in ok)),
            )
            for step, source, ok in steps
        )
    return tuple(found)
