"""ETSI's schemas, as one validator: ETSI's own examples pass, broken messages fail with a
useful path, and the list of problems is bounded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hanoi.errors import InvalidInput
from hanoi.providers.hi1 import MessageInvalid, validate_message
from hanoi.providers.hi1.errors import MAX_PROBLEM_CHARS, MAX_PROBLEMS
from hanoi.providers.hi1.schemas import message_validator
from support_hi1 import EXAMPLE_FILES, example

TASK = "Payload/RequestPayload/ActionRequests/ActionRequest/1/CREATE/HI1Object"


def test_there_are_etsis_24_json_examples() -> None:
    assert len(EXAMPLE_FILES) == 24


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_etsi_example_is_valid(path: Path) -> None:
    # All 24 of ETSI's JSON examples of v1.23.1 validate against ETSI's schemas with the
    # TS 103 280 stand-in: no erratum needed to be excused. (response3.json reports an
    # AuthorisationStatus "Active" that ETSI's dictionary does not list; the schema does
    # not check dictionary values, so that is not a schema error.)
    validate_message(json.loads(path.read_text(encoding="utf-8")))


def paths(error: MessageInvalid) -> list[str]:
    return [f.path for f in error.fields]


def refused(document: object) -> MessageInvalid:
    with pytest.raises(MessageInvalid) as caught:
        validate_message(document)
    assert isinstance(caught.value, InvalidInput)
    return caught.value


def test_a_message_without_header_names_it() -> None:
    document = example("request4.json")
    del document["Header"]
    error = refused(document)
    assert any("Header" in f.message for f in error.fields)
    assert paths(error) == ["#"]


def test_a_wrong_country_code_is_refused_at_its_place() -> None:
    document = example("request4.json")
    document["Header"]["SenderIdentifier"]["CountryCode"] = "xx"
    assert paths(refused(document)) == ["#/Header/SenderIdentifier/CountryCode"]


def test_a_bad_uuid_is_refused_at_its_place() -> None:
    document = example("request4.json")
    document["Header"]["TransactionIdentifier"] = "not-a-uuid"
    assert paths(refused(document)) == ["#/Header/TransactionIdentifier"]


def test_a_bad_object_identifier_inside_a_task_is_found() -> None:
    document = example("request4.json")
    document["Payload"]["RequestPayload"]["ActionRequests"]["ActionRequest"][1]["CREATE"][
        "HI1Object"
    ]["ObjectIdentifier"] = "2B36A78B"
    error = refused(document)
    assert f"#/{TASK}/ObjectIdentifier" in paths(error)


def test_an_unknown_task_type_is_refused() -> None:
    document = example("request4.json")
    document["Payload"]["RequestPayload"]["ActionRequests"]["ActionRequest"][1]["CREATE"][
        "HI1Object"
    ]["@xsi:type"] = "{http://uri.etsi.org/03120/common/2020/09/Task}XXTaskObject"
    error = refused(document)
    assert any(path.startswith(f"#/{TASK}") for path in paths(error)), error.diagnostics()


def test_an_extra_property_is_refused() -> None:
    document = example("request4.json")
    document["Header"]["Comment"] = "not in the schema"
    error = refused(document)
    assert paths(error) == ["#/Header"]
    assert "Comment" in error.fields[0].message


def test_an_extra_property_inside_an_object_is_refused() -> None:
    document = example("request8_LPTaskObject.json")
    action = document["Payload"]["RequestPayload"]["ActionRequests"]["ActionRequest"][0]
    action["CREATE"]["HI1Object"]["task:Colour"] = "blue"
    error = refused(document)
    assert any("task:Colour" in f.message for f in error.fields), error.diagnostics()


def test_not_an_object_at_all() -> None:
    assert paths(refused([1, 2])) == ["#"]
    assert paths(refused(None)) == ["#"]


def test_problems_are_bounded_and_short() -> None:
    document = example("response2.json")
    for index in range(200):
        document[f"Extra{index:03}"] = "x" * 10_000
        document["Header"][f"Extra{index:03}"] = 1
    document["Header"]["TransactionIdentifier"] = "y" * 10_000
    error = refused(document)
    assert 1 <= len(error.fields) <= MAX_PROBLEMS
    assert all(len(f.message) <= MAX_PROBLEM_CHARS for f in error.fields)
    assert len(error.diagnostics()) < MAX_PROBLEMS * (MAX_PROBLEM_CHARS + 200)


def test_the_validator_is_built_once() -> None:
    assert message_validator() is message_validator()
