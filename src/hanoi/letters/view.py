"""A letter of request in its reader's words: every text of ``letter.html``, in the letter's
language. Pure: no I/O, no clock.

Fixed texts come from :mod:`hanoi.letters.wording`; what the Convention names (the kind,
each content item and its values, the conditions, the citations) from the catalogue;
States by the UN's short name in the letter's language; dates, numbers and sizes from
Babel. The contents are listed item by item in the order of the kind's items in the
catalogue, as the request carries them. Nothing here depends on the web UI: a letter reads
the same whichever page or command made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.units import format_unit

from hanoi.convention import Catalogue, ContentItem, FieldType, Language, Source
from hanoi.convention.sources import Confidence
from hanoi.convention.state_names import un_short_name
from hanoi.cooperation import Side
from hanoi.cooperation.documents import documents
from hanoi.cooperation.kinds import preservation_period
from hanoi.cooperation.model import Attachment, Condition, CooperationRequest
from hanoi.cooperation.service import AUTHORITY_NAMES
from hanoi.crypto.document_signing import alpha2
from hanoi.letters.letter import Letter, grouped
from hanoi.letters.wording import phrases

URGENCY_SOURCE = Source(article=40, paragraph="14", confidence=Confidence.RECALLED)
"""Urgent requests, and requests in writing (Art. 40(14))."""
DEADLINE_SOURCE = Source(article=40, paragraph="25", confidence=Confidence.RECALLED)
"""The deadline the requesting State suggests, with its reasons (Art. 40(25))."""
DEFAULT_AUTHORITIES = {name: channel.value for channel, name in AUTHORITY_NAMES.items()}
"""The names a party's authority gets when the drafter names none, by channel key."""


def state_name(code: str, language: Language) -> str:
    """A State by the UN's short name in ``language`` (``Viet Nam``), else by the name CLDR
    gives it, else by its code."""
    official = un_short_name(code, language)
    if official is not None:
        return official
    two = alpha2(code)
    name = Locale.parse(language.value).territories.get(two) if two else None
    return name if isinstance(name, str) else code


def authority_name(authority: str, language: Language) -> str:
    """A party's authority as the request names it; the default names (``central
    authority``) in the letter's language."""
    channel = DEFAULT_AUTHORITIES.get(authority)
    return phrases(language)[f"authority.{channel}"] if channel else authority


def long_date(value: date, language: Language) -> str:
    """A day in the language's long form: ``7 décembre 2026``."""
    return format_date(value, format="long", locale=language.value)


def _scalar(catalogue: Catalogue, item: ContentItem, value: Any, language: Language) -> str:
    words = phrases(language)
    values = catalogue.values_for(item)
    if values is not None and isinstance(value, str) and value in values.keys:
        return catalogue.label(values.label_key(value), language)
    element_type = item.item_type or item.type
    if isinstance(value, bool):
        return words["yes"] if value else words["no"]
    if element_type is FieldType.STATE_CODE and isinstance(value, str):
        return f"{state_name(value, language)} ({value})"
    if element_type is FieldType.DATE and isinstance(value, str):
        try:
            return long_date(date.fromisoformat(value), language)
        except ValueError:
            return value
    if isinstance(value, int):
        return format_decimal(value, locale=language.value)
    return str(value)


def item_values(
    catalogue: Catalogue, item: ContentItem, value: Any, language: Language
) -> tuple[str, ...]:
    """A content item's value as the letter shows it: one text, or one per list element."""
    if isinstance(value, list | tuple):
        return tuple(_scalar(catalogue, item, element, language) for element in value)
    return (_scalar(catalogue, item, value, language),)


def contents(
    request: CooperationRequest, catalogue: Catalogue, language: Language
) -> list[dict[str, Any]]:
    """The request's contents, item by item in the catalogue's order of the kind's items."""
    kind = catalogue.kind(request.kind)
    return [
        {
            "key": item.key,
            "label": catalogue.label(item.label_key, language),
            "citation": catalogue.cite(item.source, language),
            "texts": item_values(catalogue, item, request.contents[item.key], language),
            "many": item.type is FieldType.LIST,
        }
        for item in kind.contents
        if item.key in request.contents
    ]


def condition_values(
    condition: Condition, catalogue: Catalogue, language: Language
) -> dict[str, Any]:
    """A condition as a letter lists it: its label and article, its terms, and the day
    the data received under it are deleted, if one is set."""
    found = catalogue.condition(condition.key)
    until = condition.retain_until
    return {
        "key": condition.key,
        "label": catalogue.label(found.label_key, language),
        "citation": catalogue.cite(found.source, language),
        "terms": condition.terms,
        "delete_after": (
            phrases(language)["delete-after"].format(date=long_date(until, language))
            if until is not None
            else None
        ),
    }


def _attachment(document: Attachment, language: Language) -> dict[str, Any]:
    words = phrases(language)
    kind = document.document_kind
    return {
        "title": document.title or document.id,
        "kind": words[f"document.{kind.value}"] if kind is not None else words["document.other"],
        "size": (
            format_unit(
                document.size, "digital-byte", length="long", format="#,##0", locale=language.value
            )
            if document.size is not None
            else None
        ),
        "sha256": document.sha256,
    }


def _preservation(
    request: CooperationRequest, catalogue: Catalogue, language: Language
) -> dict[str, str] | None:
    period = preservation_period(catalogue.kind(request.kind))
    if period is None:
        return None
    days = format_decimal(period.days, locale=language.value)
    return {
        "text": phrases(language)["preservation-days"].format(days=days),
        "citation": catalogue.cite(period.source, language),
    }


def party(request: CooperationRequest, side: Side, language: Language) -> dict[str, str]:
    """One State of the request as a letter names it: its authority and State."""
    named = request.party(side)
    return {
        "authority": authority_name(named.authority, language),
        "state": state_name(named.state, language),
        "code": named.state,
    }


def signatory_values(letter: Letter) -> dict[str, str | None]:
    signatory, language = letter.signatory, letter.language
    return {
        "name": signatory.name,
        "title": signatory.title,
        "authority": authority_name(signatory.authority, language),
        "state": state_name(signatory.state, language),
    }


def template_values(letter: Letter, *, catalogue: Catalogue) -> dict[str, Any]:
    """What ``letter.html`` (a letter of request) shows, in ``letter.language``."""
    language = letter.language
    request = letter.request
    kind = catalogue.kind(request.kind)
    words: Mapping[str, str] = phrases(language)
    deadline = request.suggested_deadline
    return {
        "language": language,
        "direction": "rtl" if language.right_to_left else "ltr",
        "words": words,
        "req": request,
        "requesting": party(request, Side.REQUESTING, language),
        "requested": party(request, Side.REQUESTED, language),
        "issued_on": long_date(letter.issued_at.date(), language),
        "issued_iso": letter.issued_at.date().isoformat(),
        "code": grouped(letter.verification_code),
        "subject": catalogue.label(kind.title_key, language),
        "subject_citation": catalogue.cite(kind.source, language),
        "urgency": words[f"urgency.{request.urgency.level.value}"],
        "urgency_reasons": request.urgency.reasons,
        "urgency_citation": catalogue.cite(URGENCY_SOURCE, language),
        "deadline": long_date(deadline.by, language) if deadline is not None else None,
        "deadline_reasons": deadline.reasons if deadline is not None else None,
        "deadline_citation": catalogue.cite(DEADLINE_SOURCE, language),
        "preservation": _preservation(request, catalogue, language),
        "contents": contents(request, catalogue, language),
        "conditions": [condition_values(c, catalogue, language) for c in request.conditions],
        "attachments": [_attachment(d, language) for d in documents(request, side=Side.REQUESTING)],
        "signatory": signatory_values(letter),
    }
