"""A letter of request as data and in its reader's words: the contents item by item in the
catalogue's order, labels and citations in each of the six languages, Arabic right to left,
the verification code, and when a letter may be made at all. The PDF itself, signed, is
checked in ``tests/functional/test_letter_of_request.py``."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from html import escape, unescape

import pytest

from hanoi.convention import FieldType, Finding, FindingCode, Language, default_catalogue
from hanoi.cooperation import Condition, Side, Status, SuggestedDeadline, Urgency, UrgencyLevel
from hanoi.cooperation.model import Attachment, AttachmentRole, DocumentKind
from hanoi.custody.events import CustodyAction, CustodyEvent, parse_event
from hanoi.errors import InvalidInput
from hanoi.letters.letter import (
    ARTICLE,
    Letter,
    NotIssuable,
    Signatory,
    check_issuable,
    grouped,
    parse_code,
    verification_code,
)
from hanoi.letters.render import TEMPLATES_DIR, render_html, template_file
from hanoi.letters.view import contents, state_name, template_values
from hanoi.letters.wording import phrases
from unit.cooperation.builders import T0, N, Walk, draft

CATALOGUE = default_catalogue()
SEED = bytes(range(16))
CODE = verification_code(SEED)
WARRANT = "ab" * 32
LANGUAGES = list(Language)


def approved(kind: str = "mla-stored-data", **kwargs: object) -> Walk:
    return Walk(draft(kind, **kwargs)).steps(N.APPROVE)  # type: ignore[arg-type]


def letter(request_walk: Walk | None = None, language: Language = Language.EN) -> Letter:
    request = (request_walk or approved()).request
    return Letter(
        request=request,
        language=language,
        issued_at=request.last_at + timedelta(hours=1),
        verification_code=CODE,
        signatory=Signatory(
            name="samir", title="Public Prosecutor", authority="Ministry of Justice", state="EGY"
        ),
    )


def full_request() -> Letter:
    """An urgent request with a suggested deadline, a condition and a warrant."""
    walk = approved(urgency=Urgency(level=UrgencyLevel.URGENT, reasons="The data expire soon."))
    request = replace(
        walk.request,
        suggested_deadline=SuggestedDeadline(by=date(2026, 4, 1), reasons="Trial on 2 April."),
        conditions=(
            Condition(
                key="use-limitation",
                terms="Only for case 17/2026.",
                imposed_by=Side.REQUESTING,
                retain_until=date(2027, 1, 31),
            ),
        ),
        attachments=(
            Attachment(
                id="warrant-1",
                sha256=WARRANT,
                role=AttachmentRole.DOCUMENT,
                added_by=Side.REQUESTING,
                title="Search warrant 12/2026",
                document_kind=DocumentKind.WARRANT,
                size=123_456,
                media_type="application/pdf",
            ),
        ),
    )
    return replace(letter(), request=request)


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


# --- the verification code --------------------------------------------------------------


def test_the_code_is_ten_base32_characters_derived_from_the_seed() -> None:
    assert re.fullmatch(r"[A-Z2-7]{10}", CODE)
    assert verification_code(SEED) == CODE
    assert verification_code(bytes(16)) != CODE
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{2}", grouped(CODE))
    assert parse_code(grouped(CODE).lower().replace("-", " - ")) == CODE


def test_a_short_seed_or_a_malformed_code_is_refused() -> None:
    with pytest.raises(InvalidInput):
        verification_code(b"short")
    with pytest.raises(InvalidInput):
        parse_code("ABCD-EFGH-J1")
    with pytest.raises(InvalidInput):
        replace(letter(), verification_code="abcdefghjk")


# --- the contents, item by item ----------------------------------------------------------


def test_contents_follow_the_catalogues_order_of_the_kinds_items() -> None:
    found = letter()
    request = found.request
    kind = CATALOGUE.kind(request.kind)
    expected = [item.key for item in kind.contents if item.key in request.contents]
    rows = contents(request, CATALOGUE, Language.EN)
    assert [row["key"] for row in rows] == expected
    assert len(expected) > 10
    html = render_html(found, catalogue=CATALOGUE)
    positions = [html.index(f'class="item item-{key}"') for key in expected]
    assert positions == sorted(positions)


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.value)
def test_labels_citations_and_values_are_in_the_letters_language(language: Language) -> None:
    found = letter(language=language)
    request = found.request
    kind = CATALOGUE.kind(request.kind)
    html = render_html(found, catalogue=CATALOGUE)
    rows = {row["key"]: row for row in contents(request, CATALOGUE, language)}
    for item in kind.contents:
        if item.key not in request.contents:
            continue
        row = rows[item.key]
        assert row["label"] == CATALOGUE.label(item.label_key, language)
        assert row["citation"] == CATALOGUE.cite(item.source, language)
        assert escape(row["label"], quote=False) in html
        values = CATALOGUE.values_for(item)
        value = request.contents[item.key]
        if values is not None:  # an enum: its label, never its key
            first = value[0] if isinstance(value, list | tuple) else value
            assert row["texts"][0] == CATALOGUE.label(values.label_key(first), language)
        if item.type is FieldType.BOOLEAN:
            assert row["texts"] == (phrases(language)["yes"],)
    words = phrases(language)
    for key in ("heading", "to", "subject", "verification-code", "contents", "attachments"):
        assert escape(words[key], quote=False) in html, key
    assert CATALOGUE.label(kind.title_key, language) in text_of(html)
    assert state_name("VNM", language) in html


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.value)
def test_arabic_runs_right_to_left_and_the_others_left_to_right(language: Language) -> None:
    html = render_html(letter(language=language), catalogue=CATALOGUE)
    direction = "rtl" if language is Language.AR else "ltr"
    assert f'<html lang="{language.value}" dir="{direction}">' in html
    # Ids and codes read left to right whatever the language.
    assert f'<bdi class="code verification-code" dir="ltr">{grouped(CODE)}</bdi>' in html
    assert f'<bdi class="code" dir="ltr">{letter().request.id}</bdi>' in html


def test_states_go_by_the_uns_short_names_in_the_letters_language() -> None:
    assert state_name("VNM", Language.EN) == "Viet Nam"
    assert state_name("EGY", Language.FR) == "Égypte"
    assert state_name("VNM", Language.AR) != state_name("VNM", Language.EN)
    values = template_values(letter(language=Language.RU), catalogue=CATALOGUE)
    assert values["requested"]["state"] == state_name("VNM", Language.RU)


def test_a_default_authority_name_is_translated_and_a_typed_one_kept() -> None:
    walk = approved()
    request = replace(
        walk.request,
        requesting=replace(walk.request.requesting, authority="central authority"),
    )
    values = template_values(replace(letter(), request=request, language=Language.FR),
                             catalogue=CATALOGUE)  # fmt: skip
    assert values["requesting"]["authority"] == "Autorité centrale"
    assert values["requested"]["authority"] == "Supreme People's Procuracy"


def test_urgency_deadline_conditions_and_attachments_are_listed() -> None:
    found = full_request()
    html = render_html(found, catalogue=CATALOGUE)
    text = text_of(html)
    assert "Urgent" in text
    assert "The data expire soon." in text
    assert "Art. 40(14)" in text
    assert "Suggested deadline" in text
    assert "April 1, 2026" in text
    assert "Art. 40(25)" in text
    assert "Trial on 2 April." in text
    condition = CATALOGUE.condition("use-limitation")
    assert CATALOGUE.label(condition.label_key, Language.EN) in text
    assert CATALOGUE.cite(condition.source, Language.EN) in text
    assert "Only for case 17/2026." in text
    assert "Data received to be deleted after January 31, 2027" in text
    assert "Search warrant 12/2026" in text
    assert "Warrant" in text
    assert "123,456 bytes" in text
    assert WARRANT in text
    assert "No document is attached." not in text


def test_a_letter_without_documents_says_so_and_a_preservation_gives_its_period() -> None:
    found = letter(approved("expedited-preservation"), Language.FR)
    text = text_of(render_html(found, catalogue=CATALOGUE))
    assert "Aucun document n'est joint." in text
    assert "Durée de conservation demandée" in text
    assert "au moins 60 jours" in text
    assert "art. 42(8)" in text
    assert "Délai proposé" not in text  # no deadline suggested: none shown


def test_the_signatory_is_named_with_title_authority_and_state() -> None:
    text = text_of(render_html(letter(language=Language.ES), catalogue=CATALOGUE))
    assert "Aprobada por" in text
    assert "samir" in text
    assert "Public Prosecutor" in text
    assert re.search(r"Ministry of Justice\s*, Egipto", text)
    no_title = replace(letter(), signatory=replace(letter().signatory, title=None))
    assert '<th scope="row">Title</th>' not in render_html(no_title, catalogue=CATALOGUE)


def test_the_template_reads_only_its_own_files() -> None:
    assert (
        template_file((TEMPLATES_DIR / "letter.css").as_uri())
        == (TEMPLATES_DIR / "letter.css").resolve()
    )
    for url in ("https://example.org/font.woff", "file:///etc/passwd", "letter.css"):
        with pytest.raises(ValueError, match="a letter"):
            template_file(url)


# --- when a letter may be made -------------------------------------------------------------


def test_an_approved_complete_request_of_this_state_gives_its_approver() -> None:
    walk = approved()
    assert check_issuable(walk.request, side=Side.REQUESTING, findings=[]) == "supervisor-a"
    walk.steps(N.SEND)
    assert walk.status is Status.SENT
    assert check_issuable(walk.request, side=Side.REQUESTING, findings=[]) == "supervisor-a"


def test_a_draft_a_submitted_or_an_abandoned_request_gives_no_letter() -> None:
    for walk in (
        Walk(draft("mla-stored-data")),
        Walk(draft("mla-stored-data")).steps(N.SUBMIT),
        Walk(draft("mla-stored-data")).steps(N.ABANDON),  # closed, never approved
    ):
        with pytest.raises(NotIssuable, match="approved request"):
            check_issuable(walk.request, side=Side.REQUESTING, findings=[])


def test_the_requested_state_makes_no_letter_of_a_request_it_received() -> None:
    with pytest.raises(NotIssuable, match="only the requesting State"):
        check_issuable(approved().request, side=Side.REQUESTED, findings=[])


def test_an_incomplete_request_gives_no_letter_and_names_each_item() -> None:
    finding = Finding(
        path="contents.summary-of-facts",
        code=FindingCode.MISSING,
        message="required",
        citation="Art. 40(15)(c)",
    )
    with pytest.raises(NotIssuable, match="not complete") as raised:
        check_issuable(approved().request, side=Side.REQUESTING, findings=[finding])
    assert raised.value.fields[0].path == "contents.summary-of-facts"


def test_the_letter_issued_event_is_a_custody_event_of_the_log_format() -> None:
    event = CustodyEvent(
        action=CustodyAction.LETTER_ISSUED,
        time=T0,
        node="EGY",
        officer="amira",
        request_id="EGY-2026-1",
        article=ARTICLE,
        evidence_sha256=WARRANT,
        unknown={"language": "fr", "verification_code": CODE, "code_seed": SEED.hex()},
    )
    again = parse_event(event.canonical())
    assert again == event
    assert again.to_json()["type"] == "letter-issued"
