"""Cooperation requests as HI-1 messages, both ways: for EU-profile systems and domestic ones.

:func:`request_to_hi1` writes a request as one HI-1 request message, from its requesting
State (``Header/SenderIdentifier``) to its requested State (``ReceiverIdentifier``), country
codes in ISO 3166-1 alpha-2 (:func:`country_of`, :func:`state_of`), with CREATE actions:

0. an ``AuthorisationObject``: the request's reference (``auth:AuthorisationReference`` and
   the approval's ``common:ApprovalReference``), its kind (``UN``/``AuthorisationLegalType``,
   every kind of the catalogue), its article (the approval's description), its urgency
   (ETSI ``AuthorisationPriority`` ``Routine`` or ``High``; ``common:ApprovalIsEmergency``
   for an emergency; the reasons in ``auth:AuthorisationManualInformation``);
1. one task per data category asked for, associated with the authorisation: an
   ``LPTaskObject`` for a preservation kind, an ``LDTaskObject`` for a disclosure kind, with
   ETSI's ``RequestType``, the identifiers and the time window. A kind with no HI-1 task
   (:func:`~hanoi.providers.hi1.vocabulary.authorisation_only_kinds`) has the authorisation
   alone.

:func:`~hanoi.providers.hi1.request_import.hi1_to_request` reads such a message back.
Pure.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from hanoi.convention.loading import default_catalogue
from hanoi.convention.state_names import state_names
from hanoi.cooperation.model import CooperationRequest
from hanoi.crypto.document_signing import alpha2
from hanoi.errors import NotFound
from hanoi.providers.hi1.errors import MessageInvalid
from hanoi.providers.hi1.messages import (
    PROFILE_OWNER,
    XSI_AUTHORISATION,
    XSI_LD_TASK,
    XSI_LP_TASK,
    Endpoint,
    dictionary_entry,
    header_json,
    qualified_time,
    request_message,
)
from hanoi.providers.hi1.orders import APPROVAL_TYPE
from hanoi.providers.hi1.schemas import validate_message
from hanoi.providers.hi1.vocabulary import (
    DISCLOSURE_KINDS,
    ETSI_OWNER,
    LEGAL_TYPE,
    PRESERVATION_KINDS,
)

URGENCY_PRIORITY = {"routine": "Routine", "urgent": "High", "emergency": "High"}
"""A request's urgency as ETSI's ``AuthorisationPriority`` (an emergency is also flagged
``common:ApprovalIsEmergency``)."""
CATEGORY_TYPES = {
    "subscriber-information": "SubscriberData",
    "traffic-data": "TrafficData",
    "content-data": "StoredContentData",
    "other-electronic-data": "Other",
}
"""The catalogue's data categories (Art. 2) as ETSI ``RequestType`` values."""
TYPE_CATEGORIES: dict[str, tuple[str, ...]] = {
    **{value: (key,) for key, value in CATEGORY_TYPES.items()},
    "UserIdentifyingData": ("subscriber-information",),
    "SubscriberDataAndUserIdentifyingData": ("subscriber-information",),
    "TrafficDataAndStoredContentData": ("traffic-data", "content-data"),
}
"""ETSI ``RequestType`` values read back as data categories."""
KIND_TYPES = {
    "preserved-traffic-data-disclosure": "TrafficData",
    "mla-real-time-traffic-data": "TrafficData",
    "law-enforcement-cooperation": "Other",
}
"""The ``RequestType`` of the one task of a kind whose contents name no data category."""
E164 = re.compile(r"\+[1-9][0-9]{5,14}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
IDENTIFIER_FORMATS = (
    "EmailAddress",
    "InternationalE164",
    "IPv4Address",
    "IPv6Address",
    "ServiceAccessIdentifier",
)
"""The ETSI format names this mapping writes and reads (an identifier of another format is
refused on import: its meaning would be lost)."""

_CONVENTION = "of the United Nations Convention against Cybercrime"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangedRequest:
    """What an HI-1 message carries of a cooperation request, either way."""

    reference: str
    """The request's reference in its sending system (a Hanoi request id)."""
    kind: str
    article: int
    requesting_state: str
    """ISO 3166-1 alpha-3, as everywhere else in Hanoi."""
    requesting_authority: str
    requested_state: str
    requested_authority: str
    urgency: str = "routine"
    urgency_reasons: str | None = None
    data_categories: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    window_start: date | None = None
    """The first day of the data asked for."""
    window_end: date | None = None
    """The last day of the data asked for (included)."""

    def contents(self) -> dict[str, Any]:
        """The request's content items that the message carries, for its kind."""
        kind = default_catalogue().kind(self.kind)
        values: dict[str, Any] = {
            "data-categories": list(self.data_categories) or None,
            "data-identifiers": list(self.identifiers) or None,
            "collection-start": self.window_start.isoformat() if self.window_start else None,
            "collection-end": self.window_end.isoformat() if self.window_end else None,
        }
        return {
            key: value
            for key, value in values.items()
            if value is not None and kind.item(key) is not None
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Hi1Export:
    message: dict[str, Any]
    transaction_id: str
    tasks: int
    """How many tasks the message carries (0 for a kind with none)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedRequest:
    transaction_id: str
    request: ExchangedRequest


# --- countries ------------------------------------------------------------------------------


def country_of(state: str) -> str:
    """The ISO 3166-1 alpha-2 code of a State's alpha-3 code (CLDR); ``NotFound`` for none."""
    found = alpha2(state)
    if found is None:
        raise NotFound(f"{state} has no ISO 3166-1 alpha-2 code for an HI-1 CountryCode")
    return found


@cache
def _states_by_country() -> Mapping[str, str]:
    return {code: state for state in state_names() if (code := alpha2(state)) is not None}


def state_of(country: str) -> str:
    """The alpha-3 code of a State the UN names, from its alpha-2 ``CountryCode``."""
    state = _states_by_country().get(country)
    if state is None:
        raise MessageInvalid(f"the CountryCode {country!r} is not a State the United Nations names")
    return state


# --- identifiers and data categories --------------------------------------------------------


def identifier_format(text: str) -> tuple[str, str]:
    """A request's identifier as an ETSI (format name, value) pair."""
    if E164.fullmatch(text):
        return "InternationalE164", text[1:]
    if EMAIL.fullmatch(text):
        return "EmailAddress", text
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return "ServiceAccessIdentifier", text
    return ("IPv4Address" if address.version == 4 else "IPv6Address"), text


def identifier_text(format_name: str, value: str, *, owner: str = ETSI_OWNER) -> str:
    """An ETSI (format name, value) pair as the request's identifier text."""
    if owner != ETSI_OWNER or format_name not in IDENTIFIER_FORMATS:
        raise MessageInvalid(
            f"the identifier format {format_name!r} is not one of {', '.join(IDENTIFIER_FORMATS)}"
        )
    return f"+{value}" if format_name == "InternationalE164" else value


def _task_types(request: ExchangedRequest) -> tuple[str, ...]:
    if request.kind not in (*PRESERVATION_KINDS, *DISCLOSURE_KINDS):
        return ()
    if request.data_categories:
        return tuple(CATEGORY_TYPES[category] for category in request.data_categories)
    return (KIND_TYPES.get(request.kind, "Other"),)


# --- writing --------------------------------------------------------------------------------


def exchanged_of(request: CooperationRequest) -> ExchangedRequest:
    """What an HI-1 message carries of ``request``: its parties, kind, urgency, and the data
    asked for as its contents give them (items of another shape are left out)."""
    contents = request.contents

    def texts(key: str) -> tuple[str, ...]:
        value = contents.get(key)
        if not isinstance(value, list | tuple):
            return ()
        return tuple(item for item in value if isinstance(item, str) and item.strip())

    def day(key: str) -> date | None:
        value = contents.get(key)
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    kind = default_catalogue().kind(request.kind)
    return ExchangedRequest(
        reference=request.id,
        kind=request.kind,
        article=kind.articles[0],
        requesting_state=request.requesting_state,
        requesting_authority=request.requesting.authority,
        requested_state=request.requested_state,
        requested_authority=request.requested.authority,
        urgency=request.urgency.level.value,
        urgency_reasons=request.urgency.reasons,
        data_categories=tuple(c for c in texts("data-categories") if c in CATEGORY_TYPES),
        identifiers=texts("data-identifiers"),
        window_start=day("collection-start"),
        window_end=day("collection-end"),
    )


def _start(day: date) -> str:
    return qualified_time(datetime.combine(day, time(), tzinfo=UTC))


def _span(request: ExchangedRequest, prefix: str) -> dict[str, str]:
    """The window as ``StartTime`` (the first day's start) and ``EndTime`` (the last day's
    end, the next day's start) of the namespace ``prefix``."""
    span = {}
    if request.window_start is not None:
        span[f"{prefix}StartTime"] = _start(request.window_start)
    if request.window_end is not None:
        span[f"{prefix}EndTime"] = _start(request.window_end + timedelta(days=1))
    return span


def _task(
    request: ExchangedRequest, request_type: str, *, sender: Endpoint, task_id: str, auth_id: str
) -> dict[str, Any]:
    details: dict[str, Any] = {
        "task:Type": dictionary_entry(ETSI_OWNER, "RequestType", request_type),
        **_span(request, "task:"),
    }
    if request.identifiers:
        details["task:RequestValues"] = {
            "task:RequestValue": [
                {
                    "task:FormatType": {"task:FormatOwner": ETSI_OWNER, "task:FormatName": name},
                    "task:Value": value,
                }
                for name, value in map(identifier_format, request.identifiers)
            ]
        }
    preservation = request.kind in PRESERVATION_KINDS
    desired = (
        ("LPTaskDesiredStatus", "Preserved")
        if preservation
        else ("LDTaskDesiredStatus", "AwaitingDisclosure")
    )
    return {
        "@xsi:type": XSI_LP_TASK if preservation else XSI_LD_TASK,
        "ObjectIdentifier": task_id,
        "CountryCode": sender.country,
        "OwnerIdentifier": sender.identifier,
        "AssociatedObjects": {"AssociatedObject": [auth_id]},
        "task:DesiredStatus": dictionary_entry(ETSI_OWNER, *desired),
        "task:RequestDetails": details,
    }


def request_to_hi1(
    request: ExchangedRequest,
    *,
    timestamp: datetime,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> Hi1Export:
    """``request`` as one HI-1 message created at ``timestamp``, checked against ETSI's
    schemas before it is returned."""
    sender = Endpoint(country_of(request.requesting_state), request.requesting_authority)
    receiver = Endpoint(country_of(request.requested_state), request.requested_authority)
    transaction_id, auth_id = str(new_id()), str(new_id())
    approval: dict[str, Any] = {
        "common:ApprovalType": APPROVAL_TYPE,
        "common:ApprovalDescription": f"Request under Article {request.article} {_CONVENTION}",
        "common:ApprovalReference": request.reference,
        "common:ApprovalIsEmergency": request.urgency == "emergency",
    }
    authorisation: dict[str, Any] = {
        "@xsi:type": XSI_AUTHORISATION,
        "ObjectIdentifier": auth_id,
        "CountryCode": sender.country,
        "OwnerIdentifier": sender.identifier,
        "auth:AuthorisationReference": request.reference,
        "auth:AuthorisationLegalType": dictionary_entry(PROFILE_OWNER, LEGAL_TYPE, request.kind),
        "auth:AuthorisationPriority": dictionary_entry(
            ETSI_OWNER, "AuthorisationPriority", URGENCY_PRIORITY[request.urgency]
        ),
        "auth:AuthorisationCreationTimestamp": qualified_time(timestamp),
        "auth:AuthorisationApprovalDetails": [approval],
    }
    span = _span(request, "auth:")
    if span:  # the period of collection is the period the authorisation covers
        authorisation["auth:AuthorisationTimespan"] = span
    if request.urgency_reasons:
        authorisation["auth:AuthorisationManualInformation"] = request.urgency_reasons
    actions = [{"CREATE": {"HI1Object": authorisation}}]
    for request_type in _task_types(request):
        task = _task(request, request_type, sender=sender, task_id=str(new_id()), auth_id=auth_id)
        actions.append({"CREATE": {"HI1Object": task}})
    header = header_json(
        sender=sender, receiver=receiver, transaction_id=transaction_id, timestamp=timestamp
    )
    message = request_message(header, actions)
    validate_message(message)
    return Hi1Export(message=message, transaction_id=transaction_id, tasks=len(actions) - 1)
