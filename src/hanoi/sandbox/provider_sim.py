"""A simulated service provider's HI-1 endpoint: ``hanoi provider-sim``.

For training and tests, the provider side of the "UN" profile's HTTP binding
(``docs/hi1-profile.md``, "HTTP binding"), self-contained and in memory:

- ``POST /hi1`` takes one HI-1 message (JSON) and answers synchronously with an HI-1
  response message for the same transaction. Every message is parsed strictly and
  validated against ETSI's schemas first; one that fails, that is not addressed to this
  provider, that carries no ``Signature``, or whose ``TransactionIdentifier`` was seen
  before (a replay) gets an ``ErrorInformation`` for the whole message.
- ``CREATE`` of a document, authorisation or LP/LD task is accepted (``CREATEResponse``);
  with ``reject`` set, a task is refused with an ``ErrorInformation`` giving the reason, and
  kept as ``Rejected`` with that reason.
- ``GET`` of a task gives its status: awaiting until ``delay`` seconds after it was
  created, then ``Preserved`` (LP, until the desired expiration) or ``Disclosed`` (LD). A
  disclosed task has two deliveries of deterministic test data derived from its identifiers:
  subscriber data (JSON, inline base64) and traffic data (CSV, by URL under ``/hi1/data/``),
  each with its SHA-256 checksum and length; or, with ``data_dir``, one delivery per file of
  that folder. ``GET`` of a delivery gives its ``DeliveryObject``; ``LIST`` of ``Delivery``,
  ``LDTask`` or ``LPTask`` lists them. An unknown identifier gets an ``ErrorInformation``.
- When a task is preserved or disclosed, the simulator also raises a ``NotificationObject``
  (ETSI ``NotificationType`` ``General``) associated with the task, saying what changed and
  giving the task's new status; ``LIST`` of ``Notification`` lists them and ``GET`` gives
  one.
- ``GETCSPCONFIG`` gives the simulator's configuration, laid out as ETSI's
  ``response_ee_config.json``: the ETSI request types it discloses and preserves
  (:data:`CONFIG_REQUEST_TYPES`) for the identifier formats it takes (:data:`CONFIG_FORMATS`).
- ``corrupt_checksums`` (for training on error handling) declares checksums that do not
  match the data.

Plain HTTP: run it on a loopback address (the provider directory accepts ``http://`` there
only). :func:`create_app` gives the ASGI app; tests route an ``httpx`` client to it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hanoi.clock import Clock, SystemClock
from hanoi.errors import HanoiError
from hanoi.providers.hi1 import Endpoint, parse_json, validate_message
from hanoi.providers.hi1.jsontext import MAX_MESSAGE_BYTES
from hanoi.providers.hi1.messages import dictionary_entry, header_json
from hanoi.wire import format_time

PATH = "/hi1"
XSI_DELIVERY = "{http://uri.etsi.org/03120/common/2019/10/Delivery}DeliveryObject"
NS_DELIVERY = "http://uri.etsi.org/03120/common/2019/10/Delivery"
NS_NOTIFICATION = "http://uri.etsi.org/03120/common/2016/02/Notification"
XSI_NOTIFICATION = f"{{{NS_NOTIFICATION}}}NotificationObject"
LP, LD = "LPTaskObject", "LDTaskObject"

# ErrorCodes of this simulator (TS 103 120 leaves them to the profile).
E_UNREADABLE = 1000
E_INVALID = 1001
E_REPLAY = 1002
E_NOT_FOR_US = 1003
E_UNSIGNED = 1004
E_UNKNOWN_OBJECT = 2001
E_UNSUPPORTED = 2002
E_REJECTED = 3000


CONFIG_REQUEST_TYPES = ("SubscriberData", "TrafficData", "StoredContentData")
"""The ETSI ``RequestType`` values the simulator's ``GETCSPCONFIG`` says it serves."""
CONFIG_FORMATS = ("EmailAddress", "InternationalE164")
"""The ETSI target formats its ``GETCSPCONFIG`` says it takes."""
CONFIG_CHANGED = "2026-01-01T00:00:00Z"


@dataclass(frozen=True, slots=True, kw_only=True)
class SimSettings:
    country: str = "VN"
    identifier: str = "hanoi-provider-sim"
    name: str = "Hanoi provider simulator"
    delay: float = 2.0
    """Seconds between a task's creation and its preservation or disclosure."""
    reject: str | None = None
    """Refuse every task, with this reason."""
    data_dir: Path | None = None
    corrupt_checksums: bool = False

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.country, self.identifier)


@dataclass(slots=True)
class _Task:
    object_id: str
    kind: str
    owner: Endpoint
    created: datetime
    reference: str | None
    identifiers: tuple[tuple[str, str], ...]
    desired_expiration: str | None
    rejected: str | None = None
    generation: int = 1
    deliveries: list[str] = field(default_factory=list)
    notified: str | None = None
    """The status the last notification about the task gave."""
    notifications: list[str] = field(default_factory=list)


class ProviderSimulator:
    """The simulator's state and rules; :meth:`handle` answers one message (thread-safe)."""

    def __init__(self, settings: SimSettings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._transactions: set[str] = set()
        self._tasks: dict[str, _Task] = {}
        self._objects: dict[str, dict[str, Any]] = {}
        self._deliveries: dict[str, dict[str, Any]] = {}
        self._notifications: dict[str, dict[str, Any]] = {}
        self._data: dict[str, bytes] = {}
        self._base_url = "http://127.0.0.1"
        self.received: list[dict[str, Any]] = []
        """Every message accepted, in order (for tests and the trainer's eyes)."""

    # --- one message ----------------------------------------------------------------------

    def handle(
        self, raw: bytes, *, base_url: str = "http://127.0.0.1"
    ) -> tuple[int, dict[str, Any]]:
        """The HTTP status and the HI-1 answer to ``raw``; ``base_url``: where this
        simulator is reached (the URLs of deliveries start with it)."""
        try:
            message = parse_json(raw, max_bytes=MAX_MESSAGE_BYTES)
        except HanoiError as exc:
            return 400, self._error(None, E_UNREADABLE, exc.diagnostics())
        header = message.get("Header") if isinstance(message, dict) else None
        try:
            validate_message(message)
        except HanoiError as exc:
            return 400, self._error(header, E_INVALID, exc.diagnostics())
        assert isinstance(message, dict)
        assert isinstance(header, dict)
        receiver = header["ReceiverIdentifier"]
        if receiver != self.settings.endpoint.to_json():
            return 200, self._error(header, E_NOT_FOR_US, "this message is for another provider")
        if not isinstance(message.get("Signature"), Mapping):
            return 200, self._error(header, E_UNSIGNED, "the message carries no Signature")
        payload = message["Payload"]
        if "RequestPayload" not in payload:
            return 200, self._error(header, E_UNSUPPORTED, "only requests are answered")
        with self._lock:
            transaction = header["TransactionIdentifier"]
            if transaction in self._transactions:
                return 200, self._error(
                    header, E_REPLAY, f"TransactionIdentifier {transaction} was seen before"
                )
            self._transactions.add(transaction)
            self._base_url = base_url.rstrip("/")
            self.received.append(message)
            owner = Endpoint(
                header["SenderIdentifier"]["CountryCode"],
                header["SenderIdentifier"]["UniqueIdentifier"],
            )
            actions = payload["RequestPayload"]["ActionRequests"].get("ActionRequest", [])
            answers = [self._action(action, owner) for action in actions]
        return 200, self._response(header, {"ActionResponses": {"ActionResponse": answers}})

    def data(self, object_id: str) -> bytes | None:
        """The bytes a delivery's URL serves."""
        with self._lock:
            return self._data.get(object_id)

    # --- actions --------------------------------------------------------------------------

    def _action(self, action: Mapping[str, Any], owner: Endpoint) -> dict[str, Any]:
        number = action["ActionIdentifier"]
        verb = next(key for key in action if key != "ActionIdentifier")
        body = action[verb]
        if verb == "CREATE":
            return {"ActionIdentifier": number, **self._create(body["HI1Object"], owner)}
        if verb == "GET":
            found = self._get(body["Identifier"], owner)
            if found is None:
                return _action_error(number, E_UNKNOWN_OBJECT, f"no object {body['Identifier']}")
            return {"ActionIdentifier": number, "GETResponse": {"HI1Object": found}}
        if verb == "LIST":
            wanted = body.get("ObjectType", {}).get("common:Value")
            return {"ActionIdentifier": number, "LISTResponse": self._list(wanted, owner)}
        if verb == "GETCSPCONFIG":
            return {"ActionIdentifier": number, "GETCSPCONFIGResponse": self._config()}
        return _action_error(number, E_UNSUPPORTED, f"{verb} is not supported by the simulator")

    def _config(self) -> dict[str, Any]:
        """The simulator's configuration, laid out as ETSI's ``response_ee_config.json``:
        the ETSI request types it discloses and preserves, for the identifier formats it
        serves (:data:`CONFIG_FORMATS`)."""
        types = {
            "common:DictionaryEntry": [
                dictionary_entry("ETSI", "RequestType", value) for value in CONFIG_REQUEST_TYPES
            ]
        }
        return {
            "LastChanged": CONFIG_CHANGED,
            "TargetingConfigurations": {
                "config:TargetingConfiguration": [
                    {
                        "config:FormatName": name,
                        "config:FormatOwner": "ETSI",
                        "config:Guidance": (
                            f"{self.settings.name} discloses and preserves the data of an "
                            f"account named by its {name} (a simulator: test data only)"
                        ),
                        "config:AssociatedLIServiceTypes": {},
                        "config:AssociatedLDRequestTypes": types,
                        "config:AssociatedLDRequestSubtypes": {},
                        "config:AssociatedLPRequestTypes": types,
                        "config:AssociatedLPRequestSubtypes": {},
                    }
                    for name in CONFIG_FORMATS
                ]
            },
            "SupportedLIWorkflowEndpoints": {},
            "SupportedLPWorkflowEndpoints": {},
        }

    def _create(self, obj: Mapping[str, Any], owner: Endpoint) -> dict[str, Any]:
        object_id = obj["ObjectIdentifier"]
        kind = obj["@xsi:type"].rsplit("}", 1)[-1]
        if object_id in self._objects or object_id in self._tasks:
            return {"ErrorInformation": _info(E_INVALID, f"object {object_id} exists already")}
        if kind in (LP, LD):
            details = obj.get("task:RequestDetails", {})
            values = details.get("task:RequestValues", {}).get("task:RequestValue", [])
            task = _Task(
                object_id=object_id,
                kind=kind,
                owner=owner,
                created=self._clock.now(),
                reference=obj.get("task:Reference"),
                identifiers=tuple(
                    (v["task:FormatType"]["task:FormatName"], v["task:Value"]) for v in values
                ),
                desired_expiration=obj.get("task:DesiredPreservationExpiration"),
                rejected=self.settings.reject,
            )
            self._tasks[object_id] = task
            if task.rejected is not None:
                return {"ErrorInformation": _info(E_REJECTED, task.rejected)}
        else:
            self._objects[object_id] = dict(obj)
        return {"CREATEResponse": {"Identifier": object_id}}

    def _get(self, object_id: str, owner: Endpoint) -> dict[str, Any] | None:
        task = self._tasks.get(object_id)
        if task is not None:
            return self._task_state(task) if task.owner == owner else None
        if object_id in self._deliveries:
            self._advance_all(owner)
            return self._deliveries[object_id]
        if object_id in self._notifications:
            return self._notifications[object_id]
        return self._objects.get(object_id)

    def _list(self, wanted: str | None, owner: Endpoint) -> dict[str, Any]:
        self._advance_all(owner)
        records: list[dict[str, Any]] = []
        for task in self._tasks.values():
            if task.owner != owner:
                continue
            if wanted in ("LPTask", "LDTask") and task.kind == f"{wanted}Object":
                records.append(_record(wanted, task.object_id, task.generation))
            if wanted == "Delivery":
                records.extend(_record("Delivery", d, 1) for d in task.deliveries)
            if wanted == "Notification":
                records.extend(_record("Notification", n, 1) for n in task.notifications)
        return {"ListResponseRecord": records} if records else {}

    # --- tasks and their data ---------------------------------------------------------------

    def _advance_all(self, owner: Endpoint) -> None:
        for task in self._tasks.values():
            if task.owner == owner:
                self._advance(task)

    def _done(self, task: _Task) -> bool:
        return self._clock.now() >= task.created + timedelta(seconds=self.settings.delay)

    def _advance(self, task: _Task) -> None:
        if task.rejected or not self._done(task):
            return
        if task.kind == LD and not task.deliveries:
            self._disclose(task)
        self._notify(task)

    def _notify(self, task: _Task) -> None:
        """A ``NotificationObject`` about the task when its status changed since the last
        one (the simulator's tasks change once: preserved, or disclosed)."""
        status = self._status(task)
        if status == task.notified:
            return
        task.notified = status
        if task.kind == LP:
            until = task.desired_expiration or "further notice"
            details = f"The data are preserved until {until}."
        else:
            details = f"The data are disclosed in {len(task.deliveries)} deliveries."
        self._raise(task, details, ("ETSI", "NotificationType", "General"), status=status)

    def raise_notification(
        self,
        task_id: str,
        details: str,
        *,
        notification_type: tuple[str, str, str] = ("ETSI", "NotificationType", "General"),
        associated: str | None = None,
    ) -> str:
        """Raise a notification about a task now (a trainer's or a test's: the provider has
        something to say, e.g. a reason under the Convention); its identifier.
        ``associated``: the object it names instead of the task."""
        with self._lock:
            task = self._tasks[task_id]
            return self._raise(task, details, notification_type, about=associated)

    def _raise(
        self,
        task: _Task,
        details: str,
        notification_type: tuple[str, str, str],
        *,
        status: str | None = None,
        about: str | None = None,
    ) -> str:
        number = len(task.notifications) + 1
        object_id = str(uuid.uuid5(uuid.UUID(task.object_id), f"notification-{number}"))
        owner, name, value = notification_type
        notification: dict[str, Any] = {
            "@xsi:type": XSI_NOTIFICATION,
            "ObjectIdentifier": object_id,
            "AssociatedObjects": {"AssociatedObject": [about or task.object_id]},
            "notification:NotificationDetails": details,
            "notification:NotificationType": dictionary_entry(owner, name, value),
            "notification:NewNotification": True,
            "notification:NotificationTimestamp": format_time(
                self._clock.now(), whole_seconds=True
            ),
        }
        if status is not None:
            dictionary = "LPTaskStatus" if task.kind == LP else "LDTaskStatus"
            notification["notification:StatusOfAssociatedObjects"] = {
                "notification:AssociatedObjectStatus": [
                    {
                        "notification:AssociatedObject": task.object_id,
                        "notification:Status": dictionary_entry("ETSI", dictionary, status),
                    }
                ]
            }
        self._notifications[object_id] = notification
        task.notifications.append(object_id)
        return object_id

    def _disclose(self, task: _Task) -> None:
        files = self._files(task)
        for number, (name, media_type, data) in enumerate(files, start=1):
            object_id = str(uuid.uuid5(uuid.UUID(task.object_id), name))
            checksum = hashlib.sha256(data).hexdigest()
            if self.settings.corrupt_checksums:
                checksum = hashlib.sha256(data + b"corrupted").hexdigest()
            part: dict[str, Any]
            if number == 1:
                part = {
                    "delivery:BinaryData": {
                        "delivery:Data": base64.b64encode(data).decode("ascii"),
                        "delivery:ContentType": media_type,
                        "delivery:Checksum": checksum,
                        "delivery:ChecksumType": "SHA256",
                        "delivery:OriginalFilename": name,
                        "delivery:ContentLength": len(data),
                    }
                }
            else:
                self._data[object_id] = data
                part = {
                    "delivery:URL": {
                        "delivery:URL": f"{self._base_url}{PATH}/data/{object_id}",
                        "delivery:OriginalFilename": name,
                        "delivery:ContentType": media_type,
                        "delivery:ContentLength": len(data),
                        "delivery:Checksums": {
                            "common:ChecksumAndType": [
                                {"common:Checksum": checksum, "common:ChecksumType": "SHA256"}
                            ]
                        },
                    }
                }
            self._deliveries[object_id] = {
                "@xsi:type": XSI_DELIVERY,
                "ObjectIdentifier": object_id,
                "AssociatedObjects": {"AssociatedObject": [task.object_id]},
                "delivery:Reference": {"delivery:LDID": task.reference or task.object_id},
                "delivery:DeliveryID": str(uuid.uuid5(uuid.UUID(task.object_id), "delivery")),
                "delivery:SequenceNumber": number,
                "delivery:LastSequence": number == len(files),
                "delivery:Delivery": part,
            }
            task.deliveries.append(object_id)
        task.generation += 1

    def _files(self, task: _Task) -> list[tuple[str, str, bytes]]:
        folder = self.settings.data_dir
        if folder is not None:
            found = sorted(p for p in folder.iterdir() if p.is_file())
            if found:
                return [(p.name, _media_type(p.name), p.read_bytes()) for p in found]
        return sample_data(task.identifiers)

    def _task_state(self, task: _Task) -> dict[str, Any]:
        self._advance(task)
        xsi = f"{{http://uri.etsi.org/03120/common/2020/09/Task}}{task.kind}"
        dictionary = "LPTaskStatus" if task.kind == LP else "LDTaskStatus"
        state: dict[str, Any] = {
            "@xsi:type": xsi,
            "ObjectIdentifier": task.object_id,
            "CountryCode": task.owner.country,
            "OwnerIdentifier": task.owner.identifier,
            "Generation": task.generation,
        }
        if task.reference is not None:
            state["task:Reference"] = task.reference
        value = self._status(task)
        if task.rejected is not None:
            state["task:StatusReason"] = _info(E_REJECTED, task.rejected)
        if value == "Preserved" and task.desired_expiration:
            state["task:PreservationExpiration"] = task.desired_expiration
        state["task:Status"] = dictionary_entry("ETSI", dictionary, value)
        return state

    def _status(self, task: _Task) -> str:
        """The task's ETSI status value now."""
        if task.rejected is not None:
            return "Rejected"
        if not self._done(task):
            return "AwaitingPreservation" if task.kind == LP else "AwaitingDisclosure"
        return "Preserved" if task.kind == LP else "Disclosed"

    # --- messages ---------------------------------------------------------------------------

    def _response(
        self, header: Mapping[str, Any] | None, payload: dict[str, Any]
    ) -> dict[str, Any]:
        sender = None
        transaction = str(uuid.uuid4())
        if isinstance(header, Mapping):
            transaction = str(header.get("TransactionIdentifier") or transaction)
            found = header.get("SenderIdentifier")
            if isinstance(found, Mapping):
                try:
                    sender = Endpoint(
                        str(found.get("CountryCode")), str(found.get("UniqueIdentifier"))
                    )
                except HanoiError:
                    sender = None
        return {
            "@xmlns": "http://uri.etsi.org/03120/common/2019/10/Core",
            "@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "@xmlns:common": "http://uri.etsi.org/03120/common/2016/02/Common",
            "@xmlns:task": "http://uri.etsi.org/03120/common/2020/09/Task",
            "@xmlns:delivery": NS_DELIVERY,
            "@xmlns:notification": NS_NOTIFICATION,
            "@xmlns:config": "http://uri.etsi.org/03120/common/2024/06/Config",
            "Header": header_json(
                sender=self.settings.endpoint,
                receiver=sender or Endpoint("ZZ", "unknown"),
                transaction_id=transaction,
                timestamp=self._clock.now(),
            ),
            "Payload": {"ResponsePayload": payload},
        }

    def _error(self, header: Mapping[str, Any] | None, code: int, text: str) -> dict[str, Any]:
        return self._response(header, {"ErrorInformation": _info(code, text)})


def _info(code: int, text: str) -> dict[str, Any]:
    return {"ErrorCode": code, "ErrorDescription": " ".join(text.split())[:1000] or "error"}


def _action_error(number: int, code: int, text: str) -> dict[str, Any]:
    return {"ActionIdentifier": number, "ErrorInformation": _info(code, text)}


def _record(kind: str, object_id: str, generation: int) -> dict[str, Any]:
    return {
        "ObjectType": dictionary_entry("ETSI", "ObjectType", kind),
        "Identifier": object_id,
        "Generation": generation,
    }


def _media_type(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"json": "application/json", "csv": "text/csv", "txt": "text/plain",
            "pdf": "application/pdf"}.get(suffix, "application/octet-stream")  # fmt: skip


def sample_data(identifiers: tuple[tuple[str, str], ...]) -> list[tuple[str, str, bytes]]:
    """Deterministic test data for a disclosure of ``identifiers``: subscriber data (JSON)
    and traffic data (CSV), the same every time for the same identifiers."""
    subscribers = []
    traffic = io.StringIO()
    writer = csv.writer(traffic, lineterminator="\n")
    writer.writerow(["start", "identifier", "peer", "direction", "bytes"])
    for format_name, value in identifiers:
        seed = hashlib.sha256(f"{format_name}={value}".encode()).digest()
        subscribers.append(
            {
                "identifier": {"format": format_name, "value": value},
                "subscriber": f"Test subscriber {seed[:3].hex()}",
                "registered": f"20{10 + seed[3] % 15}-{1 + seed[4] % 12:02d}-"
                f"{1 + seed[5] % 28:02d}",
                "address": f"{1 + seed[6]} Test Street, Ha Noi",
            }
        )
        for row in range(3):
            octet = seed[7 + row]
            writer.writerow(
                [
                    f"2026-11-{1 + (seed[10 + row] % 28):02d}T{octet % 24:02d}:"
                    f"{seed[13 + row] % 60:02d}:00Z",
                    value,
                    f"198.51.100.{octet}",
                    "out" if octet % 2 else "in",
                    str(1000 + int.from_bytes(seed[16 + 2 * row : 18 + 2 * row], "big")),
                ]
            )  # fmt: skip
    subscriber = json.dumps({"subscribers": subscribers}, indent=2, sort_keys=True).encode()
    return [
        ("subscriber-data.json", "application/json", subscriber + b"\n"),
        ("traffic-data.csv", "text/csv", traffic.getvalue().encode()),
    ]


def create_app(simulator: ProviderSimulator) -> Starlette:
    """The simulator's ASGI app: ``POST /hi1`` and ``GET /hi1/data/{id}``."""

    async def post(request: Request) -> Response:
        raw = await request.body()
        base = f"{request.url.scheme}://{request.url.netloc}"
        status, answer = simulator.handle(raw, base_url=base)
        return JSONResponse(answer, status_code=status)

    async def data(request: Request) -> Response:
        found = simulator.data(str(request.path_params["object_id"]))
        if found is None:
            return Response(status_code=404)
        return Response(found, media_type="application/octet-stream")

    return Starlette(
        routes=[
            Route(PATH, post, methods=["POST"]),
            Route(f"{PATH}/", post, methods=["POST"]),
            Route("/", post, methods=["POST"]),
            Route(f"{PATH}/data/{{object_id}}", data, methods=["GET"]),
        ]
    )


__all__ = ["ProviderSimulator", "SimSettings", "create_app", "sample_data"]
