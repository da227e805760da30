"""The cooperation API over HTTP: drafting, validation, approval, sending, listing with
filters and pages, decisions, attachments, deadlines, and every refusal as problem+json."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.federation.ports import PackageRow
from hanoi.storage.transfers_repo import TransfersRepository
from support_cooperation import deliver
from support_nodes import T0, build_node
from support_requests_api import CATALOGUE, PROBLEM, Desk, desk_with, new_draft, uploaded
from unit.cooperation.builders import complete_contents


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[tuple[Desk, Desk, FixedClock]]:
    clock = FixedClock(T0)
    egy = desk_with(
        build_node(tmp_path / "egy", "EGY", None, clock),
        {"amira": Role.OFFICER, "samir": Role.SUPERVISOR, "nour": Role.AUDITOR},
    )
    vnm = desk_with(
        build_node(tmp_path / "vnm", "VNM", None, clock),
        {"lan": Role.SUPERVISOR, "minh": Role.POINT_OF_CONTACT, "thao": Role.OFFICER},
    )
    with egy.client, vnm.client:
        yield egy, vnm, clock
    for desk in (egy, vnm):
        desk.node.engine.dispose()


def _sent(egy: Desk, kind: str = "mla-stored-data") -> str:
    request_id: str = new_draft(egy, kind)["id"]
    assert egy.post(
        "amira", f"/api/v1/requests/{request_id}/assignments", {"user": "samir"}
    ).is_success
    assert egy.post("samir", f"/api/v1/requests/{request_id}/approve").status_code == 200
    sent = egy.post("amira", f"/api/v1/requests/{request_id}/send")
    assert sent.status_code == 200, sent.text
    assert sent.json()["request"]["status"] == "sent"
    return request_id


def test_an_incomplete_draft_is_refused_item_by_item_with_the_article(desks: Any) -> None:
    egy, _, _ = desks
    draft = new_draft(egy, contents={"summary-of-facts": "phishing campaign"})
    assert draft["status"] == "draft"
    assert draft["conditions"][0]["key"] == "use-limitation"
    check = egy.get("amira", f"/api/v1/requests/{draft['id']}/validation").json()
    assert check["valid"] is False
    assert all(e["article"].startswith("Art.") for e in check["errors"])
    egy.post("amira", f"/api/v1/requests/{draft['id']}/assignments", {"user": "samir"})
    refused = egy.post("samir", f"/api/v1/requests/{draft['id']}/approve")
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM
    problem = refused.json()
    assert {e["pointer"] for e in problem["errors"]} == {e["pointer"] for e in check["errors"]}
    assert all("article" in e for e in problem["errors"])
    # Offline validation of a body, without storing anything.
    offline = egy.post(
        "amira", "/api/v1/requests/validate", {"kind": "mla-stored-data", "contents": {}}
    )
    assert offline.status_code == 200
    assert offline.json()["valid"] is False
    unknown = egy.post("amira", "/api/v1/requests/validate", {"kind": "telepathy", "contents": {}})
    assert unknown.status_code == 404


def test_a_draft_answers_what_showing_it_answers_and_the_api_documents_it(desks: Any) -> None:
    """The draft's answer is serialised directly, not through its response model: it must
    still be what the model gives (as ``GET`` shows it) and stay documented as that model."""
    egy, _, _ = desks
    draft = new_draft(egy, "mla-stored-data")
    shown = egy.get("amira", f"/api/v1/requests/{draft['id']}")
    assert shown.status_code == 200
    assert draft == shown.json()
    spec = egy.client.get("/api/v1/openapi.json").json()
    answer = spec["paths"]["/api/v1/requests"]["post"]["responses"]["201"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RequestOut"
    }


def test_revise_then_approve_send_and_list_with_filters_and_pages(desks: Any) -> None:
    egy, _, clock = desks
    draft = new_draft(egy, contents={})
    contents = complete_contents(CATALOGUE.kind("mla-stored-data"))
    revised = egy.client.patch(
        f"/api/v1/requests/{draft['id']}", json={"contents": contents}, headers=egy.as_("amira")
    )
    assert revised.status_code == 200, revised.text
    assert egy.get("amira", f"/api/v1/requests/{draft['id']}/validation").json()["valid"] is True
    ids = []
    for _ in range(3):
        clock.advance(timedelta(minutes=1))
        ids.append(_sent(egy))
    page = egy.get("amira", "/api/v1/requests", status="sent", limit=2).json()
    assert page["total"] == 3
    assert [i["id"] for i in page["items"]] == ids[::-1][:2]
    rest = egy.get("amira", "/api/v1/requests", status="sent", limit=2, offset=2).json()
    assert [i["id"] for i in rest["items"]] == [ids[0]]
    drafts = egy.get("amira", "/api/v1/requests", status="draft", side="requesting").json()
    assert [i["id"] for i in drafts["items"]] == [draft["id"]]
    assert egy.get("samir", "/api/v1/requests", state="FRA").json()["total"] == 0
    shown = egy.get("amira", f"/api/v1/requests/{ids[0]}").json()
    assert [r["transition"] for r in shown["timeline"]] == ["approve", "send"]
    assert [r["officer"] for r in shown["timeline"]] == ["samir", "amira"]
    assert {s["step"] for s in shown["allowed_steps"]} == {"withdraw"}
    bad = egy.client.patch(
        f"/api/v1/requests/{ids[0]}", json={"contents": {}}, headers=egy.as_("amira")
    )
    assert bad.status_code == 422  # only a draft is revised
    assert "only a draft" in bad.json()["detail"]


def test_the_requested_state_decides_and_every_forbidden_decision_says_why(desks: Any) -> None:
    egy, vnm, _ = desks
    request_id = _sent(egy)
    deliver(
        egy.node.cooperation.show(egy.node.accounts.named("amira"), request_id).request, vnm.node
    )
    path = f"/api/v1/requests/{request_id}/steps"
    assert vnm.post("lan", path, {"step": "acknowledge"}).status_code == 200

    no_reasons = vnm.post("lan", path, {"step": "refuse", "grounds": ["essential-interests"]})
    assert no_reasons.status_code == 422
    assert no_reasons.json()["errors"][0]["pointer"] == "reasons"
    no_consultation = vnm.post(
        "lan", path, {"step": "refuse", "grounds": ["essential-interests"], "reasons": "security"}
    )
    assert no_consultation.status_code == 422
    assert "consult" in no_consultation.json()["detail"]
    wrong_step = vnm.post("lan", path, {"step": "preserve", "until": "2026-09-01T00:00:00Z"})
    assert wrong_step.status_code == 422
    assert "allowed next steps" in wrong_step.json()["detail"]
    assert vnm.post("lan", path, {"step": "consult", "reasons": "sovereignty"}).status_code == 200
    not_a_ground = vnm.post(
        "lan", path, {"step": "refuse", "grounds": ["political-offence"], "reasons": "x"}
    )
    assert not_a_ground.status_code == 422
    assert not_a_ground.json()["errors"][0]["pointer"] == "grounds"
    refused = vnm.post(
        "lan", path, {"step": "refuse", "grounds": ["essential-interests"], "reasons": "security"}
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["record"]["grounds"] == ["essential-interests"]
    assert refused.json()["request"]["status"] == "refused"
    assert vnm.post("lan", path, {"step": "close"}).json()["request"]["status"] == "closed"


def test_case_role_and_token_are_checked_on_every_call(desks: Any) -> None:
    egy, vnm, _ = desks
    request_id = _sent(egy)
    deliver(
        egy.node.cooperation.show(egy.node.accounts.named("amira"), request_id).request, vnm.node
    )
    assert vnm.client.get(f"/api/v1/requests/{request_id}").status_code == 401
    hidden = vnm.get("thao", f"/api/v1/requests/{request_id}")
    missing = vnm.get("thao", "/api/v1/requests/VNM-2026-00000000")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["title"] == missing.json()["title"]
    assert vnm.get("thao", "/api/v1/requests").json()["total"] == 0
    # Auditors read the refusals; officers may not.
    assert egy.get("amira", "/api/v1/audit/refusals").status_code == 403
    assert (
        vnm.post(
            "thao", f"/api/v1/requests/{request_id}/steps", {"step": "acknowledge"}
        ).status_code
        == 404
    )
    refusals = egy.get("nour", "/api/v1/audit/refusals").json()
    assert refusals[0]["user"] == "amira"
    # An auditor assigned to a case reads it but decides nothing.
    egy.post("amira", f"/api/v1/requests/{request_id}/assignments", {"user": "nour"})
    assert egy.get("nour", f"/api/v1/requests/{request_id}").status_code == 200
    withdraw = egy.post(
        "nour", f"/api/v1/requests/{request_id}/steps", {"step": "withdraw", "reasons": "x"}
    )
    assert withdraw.status_code == 403
    # Malformed bodies are 422 problems with one entry per field, never a 500.
    junk = egy.post("amira", "/api/v1/requests", {"kind": 5, "requested_state": "vnm", "extra": 1})
    assert junk.status_code == 422
    assert {e["pointer"] for e in junk.json()["errors"]} == {
        "#/kind",
        "#/requested_state",
        "#/extra",
    }
    same_state = egy.post(
        "amira", "/api/v1/requests", {"kind": "mla-general", "requested_state": "EGY"}
    )
    assert same_state.status_code == 400


def test_attachments_and_deadlines(desks: Any) -> None:
    egy, vnm, clock = desks
    draft = new_draft(egy, "expedited-preservation")
    data = b"%PDF-1.7 court order"
    digest = hashlib.sha256(data).hexdigest()
    path = f"/api/v1/requests/{draft['id']}/attachments"
    missing = egy.post("amira", path, {"sha256": digest, "title": "Court order"})
    assert missing.status_code == 404
    # Bytes the node holds for some other reason are not the officer's to attach: a bare
    # digest is answered exactly like one the node never saw.
    egy.node.blobs.put(io.BytesIO(data))
    held = egy.post("amira", path, {"sha256": digest, "title": "Court order"})
    assert held.status_code == 404
    assert held.json()["detail"] == missing.json()["detail"]
    assert egy.post("amira", path, {"title": "Court order"}).status_code == 422
    # Her own completed upload is attached by its id.
    upload = uploaded(egy, "amira", data)
    attached = egy.post("amira", path, {"upload_id": upload, "title": "Court order"})
    assert attached.status_code == 201, attached.text
    assert attached.json()["document"]["attachments"][0]["sha256"] == digest
    # Someone else's upload is not theirs to attach, even on the case.
    egy.post("amira", f"/api/v1/requests/{draft['id']}/assignments", {"user": "samir"})
    assert egy.post("samir", path, {"upload_id": upload}).status_code == 404
    # Once attached, the digest names a file of this request.
    again = egy.post("amira", path, {"sha256": digest, "title": "Court order, second copy"})
    assert again.status_code == 201
    # A 24/7 request not acknowledged within the hour is overdue on the requested side.
    egy.post("amira", f"/api/v1/requests/{draft['id']}/assignments", {"user": "samir"})
    egy.post("samir", f"/api/v1/requests/{draft['id']}/approve")
    egy.post("amira", f"/api/v1/requests/{draft['id']}/send")
    deliver(
        egy.node.cooperation.show(egy.node.accounts.named("amira"), draft["id"]).request, vnm.node
    )
    # An hour to go: not yet due soon, but counting down when asked for.
    assert vnm.get("minh", "/api/v1/deadlines").json() == []
    [running] = vnm.get("minh", "/api/v1/deadlines", state="running").json()
    assert running["rule"] == "acknowledge-point-of-contact"
    assert running["seconds_left"] == 3600
    clock.advance(timedelta(minutes=61))
    [overdue] = vnm.get("minh", "/api/v1/deadlines", state="overdue").json()
    assert overdue["request_id"] == draft["id"]
    assert overdue["rule"] == "acknowledge-point-of-contact"
    assert overdue["seconds_left"] < 0
    vnm.node.cooperation.check_deadlines()
    assert vnm.get("minh", "/api/v1/deadline-alerts").json()[0]["state"] == "overdue"


def test_allowed_steps_are_those_of_the_callers_role_with_the_expected_one_marked(
    desks: Any,
) -> None:
    egy, _, _ = desks
    request_id = new_draft(egy)["id"]
    officer = egy.get("amira", f"/api/v1/requests/{request_id}").json()["allowed_steps"]
    assert {s["step"] for s in officer} == {"submit", "abandon"}
    assert [s["step"] for s in officer if s["expected"]] == ["submit"]
    submitted = egy.post("amira", f"/api/v1/requests/{request_id}/steps", {"step": "submit"})
    assert submitted.status_code == 200, submitted.text
    brief = submitted.json()["request"]
    assert brief["status"] == "submitted"
    assert {s["step"] for s in brief["allowed_steps"]} == {"abandon"}  # no approve for amira

    # The draft went to the supervisors: samir is on the case and has it in his queue.
    shown = egy.get("samir", f"/api/v1/requests/{request_id}").json()
    assert "samir" in {a["user"] for a in shown["assignments"]}
    assert [s["step"] for s in shown["allowed_steps"] if s["expected"]] == ["approve"]
    queue = {q["kind"]: q for q in egy.get("samir", "/api/v1/queue").json()}
    assert queue["drafts-awaiting-approval"]["count"] == 1
    assert queue["drafts-awaiting-approval"]["items"][0]["request_id"] == request_id
    assert queue["drafts-awaiting-approval"]["items"][0]["other_state"] == "VNM"
    # An officer has no approval queue; an auditor has neither drafts nor packages.
    kinds = [q["kind"] for q in egy.get("amira", "/api/v1/queue").json()]
    assert "drafts-awaiting-approval" not in kinds
    assert "drafts-returned" in kinds
    auditor = [q["kind"] for q in egy.get("nour", "/api/v1/queue").json()]
    assert auditor == ["deadlines", "alerts"]
    assert egy.client.get("/api/v1/queue").status_code == 401

    approved = egy.post("samir", f"/api/v1/requests/{request_id}/approve")
    assert approved.status_code == 200
    assert [s["step"] for s in approved.json()["request"]["allowed_steps"] if s["expected"]] == [
        "send"
    ]
    queue = {q["kind"]: q for q in egy.get("samir", "/api/v1/queue").json()}
    assert queue["drafts-awaiting-approval"]["count"] == 0


def test_requests_received_wait_in_the_queue_until_acknowledged(desks: Any) -> None:
    egy, vnm, _ = desks
    request_id = _sent(egy)
    deliver(
        egy.node.cooperation.show(egy.node.accounts.named("amira"), request_id).request, vnm.node
    )
    queue = {q["kind"]: q for q in vnm.get("lan", "/api/v1/queue").json()}
    assert queue["requests-to-acknowledge"]["count"] == 1
    assert queue["requests-to-acknowledge"]["items"][0]["request_id"] == request_id
    assert queue["requests-to-acknowledge"]["items"][0]["other_state"] == "EGY"
    path = f"/api/v1/requests/{request_id}/steps"
    assert vnm.post("lan", path, {"step": "acknowledge"}).status_code == 200
    queue = {q["kind"]: q for q in vnm.get("lan", "/api/v1/queue").json()}
    assert queue["requests-to-acknowledge"]["count"] == 0


def test_packages_awaiting_witnesses_or_refused_wait_in_the_queue_of_the_case_team(
    desks: Any,
) -> None:
    egy, vnm, clock = desks
    request_id = _sent(egy)
    deliver(
        egy.node.cooperation.show(egy.node.accounts.named("amira"), request_id).request, vnm.node
    )
    store = TransfersRepository(vnm.node.engine)
    for number, status in enumerate(("awaiting-witnesses", "refused", "offered", "accepted")):
        store.add(
            PackageRow(
                id=f"00000000-0000-4000-8000-00000000000{number}",
                request_id=request_id,
                direction="outgoing",
                peer="EGY",
                sha256="ab" * 32,
                size=10,
                status=status,
                received=0,
                error=None,
                created_at=clock.now(),
                updated_at=clock.now() + timedelta(minutes=number),
            )
        )
    queue = {q["kind"]: q for q in vnm.get("lan", "/api/v1/queue").json()}
    waiting = queue["packages"]
    assert waiting["count"] == 2
    assert [(i["status"], i["request_id"], i["other_state"]) for i in waiting["items"]] == [
        ("awaiting-witnesses", request_id, "EGY"),
        ("refused", request_id, "EGY"),
    ]
    # thao, an officer of Viet Nam, is on no case: nothing of it reaches her queue.
    theirs = {q["kind"]: q for q in vnm.get("thao", "/api/v1/queue").json()}
    assert theirs["packages"]["count"] == 0


def test_a_consent_is_recorded_over_the_api_and_onward_transfer_follows_it(desks: Any) -> None:
    """Art. 36(3): the requesting State records Viet Nam's consent to pass its data to
    France; a transfer to another State without one is refused, and one to France with
    it finds no evidence yet to pass on."""
    egy, _, _ = desks
    request_id = _sent(egy)
    consents = f"/api/v1/requests/{request_id}/consents"
    body = {"third_state": "FRA", "reference": "Note 12/2026", "scope": "the mailbox"}
    recorded = egy.post("samir", consents, body)
    assert recorded.status_code == 201, recorded.text
    [consent] = recorded.json()["consents"]
    assert consent["third_state"] == "FRA"
    assert consent["consenting_state"] == "VNM"
    party = egy.post("samir", consents, {**body, "third_state": "VNM"})
    assert party.status_code in (400, 422)
    assert party.headers["content-type"] == PROBLEM
    assert "neither State" in party.json()["detail"]
    assert egy.post("nour", consents, body).status_code == 403  # an auditor does not decide
    onward = f"/api/v1/requests/{request_id}/onward-transfers"
    unconsented = egy.post("samir", onward, {"third_state": "GBR"})
    assert unconsented.status_code == 422
    assert "prior consent" in unconsented.json()["detail"]
    nothing_yet = egy.post("samir", onward, {"third_state": "FRA"})
    assert nothing_yet.status_code == 404
    assert "no evidence" in nothing_yet.json()["detail"]
