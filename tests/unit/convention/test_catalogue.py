"""The catalogue: contents, citations, confidence, labels, and refusal of bad data."""

from __future__ import annotations

import re
import shutil
from importlib.resources import files
from pathlib import Path

import pytest

from hanoi.convention import (
    Catalogue,
    CatalogueError,
    Channel,
    Confidence,
    Language,
    load_catalogue,
)
from hanoi.convention.labels import COMPLETE_LANGUAGES
from hanoi.convention.models import Bound, FieldType, PendingEvent
from hanoi.convention.sources import Certainty
from hanoi.errors import InvalidInput, NotFound

MLA_KINDS = (
    "mla-stored-data",
    "mla-real-time-traffic-data",
    "mla-interception-of-content-data",
    "mla-general",
    "confiscation",
)


def test_one_kind_per_cooperation_mechanism(catalogue: Catalogue) -> None:
    """The keys are a published interface: drafts and requests store them."""
    assert {kind.key: kind.articles[0] for kind in catalogue.kinds} == {
        "expedited-preservation": 42,
        "preserved-traffic-data-disclosure": 43,
        "mla-stored-data": 44,
        "mla-real-time-traffic-data": 45,
        "mla-interception-of-content-data": 46,
        "mla-general": 40,
        "network-24-7-assistance": 41,
        "law-enforcement-cooperation": 47,
        "joint-investigation": 48,
        "confiscation": 50,
        "spontaneous-information": 40,
    }
    assert 49 in catalogue.kind("confiscation").articles
    assert 51 in catalogue.kind("spontaneous-information").articles


def test_chapters_ii_iv_v_and_ix_are_complete(catalogue: Catalogue) -> None:
    by_chapter: dict[str, list[int]] = {}
    for article in catalogue.articles:
        by_chapter.setdefault(article.chapter, []).append(article.number)
    assert by_chapter["II"] == list(range(7, 22))
    assert by_chapter["IV"] == list(range(23, 35))
    assert by_chapter["V"] == list(range(35, 53))
    assert by_chapter["IX"] == list(range(59, 69))
    assert catalogue.label(catalogue.article(65).label_key) == "Entry into force"


def test_offences_of_arts_7_to_17_and_serious_crime(catalogue: Catalogue) -> None:
    assert [offence.article for offence in catalogue.offences[:-1]] == list(range(7, 18))
    serious = catalogue.offence("art-2-serious-crime")
    assert (serious.article, serious.source.paragraph) == (2, "(h)")
    for offence in catalogue.offences:
        assert re.fullmatch(rf"art-{offence.article}-[a-z0-9-]+", offence.code)
    assert catalogue.offence("art-7-illegal-access").source.confidence is Confidence.CONFIRMED
    assert catalogue.enum("offence").keys == tuple(o.code for o in catalogue.offences)


def test_mla_requests_carry_the_art_40_15_list(catalogue: Catalogue) -> None:
    for key in MLA_KINDS:
        kind = catalogue.kind(key)
        cited = {item.source.paragraph for item in kind.contents if item.source.article == 40}
        assert {"15(a)", "15(b)", "15(c)", "15(d)", "15(e)", "15(f)"} <= cited, key
        required = {
            item.source.paragraph for item in kind.required_items if item.source.article == 40
        }
        assert {"15(a)", "15(b)", "15(c)", "15(d)", "15(f)"} <= required, key
        assert kind.channel is Channel.CENTRAL_AUTHORITY
        assert kind.transmission.oral
        assert kind.transmission.written_confirmation


def test_preservation_follows_art_42(catalogue: Catalogue) -> None:
    kind = catalogue.kind("expedited-preservation")
    letters = {item.source.letter for item in kind.required_items if item.source.article == 42}
    assert letters == set("abcdef")
    assert kind.channel is Channel.POINT_OF_CONTACT
    (period,) = kind.periods
    assert (period.days, period.bound) == (60, Bound.MINIMUM)
    assert period.continues_pending is PendingEvent.MLA_REQUEST_DECISION
    assert [g.key for g in kind.excluded_grounds] == ["dual-criminality-for-preservation"]


def test_every_kind_has_a_channel_required_contents_and_typed_items(catalogue: Catalogue) -> None:
    for kind in catalogue.kinds:
        assert kind.channels, kind.key
        assert kind.required_items, kind.key
        for item in kind.contents:
            assert isinstance(item.type, FieldType)
            if FieldType.ENUM in (item.type, item.item_type):
                assert catalogue.values_for(item) is not None


def test_refusal_grounds_and_conditions_cite_their_paragraphs(catalogue: Catalogue) -> None:
    for key in MLA_KINDS:
        grounds = {g.key: g.source.paragraph for g in catalogue.kind(key).refusal_grounds}
        assert {"21(a)", "21(b)", "21(c)", "21(d)"} <= set(grounds.values()), key
    preservation = {
        g.key: (g.source.article, g.source.paragraph)
        for g in catalogue.kind("expedited-preservation").refusal_grounds
    }
    assert preservation["essential-interests"][0] == 42  # applied by Art. 42, not 40 directly
    conditions = {c.key: c.source.citation() for c in catalogue.conditions}
    assert conditions == {
        "use-limitation": "Art. 40(19)",
        "confidentiality": "Art. 40(20)",
        "personal-data-protection": "Art. 36(1)(b)",
        "onward-transfer-authorization": "Art. 36(3)",
        "extraordinary-costs": "Art. 40(29)",
    }
    for kind in catalogue.kinds:
        for applied in (*kind.refusal_grounds, *kind.excluded_grounds, *kind.conditions):
            assert applied.source.article in {a.number for a in catalogue.articles}


# --- the review of issue 16 (part 4): citations checked against the model treaties ----


def test_instruments_cite_art_64_3_not_the_organizations_paragraph(catalogue: Catalogue) -> None:
    source = catalogue.treaty_rules.instruments.source
    assert source.citation() == "Art. 64(3)"
    assert source.basis is not None
    assert "67(3)" in source.basis
    assert "67(4)" in source.basis


def test_the_non_discrimination_ground_rests_on_the_recalled_un_text(catalogue: Catalogue) -> None:
    ground = catalogue.refusal_ground("persecution-or-discrimination")
    assert ground.source.citation() == "Art. 40(22)"
    assert ground.source.confidence is Confidence.RECALLED
    assert ground.source.basis is not None
    assert "UN text" in ground.source.basis
    assert "not UNTOC 16(14)" in ground.source.basis
    assert "language" in catalogue.label(ground.label_key)


def test_the_24_7_point_of_contact_facilitates_and_never_refuses(catalogue: Catalogue) -> None:
    kind = catalogue.kind("network-24-7-assistance")
    assert kind.refusal_grounds == ()
    (facilitated,) = kind.excluded_grounds
    assert facilitated.key == "direct-measures-not-permitted"
    assert facilitated.source.citation() == "Art. 41(3)"
    assert facilitated.source.basis is not None
    assert "Budapest 35(1)" in facilitated.source.basis
    assert catalogue.label("excluded-ground.direct-measures-not-permitted").startswith(
        "Facilitated only"
    )
    # The old key stays defined, so that a request refused on it earlier can be read,
    # but no kind applies it.
    retired = catalogue.refusal_ground("not-permitted-by-domestic-law-and-practice")
    assert "no longer a ground for refusal" in catalogue.label(retired.label_key)
    assert all(
        applied.key != retired.key for kind in catalogue.kinds for applied in kind.refusal_grounds
    )


def test_safe_conduct_is_15_days_unless_the_states_agree_another_period(
    catalogue: Catalogue,
) -> None:
    kind = catalogue.kind("mla-general")
    (period,) = kind.periods
    assert (period.key, period.days, period.bound) == ("safe-conduct", 15, Bound.UNLESS_AGREED)
    assert period.source.citation() == "Art. 40(28)"
    item = kind.item("safe-conduct-agreed-days")
    assert item is not None
    assert period.agreed_in == item.key
    assert (item.type, item.required, item.minimum, item.maximum) == (
        FieldType.INTEGER,
        False,
        1,
        365,
    )
    assert kind.period_days("safe-conduct", {}) == 15
    assert kind.period_days("safe-conduct", {"safe-conduct-agreed-days": 30}) == 30
    assert kind.period_days("safe-conduct", {"safe-conduct-agreed-days": 365}) == 365
    for bad in (0, -1, 366, "30", 1.5, True):
        with pytest.raises(InvalidInput, match="whole number of days"):
            kind.period_days("safe-conduct", {"safe-conduct-agreed-days": bad})
    with pytest.raises(NotFound):
        kind.period_days("preservation", {})


def test_costs_are_a_condition_of_the_mla_kinds_only(catalogue: Catalogue) -> None:
    costs = catalogue.condition("extraordinary-costs")
    assert costs.source.citation() == "Art. 40(29)"
    assert costs.source.basis is not None
    assert "UNTOC 18(28)" in costs.source.basis
    assert catalogue.label(costs.label_key).startswith("Substantial or extraordinary costs")
    with_costs = {
        kind.key
        for kind in catalogue.kinds
        if "extraordinary-costs" in {c.key for c in kind.conditions}
    }
    assert with_costs == set(MLA_KINDS)


def test_recalled_doubts_of_art_40_are_marked_low(catalogue: Catalogue) -> None:
    """Art. 40(15) may insert an item on the time period (purpose would be (g)); Art. 40(9)
    may follow UNCAC 46(9). Neither is confirmed: the rules say so, behaviour unchanged."""
    purpose = catalogue.kind("mla-general").item("purpose")
    assert purpose is not None
    assert purpose.required
    assert purpose.source.paragraph == "15(f)"
    assert (purpose.source.confidence, purpose.source.certainty) == (
        Confidence.RECALLED,
        Certainty.LOW,
    )
    assert purpose.source.basis is not None
    assert "15(g)" in purpose.source.basis
    dual = catalogue.refusal_ground("absence-of-dual-criminality")
    assert dual.source.citation() == "Art. 40(9)"
    assert (dual.source.confidence, dual.source.certainty) == (Confidence.RECALLED, Certainty.LOW)
    assert dual.source.basis is not None
    assert "UNCAC 46(9)" in dual.source.basis


def test_provisional_rules_are_visible(catalogue: Catalogue) -> None:
    art_65 = catalogue.treaty_rules.entry_into_force.source
    assert not art_65.provisional
    assert catalogue.kind("mla-general").source.provisional
    kinds = {item.source.confidence for kind in catalogue.kinds for item in kind.contents}
    assert {Confidence.CONFIRMED, Confidence.MODEL_TEXT, Confidence.RECALLED} <= kinds


def test_treaty_rules(catalogue: Catalogue) -> None:
    rules = catalogue.treaty_rules
    assert rules.entry_into_force.threshold == 40
    assert rules.entry_into_force.days_after_threshold == 90
    assert not rules.entry_into_force.organization_instruments_counted
    assert rules.later_parties.days_after_deposit == 30
    assert rules.denunciation.years_after_receipt == 1
    assert (rules.signature.opens.isoformat(), rules.signature.closes.isoformat()) == (
        "2025-10-25",
        "2026-12-31",
    )


def test_unknown_keys_are_not_found(catalogue: Catalogue) -> None:
    with pytest.raises(NotFound):
        catalogue.kind("extradition")
    with pytest.raises(NotFound):
        catalogue.article(99)


# --- labels ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", COMPLETE_LANGUAGES, ids=str)
def test_every_language_is_complete(catalogue: Catalogue, language: Language) -> None:
    assert catalogue.labels.missing(language, catalogue.label_keys()) == frozenset()


def test_arabic_citations_use_arabic_letters(catalogue: Catalogue) -> None:
    source = catalogue.offence("art-2-serious-crime").source
    assert catalogue.cite(source) == "Art. 2(h)"
    assert catalogue.cite(source, Language.AR) == "المادة 2(ح)"
    assert Language.AR.right_to_left
    assert not Language.EN.right_to_left


# --- bad data files --------------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    source = Path(str(files("hanoi.convention").joinpath("data")))
    return Path(shutil.copytree(source, tmp_path / "data"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_copy_loads(data_copy: Path) -> None:
    assert load_catalogue(data_copy).kind_keys


@pytest.mark.parametrize("language", [Language.FR, Language.RU, Language.ES, Language.ZH], ids=str)
def test_a_text_missing_in_a_language_falls_back_to_english(
    catalogue: Catalogue, data_copy: Path, language: Language
) -> None:
    key = catalogue.kind("mla-stored-data").description_key
    text = catalogue.label(key, language)
    assert text != catalogue.label(key, Language.EN)
    labels = data_copy / "labels" / f"{language.value}.yaml"
    kept = [line for line in labels.read_text(encoding="utf-8").splitlines() if text not in line]
    labels.write_text("\n".join(kept) + "\n", encoding="utf-8")
    partial = load_catalogue(data_copy)
    assert not partial.labels.has(key, language)
    assert partial.label(key, language) == catalogue.label(key, Language.EN)
    assert partial.labels.coverage(language, partial.label_keys()) < 1


BAD_DATA = [
    pytest.param(
        "offences.yaml",
        "offences:\n",
        "offences:\n  - [unclosed\n",
        "offences.yaml, line",
        id="yaml-syntax",
    ),
    pytest.param(
        "request_kinds.yaml",
        "type: text, required: true",
        "type: text, requird: true",
        "request_kinds.yaml: content_sets.mla-request",
        id="unknown-field",
    ),
    pytest.param(
        "request_kinds.yaml",
        "enum: data-category",
        "enum: data-kind",
        "no value set 'data-kind'",
        id="unknown-value-set",
    ),
    pytest.param(
        "request_kinds.yaml",
        "{item: suggested-deadline, present: true}",
        "{item: suggested-date, present: true}",
        "trigger item 'suggested-date'",
        id="trigger-to-nowhere",
    ),
    pytest.param(
        "request_kinds.yaml",
        "{key: bank-secrecy}",
        "{key: bank-secrets}",
        "excluded bank-secrets: not defined",
        id="unknown-excluded-ground",
    ),
    pytest.param(
        "articles.yaml",
        "  - {number: 36, chapter: V, source: {article: 36, confidence: recalled, "
        'certainty: high, basis: "dig.watch [S]"}}\n',
        "",
        "cites article 36, not in articles.yaml",
        id="cited-article-missing",
    ),
    pytest.param(
        "offences.yaml",
        "code: art-8-illegal-interception, article: 8",
        "code: art-9-illegal-interception, article: 8",
        "must start with art-8-",
        id="offence-code-mismatch",
    ),
    pytest.param(
        "labels/en.yaml",
        '  purpose: "Purpose for which the evidence, information or action is sought"\n',
        "",
        "labels/en.yaml: item.purpose: no English text",
        id="english-label-missing",
    ),
    pytest.param(
        "labels/fr.yaml",
        "  missing: ",
        '  missing: "x"\n  missing: ',
        "duplicate key 'missing'",
        id="duplicate-yaml-key",
    ),
    pytest.param(
        "labels/ar.yaml",
        "({citation})",
        "",
        "placeholders differ from the English text",
        id="placeholder-mismatch",
    ),
    pytest.param(
        "labels/es.yaml",
        "finding:\n",
        'finding:\n  made-up: "x"\n',
        "label key not used",
        id="unused-label",
    ),
    pytest.param(
        "final_provisions.yaml",
        "threshold: 40",
        "threshold: forty",
        "entry_into_force.threshold",
        id="bad-number",
    ),
    pytest.param(
        "request_kinds.yaml",
        "agreed_in: safe-conduct-agreed-days",
        "agreed_in: safe-conduct-days",
        "period safe-conduct: agreed_in 'safe-conduct-days' is not an integer item",
        id="agreed-period-in-no-item",
    ),
    pytest.param(
        "request_kinds.yaml",
        "minimum: 1, maximum: 365",
        "minimum: 1",
        "agreed_in 'safe-conduct-agreed-days' needs a minimum of at least 1 and a maximum",
        id="agreed-period-without-maximum",
    ),
    pytest.param(
        "request_kinds.yaml",
        "bound: unless-agreed, agreed_in: safe-conduct-agreed-days",
        "bound: fixed, agreed_in: safe-conduct-agreed-days",
        "agreed_in names an item exactly when the bound is unless-agreed",
        id="agreed-period-on-a-fixed-bound",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), BAD_DATA)
def test_a_malformed_data_file_is_refused_with_a_clear_error(
    data_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    edit(data_copy / file, old, new)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(data_copy)
    assert expected in caught.value.diagnostics()


def test_a_missing_file_is_refused(data_copy: Path) -> None:
    (data_copy / "enums.yaml").unlink()
    with pytest.raises(CatalogueError, match=r"enums\.yaml"):
        load_catalogue(data_copy)
