"""A provider's answers, read into typed results; ETSI's examples and the profile's own."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from hanoi.errors import InvalidInput
from hanoi.providers.hi1 import (
    AnswerUnreadable,
    Delivery,
    DictionaryValue,
    ErrorInformation,
    MessageInvalid,
    ObjectState,
    read_answer,
)
from hanoi.wire import thaw
from support_hi1 import EXAMPLE_FILES, NODE, PROVIDER, entry, example, pushed, response

TASK_ID = "2b36a78b-b628-416d-bd22-404e68a0cd36"
AUTH_ID = "7dbbc880-8750-4d3c-abe7-ea4a17646045"
LP = "{http://uri.etsi.org/03120/common/2020/09/Task}LPTaskObject"
LD = "{http://uri.etsi.org/03120/common/2020/09/Task}LDTaskObject"
NOTIFICATION = "{http://uri.etsi.org/03120/common/2016/02/Notification}NotificationObject"
DELIVERY = "{http://uri.etsi.org/03120/common/2019/10/Delivery}DeliveryObject"
RESPONSES = [p for p in EXAMPLE_FILES if p.name.startswith("response")]
DELIVERIES = [p for p in EXAMPLE_FILES if p.name.startswith("request5")]
REQUESTS = [p for p in EXAMPLE_FILES if p not in RESPONSES and p not in DELIVERIES]


@pytest.mark.parametrize("path", RESPONSES + DELIVERIES, ids=lambda p: p.name)
def test_every_etsi_response_and_delivery_example_is_read(path: Any) -> None:
    answer = read_answer(example(path.name))
    assert answer.results
    assert answer.header.profile_owner == "XX"


@pytest.mark.parametrize("path", REQUESTS, ids=lambda p: p.name)
def test_etsis_requests_are_not_answers(path: Any) -> None:
    with pytest.raises(AnswerUnreadable, match=r"not an answer|only notifications"):
        read_answer(example(path.name))


def test_etsis_get_response_gives_statuses_and_reasons() -> None:
    answer = read_answer(example("response2.json"))
    authorisation, task = answer.objects
    assert authorisation.kind == "AuthorisationObject"
    assert authorisation.status == DictionaryValue("ETSI", "AuthorisationStatus", "Invalid")
    assert authorisation.reason == ErrorInformation(
        3000, "The Authorisation is not associated with a valid Warrant Document Object"
    )
    assert authorisation.reference == "W000001"
    assert task.kind == "LITaskObject"
    assert task.object_id == TASK_ID
    assert task.associated == (AUTH_ID,)
    assert task.status is not None
    assert task.status.value == "Invalid"
    assert task.reason is not None
    assert task.reason.code == 3000
    assert task.generation == 1
    assert answer.header.sender.identifier == "ACTOR01"


def test_etsis_create_and_update_responses_give_identifiers() -> None:
    answer = read_answer(example("response3.json"))
    assert [(r.verb, r.identifier) for r in answer.results] == [
        ("CREATE", "4193f541-5e19-468e-b4a3-1c636ce115e9"),
        ("UPDATE", AUTH_ID),
    ]
    status = answer.objects[0].status
    assert status == DictionaryValue("ETSI", "AuthorisationStatus", "Active")
    assert not status.known, "ETSI's AuthorisationStatus dictionary has no 'Active'"


def test_etsis_binary_delivery_is_decoded() -> None:
    answer = read_answer(example("request5-Binary-Delivery.json"))
    assert answer.pushed
    (delivery,) = answer.deliveries
    assert delivery.data == b"This isn't actually an image."
    assert delivery.task_reference == "XX-ACTOR01-1234"
    assert (delivery.sequence_number, delivery.last_sequence) == (1, True)
    assert delivery.content_type == "image/jpeg"
    assert delivery.checksums[0].value == hashlib.sha256(delivery.data).hexdigest()
    assert delivery.checksums[0].type is None
    assert delivery.manifest is not None


def test_etsis_json_delivery_keeps_the_data() -> None:
    (delivery,) = read_answer(example("request5-JSON-Delivery.json")).deliveries
    assert delivery.json_data["field2"] == 1234
    assert delivery.data is None
    assert delivery.checksums == ()


def task_state(kind: str, status: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "ActionIdentifier": 0,
        "GETResponse": {
            "HI1Object": {
                "@xsi:type": kind,
                "ObjectIdentifier": TASK_ID,
                "CountryCode": NODE.country,
                "OwnerIdentifier": NODE.identifier,
                "Generation": 2,
                "AssociatedObjects": {"AssociatedObject": [AUTH_ID]},
                "task:Status": status,
                **extra,
            }
        },
    }


def test_a_preserved_lp_task() -> None:
    answer = read_answer(
        response(
            [
                task_state(
                    LP,
                    entry("ETSI", "LPTaskStatus", "Preserved"),
                    **{"task:PreservationExpiration": "2027-03-07T00:00:00Z"},
                )
            ]
        )
    )
    (task,) = answer.objects
    assert isinstance(task, ObjectState)
    assert task.kind == "LPTaskObject"
    assert task.status == DictionaryValue("ETSI", "LPTaskStatus", "Preserved")
    assert task.status.known
    assert task.preservation_expiration == "2027-03-07T00:00:00Z"
    assert answer.header.profile_owner == "UN"
    assert answer.header.receiver == NODE
    assert task.raw["Generation"] == 2


def test_a_rejected_ld_task_with_its_reason() -> None:
    reason = {"ErrorCode": 4001, "ErrorDescription": "No such account"}
    answer = read_answer(
        response(
            [
                task_state(
                    LD,
                    entry("ETSI", "LDTaskStatus", "DisclosureNotAvailable"),
                    **{"task:Reference": "FR-NODE-ORD-1", "task:StatusReason": reason},
                )
            ]
        )
    )
    (task,) = answer.objects
    assert task.status is not None
    assert task.status.value == "DisclosureNotAvailable"
    assert task.reason == ErrorInformation(4001, "No such account")
    assert task.reference == "FR-NODE-ORD-1"


def test_a_notification_with_a_refusal_ground() -> None:
    notification = {
        "@xsi:type": NOTIFICATION,
        "ObjectIdentifier": "5f0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f",
        "AssociatedObjects": {"AssociatedObject": [TASK_ID]},
        "notification:NotificationType": entry("UN", "RefusalGround", "domestic-prohibition"),
        "notification:NotificationDetails": "The data is held under a court seal",
        "notification:NewNotification": True,
        "notification:NotificationTimestamp": "2026-12-07T10:00:00Z",
        "notification:StatusOfAssociatedObjects": {
            "notification:AssociatedObjectStatus": [
                {
                    "notification:AssociatedObject": TASK_ID,
                    "notification:Status": entry("ETSI", "LDTaskStatus", "Rejected"),
                    "notification:Details": "sealed",
                }
            ]
        },
    }
    answer = read_answer(pushed([{"ActionIdentifier": 0, "CREATE": {"HI1Object": notification}}]))
    (note,) = answer.notifications
    assert note.type == DictionaryValue("UN", "RefusalGround", "domestic-prohibition")
    assert note.type.known
    assert note.associated == (TASK_ID,)
    assert note.new is True
    assert note.statuses[0].status.value == "Rejected"
    assert note.statuses[0].details == "sealed"


def delivery_object(body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "@xsi:type": DELIVERY,
        "ObjectIdentifier": "71ff52ca-bcea-4fa3-b34e-1b89dcfb0d9e",
        "AssociatedObjects": {"AssociatedObject": [TASK_ID]},
        "delivery:Reference": {"delivery:LDID": "FR-NODE-ORD-1"},
        "delivery:DeliveryID": "d1079830-8e9a-4731-8fb7-36b9b961eb72",
        "delivery:SequenceNumber": 2,
        "delivery:LastSequence": False,
        "delivery:Delivery": body,
        **extra,
    }


def deliver(obj: dict[str, Any]) -> dict[str, Any]:
    return pushed(
        [
            {
                "ActionIdentifier": 0,
                "DELIVER": {"Identifier": obj["ObjectIdentifier"], "HI1Object": obj},
            }
        ]
    )


def test_a_delivery_by_url_with_several_checksums() -> None:
    data = b"subscriber record"
    body = {
        "delivery:URL": {
            "delivery:URL": "https://provider.example/deliveries/1",
            "delivery:ContentLength": len(data),
            "delivery:Expiry": "2026-12-14T00:00:00.000000Z",
            "delivery:Checksums": {
                "common:ChecksumAndType": [
                    {
                        "common:Checksum": hashlib.sha256(data).hexdigest(),
                        "common:ChecksumType": "SHA256",
                    },
                    {
                        "common:Checksum": hashlib.sha512(data).hexdigest(),
                        "common:ChecksumType": "SHA-512",
                    },
                ]
            },
        }
    }
    (delivery,) = read_answer(deliver(delivery_object(body))).deliveries
    assert isinstance(delivery, Delivery)
    assert delivery.url == "https://provider.example/deliveries/1"
    assert delivery.content_length == len(data)
    assert [c.type for c in delivery.checksums] == ["SHA256", "SHA-512"]
    assert delivery.task_reference == "FR-NODE-ORD-1"
    assert (delivery.sequence_number, delivery.last_sequence) == (2, False)


def test_a_delivery_that_says_there_is_no_data() -> None:
    (delivery,) = read_answer(
        deliver(delivery_object({"delivery:DataExistence": False}))
    ).deliveries
    assert delivery.data_exists is False


def test_errors_for_an_action_and_for_the_whole_message() -> None:
    answer = read_answer(
        response(
            [
                {
                    "ActionIdentifier": 0,
                    "ErrorInformation": {"ErrorCode": 2001, "ErrorDescription": "Unknown task"},
                }
            ]
        )
    )
    assert answer.results[0].verb == "ERROR"
    assert answer.errors == (ErrorInformation(2001, "Unknown task"),)
    whole = response([])
    whole["Payload"]["ResponsePayload"] = {
        "ErrorInformation": {"ErrorCode": 1000, "ErrorDescription": "Bad signature"}
    }
    answer = read_answer(whole)
    assert answer.error == ErrorInformation(1000, "Bad signature")
    assert answer.results == ()
    assert answer.errors == (answer.error,)


def test_a_list_response_gives_records() -> None:
    answer = read_answer(
        response(
            [
                {
                    "ActionIdentifier": 0,
                    "LISTResponse": {
                        "ListResponseRecord": [
                            {
                                "ObjectType": entry("ETSI", "ObjectType", "LDTask"),
                                "Identifier": TASK_ID,
                                "Generation": 3,
                                "LastChanged": "2026-12-07T10:00:00Z",
                            }
                        ]
                    },
                }
            ]
        )
    )
    (record,) = answer.results[0].records
    assert (record.object_type.value, record.object_id, record.generation) == ("LDTask", TASK_ID, 3)


def test_an_invalid_message_is_refused_before_reading() -> None:
    with pytest.raises(MessageInvalid):
        read_answer({"Header": {}, "Payload": {}})
    with pytest.raises(MessageInvalid):
        read_answer("not even an object")


def test_base64_the_schema_lets_through_but_that_does_not_decode() -> None:
    body = {"delivery:BinaryData": {"delivery:Data": "QUJDR"}}
    with pytest.raises(AnswerUnreadable, match="base64") as caught:
        read_answer(deliver(delivery_object(body)))
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.fields[0].path.endswith("delivery:BinaryData/delivery:Data")


def test_a_deliver_without_a_delivery_object_is_unreadable() -> None:
    message = example("request5-Binary-Delivery.json")
    action = message["Payload"]["RequestPayload"]["ActionRequests"]["ActionRequest"][0]
    action["DELIVER"]["HI1Object"] = {
        "@xsi:type": NOTIFICATION,
        "ObjectIdentifier": "71ff52ca-bcea-4fa3-b34e-1b89dcfb0d9e",
    }
    with pytest.raises(AnswerUnreadable, match="DeliveryObject"):
        read_answer(message)


def test_provider_and_node_endpoints_are_read() -> None:
    answer = read_answer(response([task_state(LP, entry("ETSI", "LPTaskStatus", "Error"))]))
    assert answer.header.sender == PROVIDER


@pytest.mark.parametrize("name", ["response_config.json", "response_ee_config.json"])
def test_etsis_config_response_gives_the_configuration(name: str) -> None:
    raw = example(name)
    answer = read_answer(raw)
    [result] = answer.results
    assert result.verb == "GETCSPCONFIG"
    assert result.error is None
    assert result.config is not None
    body = raw["Payload"]["ResponsePayload"]["ActionResponses"]["ActionResponse"][0]
    assert thaw(result.config) == body["GETCSPCONFIGResponse"]
