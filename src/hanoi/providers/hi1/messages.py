"""The "UN" national profile's constants and the HI-1 message header.

A HI-1 message of this profile has the namespace members that ETSI's JSON examples carry
(``@xmlns``...), a ``Header`` whose ``Version`` names ETSI's version (:data:`ETSI_VERSION`)
and the profile (:data:`PROFILE_OWNER` ``UN``, :data:`PROFILE_VERSION` ``v1``), and a
``Payload``. See ``docs/hi1-profile.md``.

Times: ``Header/Timestamp`` is a TS 103 280 ``QualifiedMicrosecondDateTime`` (always six
fraction digits, :func:`microsecond_time`); object times are ``QualifiedDateTime`` (whole
seconds, :func:`qualified_time`). Both are written in UTC with ``Z``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hanoi.errors import FieldProblem, InvalidInput

ETSI_VERSION = "V1.23.1"
PROFILE_OWNER = "UN"
PROFILE_VERSION = "v1"

NS_CORE = "http://uri.etsi.org/03120/common/2019/10/Core"
NAMESPACES: dict[str, str] = {
    "@xmlns": NS_CORE,
    "@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "@xmlns:common": "http://uri.etsi.org/03120/common/2016/02/Common",
    "@xmlns:task": "http://uri.etsi.org/03120/common/2020/09/Task",
    "@xmlns:auth": "http://uri.etsi.org/03120/common/2020/09/Authorisation",
    "@xmlns:doc": "http://uri.etsi.org/03120/common/2020/09/Document",
}

XSI_AUTHORISATION = "{http://uri.etsi.org/03120/common/2020/09/Authorisation}AuthorisationObject"
XSI_DOCUMENT = "{http://uri.etsi.org/03120/common/2020/09/Document}DocumentObject"
XSI_LP_TASK = "{http://uri.etsi.org/03120/common/2020/09/Task}LPTaskObject"
XSI_LD_TASK = "{http://uri.etsi.org/03120/common/2020/09/Task}LDTaskObject"

_COUNTRY = re.compile(r"[A-Z]{2}")
MAX_IDENTIFIER = 255


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A HI-1 ``EndpointID``: an ISO 3166 country code and an identifier unique in it (the
    node's authority, or the service provider)."""

    country: str
    identifier: str

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.country, str) or not _COUNTRY.fullmatch(self.country):
            problems.append(FieldProblem("country", "two capital letters (ISO 3166-1 alpha-2)"))
        if (
            not isinstance(self.identifier, str)
            or not self.identifier.strip()
            or len(self.identifier) > MAX_IDENTIFIER
        ):
            problems.append(
                FieldProblem("identifier", f"a non-empty text of at most {MAX_IDENTIFIER} chars")
            )
        if problems:
            raise InvalidInput("not a HI-1 endpoint", fields=tuple(problems))

    def to_json(self) -> dict[str, str]:
        return {"CountryCode": self.country, "UniqueIdentifier": self.identifier}


@dataclass(frozen=True, slots=True)
class MessageHeader:
    """A message's header as read (:mod:`~hanoi.providers.hi1.answers`)."""

    sender: Endpoint
    receiver: Endpoint
    transaction_id: str
    timestamp: str
    etsi_version: str
    profile_owner: str
    profile_version: str


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput("a HI-1 time is written with its time zone (timezone-aware)")
    return moment.astimezone(UTC)


def microsecond_time(moment: datetime) -> str:
    """``moment`` as a ``QualifiedMicrosecondDateTime``: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def qualified_time(moment: datetime) -> str:
    """``moment`` as a ``QualifiedDateTime`` in whole seconds: ``YYYY-MM-DDTHH:MM:SSZ``."""
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def header_json(
    *, sender: Endpoint, receiver: Endpoint, transaction_id: str, timestamp: datetime
) -> dict[str, Any]:
    """The ``Header`` of a message of this profile."""
    return {
        "SenderIdentifier": sender.to_json(),
        "ReceiverIdentifier": receiver.to_json(),
        "TransactionIdentifier": transaction_id,
        "Timestamp": microsecond_time(timestamp),
        "Version": {
            "ETSIVersion": ETSI_VERSION,
            "NationalProfileOwner": PROFILE_OWNER,
            "NationalProfileVersion": PROFILE_VERSION,
        },
    }


def dictionary_entry(owner: str, name: str, value: str) -> dict[str, str]:
    """A ``common:DictionaryEntry`` (TS 103 120 clause 6: owner, dictionary name, value)."""
    return {"common:Owner": owner, "common:Name": name, "common:Value": value}


def request_message(header: dict[str, Any], actions: list[dict[str, Any]]) -> dict[str, Any]:
    """A whole request message: namespaces, header, and ``actions`` numbered from 0."""
    numbered = [{"ActionIdentifier": index, **action} for index, action in enumerate(actions)]
    return {
        **NAMESPACES,
        "Header": header,
        "Payload": {"RequestPayload": {"ActionRequests": {"ActionRequest": numbered}}},
    }
