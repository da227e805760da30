"""Treaty status: signatures, the Art. 65 count, and entry into force for each party.

Rules (all numbers come from ``data/final_provisions.yaml``):

- **Entry into force (Art. 65(1))**: the 90th day after the deposit of the
  40th instrument of ratification, acceptance, approval or accession. An
  instrument of a regional economic integration organization is not counted
  in addition to those of its member States, so organisations' instruments
  are never counted.
- **Later parties (Art. 65(2))**: for a State or organisation depositing
  after the 40th instrument, the 30th day after its deposit or the
  Convention's entry into force, whichever is later. Instruments deposited on
  the same day as the 40th count as on or before it.
- **Denunciation (Art. 67)**: effective one year after the Secretary-General
  receives the notification (a notification received on 29 February takes
  effect on 1 March, so that never less than a full year passes).

**How a denunciation affects the count.** It does not. Art. 65(1) counts
*deposits*, a historical fact fixed at the time each instrument is deposited,
and that is how the Secretary-General counts for UNTOC and UNCAC: instruments
are counted at the time of deposit and entry into force, once reached, is not
recomputed. The Vienna Convention on the Law of Treaties (Art. 55) agrees: a
multilateral treaty does not end because the number of parties falls below
the number needed for entry into force. So a denounced party's instrument
still counts towards the 40, ``instruments_counted`` is the Art. 65(1) count
and not the number of current parties, and a party whose denunciation took
effect before the Convention entered into force for it has no
``in_force_for_party`` date.

**As of a date.** Everything is computed as known on ``as_of``: a signature,
deposit or denunciation dated later is treated as not having happened yet.
Dates that follow from facts known on ``as_of`` may lie after it (an entry
into force 90 days after a deposit already made). A signature whose day is not
confirmed (``undated``) counts from the day the Convention opened for signature
(Art. 64(1)): it is a signature, never shown as a non-signature.

**The data's own date.** ``data_as_of`` is the day the parties data were last
checked against their sources (``parties.about.json``); ``as_of`` is the day the
status is computed for. A status for a day after ``data_as_of`` cannot know of
steps taken since.

**Organisations (Art. 64(2)-(4))** are reported in ``organization_conditions``
(:mod:`hanoi.convention.organization_conditions`) and change no count or date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from hanoi.convention.organization_conditions import (
    OrganizationCondition,
    organization_conditions,
)
from hanoi.convention.parties import UNDATED, PartyRecord, check_parties
from hanoi.convention.treaty_rules import PartyKind, TreatyRules


@dataclass(frozen=True, slots=True)
class PartyStatus:
    record: PartyRecord
    """The record as known on the status date (later events removed)."""
    in_force_for_party: date | None
    denunciation_effective: date | None


@dataclass(frozen=True, slots=True)
class TreatyStatus:
    as_of: date
    threshold: int
    instruments_counted: int
    signatories: int
    entry_into_force: date | None
    """Known once the 40th instrument is deposited; it may lie after ``as_of``."""
    parties: tuple[PartyStatus, ...]
    data_as_of: date | None = None
    """The day the parties data were last checked against their sources, if they say."""
    organization_conditions: tuple[OrganizationCondition, ...] = ()

    @property
    def undated_signatories(self) -> tuple[str, ...]:
        return tuple(party.record.party for party in self.parties if party.record.signed_undated)

    @property
    def in_force(self) -> bool:
        return self.entry_into_force is not None and self.entry_into_force <= self.as_of

    def summary(self) -> str:
        counted = f"{self.instruments_counted} of {self.threshold} instruments deposited"
        if self.in_force:
            return f"In force since {self.entry_into_force}"
        if self.entry_into_force is not None:
            return f"Enters into force on {self.entry_into_force}: {counted}"
        return f"Not in force: {counted}"

    def as_json(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "data_as_of": _iso(self.data_as_of),
            "threshold": self.threshold,
            "instruments_counted": self.instruments_counted,
            "signatories": self.signatories,
            "in_force": self.in_force,
            "entry_into_force": _iso(self.entry_into_force),
            "parties": [
                {
                    "party": status.record.party,
                    "kind": status.record.kind.value,
                    "signed": UNDATED
                    if status.record.signed_undated
                    else _iso(status.record.signed),
                    "deposited": _iso(status.record.deposited),
                    "instrument": status.record.instrument.value
                    if status.record.instrument
                    else None,
                    "in_force_for_party": _iso(status.in_force_for_party),
                    "denunciation_effective": _iso(status.denunciation_effective),
                }
                for status in self.parties
            ],
            "organization_conditions": [
                {
                    "party": condition.party,
                    "step": condition.step.value,
                    "article": condition.source.citation(),
                    "met": condition.met,
                    "members_known": condition.members_known,
                    "members": list(condition.members),
                }
                for condition in self.organization_conditions
            ],
        }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def add_years(start: date, years: int) -> date:
    """The same day ``years`` later; 29 February moves to 1 March in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


def known_on(record: PartyRecord, as_of: date, *, opens: date | None = None) -> PartyRecord:
    """The record without the steps taken after ``as_of``; an undated signature is known
    from ``opens``, the day the Convention opened for signature (always, when None)."""
    deposited = record.deposited is not None and record.deposited <= as_of
    return replace(
        record,
        signed=record.signed if record.signed is not None and record.signed <= as_of else None,
        signed_undated=record.signed_undated and (opens is None or opens <= as_of),
        deposited=record.deposited if deposited else None,
        instrument=record.instrument if deposited else None,
        denounced=record.denounced
        if record.denounced is not None and record.denounced <= as_of
        else None,
    )


def counted_deposits(records: Sequence[PartyRecord], *, rules: TreatyRules) -> list[date]:
    """The deposit dates that count under Art. 65(1), earliest first."""
    counts_organizations = rules.entry_into_force.organization_instruments_counted
    return sorted(
        record.deposited
        for record in records
        if record.deposited is not None and (record.kind is PartyKind.STATE or counts_organizations)
    )


def treaty_status(
    records: Sequence[PartyRecord],
    *,
    as_of: date,
    rules: TreatyRules,
    data_as_of: date | None = None,
) -> TreatyStatus:
    """The Convention's status on ``as_of``. Raises ``InvalidInput`` for broken records."""
    check_parties(records, rules=rules)
    opens = rules.signature.opens
    known = [known_on(record, as_of, opens=opens) for record in records]
    deposits = counted_deposits(known, rules=rules)
    threshold = rules.entry_into_force.threshold
    fortieth = deposits[threshold - 1] if len(deposits) >= threshold else None
    general = (
        fortieth + timedelta(days=rules.entry_into_force.days_after_threshold)
        if fortieth is not None
        else None
    )
    parties = []
    for record in known:
        effective = (
            add_years(record.denounced, rules.denunciation.years_after_receipt)
            if record.denounced is not None
            else None
        )
        in_force = None
        if record.deposited is not None and fortieth is not None and general is not None:
            later = record.deposited + timedelta(days=rules.later_parties.days_after_deposit)
            in_force = general if record.deposited <= fortieth else max(later, general)
            if effective is not None and effective <= in_force:
                in_force = None
        parties.append(PartyStatus(record, in_force, effective))
    return TreatyStatus(
        as_of=as_of,
        threshold=threshold,
        instruments_counted=len(deposits),
        signatories=sum(1 for record in known if record.is_signatory),
        entry_into_force=general,
        parties=tuple(parties),
        data_as_of=data_as_of,
        organization_conditions=organization_conditions(known, rules=rules),
    )
