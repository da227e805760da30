"""Helpers for the convention tests: sample drafts built from the catalogue itself.

Nothing here knows a particular kind or item: values are chosen from each
item's field type, value set and triggers, so every kind the catalogue gains
is tested the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from hanoi.convention import Catalogue, ContentItem, FieldType, RequestKind, default_catalogue
from hanoi.convention.models import Trigger

CATALOGUE = default_catalogue()
SAMPLE_DATE = "2026-01-15"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return CATALOGUE


def scalar_sample(catalogue: Catalogue, item: ContentItem, field_type: FieldType) -> Any:
    if field_type in (FieldType.TEXT, FieldType.LONG_TEXT):
        return f"{item.key}: sample text"
    if field_type is FieldType.DATE:
        return SAMPLE_DATE
    if field_type is FieldType.STATE_CODE:
        return "EGY"
    if field_type is FieldType.ENUM:
        values = catalogue.values_for(item)
        assert values is not None
        return values.keys[0]
    if field_type is FieldType.BOOLEAN:
        return True
    if field_type is FieldType.INTEGER:
        return item.minimum if item.minimum is not None else 1
    raise AssertionError(f"no sample for {field_type}")


def sample(catalogue: Catalogue, item: ContentItem) -> Any:
    """A valid value for ``item``."""
    if item.type is FieldType.LIST:
        assert item.item_type is not None
        return [scalar_sample(catalogue, item, item.item_type)]
    return scalar_sample(catalogue, item, item.type)


def _as_type(item: ContentItem, value: str) -> Any:
    return [value] if item.type is FieldType.LIST else value


def _satisfy(catalogue: Catalogue, kind: RequestKind, trigger: Trigger, holds: bool) -> Any:
    """A value of the trigger's item that makes the trigger hold (or not)."""
    item = kind.item(trigger.item)
    assert item is not None
    if trigger.present:
        return sample(catalogue, item) if holds else None
    if trigger.is_true:
        return holds
    values = catalogue.values_for(item)
    assert values is not None
    if trigger.includes:
        pool = trigger.includes if holds else [v for v in values.keys if v not in trigger.includes]
    else:
        pool = trigger.only if holds else [v for v in values.keys if v not in trigger.only]
    return _as_type(item, pool[0])


def full_contents(catalogue: Catalogue, kind: RequestKind) -> dict[str, Any]:
    """Every item of the kind, with a valid value."""
    return {item.key: sample(catalogue, item) for item in kind.contents}


def contents_requiring(
    catalogue: Catalogue, kind: RequestKind, target: ContentItem
) -> dict[str, Any]:
    """Valid contents in which ``target`` is required (its trigger set accordingly)."""
    contents = full_contents(catalogue, kind)
    if target.required_when is not None:
        contents[target.required_when.item] = _satisfy(catalogue, kind, target.required_when, True)
    if target.not_required_when is not None:
        trigger = target.not_required_when
        contents[trigger.item] = _satisfy(catalogue, kind, trigger, False)
    return contents


def contents_excusing(
    catalogue: Catalogue, kind: RequestKind, target: ContentItem
) -> dict[str, Any]:
    """Valid contents in which a conditional ``target`` is not required, without it."""
    contents = full_contents(catalogue, kind)
    if target.required_when is not None:
        value = _satisfy(catalogue, kind, target.required_when, False)
        contents[target.required_when.item] = value
    if target.not_required_when is not None:
        trigger = target.not_required_when
        contents[trigger.item] = _satisfy(catalogue, kind, trigger, True)
    del contents[target.key]
    return {key: value for key, value in contents.items() if value is not None}


@dataclass(frozen=True)
class Drafts:
    """Sample drafts for the tests of this folder (the ``drafts`` fixture)."""

    catalogue: Catalogue

    def sample(self, item: ContentItem) -> Any:
        return sample(self.catalogue, item)

    def full(self, kind: RequestKind) -> dict[str, Any]:
        return full_contents(self.catalogue, kind)

    def requiring(self, kind: RequestKind, item: ContentItem) -> dict[str, Any]:
        return contents_requiring(self.catalogue, kind, item)

    def excusing(self, kind: RequestKind, item: ContentItem) -> dict[str, Any]:
        return contents_excusing(self.catalogue, kind, item)


@pytest.fixture(scope="session")
def drafts(catalogue: Catalogue) -> Drafts:
    return Drafts(catalogue)


def _pairs(keep: Callable[[ContentItem], bool]) -> list[tuple[str, str]]:
    return [
        (kind.key, item.key) for kind in CATALOGUE.kinds for item in kind.contents if keep(item)
    ]


PARAMETERS: dict[str, list[Any]] = {
    "kind_key": list(CATALOGUE.kind_keys),
    # every item that some valid draft must contain
    "required_item": _pairs(lambda item: item.required or item.required_when is not None),
    "conditional_item": _pairs(lambda item: item.conditional),
    "any_item": _pairs(lambda item: True),
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise from the catalogue: ``kind_key``, ``required_item``, ``conditional_item``,
    ``any_item`` (the last three are ``(kind key, item key)`` pairs)."""
    for name, values in PARAMETERS.items():
        if name in metafunc.fixturenames:
            ids = [value if isinstance(value, str) else ":".join(value) for value in values]
            metafunc.parametrize(name, values, ids=ids)
