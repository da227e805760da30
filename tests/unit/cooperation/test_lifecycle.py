"""Every kind of request, through every decision the table allows, and no other."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hanoi.convention import is_required
from hanoi.cooperation import (
    TABLE,
    Condition,
    GroundNotApplicable,
    IncompleteRequest,
    KindTrait,
    MissingRequirement,
    Side,
    Status,
    StatusField,
    TransitionNotAllowed,
    TransitionRecord,
    WrongSide,
    allowed_transitions,
    apply,
    consultation_required,
    traits,
)
from hanoi.cooperation.kinds import CONSULTATION_PARAGRAPHS, CONSULTATION_SOURCE
from hanoi.errors import InvalidInput
from unit.cooperation.builders import (
    CATALOGUE,
    KINDS,
    REQUESTED_STATE,
    REQUESTING_STATE,
    SUPERVISOR,
    N,
    Walk,
    acknowledged,
    draft,
    preservation_days,
)


def has(kind: str, trait: KindTrait) -> bool:
    return trait in traits(CATALOGUE.kind(kind))


def kinds_with(trait: KindTrait) -> list[str]:
    return [kind for kind in KINDS if has(kind, trait)]


def kinds_without(trait: KindTrait) -> list[str]:
    return [kind for kind in KINDS if not has(kind, trait)]


def grounds_of(kind: str) -> list[str]:
    return [applied.key for applied in CATALOGUE.kind(kind).refusal_grounds]


def needs_consultation(kind: str, ground: str) -> bool:
    return consultation_required(CATALOGUE.kind(kind), ground)


def kind_ground_pairs() -> list[tuple[str, str]]:
    return [(kind, ground) for kind in KINDS for ground in grounds_of(kind)]


def to_outcome(walk: Walk) -> Walk:
    """The usual way to an outcome for the kind: executed, or preserved and then released."""
    kind = walk.request.kind
    if has(kind, KindTrait.PRESERVATION):
        walk.take(N.ORDER_PRESERVATION)
        end = walk.at + preservation_days(kind)
        walk.take(N.PRESERVE, until=end)
        walk.take(N.RELEASE_PRESERVATION, reasons="no MLA request came", at=end)
        assert walk.status is Status.RELEASED
    else:
        walk.steps(N.ACCEPT, N.COMPLETE)
        assert walk.status is Status.EXECUTED
    return walk


def check_record(record: TransitionRecord, walk: Walk, index: int) -> None:
    assert record.sequence == index
    assert record.request_id == walk.request.id
    assert record.state == (REQUESTING_STATE if record.side is Side.REQUESTING else REQUESTED_STATE)
    assert record.officer
    assert record.article.startswith("Art. ")
    assert record.at.tzinfo is not None


# --- the main path ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_complete_draft_goes_from_draft_to_closure(kind: str) -> None:
    walk = Walk(draft(kind))
    assert walk.status is Status.DRAFT
    walk.steps(N.APPROVE, N.SEND, N.RECEIVE, N.ACKNOWLEDGE)
    assert walk.status is Status.ACKNOWLEDGED
    to_outcome(walk).take(N.CLOSE)
    assert walk.status is Status.CLOSED
    assert walk.request.history == tuple(walk.records)
    for index, record in enumerate(walk.records, start=1):
        check_record(record, walk, index)
    assert allowed_transitions(walk.request) == ()


@pytest.mark.parametrize("kind", KINDS)
def test_every_step_outside_the_table_is_refused_with_the_allowed_steps(kind: str) -> None:
    walk = Walk(draft(kind))
    names = [N.APPROVE, N.SEND, N.RECEIVE, N.ACKNOWLEDGE]
    for name in [*names, None]:
        allowed = allowed_transitions(walk.request)
        expected = [(row.name.value, row.side.value) for row in allowed]
        for row in TABLE:
            if row in allowed:
                continue
            with pytest.raises(TransitionNotAllowed) as caught:
                apply(walk.request, transition=row.name, actor=SUPERVISOR, side=row.side,
                      at=walk.at, reasons="r")  # fmt: skip
            assert caught.value.status == walk.status.value
            assert list(caught.value.allowed) == expected
            assert walk.status.value in str(caught.value)
        if name is not None:
            walk.take(name, reasons="r")


# --- decisions of the requested State -------------------------------------------------


@pytest.mark.parametrize(("kind", "ground"), kind_ground_pairs())
def test_refusal_on_a_ground_of_the_kind_with_reasons(kind: str, ground: str) -> None:
    walk = acknowledged(kind)
    if needs_consultation(kind, ground):
        walk.take(N.CONSULT, reasons="essential interests at stake; can conditions help?")
    walk.take(N.REFUSE, grounds=[ground], reasons="execution would prejudice ...")
    assert walk.status is Status.REFUSED
    record = walk.records[-1]
    assert record.grounds == (ground,)
    assert record.article.startswith("Art. 40(24)")
    walk.take(N.CLOSE)
    assert walk.status is Status.CLOSED


@pytest.mark.parametrize("kind", kinds_with(KindTrait.REFUSABLE))
def test_refusal_without_reasons_is_refused(kind: str) -> None:
    walk = acknowledged(kind)
    if has(kind, KindTrait.MLA):
        walk.take(N.CONSULT, reasons="r")
    for reasons in (None, "   "):
        with pytest.raises(MissingRequirement) as caught:
            walk.take(N.REFUSE, grounds=[grounds_of(kind)[0]], reasons=reasons)
        assert caught.value.fields[0].path == "reasons"
        assert caught.value.fields[0].article == "Art. 40(24)"
    with pytest.raises(MissingRequirement):
        walk.take(N.REFUSE, reasons="r")


@pytest.mark.parametrize(
    ("kind", "ground"), [(k, g) for k, g in kind_ground_pairs() if needs_consultation(k, g)]
)
def test_refusal_on_a_ground_of_article_40_needs_consultation_first(kind: str, ground: str) -> None:
    walk = acknowledged(kind)
    with pytest.raises(MissingRequirement) as caught:
        walk.take(N.REFUSE, grounds=[ground], reasons="r")
    assert "consult" in str(caught.value)
    assert caught.value.fields[0].article == "Art. 40(27)"
    assert walk.status is Status.ACKNOWLEDGED


def test_consultation_comes_before_a_refusal_under_art_40_21_only() -> None:
    """Art. 40(27) on the model of UNTOC 18(26): consultation before refusing under
    paragraph 21 or postponing under paragraph 26 (UNTOC 18(21), (25)), not before a
    refusal under 40(22), the non-discrimination ground the model does not name."""
    assert frozenset({21}) == CONSULTATION_PARAGRAPHS
    assert CONSULTATION_SOURCE.citation() == "Art. 40(27)"
    assert CONSULTATION_SOURCE.basis is not None
    assert "40(22)" not in CONSULTATION_SOURCE.basis
    for kind in kinds_with(KindTrait.MLA):
        for applied in CATALOGUE.kind(kind).refusal_grounds:
            under_21 = applied.source.article == 40 and applied.source.paragraph_number == 21
            assert needs_consultation(kind, applied.key) is under_21, (kind, applied.key)
        assert needs_consultation(kind, "essential-interests")
        assert not needs_consultation(kind, "persecution-or-discrimination")


@pytest.mark.parametrize("kind", kinds_with(KindTrait.MLA))
def test_refusal_under_art_40_22_needs_no_consultation_and_postponement_does(kind: str) -> None:
    walk = acknowledged(kind)
    with pytest.raises(TransitionNotAllowed):
        walk.take(N.POSTPONE, reasons="an ongoing domestic investigation")
    walk.take(
        N.REFUSE,
        grounds=["persecution-or-discrimination"],
        reasons="substantial grounds to believe the person is prosecuted for political opinions",
    )
    assert walk.status is Status.REFUSED
    assert walk.request.reached(Status.CONSULTATION) is None
    assert walk.records[-1].article == "Art. 40(24); Art. 40(22)"


def test_a_24_7_request_where_direct_measures_are_not_permitted_is_facilitated() -> None:
    """Art. 41(3), Budapest 35(1) model: the point of contact facilitates in every case;
    domestic law and practice limit only whether it carries a measure out directly."""
    kind = "network-24-7-assistance"
    assert KindTrait.REFUSABLE not in traits(CATALOGUE.kind(kind))
    walk = acknowledged(kind)
    with pytest.raises(TransitionNotAllowed):
        walk.take(N.REFUSE, grounds=["not-permitted-by-domestic-law-and-practice"], reasons="r")
    walk.take(N.ACCEPT)
    walk.take(
        N.EXECUTE_PARTIALLY,
        reasons="Facilitated only: preservation arranged with the provider through the "
        "competent authority; direct disclosure is not permitted by our law.",
    )
    walk.take(N.COMPLETE)
    assert walk.status is Status.EXECUTED


@pytest.mark.parametrize("kind", kinds_with(KindTrait.REFUSABLE))
def test_refusal_on_a_ground_the_kind_does_not_have_is_refused(kind: str) -> None:
    foreign = [g.key for g in CATALOGUE.refusal_grounds if g.key not in grounds_of(kind)]
    walk = acknowledged(kind)
    if has(kind, KindTrait.MLA):
        walk.take(N.CONSULT, reasons="r")
    for ground in [*foreign, "no-such-ground"]:
        with pytest.raises(GroundNotApplicable) as caught:
            walk.take(N.REFUSE, grounds=[ground], reasons="r")
        assert grounds_of(kind)[0] in str(caught.value)


@pytest.mark.parametrize("kind", kinds_with(KindTrait.REFUSABLE))
@pytest.mark.parametrize("excluded", [g.key for g in CATALOGUE.excluded_grounds])
def test_excluded_reasons_are_never_grounds(kind: str, excluded: str) -> None:
    walk = acknowledged(kind)
    if has(kind, KindTrait.MLA):
        walk.take(N.CONSULT, reasons="r")
    with pytest.raises(GroundNotApplicable, match="is not a ground for refusal") as caught:
        walk.take(N.REFUSE, grounds=[grounds_of(kind)[0], excluded], reasons="r")
    source = CATALOGUE.excluded_ground(excluded).source
    assert caught.value.fields[0].article is not None
    assert caught.value.fields[0].article.startswith(f"Art. {source.article}")


@pytest.mark.parametrize("kind", kinds_without(KindTrait.REFUSABLE))
def test_a_kind_without_grounds_cannot_be_refused(kind: str) -> None:
    walk = acknowledged(kind)
    with pytest.raises(TransitionNotAllowed, match="no ground"):
        walk.take(N.REFUSE, grounds=["essential-interests"], reasons="r")


@pytest.mark.parametrize("kind", kinds_with(KindTrait.MLA))
def test_postponement_after_consultation_with_reasons(kind: str) -> None:
    walk = acknowledged(kind).take(N.CONSULT, reasons="it would interfere with our case")
    with pytest.raises(MissingRequirement):
        walk.take(N.POSTPONE)
    walk.take(N.POSTPONE, reasons="ongoing domestic investigation until June")
    assert walk.status is Status.POSTPONED
    assert walk.records[-1].article == "Art. 40(26)"
    walk.steps(N.ACCEPT, N.COMPLETE, N.CLOSE)
    assert walk.status is Status.CLOSED


@pytest.mark.parametrize("kind", kinds_without(KindTrait.MLA))
def test_only_mla_requests_are_consulted_on_or_postponed(kind: str) -> None:
    walk = acknowledged(kind)
    for name in (N.CONSULT, N.POSTPONE):
        with pytest.raises(TransitionNotAllowed):
            walk.take(name, reasons="r")


@pytest.mark.parametrize("kind", KINDS)
def test_additional_information_is_asked_provided_and_recorded(kind: str) -> None:
    walk = acknowledged(kind)
    with pytest.raises(MissingRequirement):
        walk.take(N.REQUEST_ADDITIONAL_INFORMATION)
    walk.take(N.REQUEST_ADDITIONAL_INFORMATION, reasons="which accounts, which dates?")
    assert walk.status is Status.ADDITIONAL_INFORMATION_REQUESTED
    with pytest.raises(TransitionNotAllowed, match="has not asked"):
        walk.take(N.RECORD_ADDITIONAL_INFORMATION)
    walk.take(N.PROVIDE_ADDITIONAL_INFORMATION, reasons="accounts a and b, 1-3 March")
    assert walk.records[-1].sets is StatusField.DESIRED
    assert walk.status is Status.ADDITIONAL_INFORMATION_REQUESTED
    assert walk.request.desired_status is Status.ADDITIONAL_INFORMATION_PROVIDED
    walk.take(N.RECORD_ADDITIONAL_INFORMATION)
    assert walk.status is Status.ADDITIONAL_INFORMATION_PROVIDED
    assert walk.request.desired_status is None
    to_outcome(walk).take(N.CLOSE)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("after", [(), (N.RECEIVE,), (N.RECEIVE, N.ACKNOWLEDGE)])
def test_withdrawal_asked_by_the_requesting_state_and_confirmed(
    kind: str, after: tuple[N, ...]
) -> None:
    walk = Walk(draft(kind)).steps(N.APPROVE, N.SEND, *after)
    with pytest.raises(TransitionNotAllowed):
        walk.take(N.CONFIRM_WITHDRAWAL)
    walk.take(N.WITHDRAW, reasons="the suspect has been identified")
    with pytest.raises(TransitionNotAllowed, match="already asked"):
        walk.take(N.WITHDRAW, reasons="again")
    walk.take(N.CONFIRM_WITHDRAWAL)
    assert walk.status is Status.WITHDRAWN
    walk.take(N.CLOSE)
    assert walk.status is Status.CLOSED


@pytest.mark.parametrize("kind", kinds_with(KindTrait.MLA))
def test_conditions_on_acceptance_need_the_requesting_state_s_agreement(kind: str) -> None:
    walk = acknowledged(kind).take(N.CONSULT, reasons="only for this proceeding")
    condition = Condition(
        key="use-limitation", terms="only case 42/2026", imposed_by=Side.REQUESTED
    )
    with pytest.raises(MissingRequirement, match="agree"):
        walk.take(N.ACCEPT, conditions=[condition])
    walk.take(N.AGREE_TO_CONDITIONS)
    assert walk.request.desired_status is Status.IN_EXECUTION
    walk.take(N.ACCEPT, conditions=[condition])
    assert walk.status is Status.IN_EXECUTION
    assert condition in walk.request.conditions
    assert walk.request.desired_status is None


@pytest.mark.parametrize("kind", kinds_with(KindTrait.MLA))
def test_a_decision_carries_the_costs_agreed_in_consultation(kind: str) -> None:
    """Art. 40(29): substantial or extraordinary costs lead to consultation on the terms of
    execution and how the costs are borne; the acceptance carries what was agreed."""
    walk = acknowledged(kind).take(
        N.CONSULT, reasons="execution needs forensic imaging of 40 servers: extraordinary costs"
    )
    walk.take(N.AGREE_TO_CONDITIONS)
    costs = Condition(
        key="extraordinary-costs",
        terms="The requesting State bears the costs of the external forensic laboratory.",
        imposed_by=Side.REQUESTED,
    )
    walk.take(N.ACCEPT, conditions=[costs])
    assert walk.status is Status.IN_EXECUTION
    assert costs in walk.request.conditions
    assert walk.records[-1].conditions == ("extraordinary-costs",)


@pytest.mark.parametrize("kind", kinds_without(KindTrait.MLA))
def test_the_costs_condition_is_for_mla_requests_only(kind: str) -> None:
    assert "extraordinary-costs" not in {c.key for c in CATALOGUE.kind(kind).conditions}


def test_a_retention_period_that_has_already_ended_is_refused() -> None:
    kind = kinds_with(KindTrait.MLA)[0]
    walk = acknowledged(kind).take(N.CONSULT, reasons="personal data of third persons")
    walk.take(N.AGREE_TO_CONDITIONS)
    today = walk.at.date()

    def retained(until: date) -> Condition:
        return Condition(
            key="personal-data-protection",
            terms="delete after the trial",
            imposed_by=Side.REQUESTED,
            retain_until=until,
        )

    with pytest.raises(InvalidInput, match="already past"):
        walk.take(N.ACCEPT, conditions=[retained(today - timedelta(days=1))])
    assert walk.status is not Status.IN_EXECUTION
    walk.take(N.ACCEPT, conditions=[retained(today)])  # deleted at the end of today
    assert walk.status is Status.IN_EXECUTION


@pytest.mark.parametrize("kind", kinds_with(KindTrait.EXECUTED))
def test_partial_execution_with_reasons(kind: str) -> None:
    walk = acknowledged(kind).steps(N.ACCEPT)
    with pytest.raises(MissingRequirement):
        walk.take(N.EXECUTE_PARTIALLY)
    walk.steps(N.EXECUTE_PARTIALLY, N.RESUME_EXECUTION, N.EXECUTE_PARTIALLY, N.COMPLETE)
    assert walk.status is Status.EXECUTED


# --- the requesting State's side ------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_an_incomplete_draft_cannot_be_approved(kind: str) -> None:
    spec = CATALOGUE.kind(kind)
    walk = Walk(draft(kind, contents={}))
    with pytest.raises(IncompleteRequest) as caught:
        walk.take(N.APPROVE)
    missing = {f"contents.{item.key}" for item in spec.contents if is_required(item, {})}
    assert {field.path for field in caught.value.fields} == missing
    assert all(field.article and field.article.startswith("Art. ") for field in caught.value.fields)
    for path in missing:
        assert path in str(caught.value)
    assert walk.status is Status.DRAFT


@pytest.mark.parametrize("kind", KINDS)
def test_a_draft_with_one_item_missing_names_that_item(kind: str) -> None:
    walk = Walk(draft(kind))
    item = next(i for i in CATALOGUE.kind(kind).contents if is_required(i, {}))
    contents = dict(walk.request.contents)
    del contents[item.key]
    with pytest.raises(IncompleteRequest) as caught:
        Walk(draft(kind, contents=contents)).take(N.APPROVE)
    assert [f.path for f in caught.value.fields] == [f"contents.{item.key}"]
    assert caught.value.fields[0].article == item.source.citation()


@pytest.mark.parametrize("kind", KINDS)
def test_returned_to_draft_or_abandoned_before_sending(kind: str) -> None:
    walk = Walk(draft(kind)).steps(N.APPROVE, N.RETURN_TO_DRAFT)
    assert walk.status is Status.DRAFT
    walk.steps(N.APPROVE, N.ABANDON)
    assert walk.status is Status.CLOSED
    assert allowed_transitions(walk.request) == ()


# --- who may act ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_other_side_cannot_take_a_step(kind: str) -> None:
    walk = acknowledged(kind)
    with pytest.raises(WrongSide, match="requested State") as caught:
        walk.take(N.ACCEPT if has(kind, KindTrait.EXECUTED) else N.ORDER_PRESERVATION,
                  side=Side.REQUESTING)  # fmt: skip
    assert ("withdraw", "requesting") in caught.value.allowed
    with pytest.raises(WrongSide):
        Walk(draft(kind)).take(N.APPROVE, side=Side.REQUESTED)
