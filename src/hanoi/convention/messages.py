"""Label keys that do not come from catalogue entries: messages and vocabulary.

Together with the keys of the catalogue's own entries (articles, kinds,
items...) these are the keys every complete language must translate.
"""

from __future__ import annotations

from enum import StrEnum

from hanoi.convention.models import Channel, FieldType
from hanoi.convention.sources import Certainty, Confidence
from hanoi.convention.treaty_rules import Instrument, PartyKind


class FindingCode(StrEnum):
    """What is wrong with one field of a draft; each has a message ``finding.<code>``."""

    MALFORMED_DRAFT = "malformed-draft"
    UNKNOWN_KIND = "unknown-kind"
    UNKNOWN_ITEM = "unknown-item"
    MISSING = "missing"
    WRONG_TYPE = "wrong-type"
    UNKNOWN_VALUE = "unknown-value"
    TOO_LONG = "too-long"
    TOO_MANY = "too-many"
    DUPLICATE_VALUE = "duplicate-value"
    BELOW_MINIMUM = "below-minimum"
    ABOVE_MAXIMUM = "above-maximum"
    MUST_BE_TRUE = "must-be-true"
    DATE_ORDER = "date-order"

    @property
    def label_key(self) -> str:
        return f"finding.{self.value}"


CITATION_TEMPLATE = "citation.template"
"""``{article}`` and ``{paragraph}``, e.g. ``Art. {article}{paragraph}``."""
CITATION_LETTERS = "citation.letters"
"""The language's sub-paragraph letters for a, b, c..., separated by spaces."""


def field_type_key(field_type: FieldType) -> str:
    return f"field-type.{field_type.value}"


def vocabulary_keys() -> frozenset[str]:
    """Every label key that is not tied to a catalogue entry."""
    keys = {code.label_key for code in FindingCode}
    keys |= {CITATION_TEMPLATE, CITATION_LETTERS}
    keys |= {field_type_key(field_type) for field_type in FieldType}
    keys |= {channel.label_key for channel in Channel}
    keys |= {f"confidence.{confidence.value}" for confidence in Confidence}
    keys |= {f"certainty.{certainty.value}" for certainty in Certainty}
    keys |= {f"instrument.{instrument.value}" for instrument in Instrument}
    keys |= {f"party-kind.{kind.value}" for kind in PartyKind}
    return frozenset(keys)
