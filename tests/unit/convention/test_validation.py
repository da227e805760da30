"""Validation of drafts, for every kind and every item of the catalogue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from hanoi.convention import (
    Catalogue,
    Draft,
    FieldType,
    FindingCode,
    Language,
    is_required,
    require_valid,
    validate,
)
from hanoi.convention.values import LIMITS
from hanoi.errors import InvalidInput


def draft(kind: str, contents: dict[str, Any]) -> dict[str, Any]:
    return {"kind": kind, "contents": contents}


# --- every kind, every item ------------------------------------------------------------


def test_a_complete_draft_passes(catalogue: Catalogue, drafts, kind_key: str) -> None:
    kind = catalogue.kind(kind_key)
    assert validate(draft(kind_key, drafts.full(kind))) == []


def test_a_draft_with_only_the_required_items_passes(
    catalogue: Catalogue, drafts, kind_key: str
) -> None:
    kind = catalogue.kind(kind_key)
    full = drafts.full(kind)
    minimal = {key: value for key, value in full.items() if is_required(kind.item(key), full)}
    assert minimal, "every kind requires something"
    assert validate(Draft(kind=kind_key, contents=minimal)) == []


def test_missing_any_required_item_fails_on_exactly_that_item(
    catalogue: Catalogue, drafts, required_item: tuple[str, str]
) -> None:
    kind_key, item_key = required_item
    kind = catalogue.kind(kind_key)
    item = kind.item(item_key)
    assert item is not None
    contents = drafts.requiring(kind, item)
    assert validate(draft(kind_key, contents)) == []
    for empty in (None, "", []):
        if empty is None:
            del contents[item_key]
        else:
            contents[item_key] = empty
        findings = validate(draft(kind_key, contents))
        assert [(f.path, f.code) for f in findings] == [
            (f"contents.{item_key}", FindingCode.MISSING)
        ]
        assert findings[0].article == item.source.article
        assert findings[0].paragraph == item.source.paragraph
        assert findings[0].confidence == item.source.confidence
        assert findings[0].citation == item.source.citation()
        assert item.source.citation() in findings[0].message


def test_a_conditional_item_is_not_required_when_its_condition_says_so(
    catalogue: Catalogue, drafts, conditional_item: tuple[str, str]
) -> None:
    kind_key, item_key = conditional_item
    kind = catalogue.kind(kind_key)
    item = kind.item(item_key)
    assert item is not None
    contents = drafts.excusing(kind, item)
    assert item_key not in contents
    assert not is_required(item, contents)
    assert validate(draft(kind_key, contents)) == []


WRONG_VALUES: dict[FieldType, Any] = {
    FieldType.TEXT: 12,
    FieldType.LONG_TEXT: ["not", "text"],
    FieldType.DATE: "25/10/2025",
    FieldType.STATE_CODE: "egy",
    FieldType.ENUM: "no-such-value",
    FieldType.BOOLEAN: "yes",
    FieldType.INTEGER: "4",
}


def test_a_value_of_the_wrong_type_fails_on_that_item(
    catalogue: Catalogue, drafts, any_item: tuple[str, str]
) -> None:
    kind_key, item_key = any_item
    kind = catalogue.kind(kind_key)
    item = kind.item(item_key)
    assert item is not None
    contents = drafts.requiring(kind, item)
    if item.type is FieldType.LIST:
        assert item.item_type is not None
        contents[item_key] = "not a list"
        expected = [(f"contents.{item_key}", FindingCode.WRONG_TYPE)]
        findings = validate(draft(kind_key, contents))
        assert [(f.path, f.code) for f in findings] == expected
        contents[item_key] = [drafts.sample(item)[0], WRONG_VALUES[item.item_type]]
        path = f"contents.{item_key}[1]"
        field_type = item.item_type
    else:
        contents[item_key] = WRONG_VALUES[item.type]
        path = f"contents.{item_key}"
        field_type = item.type
    code = FindingCode.UNKNOWN_VALUE if field_type is FieldType.ENUM else FindingCode.WRONG_TYPE
    findings = validate(draft(kind_key, contents))
    assert [(f.path, f.code) for f in findings] == [(path, code)]
    assert findings[0].article == item.source.article


def test_an_unknown_item_is_a_finding(catalogue: Catalogue, drafts, kind_key: str) -> None:
    contents = drafts.full(catalogue.kind(kind_key)) | {"favourite-colour": "blue"}
    findings = validate(draft(kind_key, contents))
    assert [(f.path, f.code) for f in findings] == [
        ("contents.favourite-colour", FindingCode.UNKNOWN_ITEM)
    ]


# --- rules on values -------------------------------------------------------------------


def _items_with(catalogue: Catalogue, predicate) -> list[tuple[str, str]]:
    return [
        (kind.key, item.key)
        for kind in catalogue.kinds
        for item in kind.contents
        if predicate(item)
    ]


def test_statements_that_must_be_made_must_be_true(catalogue: Catalogue, drafts) -> None:
    pairs = _items_with(catalogue, lambda item: item.must_be_true)
    assert pairs, "Art. 42 and Art. 50 each require a statement"
    for kind_key, item_key in pairs:
        kind = catalogue.kind(kind_key)
        contents = drafts.requiring(kind, kind.item(item_key)) | {item_key: False}
        findings = validate(draft(kind_key, contents))
        assert [(f.path, f.code) for f in findings] == [
            (f"contents.{item_key}", FindingCode.MUST_BE_TRUE)
        ]


def test_minimums_are_enforced(catalogue: Catalogue, drafts) -> None:
    pairs = _items_with(catalogue, lambda item: item.minimum is not None)
    assert pairs, "the serious-crime penalty threshold of Art. 2(h)"
    for kind_key, item_key in pairs:
        kind = catalogue.kind(kind_key)
        item = kind.item(item_key)
        contents = drafts.requiring(kind, item) | {item_key: item.minimum - 1}
        findings = validate(draft(kind_key, contents))
        assert [(f.path, f.code) for f in findings] == [
            (f"contents.{item_key}", FindingCode.BELOW_MINIMUM)
        ]
        assert validate(draft(kind_key, contents | {item_key: item.minimum})) == []


def test_maximums_are_enforced(catalogue: Catalogue, drafts) -> None:
    pairs = _items_with(catalogue, lambda item: item.maximum is not None)
    assert pairs, "the period of safe conduct the States agreed (Art. 40(28))"
    for kind_key, item_key in pairs:
        kind = catalogue.kind(kind_key)
        item = kind.item(item_key)
        contents = drafts.requiring(kind, item) | {item_key: item.maximum + 1}
        findings = validate(draft(kind_key, contents))
        assert [(f.path, f.code) for f in findings] == [
            (f"contents.{item_key}", FindingCode.ABOVE_MAXIMUM)
        ]
        assert str(item.maximum) in findings[0].message
        assert findings[0].citation is None  # a limit of the node, not of the Convention
        assert validate(draft(kind_key, contents | {item_key: item.maximum})) == []


def test_an_agreed_period_of_safe_conduct_is_a_whole_number_of_days(
    catalogue: Catalogue, drafts
) -> None:
    kind = catalogue.kind("mla-general")
    item = kind.item("safe-conduct-agreed-days")
    assert item is not None
    contents = drafts.requiring(kind, item)
    assert validate(draft(kind.key, contents | {item.key: 30})) == []
    codes = {
        value: [f.code for f in validate(draft(kind.key, contents | {item.key: value}))]
        for value in (0, -5, 366, "30", 1.5, True)
    }
    assert codes == {
        0: [FindingCode.BELOW_MINIMUM],
        -5: [FindingCode.BELOW_MINIMUM],
        366: [FindingCode.ABOVE_MAXIMUM],
        "30": [FindingCode.WRONG_TYPE],
        1.5: [FindingCode.WRONG_TYPE],
        True: [FindingCode.WRONG_TYPE],
    }
    messages = {
        language: validate(draft(kind.key, contents | {item.key: 366}), language=language)[0]
        for language in Language
    }
    assert all("365" in finding.message for finding in messages.values())


def test_dates_in_order(catalogue: Catalogue, drafts) -> None:
    pairs = _items_with(catalogue, lambda item: item.not_before is not None)
    assert pairs, "collection periods of Arts 45-46"
    for kind_key, item_key in pairs:
        kind = catalogue.kind(kind_key)
        item = kind.item(item_key)
        contents = drafts.full(kind) | {item.not_before: "2026-03-02", item_key: "2026-03-01"}
        findings = validate(draft(kind_key, contents))
        assert [(f.path, f.code) for f in findings] == [
            (f"contents.{item_key}", FindingCode.DATE_ORDER)
        ]
        same_day = contents | {item_key: "2026-03-02"}
        assert validate(draft(kind_key, same_day)) == []


def test_date_values(catalogue: Catalogue, drafts) -> None:
    kind = catalogue.kind("mla-stored-data")
    base = drafts.full(kind)
    assert validate(draft(kind.key, base | {"suggested-deadline": date(2026, 5, 1)})) == []
    for bad in ("2026-02-30", "20260501", datetime(2026, 5, 1, 12, 0), 20260501):
        findings = validate(draft(kind.key, base | {"suggested-deadline": bad}))
        assert [f.code for f in findings] == [FindingCode.WRONG_TYPE], bad


def test_booleans_are_not_integers_and_integers_are_not_booleans(
    catalogue: Catalogue, drafts
) -> None:
    kind = catalogue.kind("expedited-preservation")
    contents = drafts.full(kind) | {"offences": ["art-2-serious-crime"]}
    assert [f.code for f in validate(draft(kind.key, contents | {"mla-request-intended": 1}))] == [
        FindingCode.WRONG_TYPE
    ]
    assert [
        f.code for f in validate(draft(kind.key, contents | {"maximum-penalty-years": True}))
    ] == [FindingCode.WRONG_TYPE]


def test_lists_refuse_duplicates_and_excess(catalogue: Catalogue, drafts) -> None:
    kind = catalogue.kind("mla-stored-data")
    base = drafts.full(kind)
    twice = base | {"offences": ["art-7-illegal-access", "art-7-illegal-access"]}
    findings = validate(draft(kind.key, twice))
    assert [(f.path, f.code) for f in findings] == [
        ("contents.offences[1]", FindingCode.DUPLICATE_VALUE)
    ]
    many = base | {"person-nationality": ["EGY"] * (LIMITS.list_entries + 1)}
    assert [f.code for f in validate(draft(kind.key, many))] == [FindingCode.TOO_MANY]


def test_text_limits(catalogue: Catalogue, drafts) -> None:
    kind = catalogue.kind("mla-stored-data")
    base = drafts.full(kind)
    long_short_text = base | {"requesting-authority": "x" * (LIMITS.text + 1)}
    assert [f.code for f in validate(draft(kind.key, long_short_text))] == [FindingCode.TOO_LONG]
    long_text = base | {"summary-of-facts": "x" * LIMITS.long_text}
    assert validate(draft(kind.key, long_text)) == []


def test_service_of_documents_alone_needs_no_summary_of_facts(catalogue: Catalogue, drafts) -> None:
    kind = catalogue.kind("mla-general")
    contents = drafts.full(kind) | {"mla-purposes": ["service-of-judicial-documents"]}
    del contents["summary-of-facts"]
    assert validate(draft(kind.key, contents)) == []
    contents["mla-purposes"] = ["service-of-judicial-documents", "taking-evidence-or-statements"]
    findings = validate(draft(kind.key, contents))
    assert [(f.path, f.article, f.paragraph) for f in findings] == [
        ("contents.summary-of-facts", 40, "15(c)")
    ]


# --- malformed drafts ------------------------------------------------------------------


def test_an_unknown_kind_is_a_finding() -> None:
    findings = validate({"kind": "extradition-by-email", "contents": {}})
    assert [(f.path, f.code) for f in findings] == [("kind", FindingCode.UNKNOWN_KIND)]
    assert "extradition-by-email" in findings[0].message


@pytest.mark.parametrize(
    ("value", "paths"),
    [
        ({"contents": {}}, ["kind"]),
        ({"kind": 7, "contents": {}}, ["kind"]),
        ({"kind": "mla-general", "contents": ["a"]}, ["contents"]),
        ({"kind": "mla-general", "contents": {}, "sender": "x"}, ["sender"]),
        ("mla-general", ["draft"]),
    ],
)
def test_malformed_drafts(value: Any, paths: list[str]) -> None:
    findings = validate(value)
    assert [f.path for f in findings] == paths
    assert {f.code for f in findings} == {FindingCode.MALFORMED_DRAFT}


def test_require_valid_raises_one_field_problem_per_finding() -> None:
    with pytest.raises(InvalidInput) as caught:
        require_valid({"kind": "expedited-preservation", "contents": {}})
    paths = [problem.path for problem in caught.value.fields]
    assert "contents.requesting-authority" in paths
    assert all(problem.article for problem in caught.value.fields)


# --- languages -------------------------------------------------------------------------


def test_messages_in_arabic_cite_with_arabic_letters(catalogue: Catalogue) -> None:
    findings = validate({"kind": "mla-general", "contents": {}}, language="ar")
    first = findings[0]
    assert first.path == "contents.requesting-authority"
    assert "المادة 40(15)(أ)" in first.message
    assert catalogue.label("item.requesting-authority", Language.AR) in first.message
    assert first.citation == "Art. 40(15)(a)"


def test_findings_are_written_in_the_language_asked_for(catalogue: Catalogue) -> None:
    findings = validate({"kind": "mla-general", "contents": {}}, language="fr")
    message = findings[0].message
    assert "obligatoire" in message  # the French template
    assert "Identity of the authority making the request" not in message
    assert "art. 40(15)(a)" in message  # the French citation


def test_an_unknown_language_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        validate({"kind": "mla-general", "contents": {}}, language="de")
