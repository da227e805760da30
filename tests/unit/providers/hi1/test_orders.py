"""Orders and status requests: valid HI-1, laid out as ETSI's examples lay them out."""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import replace
from itertools import count
from typing import Any

import pytest

from hanoi.errors import InvalidInput
from hanoi.providers.hi1 import (
    MessageTooLarge,
    OrderKind,
    OrderSpec,
    build_config_request,
    build_order,
    build_status_request,
    validate_message,
)
from hanoi.providers.hi1.messages import PROFILE_OWNER
from support_hi1 import NODE, NOW, PROVIDER, example


def sequential_ids() -> Any:
    numbers = count(1)
    return lambda: uuid.UUID(int=next(numbers))


def actions(message: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = message["Payload"]["RequestPayload"]["ActionRequests"][
        "ActionRequest"
    ]
    return result


def created(message: dict[str, Any], index: int) -> dict[str, Any]:
    obj: dict[str, Any] = actions(message)[index]["CREATE"]["HI1Object"]
    return obj


def test_a_preservation_order_is_valid_and_has_document_authorisation_and_lp_task(
    preservation: OrderSpec,
) -> None:
    order = build_order(preservation, timestamp=NOW, new_id=sequential_ids())
    message = order.message
    validate_message(message)
    header = message["Header"]
    assert header["Version"] == {
        "ETSIVersion": "V1.23.1",
        "NationalProfileOwner": "UN",
        "NationalProfileVersion": "v1",
    }
    assert header["Timestamp"] == "2026-12-07T09:30:15.250000Z"
    assert header["SenderIdentifier"] == NODE.to_json()
    assert header["ReceiverIdentifier"] == PROVIDER.to_json()
    assert [a["ActionIdentifier"] for a in actions(message)] == [0, 1, 2]
    document, authorisation, task = (created(message, i) for i in range(3))
    assert document["@xsi:type"].endswith("}DocumentObject")
    assert authorisation["@xsi:type"].endswith("}AuthorisationObject")
    assert task["@xsi:type"].endswith("}LPTaskObject")
    assert authorisation["AssociatedObjects"]["AssociatedObject"] == [order.document_id]
    assert task["AssociatedObjects"]["AssociatedObject"] == [order.authorisation_id]
    assert task["task:DesiredStatus"]["common:Value"] == "Preserved"
    assert task["task:DesiredPreservationExpiration"] == "2027-03-07T00:00:00Z"
    assert task["task:RequestDetails"]["task:Type"] == {
        "common:Owner": "ETSI",
        "common:Name": "RequestType",
        "common:Value": "TrafficData",
    }
    assert task["task:CSPID"] == PROVIDER.to_json()
    assert order.task_reference is None
    assert order.transaction_id == header["TransactionIdentifier"] == str(uuid.UUID(int=1))


def test_the_authorisation_carries_the_convention_and_both_references(
    preservation: OrderSpec,
) -> None:
    authorisation = created(build_order(preservation, timestamp=NOW).message, 1)
    assert authorisation["auth:AuthorisationReference"] == "ORD-2026-0005"
    assert authorisation["auth:AuthorisationLegalType"] == {
        "common:Owner": PROFILE_OWNER,
        "common:Name": "AuthorisationLegalType",
        "common:Value": "expedited-preservation",
    }
    approval = authorisation["auth:AuthorisationApprovalDetails"][0]
    assert approval["common:ApprovalReference"] == "BR-MLA-2026-0017"
    assert "Article 42" in approval["common:ApprovalDescription"]
    assert authorisation["auth:AuthorisationCreationTimestamp"] == "2026-12-07T09:30:15Z"
    assert authorisation["auth:AuthorisationManualInformation"].startswith("Code de procédure")
    assert authorisation["auth:AuthorisationLegalEntity"] == "Example Mail SAS"


def test_the_document_carries_the_signed_order_inline(preservation: OrderSpec) -> None:
    body = created(build_order(preservation, timestamp=NOW).message, 0)["doc:DocumentBody"]
    assert base64.b64decode(body["doc:Contents"]) == preservation.order_document
    assert body["doc:ContentType"] == "application/pdf"
    assert body["doc:Checksum"] == hashlib.sha256(preservation.order_document).hexdigest()
    assert body["doc:ChecksumType"] == "SHA256"


def test_a_disclosure_order_is_valid_with_an_ld_task(disclosure: OrderSpec) -> None:
    order = build_order(disclosure, timestamp=NOW)
    validate_message(order.message)
    task = created(order.message, 2)
    assert task["@xsi:type"].endswith("}LDTaskObject")
    assert task["task:Reference"] == order.task_reference == "FR-FR-CENTRAL-AUTHORITY-ORD-2026-0005"
    assert task["task:RequestDetails"]["task:StartTime"] == "2026-01-01T00:00:00Z"
    assert task["task:RequestDetails"]["task:EndTime"] == "2026-02-01T00:00:00Z"
    values = task["task:RequestDetails"]["task:RequestValues"]["task:RequestValue"]
    assert [(v["task:FormatType"]["task:FormatName"], v["task:Value"]) for v in values] == list(
        disclosure.identifiers
    )
    destination = task["task:DeliveryDetails"]["task:LDDeliveryDestination"][0]
    assert destination["task:DeliveryAddress"] == {"task:EndpointID": NODE.to_json()}
    deadline = task["task:Deadlines"]["task:LDDeadline"][0]
    assert deadline["task:DateTime"] == "2027-01-07T00:00:00Z"
    assert deadline["task:NatureOfDeadline"]["common:Owner"] == "UN"


def test_a_disclosure_of_preserved_data_links_the_preservation(disclosure: OrderSpec) -> None:
    spec = replace(
        disclosure,
        request_kind="preserved-traffic-data-disclosure",
        article=43,
        request_type="TrafficData",
        preservation_reference="ORD-2026-0001",
    )
    task = created(build_order(spec, timestamp=NOW).message, 2)
    link = task["task:AlternativePreservationReferences"]["task:AlternativePreservationReference"]
    assert link[0]["task:ReferenceValue"] == "ORD-2026-0001"


def test_a_window_may_be_open(disclosure: OrderSpec) -> None:
    spec = replace(disclosure, window_start=None, window_end=None)
    details = created(build_order(spec, timestamp=NOW).message, 2)["task:RequestDetails"]
    assert "task:StartTime" not in details
    assert "task:EndTime" not in details


def test_every_problem_of_a_spec_is_listed(disclosure: OrderSpec) -> None:
    spec = replace(
        disclosure,
        kind=OrderKind.PRESERVATION,
        request_type="Everything",
        identifiers=(),
        legal_basis=" ",
        order_document=b"",
        order_media_type="pdf",
        window_start=disclosure.window_end,
        window_end=disclosure.window_start,
    )
    with pytest.raises(InvalidInput) as caught:
        build_order(spec, timestamp=NOW)
    assert {f.path for f in caught.value.fields} == {
        "request_kind",
        "request_type",
        "identifiers",
        "legal_basis",
        "order_document",
        "order_media_type",
        "window_end",
    }


def test_the_article_must_be_one_of_the_kinds(disclosure: OrderSpec) -> None:
    with pytest.raises(InvalidInput) as caught:
        build_order(replace(disclosure, article=42), timestamp=NOW)
    assert [f.path for f in caught.value.fields] == ["article"]


def test_times_need_a_zone(disclosure: OrderSpec) -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        build_order(disclosure, timestamp=NOW.replace(tzinfo=None))


def test_an_order_too_large_for_one_message_is_refused(disclosure: OrderSpec) -> None:
    with pytest.raises(MessageTooLarge):
        build_order(replace(disclosure, order_document=b"x" * 800_000), timestamp=NOW)


def test_a_status_request_gets_and_lists(disclosure: OrderSpec) -> None:
    order = build_order(disclosure, timestamp=NOW)
    query = build_status_request(
        sender=NODE,
        receiver=PROVIDER,
        object_ids=[order.task_id, order.authorisation_id],
        list_types=["LDTask", "Delivery"],
        timestamp=NOW,
    )
    validate_message(query.message)
    assert [list(a)[1] for a in actions(query.message)] == ["GET", "GET", "LIST", "LIST"]
    assert actions(query.message)[0]["GET"] == {"Identifier": order.task_id}
    listed = actions(query.message)[3]["LIST"]["ObjectType"]
    assert listed == {
        "common:Owner": "ETSI",
        "common:Name": "ObjectType",
        "common:Value": "Delivery",
    }
    assert query.transaction_id == query.message["Header"]["TransactionIdentifier"]


def test_a_config_request_is_laid_out_as_etsis_example() -> None:
    fixed = uuid.UUID("eb6b002d-15c3-4c3b-af6c-27ede73641e5")
    query = build_config_request(
        sender=NODE, receiver=PROVIDER, timestamp=NOW, new_id=lambda: fixed
    )
    validate_message(query.message)
    assert query.transaction_id == str(fixed)
    etsi = example("request_config.json")
    assert query.message["Payload"] == etsi["Payload"]
    assert query.message["Header"]["TransactionIdentifier"] == str(fixed)
    assert query.message["Header"]["SenderIdentifier"] == NODE.to_json()
    assert query.message["Header"]["ReceiverIdentifier"] == PROVIDER.to_json()
    assert query.message["Header"]["Version"]["NationalProfileOwner"] == PROFILE_OWNER


@pytest.mark.parametrize(
    ("object_ids", "list_types", "path"),
    [
        ([], [], "object_ids"),
        (["not-a-uuid"], [], "object_ids/0"),
        (["2B36A78B-B628-416D-BD22-404E68A0CD36"], [], "object_ids/0"),
        ([], ["TrafficPolicy"], "list_types/0"),
    ],
)
def test_a_bad_status_request_is_refused(
    object_ids: list[str], list_types: list[str], path: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        build_status_request(
            sender=NODE,
            receiver=PROVIDER,
            object_ids=object_ids,
            list_types=list_types,
            timestamp=NOW,
        )
    assert [f.path for f in caught.value.fields] == [path]
