"""Cooperation requests as HI-1 messages and back (hanoi.providers.hi1.request_messages)."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hanoi.convention.loading import default_catalogue
from hanoi.errors import HanoiError, NotFound
from hanoi.providers.hi1 import MessageInvalid, validate_message
from hanoi.providers.hi1.messages import XSI_LD_TASK, XSI_LP_TASK
from hanoi.providers.hi1.request_import import hi1_to_request
from hanoi.providers.hi1.request_messages import (
    CATEGORY_TYPES,
    ExchangedRequest,
    country_of,
    identifier_format,
    identifier_text,
    request_to_hi1,
    state_of,
)
from hanoi.providers.hi1.vocabulary import (
    DISCLOSURE_KINDS,
    PRESERVATION_KINDS,
    authorisation_only_kinds,
)
from support_hi1 import EXAMPLE_FILES, example, mutate, values

CATALOGUE = default_catalogue()
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
REQUEST = ExchangedRequest(
    reference="EGY-2026-AB12CD34",
    kind="expedited-preservation",
    article=42,
    requesting_state="EGY",
    requesting_authority="Central Authority of Egypt",
    requested_state="VNM",
    requested_authority="Ministry of Public Security",
    urgency="urgent",
    urgency_reasons="The provider deletes logs after 30 days",
    data_categories=("traffic-data", "subscriber-information"),
    identifiers=("+84912345678", "someone@example.vn", "203.0.113.7", "user-42"),
    window_start=date(2026, 1, 1),
    window_end=date(2026, 1, 31),
)


def _objects(message: dict[str, Any]) -> list[dict[str, Any]]:
    actions = message["Payload"]["RequestPayload"]["ActionRequests"]["ActionRequest"]
    return [action["CREATE"]["HI1Object"] for action in actions]


def _of_kind(key: str) -> ExchangedRequest:
    kind = CATALOGUE.kind(key)
    return dataclasses.replace(
        REQUEST,
        kind=key,
        article=kind.articles[0],
        data_categories=REQUEST.data_categories if kind.item("data-categories") else (),
        identifiers=REQUEST.identifiers if key not in authorisation_only_kinds() else (),
    )


@pytest.mark.parametrize("key", CATALOGUE.kind_keys)
def test_every_kind_maps_to_its_task_or_is_declared_without_one(key: str) -> None:
    export = request_to_hi1(_of_kind(key), timestamp=NOW)
    validate_message(export.message)
    authorisation, *tasks = _objects(export.message)
    assert authorisation["auth:AuthorisationLegalType"]["common:Value"] == key
    if key in PRESERVATION_KINDS:
        assert tasks
        assert {t["@xsi:type"] for t in tasks} == {XSI_LP_TASK}
    elif key in DISCLOSURE_KINDS:
        assert tasks
        assert {t["@xsi:type"] for t in tasks} == {XSI_LD_TASK}
    else:
        assert key in authorisation_only_kinds()
        assert tasks == []
        assert export.tasks == 0
    assert hi1_to_request(export.message).request == _of_kind(key)


def test_one_task_per_data_category_with_the_identifiers_and_the_window() -> None:
    export = request_to_hi1(REQUEST, timestamp=NOW)
    header = export.message["Header"]
    assert header["SenderIdentifier"]["CountryCode"] == "EG"
    assert header["ReceiverIdentifier"]["CountryCode"] == "VN"
    authorisation, traffic, subscriber = _objects(export.message)
    assert authorisation["auth:AuthorisationPriority"]["common:Value"] == "High"
    assert authorisation["auth:AuthorisationTimespan"] == {
        "auth:StartTime": "2026-01-01T00:00:00Z",
        "auth:EndTime": "2026-02-01T00:00:00Z",
    }
    details = traffic["task:RequestDetails"]
    assert details["task:Type"]["common:Value"] == "TrafficData"
    assert subscriber["task:RequestDetails"]["task:Type"]["common:Value"] == "SubscriberData"
    values = details["task:RequestValues"]["task:RequestValue"]
    assert [v["task:FormatType"]["task:FormatName"] for v in values] == [
        "InternationalE164",
        "EmailAddress",
        "IPv4Address",
        "ServiceAccessIdentifier",
    ]
    assert values[0]["task:Value"] == "84912345678"
    assert traffic["AssociatedObjects"]["AssociatedObject"] == [authorisation["ObjectIdentifier"]]


identifiers = st.one_of(
    st.from_regex(r"\+[1-9][0-9]{5,14}", fullmatch=True),
    st.from_regex(r"[a-z0-9.]{1,12}@[a-z0-9]{1,10}\.[a-z]{2,4}", fullmatch=True),
    st.ip_addresses().map(str),
    st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,30}", fullmatch=True),
)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 30))


@st.composite
def requests(draw: st.DrawFn) -> ExchangedRequest:
    key = draw(st.sampled_from(CATALOGUE.kind_keys))
    kind = CATALOGUE.kind(key)
    tasked = key in (*PRESERVATION_KINDS, *DISCLOSURE_KINDS)
    urgency = draw(st.sampled_from(["routine", "urgent", "emergency"]))
    start = draw(st.none() | days)
    end = draw(st.none() | days.filter(lambda d: start is None or d >= start))
    categories = st.lists(st.sampled_from(sorted(CATEGORY_TYPES)), min_size=1, unique=True)
    return ExchangedRequest(
        reference=draw(st.from_regex(r"[A-Z]{3}-20[0-9]{2}-[0-9A-F]{8}", fullmatch=True)),
        kind=key,
        article=draw(st.sampled_from(kind.articles)),
        requesting_state=draw(st.sampled_from(["EGY", "FRA", "VNM"])),
        requesting_authority="Central Authority",
        requested_state=draw(st.sampled_from(["BRA", "NGA", "JPN"])),
        requested_authority=draw(
            st.from_regex(r"[A-Z][a-z]{2,20}( [A-Z][a-z]{2,20})?", fullmatch=True)
        ),
        urgency=urgency,
        urgency_reasons=None if urgency == "routine" else "Data vulnerable to loss",
        data_categories=tuple(draw(categories)) if kind.item("data-categories") else (),
        identifiers=tuple(draw(st.lists(identifiers, max_size=5, unique=True))) if tasked else (),
        window_start=start,
        window_end=end,
    )


@settings(max_examples=60, deadline=None)
@given(requests())
def test_a_request_comes_back_as_it_left(request: ExchangedRequest) -> None:
    export = request_to_hi1(request, timestamp=NOW)
    imported = hi1_to_request(export.message)
    assert imported.request == request
    assert imported.transaction_id == export.transaction_id


@given(identifiers)
def test_identifiers_keep_their_text(text: str) -> None:
    assert identifier_text(*identifier_format(text)) == text


def test_countries_both_ways() -> None:
    assert country_of("VNM") == "VN"
    assert state_of("VN") == "VNM"
    with pytest.raises(NotFound):
        country_of("XXX")
    with pytest.raises(MessageInvalid, match="not a State"):
        state_of("ZZ")


def _exported() -> dict[str, Any]:
    return copy.deepcopy(request_to_hi1(REQUEST, timestamp=NOW).message)


def test_a_kind_the_dictionary_does_not_list_is_refused() -> None:
    message = _exported()
    _objects(message)[0]["auth:AuthorisationLegalType"]["common:Value"] = "mla-everything"
    with pytest.raises(MessageInvalid, match="not a value of the dictionary UN/Authorisation"):
        hi1_to_request(message)


def test_a_dictionary_of_another_owner_is_refused() -> None:
    message = _exported()
    _objects(message)[0]["auth:AuthorisationLegalType"]["common:Owner"] = "ETSI"
    with pytest.raises(MessageInvalid, match="UN/AuthorisationLegalType"):
        hi1_to_request(message)


def test_an_unknown_priority_a_country_and_a_format_are_refused() -> None:
    message = _exported()
    _objects(message)[0]["auth:AuthorisationPriority"]["common:Value"] = "Whenever"
    with pytest.raises(MessageInvalid, match="AuthorisationPriority"):
        hi1_to_request(message)
    message = _exported()
    message["Header"]["SenderIdentifier"]["CountryCode"] = "ZZ"
    with pytest.raises(MessageInvalid, match="CountryCode 'ZZ'"):
        hi1_to_request(message)
    message = _exported()
    value = _objects(message)[1]["task:RequestDetails"]["task:RequestValues"]
    value["task:RequestValue"][0]["task:FormatType"]["task:FormatName"] = "IMEI"
    with pytest.raises(MessageInvalid, match="identifier format 'IMEI'"):
        hi1_to_request(message)


def test_a_task_that_does_not_go_with_the_kind_is_refused() -> None:
    message = _exported()
    _objects(message)[0]["auth:AuthorisationLegalType"]["common:Value"] = "mla-stored-data"
    _objects(message)[0]["auth:AuthorisationApprovalDetails"][0]["common:ApprovalDescription"] = (
        "Request under Article 44 of the United Nations Convention against Cybercrime"
    )
    with pytest.raises(MessageInvalid, match="no LPTaskObject goes with"):
        hi1_to_request(message)


def test_an_article_not_of_the_kind_is_refused() -> None:
    message = _exported()
    approval = _objects(message)[0]["auth:AuthorisationApprovalDetails"][0]
    approval["common:ApprovalDescription"] = "Request under Article 47 of the Convention"
    with pytest.raises(MessageInvalid, match="Article 47 is not an article"):
        hi1_to_request(message)


def test_a_message_the_schemas_refuse_is_refused() -> None:
    message = _exported()
    message["Header"]["Timestamp"] = "yesterday"
    with pytest.raises(MessageInvalid, match="not a valid HI-1 message"):
        hi1_to_request(message)


def test_a_response_is_not_a_request() -> None:
    message = _exported()
    message["Payload"] = {"ResponsePayload": {"ActionResponses": {"ActionResponse": []}}}
    with pytest.raises(MessageInvalid):
        hi1_to_request(message)


def _importing(document: Any) -> None:
    with contextlib.suppress(HanoiError):
        hi1_to_request(document)


REQUESTS = [p.name for p in EXAMPLE_FILES if p.name.startswith("request")]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 40), max_size=12), values)
def test_only_typed_errors_come_out_of_a_mutated_export(path: list[int], value: Any) -> None:
    _importing(mutate(request_to_hi1(REQUEST, timestamp=NOW).message, path, value))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(REQUESTS), st.lists(st.integers(0, 40), max_size=12), values)
def test_only_typed_errors_come_out_of_etsis_requests(
    name: str, path: list[int], value: Any
) -> None:
    _importing(example(name))
    _importing(mutate(example(name), path, value))


def test_what_other_systems_write_differently_is_read_as_meant() -> None:
    message = _exported()
    authorisation = _objects(message)[0]
    del authorisation["auth:AuthorisationManualInformation"]  # High, without reasons
    authorisation["auth:AuthorisationTimespan"] = {
        "auth:StartTime": "2026-01-01T02:00:00+02:00",
        "auth:EndTime": "2026-02-01T01:00:00+01:00",
    }
    imported = hi1_to_request(message)
    assert imported.transaction_id == message["Header"]["TransactionIdentifier"]
    assert imported.request.urgency == "urgent"
    assert imported.request.urgency_reasons == "HI-1 AuthorisationPriority High (urgent)"
    assert (imported.request.window_start, imported.request.window_end) == (
        date(2026, 1, 1),
        date(2026, 1, 31),
    )


def test_an_identifier_format_of_another_owner_is_refused() -> None:
    message = _exported()
    values = _objects(message)[1]["task:RequestDetails"]["task:RequestValues"]
    values["task:RequestValue"][0]["task:FormatType"]["task:FormatOwner"] = "XX"
    with pytest.raises(MessageInvalid, match="identifier format"):
        hi1_to_request(message)
