"""Requests off the network over the API (issue 17, ADR 0028): a request to a State
without a node goes by diplomatic note; its answers are recorded by hand with their
scanned letters; a request received on paper is registered and answered; lists show
and filter the channel; bad input is refused with problem+json and nothing is stored."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.convention import default_catalogue
from support_nodes import T0, build_node
from support_requests_api import PROBLEM, Desk, desk_with, new_draft, uploaded
from unit.cooperation.builders import complete_contents

CATALOGUE = default_catalogue()
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DAY = T0.date().isoformat()


@pytest.fixture
def egy(tmp_path: Path) -> Iterator[Desk]:
    clock = FixedClock(T0)
    desk = desk_with(
        build_node(tmp_path / "egy", "EGY", None, clock),
        {"amira": Role.OFFICER, "samir": Role.SUPERVISOR, "nour": Role.AUDITOR},
    )
    with desk.client:
        yield desk
    desk.node.engine.dispose()


def _approved(egy: Desk) -> str:
    request_id: str = new_draft(egy)["id"]
    assert egy.post("amira", f"/api/v1/requests/{request_id}/assignments", {"user": "samir"})
    assert egy.post("samir", f"/api/v1/requests/{request_id}/approve").status_code == 200
    return request_id


def _step(egy: Desk, user: str, request_id: str, body: dict[str, Any]) -> Any:
    return egy.post(user, f"/api/v1/requests/{request_id}/steps", body)


def _via(reference: str, channel: str = "diplomatic") -> dict[str, str]:
    return {"channel": channel, "on": DAY, "reference": reference}


def test_a_request_by_diplomatic_note_from_letter_to_closure(egy: Desk) -> None:
    request_id = _approved(egy)
    sent = _step(
        egy,
        "amira",
        request_id,
        {
            "step": "dispatch",
            "via": _via("Note verbale 14/2026"),
            "scan_upload_id": uploaded(egy, "amira", PDF),
        },
    )
    assert sent.status_code == 200, sent.text
    record = sent.json()["record"]
    assert record["via"]["channel"] == "diplomatic"
    assert record["via"]["reference"] == "Note verbale 14/2026"
    shown = egy.get("amira", f"/api/v1/requests/{request_id}").json()
    assert shown["route"] == "diplomatic"
    assert {c["step"] for c in shown["recordable_steps"]} >= {"receive"}
    letters = [a for a in shown["document"]["attachments"] if a.get("document_kind") == "letter"]
    assert letters[0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert letters[0]["added_by"] == "requesting"
    # The requested State answers by note; the officer records each answer.
    for step in ("receive", "acknowledge", "accept", "complete", "close"):
        answered = _step(
            egy,
            "amira",
            request_id,
            {
                "step": step,
                "via": _via(f"VNM note on {step}"),
                "scan_upload_id": uploaded(egy, "amira", PNG),
            },
        )
        assert answered.status_code == 200, (step, answered.text)
        assert answered.json()["record"]["state"] == "VNM"
    final = egy.get("amira", f"/api/v1/requests/{request_id}").json()
    assert final["status"] == "closed"
    assert len(final["timeline"]) == 7
    listed = egy.get("amira", "/api/v1/requests", route="diplomatic").json()
    assert [item["id"] for item in listed["items"]] == [request_id]
    assert listed["items"][0]["route"] == "diplomatic"
    assert egy.get("amira", "/api/v1/requests", route="hanoi").json()["total"] == 0


def test_the_other_side_step_on_a_network_request_is_refused(egy: Desk) -> None:
    request_id = _approved(egy)
    assert egy.post("amira", f"/api/v1/requests/{request_id}/send").status_code == 200
    refused = _step(egy, "amira", request_id, {"step": "receive", "via": _via("x")})
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert "travels over the Hanoi network" in refused.json()["detail"]


def test_a_scan_that_is_not_a_pdf_or_an_image_is_refused_and_nothing_changes(
    egy: Desk,
) -> None:
    request_id = _approved(egy)
    before = egy.get("amira", f"/api/v1/requests/{request_id}").json()
    refused = _step(
        egy,
        "amira",
        request_id,
        {
            "step": "dispatch",
            "via": _via("n"),
            "scan_upload_id": uploaded(egy, "amira", b"<html>not a scan</html>"),
        },
    )
    assert refused.status_code == 400
    assert "not a PDF or an image" in refused.json()["detail"]
    after = egy.get("amira", f"/api/v1/requests/{request_id}").json()
    assert after["status"] == "approved"
    assert after["document"]["attachments"] == before["document"]["attachments"]


def test_a_future_day_and_a_missing_channel_record_are_refused(egy: Desk) -> None:
    request_id = _approved(egy)
    future = _step(
        egy,
        "amira",
        request_id,
        {"step": "dispatch", "via": {"channel": "email", "on": "2026-03-03", "reference": "m"}},
    )
    assert future.status_code == 400
    assert "in the future" in future.json()["detail"]
    missing = _step(egy, "amira", request_id, {"step": "dispatch"})
    assert missing.status_code == 400
    assert "channel record" in missing.json()["detail"]


def _registration(egy: Desk, **changes: Any) -> dict[str, Any]:
    body = {
        "kind": "mla-stored-data",
        "requesting_state": "FRA",
        "requesting_authority": "Ministère de la Justice",
        "channel": "diplomatic",
        "received_on": DAY,
        "reference": "Note 2026/117",
        "scan_upload_id": uploaded(egy, "samir", PDF),
        "contents": {"summary-of-facts": "phishing"},
    }
    return {**body, **changes}


def test_a_paper_request_is_registered_received_and_answered(egy: Desk) -> None:
    created = egy.post("samir", "/api/v1/registrations", _registration(egy))
    assert created.status_code == 201, created.text
    request = created.json()
    assert request["status"] == "received"
    assert request["route"] == "diplomatic"
    assert request["side"] == "requested"
    assert request["timeline"][0]["transition"] == "register"
    assert request["timeline"][0]["via"]["reference"] == "Note 2026/117"
    validation = egy.get("samir", f"/api/v1/requests/{request['id']}/validation").json()
    assert validation["valid"] is False  # the letter lacks items: listed, not refused
    request_id = request["id"]
    for step in ("acknowledge",):
        assert _step(egy, "samir", request_id, {"step": step}).status_code == 200
    asked = _step(
        egy,
        "samir",
        request_id,
        {"step": "request-additional-information", "reasons": "Name the account."},
    )
    assert asked.status_code == 200
    provided = _step(
        egy,
        "samir",
        request_id,
        {
            "step": "provide-additional-information",
            "reasons": "The account is x@example.org",
            "via": _via("FRA note 2", "email"),
        },
    )
    assert provided.status_code == 200, provided.text
    assert provided.json()["record"]["state"] == "FRA"
    contents = complete_contents(CATALOGUE.kind("mla-stored-data"))
    assert contents  # the officer then completes the request from the letters


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"requesting_state": "EGY"}, "another State"),
        ({"requesting_state": "XXX"}, "not a State the United Nations names"),
        ({"received_on": "2026-03-05"}, "in the future"),
        ({"channel": "hanoi"}, "sent by the node itself"),
        ({"kind": "no-such-kind"}, "no-such-kind"),
    ],
)
def test_a_bad_registration_is_refused_and_nothing_is_stored(
    egy: Desk, changes: dict[str, Any], message: str
) -> None:
    refused = egy.post("samir", "/api/v1/registrations", _registration(egy, **changes))
    assert 400 <= refused.status_code < 500
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert message in refused.text
    assert egy.get("samir", "/api/v1/requests").json()["total"] == 0


def test_a_registration_scan_must_be_a_pdf_or_an_image(egy: Desk) -> None:
    body = _registration(egy, scan_upload_id=uploaded(egy, "samir", b"GIF89a......"))
    refused = egy.post("samir", "/api/v1/registrations", body)
    assert refused.status_code == 400
    assert "not a PDF or an image" in refused.json()["detail"]
    assert egy.get("samir", "/api/v1/requests").json()["total"] == 0


def test_only_roles_that_decide_register(egy: Desk) -> None:
    refused = egy.post("nour", "/api/v1/registrations", _registration(egy))
    assert refused.status_code == 403


def test_the_court_report_says_how_each_step_crossed_the_border(egy: Desk) -> None:
    from hanoi.convention import Language
    from hanoi.reports.gather import court_report
    from hanoi.reports.render import render_html

    request_id = _approved(egy)
    sent = _step(egy, "amira", request_id, {"step": "dispatch", "via": _via("Note 14/2026")})
    assert sent.status_code == 200
    answered = _step(egy, "amira", request_id, {"step": "receive", "via": _via("VN-22")})
    assert answered.status_code == 200
    node = egy.node
    report = court_report(node, node.accounts.named("amira"), request_id, identities=())
    html = render_html(report, Language.EN, catalogue=node.cooperation.catalogue)
    assert "Diplomatic channels" in html
    assert 'reference: <bdi dir="auto">Note 14/2026</bdi>' in html
    assert 'reference: <bdi dir="auto">VN-22</bdi>' in html
