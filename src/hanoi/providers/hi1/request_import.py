r"""Reading a cooperation request from an HI-1 message (the other way of
:mod:`~hanoi.providers.hi1.request_messages`).

:func:`hi1_to_request` checks the message against ETSI's schemas, then reads the one
``AuthorisationObject`` and its tasks back into an :class:`ImportedRequest`. An unknown
dictionary value (the kind in ``UN``/``AuthorisationLegalType``, ETSI's
``AuthorisationPriority`` and ``RequestType``), an article not of the kind, a task that does
not go with the kind, an identifier format the mapping does not know, or a country the UN
does not name is a :class:`~hanoi.providers.hi1.errors.MessageInvalid` naming its path.
``DocumentObject``\ s (a warrant a domestic system attaches) are passed over. Pure.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hanoi.convention.loading import default_catalogue
from hanoi.errors import FieldProblem, NotFound
from hanoi.providers.hi1.errors import MessageInvalid
from hanoi.providers.hi1.messages import (
    PROFILE_OWNER,
    XSI_AUTHORISATION,
    XSI_DOCUMENT,
    XSI_LD_TASK,
    XSI_LP_TASK,
)
from hanoi.providers.hi1.orders import APPROVAL_TYPE
from hanoi.providers.hi1.request_messages import (
    TYPE_CATEGORIES,
    ExchangedRequest,
    ImportedRequest,
    identifier_text,
    state_of,
)
from hanoi.providers.hi1.schemas import validate_message
from hanoi.providers.hi1.vocabulary import (
    DISCLOSURE_KINDS,
    ETSI_OWNER,
    LEGAL_TYPE,
    PRESERVATION_KINDS,
    known_value,
)

ARTICLE = re.compile(r"Request under Article ([1-9][0-9]?) ")


def _invalid(path: str, message: str) -> MessageInvalid:
    return MessageInvalid(f"{path}: {message}", fields=(FieldProblem(path, message),))


def _entry(value: Any, path: str, owner: str, name: str) -> str:
    """A dictionary entry's value, if it is of dictionary ``owner``/``name`` and known."""
    if value.get("common:Owner") != owner or value.get("common:Name") != name:
        raise _invalid(path, f"a value of the dictionary {owner}/{name}")
    entry = str(value.get("common:Value"))
    if not known_value(owner, name, entry):
        raise _invalid(path, f"{entry!r} is not a value of the dictionary {owner}/{name}")
    return entry


def _objects(document: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    payload = document["Payload"]
    if "RequestPayload" not in payload:
        raise _invalid("Payload", "a request message (RequestPayload)")
    actions = payload["RequestPayload"].get("ActionRequests", {}).get("ActionRequest", [])
    found = []
    for index, action in enumerate(actions):
        path = f"ActionRequest/{index}"
        if "CREATE" not in action:
            raise _invalid(path, "a request is imported from CREATE actions only")
        found.append((path, action["CREATE"]["HI1Object"]))
    return found


def _urgency(authorisation: Mapping[str, Any], approval: Mapping[str, Any]) -> str:
    priority = authorisation.get("auth:AuthorisationPriority")
    level = "routine"
    if priority is not None:
        path = "AuthorisationObject/auth:AuthorisationPriority"
        if _entry(priority, path, ETSI_OWNER, "AuthorisationPriority") == "High":
            level = "urgent"
    return "emergency" if approval.get("common:ApprovalIsEmergency") is True else level


def _authorisation(objects: list[tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, Any]]:
    found = [(p, o) for p, o in objects if o.get("@xsi:type") == XSI_AUTHORISATION]
    if len(found) != 1:
        raise _invalid("Payload", "one AuthorisationObject, the request")
    return found[0]


def _approval(path: str, authorisation: Mapping[str, Any]) -> dict[str, Any]:
    for approval in authorisation.get("auth:AuthorisationApprovalDetails", []):
        if approval.get("common:ApprovalType") == APPROVAL_TYPE:
            return dict(approval)
    raise _invalid(
        path, f"an approval of type {APPROVAL_TYPE} names the request under the Convention"
    )


def _tasks(
    objects: list[tuple[str, dict[str, Any]]], kind_key: str, authorisation_id: str
) -> tuple[list[Mapping[str, Any]], list[str], list[str]]:
    """The tasks (of the type the kind has, each associated with the authorisation), the
    data categories their request types name and their identifiers, in order, once each."""
    expected = XSI_LP_TASK if kind_key in PRESERVATION_KINDS else XSI_LD_TASK
    if kind_key not in (*PRESERVATION_KINDS, *DISCLOSURE_KINDS):
        expected = ""
    tasks: list[Mapping[str, Any]] = []
    categories: list[str] = []
    identifiers: list[str] = []
    for path, obj in objects:
        xsi = obj.get("@xsi:type")
        if xsi in (XSI_AUTHORISATION, XSI_DOCUMENT):
            continue
        if xsi != expected:
            name = str(xsi).rsplit("}", 1)[-1]
            raise _invalid(path, f"no {name} goes with a request of kind {kind_key}")
        if obj.get("AssociatedObjects", {}).get("AssociatedObject") != [authorisation_id]:
            raise _invalid(path, "a task is associated with the request's authorisation")
        details = obj.get("task:RequestDetails", {})
        if "task:Type" in details:
            request_type = _entry(
                details["task:Type"], f"{path}/task:Type", ETSI_OWNER, "RequestType"
            )
            categories += [c for c in TYPE_CATEGORIES.get(request_type, ()) if c not in categories]
        for value in details.get("task:RequestValues", {}).get("task:RequestValue", []):
            format_type = value["task:FormatType"]
            text = identifier_text(
                format_type["task:FormatName"],
                value["task:Value"],
                owner=format_type["task:FormatOwner"],
            )
            if text not in identifiers:
                identifiers.append(text)
        tasks.append(obj)
    return tasks, categories, identifiers


def _day(text: str, path: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _invalid(path, f"{text!r} is not a time") from None
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment


def _window(
    authorisation: Mapping[str, Any], tasks: list[Mapping[str, Any]]
) -> tuple[date | None, date | None]:
    """The authorisation's timespan, else the first task's time window, as days."""
    span = authorisation.get("auth:AuthorisationTimespan")
    if span:
        start, end = span.get("auth:StartTime"), span.get("auth:EndTime")
    else:
        details = tasks[0].get("task:RequestDetails", {}) if tasks else {}
        start, end = details.get("task:StartTime"), details.get("task:EndTime")
    first = _day(start, "StartTime").date() if start else None
    last = (_day(end, "EndTime") - timedelta(microseconds=1)).date() if end else None
    return first, last


def hi1_to_request(document: Mapping[str, Any]) -> ImportedRequest:
    """The request a HI-1 message written as :func:`request_to_hi1` writes carries; the
    message is checked against ETSI's schemas first."""
    validate_message(document)
    header = document["Header"]
    sender, receiver = header["SenderIdentifier"], header["ReceiverIdentifier"]
    objects = _objects(document)
    auth_path, authorisation = _authorisation(objects)
    legal_type = authorisation.get("auth:AuthorisationLegalType")
    if legal_type is None:
        raise _invalid(auth_path, "auth:AuthorisationLegalType names the request's kind")
    kind_key = _entry(
        legal_type, f"{auth_path}/auth:AuthorisationLegalType", PROFILE_OWNER, LEGAL_TYPE
    )
    try:
        kind = default_catalogue().kind(kind_key)
    except NotFound:
        raise _invalid(
            auth_path, f"{kind_key!r} is not a kind of the Convention catalogue"
        ) from None
    approval = _approval(auth_path, authorisation)
    matched = ARTICLE.match(str(approval.get("common:ApprovalDescription", "")))
    article = int(matched.group(1)) if matched else kind.articles[0]
    if article not in kind.articles:
        raise _invalid(auth_path, f"Article {article} is not an article of the kind {kind_key}")
    tasks, categories, identifiers = _tasks(objects, kind_key, authorisation["ObjectIdentifier"])
    start, end = _window(authorisation, tasks)
    urgency = _urgency(authorisation, approval)
    reasons = authorisation.get("auth:AuthorisationManualInformation") or (
        None if urgency == "routine" else f"HI-1 AuthorisationPriority High ({urgency})"
    )
    request = ExchangedRequest(
        reference=str(
            authorisation.get("auth:AuthorisationReference")
            or approval.get("common:ApprovalReference")
            or header["TransactionIdentifier"]
        ),
        kind=kind_key,
        article=article,
        requesting_state=state_of(sender["CountryCode"]),
        requesting_authority=sender["UniqueIdentifier"],
        requested_state=state_of(receiver["CountryCode"]),
        requested_authority=receiver["UniqueIdentifier"],
        urgency=urgency,
        urgency_reasons=reasons if urgency != "routine" else None,
        data_categories=tuple(categories) if kind.item("data-categories") else (),
        identifiers=tuple(identifiers),
        window_start=start,
        window_end=end,
    )
    return ImportedRequest(transaction_id=_transaction(header), request=request)


def _transaction(header: Mapping[str, Any]) -> str:
    """The ``TransactionIdentifier``: a lower-case UUID (the schema's pattern; checked again
    here because the request's id is made from it)."""
    try:
        return str(uuid.UUID(str(header["TransactionIdentifier"])))
    except ValueError:
        raise _invalid("Header/TransactionIdentifier", "a UUID") from None
