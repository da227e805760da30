"""The draft form: one field per content item of a request kind, and reading it back.

No rules live here: the Convention catalogue says which items a kind has and checks them
(:func:`localized_findings`); this module draws a field for each item, puts the
catalogue's findings beside their fields, and reads the fields back into contents for the
cooperation service, which decides. Also the small helpers every form of the UI reads
with (:func:`form_lists`, :func:`first`, :func:`end_of_day`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hanoi.convention import (
    Catalogue,
    ContentItem,
    Draft,
    FieldType,
    Finding,
    RequestKind,
    validate,
)
from hanoi.cooperation import Urgency
from hanoi.errors import InvalidInput
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.messages import N_
from hanoi.web.cooperation import MAX_CONTENTS_BYTES

STATE_MISSING = N_("Enter the requested State as a three-letter code, for example FRA.")
URGENCY_REASONS_MISSING = N_("Give the reasons for urgency.")
DRAFT_REFUSED = N_("The node could not save the draft. Check what you entered.")
TOO_LARGE = N_("The contents are too long.")
BAD_DATE = N_("Enter a date as YYYY-MM-DD, for example 2026-03-01.")

STATE_CODE = re.compile(r"^[A-Z]{3}$")
URGENCY_ITEM = "urgency-reasons"
"""The content item of the reasons for urgency; the draft form's urgency field fills it."""
CONTENT_PREFIX = "c."
"""Form fields of content items are named ``c.<item key>``."""
YES, NO = "yes", "no"

# --- findings, per field ----------------------------------------------------------------


def localized_findings(
    catalogue: Catalogue, fmt: LocaleFormat, kind: str, contents: Mapping[str, Any]
) -> list[Finding]:
    """The service's findings on these contents, worded in the page's language."""
    return validate(Draft(kind=kind, contents=contents), language=fmt.language, catalogue=catalogue)


def findings_by_item(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    """Findings keyed by content item (``contents.offences[1]`` goes under ``offences``)."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        path = finding.path
        key = (
            path.removeprefix("contents.").split("[", 1)[0] if path.startswith("contents.") else ""
        )
        grouped.setdefault(key, []).append(finding)
    return grouped


# --- the draft form ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemField:
    """One content item as a form field."""

    item: ContentItem
    name: str
    label: str
    citation: str
    widget: str
    """text, textarea, date, state, select, checkboxes, lines, yes-no, integer."""
    value: str
    chosen: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def required(self) -> bool:
        return self.item.required

    @property
    def conditional(self) -> bool:
        return self.item.conditional


def _widget(item: ContentItem) -> str:
    if item.type is FieldType.LIST:
        return "checkboxes" if item.item_type is FieldType.ENUM else "lines"
    return {
        FieldType.TEXT: "text",
        FieldType.LONG_TEXT: "textarea",
        FieldType.DATE: "date",
        FieldType.STATE_CODE: "state",
        FieldType.ENUM: "select",
        FieldType.BOOLEAN: "yes-no",
        FieldType.INTEGER: "integer",
    }[item.type]


def item_fields(
    catalogue: Catalogue,
    fmt: LocaleFormat,
    kind: RequestKind,
    contents: Mapping[str, Any],
    findings: Sequence[Finding] = (),
) -> list[ItemField]:
    """One field per content item of ``kind``, filled from ``contents``."""
    grouped = findings_by_item(findings)
    fields = []
    for item in kind.contents:
        if item.key == URGENCY_ITEM:  # the form's own "Reasons for urgency" fills it
            continue
        values = catalogue.values_for(item)
        options = (
            tuple((key, fmt.label(values.label_key(key))) for key in values.keys)
            if values is not None
            else ()
        )
        value = contents.get(item.key)
        chosen: tuple[str, ...] = ()
        if isinstance(value, list | tuple):
            chosen = tuple(str(element) for element in value)
            text = "\n".join(chosen)
        elif isinstance(value, bool):
            text = YES if value else NO
        elif value is None:
            text = ""
        else:
            text = str(value)
        fields.append(
            ItemField(
                item=item,
                name=CONTENT_PREFIX + item.key,
                label=fmt.label(item.label_key),
                citation=catalogue.cite(item.source, fmt.language),
                widget=_widget(item),
                value=text,
                chosen=chosen,
                options=options,
                findings=tuple(grouped.get(item.key, ())),
            )
        )
    return fields


def read_contents(kind: RequestKind, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The contents a draft form gives; what cannot be read is passed on as typed, for
    the Convention's checks to name it (a draft may be incomplete)."""
    contents: dict[str, Any] = {}
    for item in kind.contents:
        raw = [v for v in form.get(CONTENT_PREFIX + item.key, ()) if isinstance(v, str)]
        value = _read(item, raw)
        if value is not None:
            contents[item.key] = value
    if len(json.dumps(contents, ensure_ascii=False)) > MAX_CONTENTS_BYTES:
        raise InvalidInput(f"the contents are at most {MAX_CONTENTS_BYTES} bytes")
    return contents


def with_urgency(kind: RequestKind, contents: dict[str, Any], urgency: Urgency) -> dict[str, Any]:
    """The contents with the form's reasons for urgency as the kind's item for them (the
    form asks once, not twice; Art. 40(14))."""
    if urgency.reasons and any(item.key == URGENCY_ITEM for item in kind.contents):
        contents[URGENCY_ITEM] = urgency.reasons
    return contents


def _read(item: ContentItem, raw: list[str]) -> Any:
    if item.type is FieldType.LIST:
        if item.item_type is FieldType.ENUM:
            chosen = [v for v in raw if v]
        else:
            chosen = [line.strip() for v in raw for line in v.splitlines() if line.strip()]
            if item.item_type is FieldType.STATE_CODE:
                chosen = [v.upper() for v in chosen]
        return chosen or None
    text = raw[0].strip() if raw else ""
    if not text:
        return None
    if item.type is FieldType.BOOLEAN:
        return {YES: True, NO: False}.get(text, text)
    if item.type is FieldType.INTEGER:
        try:
            return int(text)
        except ValueError:
            return text
    if item.type is FieldType.STATE_CODE:
        return text.upper()
    return raw[0].replace("\r\n", "\n").strip()


def form_lists(form: Any) -> dict[str, list[str]]:
    """A Starlette form as lists of strings (uploads are ignored)."""
    lists: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            lists.setdefault(key, []).append(value)
    return lists


def first(form: Mapping[str, Sequence[str]], name: str, limit: int = 20_000) -> str:
    values = form.get(name, ())
    return values[0][:limit] if values else ""


def end_of_day(text: str) -> datetime | None:
    """A date from a form as the end of that day in UTC; None when empty or malformed."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
