"""The request model: typed, frozen, checked; its status only replayed from its history."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

import pytest

from hanoi.convention import Channel
from hanoi.cooperation import (
    KEEP,
    Attachment,
    AttachmentRole,
    Condition,
    InconsistentHistory,
    Link,
    Party,
    Relation,
    Side,
    Status,
    SuggestedDeadline,
    Urgency,
    UrgencyLevel,
    WorkflowViolation,
    apply,
    assign,
    attach,
    link,
    new_request,
    revise,
)
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.errors import InvalidInput, NotFound
from unit.cooperation.builders import (
    CATALOGUE,
    OFFICER,
    REQUESTED_STATE,
    REQUESTING_STATE,
    T0,
    THIRD_STATE,
    N,
    Walk,
    acknowledged,
    complete_contents,
    draft,
)

DIGEST = "ab" * 32
MLA = "mla-stored-data"


def test_status_is_replayed_never_assigned() -> None:
    request = draft(MLA)
    assert request.status is Status.DRAFT
    assert request.desired_status is None
    with pytest.raises(ValueError, match="init=False"):
        dataclasses.replace(request, status=Status.EXECUTED)
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.status = Status.EXECUTED  # type: ignore[misc]


def test_a_history_that_breaks_the_table_is_refused() -> None:
    walk = acknowledged(MLA)
    history = walk.request.history
    forged = dataclasses.replace(history[-1], to_status=Status.EXECUTED)
    with pytest.raises(InconsistentHistory, match="table"):
        dataclasses.replace(walk.request, history=(*history[:-1], forged))
    skipped = (history[0], *history[2:])
    with pytest.raises(InconsistentHistory):
        dataclasses.replace(walk.request, history=skipped)
    backwards = dataclasses.replace(history[-1], at=history[-2].at - timedelta(seconds=1))
    with pytest.raises(InconsistentHistory, match="earlier"):
        dataclasses.replace(walk.request, history=(*history[:-1], backwards))
    other = dataclasses.replace(history[-1], request_id="someone-else")
    with pytest.raises(InconsistentHistory):
        dataclasses.replace(walk.request, history=(*history[:-1], other))


def test_records_carry_what_a_custody_event_needs() -> None:
    walk = acknowledged(MLA)
    for record in walk.records:
        event = CustodyEvent(
            action=CustodyAction.RECEIVED,
            time=record.at,
            node=record.state,
            officer=record.officer,
            request_id=record.request_id,
            article=record.article,
            unknown={"step": record.type, "status": record.to_status.value},
        )
        assert event.to_json()["step"] == record.transition.value


def test_contents_are_frozen() -> None:
    request = draft(MLA, contents={"offences": ["art-7-illegal-access"]})
    assert isinstance(request.contents, MappingProxyType)
    assert request.contents["offences"] == ("art-7-illegal-access",)


@pytest.mark.parametrize(
    "change",
    [
        {"requested": Party(state=REQUESTING_STATE, authority="x")},
        {"id": "no spaces allowed"},
        {"kind": "Not A Key"},
        {"created_at": T0.replace(tzinfo=None)},
        {"links": (Link(relation=Relation.DISCLOSES_FOR, request_id="p1", third_state="EGY"),)},
        {
            "attachments": (
                Attachment(
                    id="a", sha256=DIGEST, role=AttachmentRole.DOCUMENT, added_by=Side.REQUESTING
                ),
            )
            * 2
        },
    ],
)
def test_malformed_requests_are_refused(change: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        dataclasses.replace(draft(MLA), **change)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Party(state="EG", authority="x"),
        lambda: Party(state="EGY", authority=" "),
        lambda: Attachment(
            id="a", sha256="AB" * 32, role=AttachmentRole.EVIDENCE, added_by=Side.REQUESTED
        ),
        lambda: Urgency(level=UrgencyLevel.URGENT),
        lambda: SuggestedDeadline(by=date(2026, 5, 1), reasons=""),
        lambda: Condition(key="Use Limitation", terms="x", imposed_by=Side.REQUESTED),
        lambda: Link(relation=Relation.DISCLOSES_FOR, request_id="p1"),
        lambda: Link(relation=Relation.FOLLOWED_BY, request_id="p1", third_state=THIRD_STATE),
    ],
)
def test_malformed_parts_are_refused(make: Callable[[], object]) -> None:
    with pytest.raises(InvalidInput):
        make()


def test_a_disclosure_names_a_third_state() -> None:
    disclosure = draft(
        "preserved-traffic-data-disclosure",
        links=[Link(relation=Relation.DISCLOSES_FOR, request_id="p1", third_state=THIRD_STATE)],
    )
    [found] = disclosure.linked(Relation.DISCLOSES_FOR)
    assert found.third_state == THIRD_STATE


def test_the_channel_and_conditions_come_from_the_catalogue() -> None:
    base: dict[str, Any] = {
        "id": "r1",
        "kind": MLA,
        "requesting": Party(state=REQUESTING_STATE, authority="a"),
        "requested": Party(state=REQUESTED_STATE, authority="b"),
        "created_at": T0,
        "contents": {},
    }
    assert new_request(**base).channel is Channel.CENTRAL_AUTHORITY
    with pytest.raises(InvalidInput, match="channel"):
        new_request(**base, channel=Channel.POINT_OF_CONTACT)
    with pytest.raises(NotFound):
        new_request(**{**base, "kind": "no-such-kind"})
    not_for_24_7 = Condition(key="use-limitation", terms="x", imposed_by=Side.REQUESTING)
    assert "use-limitation" not in {
        c.key for c in CATALOGUE.conditions_for("network-24-7-assistance")
    }
    with pytest.raises(InvalidInput, match="does not apply"):
        new_request(**{**base, "kind": "network-24-7-assistance"}, conditions=[not_for_24_7])
    confidential = Condition(
        key="confidentiality", terms="do not notify", imposed_by=Side.REQUESTING
    )
    assert new_request(**base, conditions=[confidential]).conditions == (confidential,)


def test_the_suggested_deadline_is_read_from_the_contents() -> None:
    contents = complete_contents(CATALOGUE.kind(MLA))
    contents.update({"suggested-deadline": "2026-06-01", "deadline-reasons": "trial date"})
    request = draft(MLA, contents=contents)
    assert request.suggested_deadline == SuggestedDeadline(
        by=date(2026, 6, 1), reasons="trial date"
    )
    with pytest.raises(InvalidInput, match="differs"):
        revise(request, suggested_deadline=SuggestedDeadline(by=date(2026, 7, 1), reasons="r"))
    contents["suggested-deadline"] = "2026-06-20"
    revised = revise(request, contents=contents).suggested_deadline
    assert revised is not None
    assert revised.by == date(2026, 6, 20)


def test_only_a_draft_is_revised() -> None:
    request = draft(MLA, contents={})
    urgent = Urgency(level=UrgencyLevel.URGENT, reasons="data may be deleted")
    revised = revise(request, contents=complete_contents(CATALOGUE.kind(MLA)), urgency=urgent)
    assert revised.urgency is urgent
    assert revise(revised, urgency=KEEP).urgency is urgent
    approved = Walk(revised).take(N.APPROVE).request
    with pytest.raises(WorkflowViolation, match="only a draft"):
        revise(approved, contents={})


def test_attachments_links_and_officers_are_added_without_a_status_change() -> None:
    walk = acknowledged(MLA)
    evidence = Attachment(
        id="ev-1",
        sha256=DIGEST,
        role=AttachmentRole.EVIDENCE,
        added_by=Side.REQUESTED,
        title="mailbox export",
    )
    request = attach(walk.request, evidence)
    request = link(request, Link(relation=Relation.FOLLOWS_PRESERVATION, request_id="p-1"))
    request = assign(request, side=Side.REQUESTED, officer="officer-vn")
    assert request.status is walk.status
    assert request.history == walk.request.history
    assert request.attachments == (evidence,)
    assert request.requested.officer == "officer-vn"
    with pytest.raises(InvalidInput):
        attach(request, evidence)
    with pytest.raises(WorkflowViolation, match="receives"):
        attach(draft(MLA), evidence)


def test_steps_move_forward_in_time_and_take_only_their_own_arguments() -> None:
    walk = acknowledged(MLA)
    with pytest.raises(InvalidInput, match="before"):
        walk.take(N.ACCEPT, at=walk.at - timedelta(seconds=1))
    with pytest.raises(InvalidInput, match="timezone"):
        walk.take(N.ACCEPT, at=walk.at.replace(tzinfo=None))
    with pytest.raises(InvalidInput, match="takes no grounds"):
        walk.take(N.ACCEPT, grounds=["essential-interests"])
    with pytest.raises(InvalidInput, match="takes no until"):
        walk.take(N.ACCEPT, until=walk.at)
    with pytest.raises(InvalidInput, match="unknown step"):
        apply(
            walk.request, transition="execute-now", actor=OFFICER, side=Side.REQUESTED, at=walk.at
        )
    with pytest.raises(InvalidInput, match="at most"):
        walk.take(N.CONSULT, reasons="x" * 20_001)
    assert walk.status is Status.ACKNOWLEDGED
