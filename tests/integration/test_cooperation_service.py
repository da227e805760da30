"""The cooperation service on SQLite and PostgreSQL: every kind from draft to closure across
two States' nodes, case access, conflicts, deadlines, retention and onward transfer."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from hanoi.accounts.model import Role, User
from hanoi.clock import FixedClock
from hanoi.convention import Channel, default_catalogue
from hanoi.cooperation import (
    Condition,
    IncompleteRequest,
    Side,
    Status,
    TransitionNotAllowed,
)
from hanoi.cooperation.kinds import KindTrait, traits
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.custody.events import CustodyAction
from hanoi.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from hanoi.evidence.items import Acquisition, SourceKind
from hanoi.storage.cooperation_repo import CooperationRepository
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.wiring import Node
from support_cooperation import add_user, deliver
from support_databases import templates as database_templates
from support_nodes import T0, build_node
from unit.cooperation.builders import complete_contents

CATALOGUE = default_catalogue()


@dataclass
class Federation:
    egy: Node
    vnm: Node
    clock: FixedClock
    amira: User  # EGY officer
    samir: User  # EGY supervisor
    lan: User  # VNM supervisor (central authority intake)
    minh: User  # VNM point of contact (24/7 intake)
    thao: User  # VNM officer, not assigned to anything at first

    def later(self, minutes: int = 5) -> None:
        self.clock.advance(timedelta(minutes=minutes))


@pytest.fixture(params=["sqlite", "postgresql"])
def federation(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Federation]:
    clock = FixedClock(T0)
    if request.param == "sqlite":
        egy = build_node(tmp_path / "egy", "EGY", None, clock)
        vnm = build_node(tmp_path / "vnm", "VNM", None, clock)
        nodes = [egy, vnm]
        yield _federation(egy, vnm, clock)
    else:
        with database_templates().clones() as databases:
            egy = build_node(tmp_path / "egy", "EGY", databases.postgres(), clock)
            vnm = build_node(tmp_path / "vnm", "VNM", databases.postgres(), clock)
            nodes = [egy, vnm]
            yield _federation(egy, vnm, clock)
            for node in nodes:
                node.engine.dispose()
        return
    for node in nodes:
        node.engine.dispose()


def _federation(egy: Node, vnm: Node, clock: FixedClock) -> Federation:
    return Federation(
        egy=egy,
        vnm=vnm,
        clock=clock,
        amira=add_user(egy, "amira", Role.OFFICER),
        samir=add_user(egy, "samir", Role.SUPERVISOR),
        lan=add_user(vnm, "lan", Role.SUPERVISOR),
        minh=add_user(vnm, "minh", Role.POINT_OF_CONTACT),
        thao=add_user(vnm, "thao", Role.OFFICER),
    )


def sent(f: Federation, kind: str, **draft: object) -> str:
    """A complete request of ``kind`` drafted by amira, approved by samir and sent."""
    request = f.egy.cooperation.draft(
        f.amira,
        DraftInput(
            kind=kind,
            requested_state="VNM",
            contents=complete_contents(CATALOGUE.kind(kind)),
            **draft,  # type: ignore[arg-type]
        ),
    ).request
    f.egy.cooperation.assign(f.amira, request.id, "samir")
    f.later()
    f.egy.cooperation.take(f.samir, request.id, StepInput(transition="approve"))
    f.later()
    f.egy.cooperation.take(f.amira, request.id, StepInput(transition="send"))
    return request.id


def received(f: Federation, kind: str, **draft: object) -> tuple[str, User]:
    """Sent by EGY and delivered to VNM; returns the id and VNM's intake user."""
    request_id = sent(f, kind, **draft)
    stored = f.egy.cooperation.show(f.amira, request_id).request
    f.later()
    deliver(stored, f.vnm)
    intake = f.minh if stored.channel is Channel.POINT_OF_CONTACT else f.lan
    return request_id, intake


def step(
    f: Federation, node: Node, user: User, request_id: str, name: str, **kwargs: object
) -> Status:
    f.later()
    after, record = node.cooperation.take(user, request_id, StepInput(transition=name, **kwargs))  # type: ignore[arg-type]
    assert record.officer == user.name
    return after.status


@pytest.mark.parametrize("kind", CATALOGUE.kind_keys)
def test_every_kind_goes_from_draft_to_closure_across_two_nodes(
    federation: Federation, kind: str
) -> None:
    f = federation
    request_id, intake = received(f, kind)
    vnm = f.vnm
    assert step(f, vnm, intake, request_id, "acknowledge") is Status.ACKNOWLEDGED
    if KindTrait.PRESERVATION in traits(CATALOGUE.kind(kind)):
        assert step(f, vnm, intake, request_id, "order-preservation") is Status.ORDERED
        until = f.clock.now() + timedelta(days=90)
        assert step(f, vnm, intake, request_id, "preserve", until=until) is Status.ACTIVE
        f.clock.advance(timedelta(days=91))
        released = step(f, vnm, intake, request_id, "release-preservation", reasons="period over")
        assert released is Status.RELEASED
    else:
        assert step(f, vnm, intake, request_id, "accept") is Status.IN_EXECUTION
        assert step(f, vnm, intake, request_id, "complete") is Status.EXECUTED
    assert step(f, vnm, intake, request_id, "close") is Status.CLOSED

    # Stored, reloaded and replayed: both nodes hold the same request up to sending.
    egy_view = f.egy.cooperation.show(f.amira, request_id)
    vnm_view = vnm.cooperation.show(intake, request_id)
    assert egy_view.side is Side.REQUESTING
    assert vnm_view.side is Side.REQUESTED
    assert vnm_view.request.history[:2] == egy_view.request.history
    assert vnm_view.request.status is Status.CLOSED
    # Every step is in the node's custody log, with its article.
    vnm.custody.sequence()
    steps = [e.event for e in vnm.cooperation.show(intake, request_id).custody]
    assert [e.unknown["step"] for e in steps] == [
        r.transition.value for r in vnm_view.request.history[2:]
    ]
    assert all(
        e.action is CustodyAction.REQUEST_STEP and e.article.startswith("Art.") for e in steps
    )
    f.egy.custody.sequence()
    egy_events = [e.event.action for e in f.egy.cooperation.show(f.amira, request_id).custody]
    assert egy_events == [
        CustodyAction.CREATED,
        CustodyAction.REQUEST_STEP,
        CustodyAction.REQUEST_STEP,
    ]


def test_refusal_after_consultation_with_grounds_and_reasons(federation: Federation) -> None:
    f = federation
    request_id, lan = received(f, "mla-stored-data")
    step(f, f.vnm, lan, request_id, "acknowledge")
    with pytest.raises(RuleViolation, match="reasons"):
        step(f, f.vnm, lan, request_id, "refuse", grounds=("essential-interests",))
    with pytest.raises(RuleViolation, match="consult"):
        step(f, f.vnm, lan, request_id, "refuse", grounds=("essential-interests",), reasons="x")
    step(f, f.vnm, lan, request_id, "consult", reasons="sovereignty concerns")
    with pytest.raises(RuleViolation, match="not a ground"):
        step(f, f.vnm, lan, request_id, "refuse", grounds=("fiscal-offence",), reasons="x")
    refused = step(
        f, f.vnm, lan, request_id, "refuse", grounds=("essential-interests",), reasons="security"
    )
    assert refused is Status.REFUSED
    record = f.vnm.cooperation.show(lan, request_id).request.history[-1]
    assert record.grounds == ("essential-interests",)
    assert "Art. 40(21)" in record.article


def test_an_incomplete_draft_cannot_be_approved_and_names_each_item(federation: Federation) -> None:
    f = federation
    request = f.egy.cooperation.draft(
        f.amira, DraftInput(kind="mla-stored-data", requested_state="VNM", contents={})
    ).request
    findings = f.egy.cooperation.findings(f.amira, request.id)
    assert findings
    assert all(x.citation for x in findings)
    f.egy.cooperation.assign(f.amira, request.id, "samir")
    with pytest.raises(IncompleteRequest) as refused:
        f.egy.cooperation.take(f.samir, request.id, StepInput(transition="approve"))
    assert {p.path for p in refused.value.fields} == {x.path for x in findings}
    assert f.egy.cooperation.show(f.amira, request.id).request.status is Status.DRAFT


def test_only_the_case_team_sees_a_request_and_refusals_are_recorded(
    federation: Federation,
) -> None:
    f = federation
    request_id, lan = received(f, "mla-stored-data")
    with pytest.raises(NotFound):
        f.vnm.cooperation.show(f.thao, request_id)
    with pytest.raises(NotFound):  # the same answer as for a request that does not exist
        f.vnm.cooperation.show(f.thao, "VNM-2026-NOPE")
    # A role that may not decide is refused even on its own case.
    auditor = add_user(f.vnm, "kim", Role.AUDITOR)
    f.vnm.cooperation.assign(lan, request_id, "kim")
    with pytest.raises(PermissionDenied):
        f.vnm.cooperation.take(auditor, request_id, StepInput(transition="acknowledge"))
    # The other State's steps are not this node's to take.
    with pytest.raises(TransitionNotAllowed, match="requesting State"):
        f.vnm.cooperation.take(lan, request_id, StepInput(transition="withdraw", reasons="x"))
    f.vnm.cooperation.assign(lan, request_id, "thao")
    assert f.vnm.cooperation.show(f.thao, request_id).request.id == request_id
    refusals = f.vnm.cooperation.refusals(auditor)
    assert [(r.user, r.detail) for r in refusals][1:] == [  # newest first
        ("thao", "no such request"),
        ("thao", "not assigned to the case"),
    ]
    assert any(r.user == "kim" and "may not" in r.detail for r in refusals)
    with pytest.raises(PermissionDenied):
        f.vnm.cooperation.refusals(f.thao)


def test_two_steps_from_the_same_status_conflict(federation: Federation) -> None:
    f = federation
    request_id, lan = received(f, "mla-stored-data")
    store = f.vnm.cooperation._store
    stale = store.load(request_id)
    step(f, f.vnm, lan, request_id, "acknowledge")
    assert stale is not None
    with pytest.raises(Conflict):
        store.save(stale.request, now=f.clock.now(), new_steps=())
    after = store.load(request_id)
    assert after is not None
    assert len(after.request.history) == len(stale.request.history) + 1


def test_deadlines_fire_once_and_show_to_the_case_team(federation: Federation) -> None:
    f = federation
    request_id, minh = received(f, "expedited-preservation")
    assert f.vnm.cooperation.check_deadlines() == []
    f.clock.advance(timedelta(minutes=50))
    [soon] = f.vnm.cooperation.check_deadlines()
    assert (soon.request_id, soon.rule, soon.state) == (
        request_id,
        "acknowledge-point-of-contact",
        "due-soon",
    )
    f.clock.advance(timedelta(minutes=20))
    [late] = f.vnm.cooperation.check_deadlines()
    assert late.state == "overdue"
    assert late.article.startswith("Art. 41")
    assert f.vnm.cooperation.check_deadlines() == []  # raised once
    assert [d.request_id for d in f.vnm.cooperation.overdue(minh)] == [request_id]
    assert f.vnm.cooperation.overdue(f.thao) == []
    assert [a.state for a in f.vnm.cooperation.alerts(minh)] == ["overdue", "due-soon"]
    step(f, f.vnm, minh, request_id, "acknowledge")
    assert f.vnm.cooperation.overdue(minh) == []


def test_the_deadline_check_s_cache_holds_what_the_database_holds(federation: Federation) -> None:
    """Requests this process stored are kept for the deadline check as they were written;
    what it keeps must be what reading and decoding the rows gives, and a request read in
    chunks must come with its whole history."""
    f = federation
    draft = f.egy.cooperation.draft(
        f.amira,
        DraftInput(
            kind="mla-stored-data",
            requested_state="VNM",
            contents=complete_contents(CATALOGUE.kind("mla-stored-data")),
        ),
    ).request
    request_id = sent(f, "expedited-preservation")
    kept = f.egy.cooperation._store.open_requests()  # from its cache
    fresh = CooperationRepository(f.egy.engine, CustodyRepository(f.egy.engine))  # no cache
    read = {request.id: request for request in fresh.open_requests()}
    assert {request.id: request for request in kept} == read
    assert set(read) == {draft.id, request_id}
    assert next(r for r in kept if r.id == draft.id) is draft  # kept, not read back
    assert [r.transition.value for r in read[request_id].history] == ["approve", "send"]


def test_the_preservation_period_reminds_and_stops_once_the_mla_request_arrives(
    federation: Federation,
) -> None:
    f = federation
    request_id, minh = received(f, "expedited-preservation")
    for name in ("acknowledge", "order-preservation"):
        step(f, f.vnm, minh, request_id, name)
    step(f, f.vnm, minh, request_id, "preserve", until=f.clock.now() + timedelta(days=61))
    f.clock.advance(timedelta(days=50))
    [reminder] = [
        d for d in f.vnm.cooperation.overdue(minh) if d.rule.value == "preservation-period"
    ]
    assert reminder.side is Side.REQUESTING
    assert reminder.state.value == "due-soon"
    # The MLA request that follows it is received: the period stops running.
    from hanoi.cooperation import Link, Relation

    f.egy.cooperation.show(f.amira, request_id)
    mla = sent(
        f,
        "mla-stored-data",
        links=(Link(relation=Relation.FOLLOWS_PRESERVATION, request_id=request_id),),
    )
    deliver(f.egy.cooperation.show(f.amira, mla).request, f.vnm)
    # The preservation's case team is assigned to the request that follows it.
    assert "minh" in {a.user for a in f.vnm.cooperation.show(f.lan, mla).assignments}
    assert [
        d for d in f.vnm.cooperation.overdue(minh) if d.rule.value == "preservation-period"
    ] == []
    continued = step(f, f.vnm, minh, request_id, "continue-preservation", follow_up=mla)
    assert continued is Status.EXTENDED


def _evidence(node: Node, request_id: str, data: bytes, officer: str) -> str:
    recorded = node.evidence.ingest(
        node.accounts.named(officer),
        io.BytesIO(data),
        Acquisition(
            original_name="mailbox.mbox",
            media_type="application/mbox",
            source_kind=SourceKind.PROVIDER,
            source="Example Mail Ltd",
            method="production order",
            acquired_at=node.clock.now(),
            officer=officer,
            request_ref=request_id,
            article="Art. 44",
        ),
    )
    return recorded.item.sha256


def test_retention_deletes_the_blobs_and_logs_it(federation: Federation) -> None:
    f = federation
    keep_until = (f.clock.now() + timedelta(days=30)).date()
    condition = Condition(key="personal-data-protection", terms="delete after trial",
                          imposed_by=Side.REQUESTING, retain_until=keep_until)  # fmt: skip
    request = f.egy.cooperation.draft(
        f.amira,
        DraftInput(
            kind="mla-stored-data", requested_state="VNM", contents={}, conditions=(condition,)
        ),
    ).request
    digest = _evidence(f.egy, request.id, b"mailbox contents" * 100, "amira")
    assert f.egy.conditions.apply_retention() == []
    f.clock.advance(timedelta(days=31))
    assert f.egy.conditions.apply_retention() == [digest]
    assert not f.egy.blobs.exists(digest)
    assert f.egy.conditions.apply_retention() == []  # nothing twice
    f.egy.custody.sequence()
    actions = [e.event.action for e in f.egy.custody.events_for(f"sha256:{digest}")]
    assert actions == [CustodyAction.COLLECTED, CustodyAction.DELETED_UNDER_RETENTION]


def test_onward_transfer_needs_the_sending_state_s_consent(federation: Federation) -> None:
    f = federation
    request_id = sent(f, "mla-stored-data")
    data = b"returned evidence"
    digest = _evidence(f.egy, request_id, data, "amira")
    assert digest == hashlib.sha256(data).hexdigest()
    with pytest.raises(RuleViolation, match=r"VNM's prior consent \(Art\. 36\(3\)\)"):
        f.egy.conditions.transfer_onward(f.amira, request_id, third_state="FRA")
    consent = f.egy.conditions.record_consent(
        f.amira, request_id, third_state="FRA", reference="VNM letter 2026/17", written=True,
        scope="for the prosecution of the same offence",
    )  # fmt: skip
    assert consent.consenting_state == "VNM"
    [event] = f.egy.conditions.transfer_onward(f.amira, request_id, third_state="FRA")
    assert event.evidence_sha256 == digest
    assert event.unknown["consented_by"] == "VNM"
    with pytest.raises(RuleViolation):
        f.egy.conditions.transfer_onward(f.amira, request_id, third_state="DEU")
