"""Orders to a service provider, and requests for their status: HI-1 request messages.

:func:`build_order` turns an :class:`OrderSpec` into one message with three CREATE actions,
laid out as ETSI's examples lay them out (``request3.json``, ``request4.json``,
``request8_LPTaskObject.json``, ``request4-Preservation-Link.json``):

0. a ``DocumentObject``: the signed domestic order itself, inline (base64) with its media
   type and SHA-256 checksum, of ETSI ``DocumentType`` ``Warrant``;
1. an ``AuthorisationObject``, associated with the document: the domestic order reference
   (``auth:AuthorisationReference``), the Convention request kind
   (``auth:AuthorisationLegalType``, dictionary ``UN``/``AuthorisationLegalType``), the
   domestic legal basis (``auth:AuthorisationManualInformation``), the foreign request's
   reference and article (``auth:AuthorisationApprovalDetails``), the provider addressed
   (``auth:AuthorisationLegalEntity``) and the creation time;
2. the task, associated with the authorisation: an ``LPTaskObject`` for preservation
   (desired status ``Preserved`` until ``deadline``) or an ``LDTaskObject`` for disclosure
   (reference ``CC-OWNER-ORDER``, delivery back to the sender's endpoint, deadline
   ``UN``/``NatureOfDeadline``/``ResponseDue``). Both carry ETSI's ``RequestType``, the time
   window and the identifiers.

:func:`build_status_request` asks for objects by identifier (GET) and, optionally, lists
objects of given types (LIST).

Every message built here is checked against ETSI's schemas before it is returned (a
builder bug surfaces as :class:`~hanoi.providers.hi1.errors.MessageInvalid`, never as a
message a provider refuses). Pure: the time and the identifiers are passed in, or drawn
from ``new_id`` (``uuid.uuid4`` by default).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from hanoi.convention.loading import default_catalogue
from hanoi.errors import FieldProblem, InvalidInput
from hanoi.providers.hi1.errors import MessageTooLarge
from hanoi.providers.hi1.jsontext import MAX_MESSAGE_BYTES
from hanoi.providers.hi1.messages import (
    MAX_IDENTIFIER,
    PROFILE_OWNER,
    XSI_AUTHORISATION,
    XSI_DOCUMENT,
    XSI_LD_TASK,
    XSI_LP_TASK,
    Endpoint,
    dictionary_entry,
    header_json,
    qualified_time,
    request_message,
)
from hanoi.providers.hi1.schemas import validate_message
from hanoi.providers.hi1.vocabulary import (
    DEADLINE_RESPONSE_DUE,
    DISCLOSURE_KINDS,
    ETSI_OWNER,
    LEGAL_TYPE,
    NATURE_OF_DEADLINE,
    PRESERVATION_KINDS,
    etsi_dictionaries,
)

APPROVAL_TYPE = "UNCC-Request"
"""``common:ApprovalType`` of the approval that carries the foreign request's reference."""
CHECKSUM_TYPE = "SHA256"
MAX_TEXT = 65_535
MAX_IDENTIFIERS = 100
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")


class OrderKind(StrEnum):
    PRESERVATION = "preservation"
    """Preserve stored data (Arts. 42-43): an ``LPTaskObject``."""
    DISCLOSURE = "disclosure"
    """Disclose data (Arts. 43-45, 47): an ``LDTaskObject``."""


KINDS_OF_ORDER: dict[OrderKind, tuple[str, ...]] = {
    OrderKind.PRESERVATION: PRESERVATION_KINDS,
    OrderKind.DISCLOSURE: DISCLOSURE_KINDS,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderSpec:
    """What the requested State orders one provider to do, and the order that says so."""

    kind: OrderKind
    sender: Endpoint
    """The node's authority that issues the order."""
    receiver: Endpoint
    """The provider's HI-1 endpoint."""
    provider_name: str
    request_kind: str
    """The Convention request kind executed (``expedited-preservation``, ``mla-stored-data``...)."""
    article: int
    """The Convention article the foreign request relies on (one of the kind's articles)."""
    request_type: str
    """ETSI ``RequestType``: ``SubscriberData``, ``TrafficData``, ``StoredContentData``..."""
    identifiers: tuple[tuple[str, str], ...]
    """(ETSI format name, value): ``("InternationalE164", "442079460223")``,
    ``("EmailAddress", "someone@example.org")``..."""
    window_start: datetime | None
    window_end: datetime | None
    deadline: datetime
    """Preservation: until when (``DesiredPreservationExpiration``). Disclosure: by when."""
    foreign_reference: str
    domestic_reference: str
    legal_basis: str
    order_document: bytes = field(repr=False)
    order_media_type: str
    order_name: str = "order"
    preservation_reference: str | None = None
    """Disclosure of data preserved earlier: the preservation order's reference."""

    def problems(self) -> list[FieldProblem]:
        """What is wrong with the spec, field by field (empty when nothing is)."""
        found: list[FieldProblem] = []
        if self.request_kind not in KINDS_OF_ORDER.get(self.kind, ()):
            allowed = ", ".join(KINDS_OF_ORDER.get(self.kind, ()))
            found.append(FieldProblem("request_kind", f"for a {self.kind} order: one of {allowed}"))
        elif self.article not in _articles(self.request_kind):
            found.append(FieldProblem("article", f"not an article of the kind {self.request_kind}"))
        if self.request_type not in etsi_dictionaries()["RequestType"]:
            found.append(FieldProblem("request_type", "not a value of ETSI's RequestType"))
        if not 1 <= len(self.identifiers) <= MAX_IDENTIFIERS:
            found.append(FieldProblem("identifiers", f"between 1 and {MAX_IDENTIFIERS}"))
        for index, (format_name, value) in enumerate(self.identifiers):
            if not format_name or len(format_name) > MAX_IDENTIFIER or not value.strip():
                found.append(FieldProblem(f"identifiers/{index}", "a format name and a value"))
            elif len(value) > MAX_TEXT:
                found.append(FieldProblem(f"identifiers/{index}", "the value is too long"))
        if self.window_start and self.window_end and self.window_start > self.window_end:
            found.append(FieldProblem("window_end", "before window_start"))
        texts = {
            "provider_name": (self.provider_name, MAX_IDENTIFIER),
            "foreign_reference": (self.foreign_reference, MAX_TEXT),
            "domestic_reference": (self.domestic_reference, MAX_TEXT),
            "legal_basis": (self.legal_basis, MAX_TEXT),
            "order_name": (self.order_name, MAX_TEXT),
        }
        for name, (text, limit) in texts.items():
            if not text.strip() or len(text) > limit:
                found.append(FieldProblem(name, f"a non-empty text of at most {limit} characters"))
        if not self.order_document:
            found.append(FieldProblem("order_document", "the signed order is required"))
        if not MEDIA_TYPE.fullmatch(self.order_media_type):
            found.append(FieldProblem("order_media_type", "a media type such as application/pdf"))
        return found


def _articles(request_kind: str) -> tuple[int, ...]:
    return default_catalogue().kind(request_kind).articles


@dataclass(frozen=True, slots=True)
class BuiltOrder:
    """A built order message and the identifiers a node keeps to follow it."""

    message: dict[str, Any]
    transaction_id: str
    document_id: str
    authorisation_id: str
    task_id: str
    task_reference: str | None
    """The ``LDID`` of a disclosure task (deliveries refer to it); ``None`` for preservation."""


@dataclass(frozen=True, slots=True)
class StatusQuery:
    """A built status request: its message and transaction identifier."""

    message: dict[str, Any]
    transaction_id: str


def _create(obj: dict[str, Any]) -> dict[str, Any]:
    return {"CREATE": {"HI1Object": obj}}


def _owned(xsi_type: str, object_id: str, sender: Endpoint) -> dict[str, Any]:
    return {
        "@xsi:type": xsi_type,
        "ObjectIdentifier": object_id,
        "CountryCode": sender.country,
        "OwnerIdentifier": sender.identifier,
    }


def _document(spec: OrderSpec, document_id: str) -> dict[str, Any]:
    return {
        **_owned(XSI_DOCUMENT, document_id, spec.sender),
        "doc:DocumentReference": spec.domestic_reference,
        "doc:DocumentName": spec.order_name,
        "doc:DocumentType": dictionary_entry(ETSI_OWNER, "DocumentType", "Warrant"),
        "doc:DocumentBody": {
            "doc:Contents": base64.b64encode(spec.order_document).decode("ascii"),
            "doc:ContentType": spec.order_media_type,
            "doc:Checksum": hashlib.sha256(spec.order_document).hexdigest(),
            "doc:ChecksumType": CHECKSUM_TYPE,
        },
    }


def _authorisation(
    spec: OrderSpec, authorisation_id: str, document_id: str, created: datetime
) -> dict[str, Any]:
    return {
        **_owned(XSI_AUTHORISATION, authorisation_id, spec.sender),
        "AssociatedObjects": {"AssociatedObject": [document_id]},
        "auth:AuthorisationReference": spec.domestic_reference,
        "auth:AuthorisationLegalType": dictionary_entry(
            PROFILE_OWNER, LEGAL_TYPE, spec.request_kind
        ),
        "auth:AuthorisationCreationTimestamp": qualified_time(created),
        "auth:AuthorisationApprovalDetails": [
            {
                "common:ApprovalType": APPROVAL_TYPE,
                "common:ApprovalReference": spec.foreign_reference,
                "common:ApprovalDescription": (
                    f"Request under Article {spec.article} of the United Nations Convention "
                    "against Cybercrime"
                ),
            }
        ],
        "auth:AuthorisationManualInformation": spec.legal_basis,
        "auth:AuthorisationLegalEntity": spec.provider_name,
    }


def _request_details(spec: OrderSpec) -> dict[str, Any]:
    details: dict[str, Any] = {
        "task:Type": dictionary_entry(ETSI_OWNER, "RequestType", spec.request_type)
    }
    if spec.window_start is not None:
        details["task:StartTime"] = qualified_time(spec.window_start)
    if spec.window_end is not None:
        details["task:EndTime"] = qualified_time(spec.window_end)
    details["task:RequestValues"] = {
        "task:RequestValue": [
            {
                "task:FormatType": {"task:FormatOwner": ETSI_OWNER, "task:FormatName": name},
                "task:Value": value,
            }
            for name, value in spec.identifiers
        ]
    }
    return details


def _task(
    spec: OrderSpec, task_id: str, authorisation_id: str
) -> tuple[dict[str, Any], str | None]:
    common = {
        "AssociatedObjects": {"AssociatedObject": [authorisation_id]},
    }
    if spec.kind is OrderKind.PRESERVATION:
        return {
            **_owned(XSI_LP_TASK, task_id, spec.sender),
            **common,
            "task:DesiredStatus": dictionary_entry(ETSI_OWNER, "LPTaskDesiredStatus", "Preserved"),
            "task:RequestDetails": _request_details(spec),
            "task:DesiredPreservationExpiration": qualified_time(spec.deadline),
            "task:CSPID": spec.receiver.to_json(),
        }, None
    reference = f"{spec.sender.country}-{spec.sender.identifier}-{spec.domestic_reference}"
    task: dict[str, Any] = {
        **_owned(XSI_LD_TASK, task_id, spec.sender),
        **common,
        "task:Reference": reference,
        "task:RequestDetails": _request_details(spec),
        "task:DeliveryDetails": {
            "task:LDDeliveryDestination": [
                {"task:DeliveryAddress": {"task:EndpointID": spec.sender.to_json()}}
            ]
        },
        "task:CSPID": spec.receiver.to_json(),
        "task:Deadlines": {
            "task:LDDeadline": [
                {
                    "task:DateTime": qualified_time(spec.deadline),
                    "task:NatureOfDeadline": dictionary_entry(
                        PROFILE_OWNER, NATURE_OF_DEADLINE, DEADLINE_RESPONSE_DUE
                    ),
                }
            ]
        },
    }
    if spec.preservation_reference is not None:
        task["task:AlternativePreservationReferences"] = {
            "task:AlternativePreservationReference": [
                {
                    "task:ReferenceValue": spec.preservation_reference,
                    "task:NatureOfReference": "Preservation order of the requested State",
                }
            ]
        }
    return task, reference


def _checked(message: dict[str, Any]) -> dict[str, Any]:
    size = len(json.dumps(message, ensure_ascii=False).encode("utf-8"))
    if size > MAX_MESSAGE_BYTES:
        raise MessageTooLarge(
            f"the message would have {size} bytes, more than {MAX_MESSAGE_BYTES}: "
            "send a smaller order document"
        )
    validate_message(message)
    return message


def build_order(
    spec: OrderSpec,
    *,
    timestamp: datetime,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> BuiltOrder:
    """The HI-1 message that orders ``spec``'s provider, created at ``timestamp``.

    :class:`~hanoi.errors.InvalidInput` lists every problem of ``spec``;
    :class:`~hanoi.providers.hi1.errors.MessageTooLarge` when the order document makes the
    message larger than 1 MiB."""
    problems = spec.problems()
    if problems:
        raise InvalidInput("the order cannot be built", fields=tuple(problems))
    transaction_id, document_id, authorisation_id, task_id = (str(new_id()) for _ in range(4))
    task, reference = _task(spec, task_id, authorisation_id)
    header = header_json(
        sender=spec.sender,
        receiver=spec.receiver,
        transaction_id=transaction_id,
        timestamp=timestamp,
    )
    message = request_message(
        header,
        [
            _create(_document(spec, document_id)),
            _create(_authorisation(spec, authorisation_id, document_id, timestamp)),
            _create(task),
        ],
    )
    return BuiltOrder(
        message=_checked(message),
        transaction_id=transaction_id,
        document_id=document_id,
        authorisation_id=authorisation_id,
        task_id=task_id,
        task_reference=reference,
    )


OBJECT_TYPES = frozenset(
    {"Authorisation", "Document", "Notification", "LDTask", "LPTask", "Delivery"}
)
"""ETSI ``ObjectType`` values a status request may list."""


def build_status_request(
    *,
    sender: Endpoint,
    receiver: Endpoint,
    object_ids: Sequence[str],
    list_types: Sequence[str] = (),
    timestamp: datetime,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> StatusQuery:
    """A message that GETs each of ``object_ids`` (tasks, authorisations...) and LISTs the
    objects of each ETSI ``ObjectType`` in ``list_types`` (``LPTask``, ``LDTask``,
    ``Delivery``...). At least one action."""
    problems: list[FieldProblem] = []
    if not object_ids and not list_types:
        problems.append(FieldProblem("object_ids", "at least one object or one type to list"))
    for index, object_id in enumerate(object_ids):
        try:
            canonical = str(uuid.UUID(object_id))
        except (TypeError, ValueError, AttributeError):
            canonical = ""
        if canonical != object_id:
            problems.append(FieldProblem(f"object_ids/{index}", "a lower-case UUID"))
    for index, object_type in enumerate(list_types):
        if object_type not in OBJECT_TYPES:
            problems.append(
                FieldProblem(f"list_types/{index}", "an ETSI ObjectType this profile uses")
            )
    if problems:
        raise InvalidInput("the status request cannot be built", fields=tuple(problems))
    transaction_id = str(new_id())
    actions: list[dict[str, Any]] = [{"GET": {"Identifier": object_id}} for object_id in object_ids]
    actions.extend(
        {"LIST": {"ObjectType": dictionary_entry(ETSI_OWNER, "ObjectType", object_type)}}
        for object_type in list_types
    )
    header = header_json(
        sender=sender, receiver=receiver, transaction_id=transaction_id, timestamp=timestamp
    )
    return StatusQuery(
        message=_checked(request_message(header, actions)), transaction_id=transaction_id
    )


def build_config_request(
    *,
    sender: Endpoint,
    receiver: Endpoint,
    timestamp: datetime,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> StatusQuery:
    """A message with one ``GETCSPCONFIG`` action, laid out as ETSI's
    ``request_config.json``: the provider answers with its configuration (the request types
    and identifier formats it serves; read as :attr:`ActionResult.config`)."""
    transaction_id = str(new_id())
    header = header_json(
        sender=sender, receiver=receiver, transaction_id=transaction_id, timestamp=timestamp
    )
    return StatusQuery(
        message=_checked(request_message(header, [{"GETCSPCONFIG": {}}])),
        transaction_id=transaction_id,
    )
