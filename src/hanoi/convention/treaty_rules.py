"""The final provisions that treaty status is computed from (Arts 64, 65 and 67).

The numbers (40 instruments, 90 days, 30 days, one year) are data, in
``data/final_provisions.yaml``, each with its source; this module only types them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, model_validator

from hanoi.convention.models import Frozen
from hanoi.convention.sources import Source


class PartyKind(StrEnum):
    STATE = "state"
    ORGANIZATION = "organization"
    """A regional economic integration organization (Art. 2(n)), e.g. the European Union."""


class Instrument(StrEnum):
    """Art. 64: the instruments by which a State or organisation becomes bound."""

    RATIFICATION = "ratification"
    ACCEPTANCE = "acceptance"
    APPROVAL = "approval"
    ACCESSION = "accession"


class SignatureRule(Frozen):
    opens: date
    closes: date
    source: Source

    @model_validator(mode="after")
    def _ordered(self) -> SignatureRule:
        if self.closes < self.opens:
            raise ValueError("signature closes before it opens")
        return self


class InstrumentRule(Frozen):
    requiring_signature: tuple[Instrument, ...]
    source: Source


class EntryIntoForceRule(Frozen):
    threshold: int = Field(gt=0)
    days_after_threshold: int = Field(gt=0)
    organization_instruments_counted: bool
    source: Source


class LaterPartiesRule(Frozen):
    days_after_deposit: int = Field(gt=0)
    source: Source


class DenunciationRule(Frozen):
    years_after_receipt: int = Field(gt=0)
    source: Source


class OrganizationRules(Frozen):
    """Art. 64(2)-(4): what a regional economic integration organization needs from
    its member States before it signs, deposits an instrument or accedes."""

    signature: Source
    """Art. 64(2): at least one member State has signed."""
    instrument: Source
    """Art. 64(3): at least one member State has deposited ratification, acceptance or
    approval."""
    accession: Source
    """Art. 64(4): at least one member State is a party."""
    members: dict[str, tuple[str, ...]]
    """Each organisation's member States (ISO 3166-1 alpha-3), by party code."""
    members_source: str


class TreatyRules(Frozen):
    signature: SignatureRule
    instruments: InstrumentRule
    entry_into_force: EntryIntoForceRule
    later_parties: LaterPartiesRule
    denunciation: DenunciationRule
    organizations: OrganizationRules
