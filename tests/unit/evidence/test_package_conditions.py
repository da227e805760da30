"""A request's conditions travel in its evidence packages, each with the State that imposed
it; the Convention's own are the giving State's (issue 14: the export named the requesting
State as the one whose consent a further use needs)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from hanoi.accounts.model import Role
from hanoi.convention import default_catalogue
from hanoi.cooperation import Condition, Side, TransitionName, TransitionRecord
from hanoi.cooperation.statuses import Status, StatusField
from hanoi.evidence.package_conditions import package_conditions
from unit.cooperation.builders import T0, draft

CATALOGUE = default_catalogue()


def _record(sequence: int, name: TransitionName, side: Side, state: str, keys: tuple[str, ...]):  # type: ignore[no-untyped-def]
    return TransitionRecord(
        sequence=sequence,
        request_id="EGY-2026-00042",
        transition=name,
        sets=StatusField.STATUS,
        from_status=Status.CONSULTATION,
        to_status=Status.IN_EXECUTION,
        side=side,
        state=state,
        officer="o",
        role=Role.SUPERVISOR,
        at=T0 + timedelta(hours=sequence),
        article="Art. 40(19)",
        conditions=keys,
    )


def test_the_convention_s_terms_are_imposed_by_the_state_that_gives_the_evidence() -> None:
    request = draft("mla-stored-data")
    conditions, terms = package_conditions(request, giving_state="VNM", catalogue=CATALOGUE)
    assert {t.imposed_by for t in terms} == {"VNM"}
    assert {t.kind: t.article for t in terms} == {
        "use-limitation": "Art. 40(19)",
        "confidentiality": "Art. 40(20)",
        "personal-data-protection": "Art. 36(1)(b); Art. 36(2)",
        "onward-transfer-authorization": "Art. 36(3)",
    }
    assert "prior consent of VNM" in conditions.use_limitation
    assert "authorization of VNM" in conditions.onward_transfer
    assert "consent of EGY" not in conditions.use_limitation
    assert "authorization of EGY" not in conditions.onward_transfer
    assert request.id in conditions.use_limitation


def test_conditions_set_on_the_request_travel_verbatim_with_who_set_them_and_when() -> None:
    base = draft("mla-stored-data")
    set_by_vnm = Condition(
        key="use-limitation", terms="only for case 17/2026", imposed_by=Side.REQUESTED
    )
    retention = Condition(
        key="personal-data-protection",
        terms="minimise",
        imposed_by=Side.REQUESTED,
        retain_until=date(2027, 6, 30),
    )
    history = (
        *base.history,
        _record(90, TransitionName.ACCEPT, Side.REQUESTED, "VNM", ("use-limitation",)),
        _record(91, TransitionName.AGREE_TO_CONDITIONS, Side.REQUESTING, "EGY", ()),
    )
    request = dataclasses.replace(base, conditions=(set_by_vnm, retention))
    object.__setattr__(request, "history", history)
    conditions, terms = package_conditions(request, giving_state="VNM", catalogue=CATALOGUE)
    [agreed] = [t for t in terms if t.text == "only for case 17/2026"]
    assert (agreed.kind, agreed.imposed_by, agreed.step) == ("use-limitation", "VNM", "accept")
    assert agreed.step_time == history[-2].at
    assert agreed.agreed_time == history[-1].at
    assert agreed.article == "Art. 40(19)"
    [minimise] = [t for t in terms if t.text.startswith("minimise")]
    assert minimise.text == "minimise Delete after 2027-06-30."
    assert minimise.step is None  # no step of this history set it; it travels all the same
    assert "VNM (Art. 40(19)): only for case 17/2026" in conditions.use_limitation
    assert "minimise Delete after 2027-06-30." in conditions.retention
    assert "only for case" not in conditions.confidentiality


def test_the_costs_agreed_travel_as_a_term_but_in_no_legacy_text() -> None:
    """Art. 40(29): who bears substantial or extraordinary costs is a term of execution,
    not a condition on the evidence: it travels with the package's terms only."""
    base = draft("mla-general")
    costs = Condition(
        key="extraordinary-costs",
        terms="The requesting State bears the costs of the forensic laboratory.",
        imposed_by=Side.REQUESTED,
    )
    history = (
        *base.history,
        _record(90, TransitionName.ACCEPT, Side.REQUESTED, "VNM", ("extraordinary-costs",)),
    )
    request = dataclasses.replace(base, conditions=(costs,))
    object.__setattr__(request, "history", history)
    conditions, terms = package_conditions(request, giving_state="VNM", catalogue=CATALOGUE)
    [term] = [t for t in terms if t.kind == "extraordinary-costs"]
    assert (term.imposed_by, term.article, term.step) == ("VNM", "Art. 40(29)", "accept")
    assert term.text == costs.terms
    for text in (
        conditions.use_limitation,
        conditions.confidentiality,
        conditions.retention,
        conditions.onward_transfer,
    ):
        assert "forensic laboratory" not in text
