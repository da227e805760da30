"""Checking one value against its content item's field type.

Values are what a JSON body or a form gives: strings, booleans, integers,
lists, and ``datetime.date`` for dates (or ``YYYY-MM-DD`` strings). Size limits
sit in one :class:`Limits` object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from hanoi.convention.messages import FindingCode, field_type_key
from hanoi.convention.models import ContentItem, FieldType
from hanoi.convention.sources import Source

if TYPE_CHECKING:
    from hanoi.convention.catalogue import Catalogue
    from hanoi.convention.labels import Language
    from hanoi.convention.validation import Finding

STATE_CODE = re.compile(r"^[A-Z]{3}$")
"""ISO 3166-1 alpha-3: three capital letters. The code list itself is not bundled."""
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True, slots=True)
class Limits:
    text: int = 500
    long_text: int = 20_000
    list_entries: int = 100


LIMITS = Limits()


class FindingFactory(Protocol):
    def __call__(
        self, path: str, code: FindingCode, source: Source | None, **values: Any
    ) -> Finding: ...


def is_empty(value: Any) -> bool:
    """No value: ``None``, blank text or an empty list. ``False`` and ``0`` are values."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return not value
    return False


def as_date(value: Any) -> date | None:
    """A date from a ``date`` or an ISO ``YYYY-MM-DD`` string; otherwise ``None``."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


class ValueChecker:
    def __init__(self, catalogue: Catalogue, language: Language, finding: FindingFactory) -> None:
        self.catalogue = catalogue
        self.language = language
        self.finding = finding

    def label(self, item: ContentItem) -> str:
        return self.catalogue.label(item.label_key, self.language)

    def wrong_type(self, item: ContentItem, field_type: FieldType, path: str) -> Finding:
        expected = self.catalogue.label(field_type_key(field_type), self.language)
        return self.finding(
            path, FindingCode.WRONG_TYPE, item.source, label=self.label(item), expected=expected
        )

    def check(self, item: ContentItem, value: Any, path: str) -> list[Finding]:
        if item.type is FieldType.LIST:
            return self.check_list(item, value, path)
        return self.check_scalar(item, item.type, value, path)

    def check_list(self, item: ContentItem, value: Any, path: str) -> list[Finding]:
        if not isinstance(value, list | tuple):
            return [self.wrong_type(item, FieldType.LIST, path)]
        label = self.label(item)
        if len(value) > LIMITS.list_entries:
            return [
                self.finding(
                    path, FindingCode.TOO_MANY, None, label=label, limit=LIMITS.list_entries
                )
            ]
        assert item.item_type is not None  # guaranteed by ContentItem
        findings: list[Finding] = []
        seen: set[Any] = set()
        for index, element in enumerate(value):
            at = f"{path}[{index}]"
            found = self.check_scalar(item, item.item_type, element, at)
            if not found and element in seen:
                found = [
                    self.finding(at, FindingCode.DUPLICATE_VALUE, None, label=label, value=element)
                ]
            if not found:
                seen.add(element)
            findings.extend(found)
        return findings

    def check_scalar(
        self, item: ContentItem, field_type: FieldType, value: Any, path: str
    ) -> list[Finding]:
        if field_type in (FieldType.TEXT, FieldType.LONG_TEXT):
            return self.check_text(item, field_type, value, path)
        if field_type is FieldType.ENUM:
            return self.check_enum(item, value, path)
        valid = {
            FieldType.DATE: as_date(value) is not None,
            FieldType.STATE_CODE: isinstance(value, str) and bool(STATE_CODE.match(value)),
            FieldType.BOOLEAN: isinstance(value, bool),
            FieldType.INTEGER: isinstance(value, int) and not isinstance(value, bool),
        }[field_type]
        if not valid:
            return [self.wrong_type(item, field_type, path)]
        if item.minimum is not None and value < item.minimum:
            return [
                self.finding(
                    path,
                    FindingCode.BELOW_MINIMUM,
                    item.source,
                    label=self.label(item),
                    minimum=item.minimum,
                )
            ]
        if item.maximum is not None and value > item.maximum:
            return [
                self.finding(
                    path,
                    FindingCode.ABOVE_MAXIMUM,
                    None,
                    label=self.label(item),
                    maximum=item.maximum,
                )
            ]
        if item.must_be_true and value is not True:
            return [
                self.finding(path, FindingCode.MUST_BE_TRUE, item.source, label=self.label(item))
            ]
        return []

    def check_text(
        self, item: ContentItem, field_type: FieldType, value: Any, path: str
    ) -> list[Finding]:
        if not isinstance(value, str):
            return [self.wrong_type(item, field_type, path)]
        limit = LIMITS.text if field_type is FieldType.TEXT else LIMITS.long_text
        if len(value) > limit:
            return [
                self.finding(path, FindingCode.TOO_LONG, None, label=self.label(item), limit=limit)
            ]
        return []

    def check_enum(self, item: ContentItem, value: Any, path: str) -> list[Finding]:
        if not isinstance(value, str):
            return [self.wrong_type(item, FieldType.ENUM, path)]
        values = self.catalogue.values_for(item)
        if values is None or value not in values.keys:
            return [
                self.finding(
                    path,
                    FindingCode.UNKNOWN_VALUE,
                    item.source,
                    label=self.label(item),
                    value=value,
                )
            ]
        return []
