"""A provider's answers, read into typed results: :func:`read_answer`.

A provider answers in two ways, and :func:`read_answer` reads both:

- a **response** to one of our requests (``ResponsePayload``): per action a CREATE, UPDATE,
  GET, LIST, DELIVER or GETCSPCONFIG response, or an ``ErrorInformation``; or an
  ``ErrorInformation`` for the whole message;
- a **request it pushes** to us (``RequestPayload``) with ``DELIVER`` actions (a
  ``DeliveryObject``: data, or where to fetch it) or CREATE/UPDATE of a
  ``NotificationObject``. Any other pushed request is not an answer
  (:class:`~hanoi.providers.hi1.errors.AnswerUnreadable`).

The document is first validated against ETSI's schemas
(:func:`~hanoi.providers.hi1.schemas.validate_message`), then read. Objects are read into
:class:`ObjectState` (authorisations, documents, LI/LD/LP tasks: identifier, status, reason),
:class:`Notification` or :class:`Delivery`; objects of kinds this profile does not use
(traffic policies, destinations, encryption) are kept as :class:`ObjectState` with their
kind, so that nothing is lost (wire formats keep unknown fields, DESIGN.md). Inline delivery
data is decoded from base64 here; its checksums are checked by
:func:`~hanoi.providers.hi1.deliveries.check_delivery`.

Whatever goes wrong raises a typed error; a ``KeyError`` or ``TypeError`` never escapes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hanoi.errors import HanoiError
from hanoi.providers.hi1.errors import AnswerUnreadable, problem
from hanoi.providers.hi1.messages import Endpoint, MessageHeader
from hanoi.providers.hi1.schemas import validate_message
from hanoi.providers.hi1.vocabulary import known_value
from hanoi.wire import freeze

VERBS = ("GET", "CREATE", "UPDATE", "LIST", "DELIVER", "GETCSPCONFIG")
PUSHED = ("DELIVER", "CREATE", "UPDATE")
"""Verbs a provider may use to push an answer to us (deliveries, notifications)."""


@dataclass(frozen=True, slots=True)
class DictionaryValue:
    owner: str
    name: str
    value: str

    @property
    def known(self) -> bool:
        """Whether the value is in ETSI's dictionary of that name (owner ``ETSI``) or the
        profile's (owner ``UN``). ETSI's own ``response3.json`` reports an
        ``AuthorisationStatus`` of ``Active``, which its dictionary does not list: a reader
        decides what an unknown status means, the schema does not."""
        return known_value(self.owner, self.name, self.value)


@dataclass(frozen=True, slots=True)
class ErrorInformation:
    """``ErrorCode`` and ``ErrorDescription`` (TS 103 120 ``ActionUnsuccesfulInformation``)."""

    code: int
    description: str


@dataclass(frozen=True, slots=True)
class ObjectState:
    """An authorisation, document or task as the provider reports it."""

    object_id: str
    kind: str
    """The ``@xsi:type`` local name: ``LPTaskObject``, ``LDTaskObject``,
    ``AuthorisationObject``..."""
    status: DictionaryValue | None
    """``task:Status`` (``LPTaskStatus`` ``Preserved``..., ``LDTaskStatus`` ``Disclosed``...),
    ``auth:AuthorisationStatus`` or ``doc:DocumentStatus``."""
    reason: ErrorInformation | None
    """``task:StatusReason``, ``task:InvalidReason``, ``auth:AuthorisationInvalidReason``..."""
    reference: str | None
    """``task:Reference`` (LDID, LIID), ``auth:AuthorisationReference`` or
    ``doc:DocumentReference``."""
    associated: tuple[str, ...]
    generation: int | None
    last_changed: str | None
    preservation_expiration: str | None
    """``task:PreservationExpiration`` of an ``LPTaskObject``."""
    raw: Mapping[str, Any]
    """The object as received (read-only)."""


@dataclass(frozen=True, slots=True)
class AssociatedStatus:
    object_id: str
    status: DictionaryValue
    details: str | None


@dataclass(frozen=True, slots=True)
class Notification:
    object_id: str
    type: DictionaryValue | None
    details: str | None
    timestamp: str | None
    new: bool | None
    associated: tuple[str, ...]
    statuses: tuple[AssociatedStatus, ...]


@dataclass(frozen=True, slots=True)
class ChecksumValue:
    type: str | None
    """``ChecksumType`` as written (``SHA256``, ``sha-256``...); ``None`` when absent."""
    value: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """One ``DeliveryObject``: part ``sequence_number`` of the data for a task."""

    object_id: str
    task_reference: str | None
    """``delivery:Reference``: the LDID (or LIID) of the task the data answers."""
    associated: tuple[str, ...]
    delivery_id: str | None
    sequence_number: int | None
    last_sequence: bool | None
    data: bytes | None
    """Inline binary data, decoded."""
    json_data: Any
    """Inline JSON data (read-only), or ``None``."""
    url: str | None
    url_expiry: str | None
    content_type: str | None
    content_length: int | None
    original_filename: str | None
    checksums: tuple[ChecksumValue, ...]
    data_exists: bool | None
    """``delivery:DataExistence``: the answer to an "is there data?" task."""
    status: DictionaryValue | None
    manifest: Mapping[str, Any] | None


HI1Object = ObjectState | Notification | Delivery


@dataclass(frozen=True, slots=True)
class ListRecord:
    object_type: DictionaryValue
    object_id: str
    generation: int
    last_changed: str | None


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What one action of the message says."""

    action_id: int
    verb: str
    """``CREATE``, ``GET``, ``UPDATE``, ``LIST``, ``DELIVER``, ``GETCSPCONFIG``."""
    identifier: str | None
    object: HI1Object | None
    error: ErrorInformation | None
    records: tuple[ListRecord, ...] = ()
    config: Mapping[str, Any] | None = None
    """A ``GETCSPCONFIGResponse`` as received (read-only)."""


@dataclass(frozen=True, slots=True)
class Answer:
    header: MessageHeader
    pushed: bool
    """True when the provider pushed a request (deliveries, notifications) rather than
    responded to ours."""
    results: tuple[ActionResult, ...]
    error: ErrorInformation | None
    """An ``ErrorInformation`` for the whole message (the provider refused all of it)."""

    @property
    def objects(self) -> tuple[ObjectState, ...]:
        return tuple(r.object for r in self.results if isinstance(r.object, ObjectState))

    @property
    def notifications(self) -> tuple[Notification, ...]:
        return tuple(r.object for r in self.results if isinstance(r.object, Notification))

    @property
    def deliveries(self) -> tuple[Delivery, ...]:
        return tuple(r.object for r in self.results if isinstance(r.object, Delivery))

    @property
    def errors(self) -> tuple[ErrorInformation, ...]:
        found = [r.error for r in self.results if r.error is not None]
        return (self.error, *found) if self.error is not None else tuple(found)


class _Reader:
    """Typed access to a validated document; any surprise is :class:`AnswerUnreadable`."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, path: str, message: str) -> AnswerUnreadable:
        return AnswerUnreadable(
            f"the answer cannot be read: {path}: {message}", fields=(problem(path, message),)
        )

    def obj(self, value: object, path: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path, "an object was expected")
        return value

    def text(self, value: object, path: str) -> str:
        if not isinstance(value, str):
            raise self.fail(path, "a string was expected")
        return value

    def opt_text(self, holder: Mapping[str, Any], key: str, path: str) -> str | None:
        value = holder.get(key)
        return None if value is None else self.text(value, f"{path}/{key}")

    def integer(self, value: object, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, "an integer was expected")
        return value

    def opt_int(self, holder: Mapping[str, Any], key: str, path: str) -> int | None:
        value = holder.get(key)
        return None if value is None else self.integer(value, f"{path}/{key}")

    def opt_bool(self, holder: Mapping[str, Any], key: str, path: str) -> bool | None:
        value = holder.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise self.fail(f"{path}/{key}", "true or false was expected")
        return value

    def items(self, value: object, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, "an array was expected")
        return value

    def entry(self, holder: Mapping[str, Any], key: str, path: str) -> DictionaryValue | None:
        value = holder.get(key)
        if value is None:
            return None
        entry = self.obj(value, f"{path}/{key}")
        return DictionaryValue(
            self.text(entry.get("common:Owner"), f"{path}/{key}/common:Owner"),
            self.text(entry.get("common:Name"), f"{path}/{key}/common:Name"),
            self.text(entry.get("common:Value"), f"{path}/{key}/common:Value"),
        )

    def error(self, value: object, path: str) -> ErrorInformation:
        info = self.obj(value, path)
        return ErrorInformation(
            self.integer(info.get("ErrorCode"), f"{path}/ErrorCode"),
            self.text(info.get("ErrorDescription"), f"{path}/ErrorDescription"),
        )

    def opt_error(self, holder: Mapping[str, Any], key: str, path: str) -> ErrorInformation | None:
        value = holder.get(key)
        return None if value is None else self.error(value, f"{path}/{key}")

    def associated(self, holder: Mapping[str, Any], path: str) -> tuple[str, ...]:
        value = holder.get("AssociatedObjects")
        if value is None:
            return ()
        listed = self.obj(value, f"{path}/AssociatedObjects").get("AssociatedObject", [])
        items = self.items(listed, f"{path}/AssociatedObjects/AssociatedObject")
        return tuple(
            self.text(item, f"{path}/AssociatedObjects/AssociatedObject/{index}")
            for index, item in enumerate(items)
        )


_STATUS_KEYS = ("task:Status", "auth:AuthorisationStatus", "doc:DocumentStatus")
_REASON_KEYS = (
    "task:StatusReason",
    "task:InvalidReason",
    "auth:AuthorisationInvalidReason",
    "doc:DocumentInvalidReason",
)
_REFERENCE_KEYS = ("task:Reference", "auth:AuthorisationReference", "doc:DocumentReference")


def _kind(reader: _Reader, obj: Mapping[str, Any], path: str) -> str:
    xsi_type = reader.text(obj.get("@xsi:type"), f"{path}/@xsi:type")
    namespace_end = xsi_type.rfind("}")
    if not xsi_type.startswith("{") or namespace_end < 0:
        raise reader.fail(f"{path}/@xsi:type", "not a {namespace}Name type")
    return xsi_type[namespace_end + 1 :]


def _first(reader: _Reader, obj: Mapping[str, Any], keys: tuple[str, ...], path: str) -> Any:
    present = [key for key in keys if key in obj]
    return present[0] if present else None


def _object_state(reader: _Reader, obj: Mapping[str, Any], kind: str, path: str) -> ObjectState:
    status_key = _first(reader, obj, _STATUS_KEYS, path)
    reason_key = _first(reader, obj, _REASON_KEYS, path)
    reference_key = _first(reader, obj, _REFERENCE_KEYS, path)
    return ObjectState(
        object_id=reader.text(obj.get("ObjectIdentifier"), f"{path}/ObjectIdentifier"),
        kind=kind,
        status=reader.entry(obj, status_key, path) if status_key else None,
        reason=reader.opt_error(obj, reason_key, path) if reason_key else None,
        reference=reader.opt_text(obj, reference_key, path) if reference_key else None,
        associated=reader.associated(obj, path),
        generation=reader.opt_int(obj, "Generation", path),
        last_changed=reader.opt_text(obj, "LastChanged", path),
        preservation_expiration=reader.opt_text(obj, "task:PreservationExpiration", path),
        raw=freeze(obj),
    )


def _notification(reader: _Reader, obj: Mapping[str, Any], path: str) -> Notification:
    statuses: list[AssociatedStatus] = []
    listed = obj.get("notification:StatusOfAssociatedObjects")
    if listed is not None:
        list_path = f"{path}/notification:StatusOfAssociatedObjects"
        key = "notification:AssociatedObjectStatus"
        for index, item in enumerate(
            reader.items(reader.obj(listed, list_path).get(key, []), f"{list_path}/{key}")
        ):
            item_path = f"{list_path}/{key}/{index}"
            entry = reader.obj(item, item_path)
            status = reader.entry(entry, "notification:Status", item_path)
            if status is None:
                raise reader.fail(f"{item_path}/notification:Status", "the status is missing")
            statuses.append(
                AssociatedStatus(
                    reader.text(
                        entry.get("notification:AssociatedObject"),
                        f"{item_path}/notification:AssociatedObject",
                    ),
                    status,
                    reader.opt_text(entry, "notification:Details", item_path),
                )
            )
    return Notification(
        object_id=reader.text(obj.get("ObjectIdentifier"), f"{path}/ObjectIdentifier"),
        type=reader.entry(obj, "notification:NotificationType", path),
        details=reader.opt_text(obj, "notification:NotificationDetails", path),
        timestamp=reader.opt_text(obj, "notification:NotificationTimestamp", path),
        new=reader.opt_bool(obj, "notification:NewNotification", path),
        associated=reader.associated(obj, path),
        statuses=tuple(statuses),
    )


def _checksums(reader: _Reader, holder: Mapping[str, Any], path: str) -> tuple[ChecksumValue, ...]:
    found: list[ChecksumValue] = []
    if "delivery:Checksum" in holder:
        found.append(
            ChecksumValue(
                reader.opt_text(holder, "delivery:ChecksumType", path),
                reader.text(holder["delivery:Checksum"], f"{path}/delivery:Checksum"),
            )
        )
    listed = holder.get("delivery:Checksums")
    if listed is not None:
        list_path = f"{path}/delivery:Checksums"
        key = "common:ChecksumAndType"
        items = reader.items(reader.obj(listed, list_path).get(key, []), f"{list_path}/{key}")
        for index, item in enumerate(items):
            entry = reader.obj(item, f"{list_path}/{key}/{index}")
            found.append(
                ChecksumValue(
                    reader.text(entry.get("common:ChecksumType"), f"{list_path}/{key}/{index}"),
                    reader.text(entry.get("common:Checksum"), f"{list_path}/{key}/{index}"),
                )
            )
    return tuple(found)


def _decode(reader: _Reader, text: str, path: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise reader.fail(path, "not valid base64") from None


def _delivery(reader: _Reader, obj: Mapping[str, Any], path: str) -> Delivery:
    reference = None
    if "delivery:Reference" in obj:
        ref = reader.obj(obj["delivery:Reference"], f"{path}/delivery:Reference")
        reference = reader.opt_text(ref, "delivery:LDID", path) or reader.opt_text(
            ref, "delivery:LIID", path
        )
    fields: dict[str, Any] = {
        "data": None,
        "json_data": None,
        "url": None,
        "url_expiry": None,
        "content_type": None,
        "content_length": None,
        "original_filename": None,
        "checksums": (),
        "data_exists": None,
    }
    if "delivery:Delivery" in obj:
        body_path = f"{path}/delivery:Delivery"
        body = reader.obj(obj["delivery:Delivery"], body_path)
        if "delivery:BinaryData" in body:
            part_path = f"{body_path}/delivery:BinaryData"
            part = reader.obj(body["delivery:BinaryData"], part_path)
            fields["data"] = _decode(
                reader,
                reader.text(part.get("delivery:Data"), part_path),
                f"{part_path}/delivery:Data",
            )
        elif "delivery:URL" in body:
            part_path = f"{body_path}/delivery:URL"
            part = reader.obj(body["delivery:URL"], part_path)
            fields["url"] = reader.text(part.get("delivery:URL"), f"{part_path}/delivery:URL")
            fields["url_expiry"] = reader.opt_text(part, "delivery:Expiry", part_path)
        elif "delivery:JSONData" in body:
            part, part_path = {}, body_path
            fields["json_data"] = freeze(body["delivery:JSONData"])
        elif "delivery:XMLData" in body:
            part, part_path = {}, body_path
            fields["json_data"] = freeze(body["delivery:XMLData"])
        else:
            part, part_path = {}, body_path
            fields["data_exists"] = reader.opt_bool(body, "delivery:DataExistence", body_path)
        fields["content_type"] = reader.opt_text(part, "delivery:ContentType", part_path)
        fields["content_length"] = reader.opt_int(part, "delivery:ContentLength", part_path)
        fields["original_filename"] = reader.opt_text(part, "delivery:OriginalFilename", part_path)
        fields["checksums"] = _checksums(reader, part, part_path)
    manifest = obj.get("delivery:Manifest")
    return Delivery(
        object_id=reader.text(obj.get("ObjectIdentifier"), f"{path}/ObjectIdentifier"),
        task_reference=reference,
        associated=reader.associated(obj, path),
        delivery_id=reader.opt_text(obj, "delivery:DeliveryID", path),
        sequence_number=reader.opt_int(obj, "delivery:SequenceNumber", path),
        last_sequence=reader.opt_bool(obj, "delivery:LastSequence", path),
        status=reader.entry(obj, "delivery:DeliveryStatus", path),
        manifest=freeze(manifest) if isinstance(manifest, Mapping) else None,
        **fields,
    )


def _hi1_object(reader: _Reader, value: object, path: str) -> HI1Object:
    obj = reader.obj(value, path)
    kind = _kind(reader, obj, path)
    if kind == "NotificationObject":
        return _notification(reader, obj, path)
    if kind == "DeliveryObject":
        return _delivery(reader, obj, path)
    return _object_state(reader, obj, kind, path)


def _endpoint(reader: _Reader, value: object, path: str) -> Endpoint:
    endpoint = reader.obj(value, path)
    try:
        return Endpoint(
            reader.text(endpoint.get("CountryCode"), f"{path}/CountryCode"),
            reader.text(endpoint.get("UniqueIdentifier"), f"{path}/UniqueIdentifier"),
        )
    except AnswerUnreadable:
        raise
    except HanoiError as exc:
        raise reader.fail(path, exc.diagnostics()) from None


def _header(reader: _Reader, value: object) -> MessageHeader:
    header = reader.obj(value, "#/Header")
    version = reader.obj(header.get("Version"), "#/Header/Version")
    return MessageHeader(
        sender=_endpoint(reader, header.get("SenderIdentifier"), "#/Header/SenderIdentifier"),
        receiver=_endpoint(reader, header.get("ReceiverIdentifier"), "#/Header/ReceiverIdentifier"),
        transaction_id=reader.text(
            header.get("TransactionIdentifier"), "#/Header/TransactionIdentifier"
        ),
        timestamp=reader.text(header.get("Timestamp"), "#/Header/Timestamp"),
        etsi_version=reader.text(version.get("ETSIVersion"), "#/Header/Version/ETSIVersion"),
        profile_owner=reader.text(
            version.get("NationalProfileOwner"), "#/Header/Version/NationalProfileOwner"
        ),
        profile_version=reader.text(
            version.get("NationalProfileVersion"), "#/Header/Version/NationalProfileVersion"
        ),
    )


def _verb(reader: _Reader, action: Mapping[str, Any], verbs: tuple[str, ...], path: str) -> str:
    present = [key for key in action if key != "ActionIdentifier"]
    if len(present) != 1:
        raise reader.fail(path, "an action has exactly one verb")
    return present[0]


def _response(reader: _Reader, action: Mapping[str, Any], path: str) -> ActionResult:
    action_id = reader.integer(action.get("ActionIdentifier"), f"{path}/ActionIdentifier")
    key = _verb(reader, action, VERBS, path)
    body_path = f"{path}/{key}"
    if key == "ErrorInformation":
        return ActionResult(action_id, "ERROR", None, None, reader.error(action[key], body_path))
    verb = key.removesuffix("Response")
    if verb not in VERBS:
        raise reader.fail(body_path, f"{key[:40]} is not a response this profile reads")
    body = reader.obj(action[key], body_path)
    if verb == "GETCSPCONFIG":
        return ActionResult(action_id, verb, None, None, None, config=freeze(body))
    if verb == "LIST":
        records = []
        for index, item in enumerate(reader.items(body.get("ListResponseRecord", []), body_path)):
            record_path = f"{body_path}/ListResponseRecord/{index}"
            record = reader.obj(item, record_path)
            object_type = reader.entry(record, "ObjectType", record_path)
            if object_type is None:
                raise reader.fail(f"{record_path}/ObjectType", "the object type is missing")
            records.append(
                ListRecord(
                    object_type,
                    reader.text(record.get("Identifier"), f"{record_path}/Identifier"),
                    reader.integer(record.get("Generation"), f"{record_path}/Generation"),
                    reader.opt_text(record, "LastChanged", record_path),
                )
            )
        return ActionResult(action_id, verb, None, None, None, records=tuple(records))
    obj = (
        _hi1_object(reader, body["HI1Object"], f"{body_path}/HI1Object")
        if "HI1Object" in body
        else None
    )
    identifier = reader.opt_text(body, "Identifier", body_path)
    if identifier is None and obj is not None:
        identifier = obj.object_id
    return ActionResult(action_id, verb, identifier, obj, None)


def _pushed(reader: _Reader, action: Mapping[str, Any], path: str) -> ActionResult:
    action_id = reader.integer(action.get("ActionIdentifier"), f"{path}/ActionIdentifier")
    verb = _verb(reader, action, PUSHED, path)
    if verb not in PUSHED:
        raise reader.fail(f"{path}/{verb[:40]}", "a request, not an answer")
    body_path = f"{path}/{verb}"
    body = reader.obj(action[verb], body_path)
    obj = _hi1_object(reader, body.get("HI1Object"), f"{body_path}/HI1Object")
    if verb == "DELIVER" and not isinstance(obj, Delivery):
        raise reader.fail(f"{body_path}/HI1Object", "DELIVER carries a DeliveryObject")
    if verb != "DELIVER" and not isinstance(obj, Notification):
        raise reader.fail(
            f"{body_path}/HI1Object", "only notifications are pushed by CREATE/UPDATE"
        )
    identifier = reader.opt_text(body, "Identifier", body_path) or obj.object_id
    return ActionResult(action_id, verb, identifier, obj, None)


def read_answer(document: object) -> Answer:
    """``document`` (a parsed JSON message) read into an :class:`Answer`, after validation.

    :class:`~hanoi.providers.hi1.errors.MessageInvalid` if ETSI's schemas refuse it,
    :class:`~hanoi.providers.hi1.errors.AnswerUnreadable` if it is not an answer."""
    validate_message(document)
    reader = _Reader("#")
    message = reader.obj(document, "#")
    header = _header(reader, message.get("Header"))
    payload = reader.obj(message.get("Payload"), "#/Payload")
    if "RequestPayload" in payload:
        requests = reader.obj(payload["RequestPayload"], "#/Payload/RequestPayload")
        actions_path = "#/Payload/RequestPayload/ActionRequests/ActionRequest"
        holder = reader.obj(
            requests.get("ActionRequests"), "#/Payload/RequestPayload/ActionRequests"
        )
        actions = reader.items(holder.get("ActionRequest", []), actions_path)
        results = tuple(
            _pushed(reader, reader.obj(action, f"{actions_path}/{i}"), f"{actions_path}/{i}")
            for i, action in enumerate(actions)
        )
        return Answer(header, True, results, None)
    response_path = "#/Payload/ResponsePayload"
    response = reader.obj(payload.get("ResponsePayload"), response_path)
    if "ErrorInformation" in response:
        error = reader.error(response["ErrorInformation"], f"{response_path}/ErrorInformation")
        return Answer(header, False, (), error)
    actions_path = f"{response_path}/ActionResponses/ActionResponse"
    holder = reader.obj(response.get("ActionResponses"), f"{response_path}/ActionResponses")
    actions = reader.items(holder.get("ActionResponse", []), actions_path)
    results = tuple(
        _response(reader, reader.obj(action, f"{actions_path}/{i}"), f"{actions_path}/{i}")
        for i, action in enumerate(actions)
    )
    return Answer(header, False, results, None)
