"""What the workflow needs to know about a request kind, derived from the catalogue.

The catalogue (:mod:`hanoi.convention`) says, kind by kind, which refusal grounds
apply and through which provision, and which periods run. The workflow reads
four traits from that data instead of listing kind keys, so a kind added to the
catalogue follows the same rules:

- ``preservation``: the kind has a period that continues while an MLA request awaits
  a decision (Art. 42(8)). Its requests are ordered, kept active, extended and
  released rather than executed.
- ``executed``: every other kind. The requested State executes it.
- ``refusable``: the catalogue gives the kind at least one refusal ground.
- ``mla``: at least one ground applies through Art. 40 itself, so the kind is a
  mutual legal assistance request governed by Art. 40(21)-(27): consultation
  before refusal, and postponement (Art. 40(26)).

The catalogue has no field saying which grounds need consultation first. Art.
40(27), on the model of UNTOC 18(26), requires it before refusing under Art. 40(21)
or postponing under Art. 40(26) (UNTOC 18(21) and 18(25)), and before nothing else:
not before a refusal under Art. 40(22), which the model does not name.
:data:`CONSULTATION_SOURCE` and :data:`CONSULTATION_PARAGRAPHS` hold the refusal
half of that rule here; the transition table holds the postponement half, because
``postpone`` starts only from ``consultation``.
"""

from __future__ import annotations

from enum import StrEnum

from hanoi.convention import Channel, Period, RequestKind, Source
from hanoi.convention.sources import Certainty, Confidence

CONSULTATION_SOURCE = Source(
    article=40,
    paragraph="27",
    confidence=Confidence.RECALLED,
    certainty=Certainty.MODERATE,
    basis="UNTOC 18(26): before refusing under 18(21) or postponing under 18(25) (Art. "
    "40(21) and 40(26) here), consult to consider granting assistance on conditions",
)
"""Consultation before refusal or postponement (Art. 40(27))."""

CONSULTATION_PARAGRAPHS = frozenset({21})
"""The paragraphs of Art. 40 whose refusal grounds need consultation first (Art. 40(27)).
Postponement (Art. 40(26)) needs it too: the table lets ``postpone`` start only from
``consultation``."""

POINT_OF_CONTACT_SOURCE = Source(
    article=41,
    paragraph="1",
    confidence=Confidence.RECALLED,
    certainty=Certainty.HIGH,
    basis="Budapest 35(1): immediate assistance, 24 hours a day, 7 days a week",
)
"""Why a point of contact may take any step of a request on the 24/7 channel."""


class KindTrait(StrEnum):
    PRESERVATION = "preservation"
    EXECUTED = "executed"
    REFUSABLE = "refusable"
    MLA = "mla"


def preservation_period(kind: RequestKind) -> Period | None:
    """The period that runs until an MLA request is decided (Art. 42(8)), if the kind has one."""
    return next((p for p in kind.periods if p.continues_pending is not None), None)


def traits(kind: RequestKind) -> frozenset[KindTrait]:
    found = {KindTrait.PRESERVATION if preservation_period(kind) else KindTrait.EXECUTED}
    if kind.refusal_grounds:
        found.add(KindTrait.REFUSABLE)
    if any(applied.source.article == 40 for applied in kind.refusal_grounds):
        found.add(KindTrait.MLA)
    return frozenset(found)


def ground_source(kind: RequestKind, ground: str) -> Source | None:
    """The provision through which ``ground`` applies to ``kind``, or None if it does not."""
    return next((a.source for a in kind.refusal_grounds if a.key == ground), None)


def consultation_required(kind: RequestKind, ground: str) -> bool:
    """Whether refusing ``kind`` on ``ground`` needs a consultation first (Art. 40(27))."""
    source = ground_source(kind, ground)
    return (
        source is not None
        and source.article == CONSULTATION_SOURCE.article
        and source.paragraph_number in CONSULTATION_PARAGRAPHS
    )


def is_point_of_contact(channel: Channel) -> bool:
    return channel is Channel.POINT_OF_CONTACT
