"""Sample contents for a request of any kind, built from the catalogue: for the sandbox
(``hanoi demo``) and for trying the API. Pure; ``today`` is a parameter."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hanoi.convention import Catalogue, ContentItem, FieldType, default_catalogue


def _scalar(catalogue: Catalogue, item: ContentItem, field_type: FieldType, today: date) -> Any:
    if field_type in (FieldType.TEXT, FieldType.LONG_TEXT):
        return f"Sandbox: {item.key.replace('-', ' ')}"
    if field_type is FieldType.DATE:
        return (today + timedelta(days=30)).isoformat()
    if field_type is FieldType.STATE_CODE:
        return "FRA"
    if field_type is FieldType.ENUM:
        values = catalogue.values_for(item)
        return values.keys[0] if values is not None else ""
    if field_type is FieldType.BOOLEAN:
        return True
    return item.minimum if item.minimum is not None else 1


def sample_contents(
    kind: str, *, today: date, catalogue: Catalogue | None = None, **given: Any
) -> dict[str, Any]:
    """Every item of ``kind`` with a plausible value; ``given`` overrides items by key
    (written with underscores, e.g. ``service_provider_state="FRA"``)."""
    cat = catalogue or default_catalogue()
    contents: dict[str, Any] = {}
    for item in cat.kind(kind).contents:
        if item.type is FieldType.LIST:
            assert item.item_type is not None
            contents[item.key] = [_scalar(cat, item, item.item_type, today)]
        else:
            contents[item.key] = _scalar(cat, item, item.type, today)
    contents.update({key.replace("_", "-"): value for key, value in given.items()})
    return contents
