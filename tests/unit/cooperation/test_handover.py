"""The hand-over inside the requesting State, role-aware steps and the expected next step."""

from __future__ import annotations

import pytest

from hanoi.accounts.model import User
from hanoi.cooperation import (
    Attachment,
    AttachmentRole,
    Side,
    Status,
    TransitionName,
    WorkflowViolation,
    attach,
)
from hanoi.cooperation.errors import TransitionNotAllowed
from hanoi.cooperation.table import EXPECTED, ROWS, TABLE, expected_step
from hanoi.cooperation.transitions import allowed_transitions, permits, steps_for
from hanoi.errors import PermissionDenied
from unit.cooperation.builders import (
    AUDITOR,
    KINDS,
    OFFICER,
    SUPERVISOR,
    N,
    Walk,
    acknowledged,
    draft,
)

ENDING = {N.ABANDON, N.REFUSE, N.WITHDRAW, N.RETURN_TO_DRAFT, N.CONFIRM_WITHDRAWAL}


@pytest.mark.parametrize("kind", KINDS)
def test_an_officer_submits_and_a_supervisor_approves(kind: str) -> None:
    walk = Walk(draft(kind))
    walk.take(N.SUBMIT, actor=OFFICER)
    assert walk.status is Status.SUBMITTED
    assert walk.records[-1].article == "Art. 40(13)"
    with pytest.raises(PermissionDenied):
        walk.take(N.APPROVE, actor=OFFICER)
    walk.take(N.APPROVE, actor=SUPERVISOR)
    assert walk.status is Status.APPROVED


@pytest.mark.parametrize("kind", KINDS)
def test_a_submitted_draft_goes_back_to_its_officer_with_comments(kind: str) -> None:
    walk = Walk(draft(kind))
    walk.take(N.SUBMIT, actor=OFFICER)
    walk.take(N.RETURN_TO_DRAFT, actor=SUPERVISOR, reasons="Cite the warrant.")
    assert walk.status is Status.DRAFT
    assert walk.records[-1].reasons == "Cite the warrant."
    walk.take(N.SUBMIT, actor=OFFICER)
    with pytest.raises(PermissionDenied):  # only who approves returns a draft
        walk.take(N.RETURN_TO_DRAFT, actor=OFFICER, reasons="r")


def _names(rows: tuple[object, ...]) -> set[TransitionName]:
    return {row.name for row in rows}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("actor", "offered"),
    [
        (OFFICER, {N.SUBMIT, N.ABANDON}),
        (SUPERVISOR, {N.SUBMIT, N.APPROVE, N.ABANDON}),
        (AUDITOR, set()),
    ],
    ids=lambda v: v.role.value if isinstance(v, User) else "",
)
def test_only_the_steps_a_role_may_take_are_offered(
    actor: User, offered: set[TransitionName]
) -> None:
    request = draft("mla-stored-data")
    rows = steps_for(request, actor, side=Side.REQUESTING)
    assert _names(rows) == offered
    for row in allowed_transitions(request, side=Side.REQUESTING):
        assert (row in rows) is permits(row, request, actor)


def test_the_expected_step_is_the_first_the_reader_may_take() -> None:
    request = draft("mla-stored-data")
    officer = steps_for(request, OFFICER, side=Side.REQUESTING)
    supervisor = steps_for(request, SUPERVISOR, side=Side.REQUESTING)
    assert expected_step(request.status, officer) is ROWS[N.SUBMIT]
    assert expected_step(request.status, supervisor) is ROWS[N.APPROVE]
    walk = acknowledged("mla-stored-data")
    requested = steps_for(walk.request, SUPERVISOR, side=Side.REQUESTED)
    assert expected_step(walk.status, requested) is ROWS[N.ACCEPT]
    assert expected_step(walk.status, ()) is None


def test_expected_steps_lead_forward_and_start_where_they_are_listed() -> None:
    for status, names in EXPECTED.items():
        assert names, status
        for name in names:
            assert name not in ENDING, (status, name)
            assert status in ROWS[name].sources, (status, name)
    assert {row.name for row in TABLE} >= {n for names in EXPECTED.values() for n in names}


def test_a_consultation_goes_back_and_forth_until_the_terms_are_agreed() -> None:
    walk = acknowledged("mla-stored-data")
    walk.take(N.CONSULT, reasons="Only if the data are used for case 17/2026 alone.")
    walk.take(N.PROPOSE_TERMS, reasons="Also for the related case 18/2026.")
    assert walk.status is Status.CONSULTATION
    assert walk.request.desired_status is Status.CONSULTATION
    with pytest.raises(TransitionNotAllowed, match="already asked"):
        walk.take(N.PROPOSE_TERMS, reasons="And case 19/2026.")  # one proposal at a time
    walk.take(N.CONSULT, reasons="Cases 17/2026 and 18/2026, then.")  # the answer
    assert walk.request.desired_status is None
    walk.take(N.AGREE_TO_CONDITIONS)
    assert walk.request.desired_status is Status.IN_EXECUTION
    walk.take(N.ACCEPT)
    assert walk.status is Status.IN_EXECUTION
    assert walk.records[-4].transition is N.PROPOSE_TERMS
    assert walk.records[-4].side is Side.REQUESTING


def test_only_mutual_legal_assistance_is_consulted_on() -> None:
    walk = acknowledged("expedited-preservation")
    names = {row.name for row in allowed_transitions(walk.request)}
    assert N.CONSULT not in names
    assert N.PROPOSE_TERMS not in names


@pytest.mark.parametrize("ending", [N.REFUSE, N.WITHDRAW])
def test_no_evidence_is_recorded_for_a_request_refused_or_withdrawn(ending: TransitionName) -> None:
    walk = acknowledged("mla-stored-data")
    evidence = Attachment(
        id="e1", sha256="ab" * 32, role=AttachmentRole.EVIDENCE, added_by=Side.REQUESTED
    )
    assert attach(walk.request, evidence).attachments[-1] == evidence  # while it may be executed
    if ending is N.REFUSE:
        walk.take(N.CONSULT, reasons="r")
        walk.take(N.REFUSE, grounds=("essential-interests",), reasons="r")
    else:
        walk.take(N.WITHDRAW, reasons="r")
        walk.take(N.CONFIRM_WITHDRAWAL)
    with pytest.raises(WorkflowViolation, match="no evidence is recorded"):
        attach(walk.request, evidence)
