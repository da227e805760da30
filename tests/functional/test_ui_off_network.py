"""The request pages off the network (ADR 0028): the dispatch form asks for the channel,
the day and the reference; the other State's answers are recorded from their letters;
the channel shows on the page and filters the list; a bad channel record is explained
beside the form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.cooperation.ports import ListQuery
from hanoi.cooperation.service import DraftInput, StepInput
from support_documents import uploaded
from support_nodes import T0, build_node
from support_requests_ui import CATALOGUE, KIND, Desk, desk_with, take_step
from support_ui import csrf
from unit.cooperation.builders import complete_contents

DAY = T0.date().isoformat()


@pytest.fixture
def egy(tmp_path: Path) -> Iterator[Desk]:
    desk = desk_with(
        build_node(tmp_path / "egy", "EGY", None, FixedClock(T0)),
        {"amira": Role.OFFICER, "samir": Role.SUPERVISOR},
    )
    yield desk
    for client in desk.clients.values():
        client.__exit__(None, None, None)
    desk.node.engine.dispose()


def _approved(egy: Desk) -> str:
    service = egy.node.cooperation
    samir = egy.user("samir")
    contents = complete_contents(CATALOGUE.kind(KIND))
    view = service.draft(samir, DraftInput(kind=KIND, requested_state="VNM", contents=contents))
    service.take(samir, view.request.id, StepInput(transition="approve"))
    return view.request.id


def test_dispatch_by_note_then_record_the_answers(egy: Desk) -> None:
    request_id = _approved(egy)
    page = egy["samir"].get(f"/ui/requests/{request_id}").text
    assert "Send by another channel" in page
    assert 'name="channel"' in page
    assert "The Hanoi network" in page
    missing = take_step(egy["samir"], request_id, "dispatch", channel="diplomatic", on=DAY)
    assert missing.status_code == 422
    assert "Give the channel, the day and the reference" in missing.text
    sent = take_step(
        egy["samir"], request_id, "dispatch", channel="diplomatic", on=DAY,
        reference="Note verbale 14/2026",
    )  # fmt: skip
    assert sent.status_code == 303, sent.text
    page = egy["samir"].get(f"/ui/requests/{request_id}").text
    assert 'id="route">Diplomatic channels' in page
    assert "Record what Viet Nam answered by letter" in page
    assert "Record: Receive" in page
    assert "Letter or note (off the network)" in page  # the scan goes with the documents
    received = take_step(
        egy["samir"], request_id, "receive", channel="diplomatic", on=DAY, reference="VN 22"
    )
    assert received.status_code == 303, received.text
    after = egy.node.cooperation.show(egy.user("samir"), request_id).request
    assert after.status.value == "received"
    assert after.history[-1].state == "VNM"
    assert after.history[-1].via is not None
    listed = egy["samir"].get("/ui/requests?channel=diplomatic").text
    assert request_id in listed
    assert "Diplomatic channels" in listed
    assert request_id not in egy["samir"].get("/ui/requests?channel=hanoi").text


def test_a_network_request_offers_no_recording(egy: Desk) -> None:
    request_id = _approved(egy)
    assert take_step(egy["samir"], request_id, "send").status_code == 303
    page = egy["samir"].get(f"/ui/requests/{request_id}").text
    assert "Record what" not in page
    refused = take_step(
        egy["samir"], request_id, "receive", channel="email", on=DAY, reference="<m@x>"
    )
    assert refused.status_code in (403, 422)
    assert egy.node.cooperation.show(egy.user("samir"), request_id).request.status.value == ("sent")


def test_a_bad_channel_is_explained_beside_the_form(egy: Desk) -> None:
    request_id = _approved(egy)
    bad = take_step(egy["samir"], request_id, "dispatch", channel="pigeon", on=DAY, reference="x")
    assert bad.status_code == 422
    assert "The channel, the day or the reference is not valid." in bad.text
    token_page = egy["samir"].get(f"/ui/requests/{request_id}").text
    assert re.search(r'<option value="diplomatic">', token_page)
    assert csrf(egy["samir"], f"/ui/requests/{request_id}")


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _register(egy: Desk, **fields: str) -> object:
    client = egy["samir"]
    data = {
        "csrf_token": csrf(client, "/ui/registrations/new?kind=mla-general"),
        "kind": "mla-general",
        "requesting_state": "FRA",
        "requesting_authority": "Ministère de la Justice",
        "channel": "diplomatic",
        "received_on": DAY,
        "reference": "Note 2026/117",
        "upload_id": uploaded(client, PDF),
        "c.summary-of-facts": "Phishing campaign against a bank.",
    }
    return client.post("/ui/registrations", data={**data, **fields})


def test_a_paper_request_is_registered_through_the_page(egy: Desk) -> None:
    choose = egy["samir"].get("/ui/registrations/new").text
    assert "/ui/registrations/new?kind=mla-stored-data" in choose
    form = egy["samir"].get("/ui/registrations/new?kind=mla-general").text
    assert 'name="requesting_state"' in form
    assert '<option value="FRA">France (FRA)</option>' in form
    assert 'data-uploads="/ui/uploads"' in form
    assert "Register a request received by letter" in egy["samir"].get("/ui/requests").text
    done = _register(egy)
    assert done.status_code == 303, done.text
    page = egy["samir"].get(done.headers["location"]).text
    assert 'id="route">Diplomatic channels' in page
    assert "Register a request received by letter" in page  # the first step of its timeline
    [summary] = egy.node.cooperation.summaries(
        egy.user("samir"), ListQuery(user_id=egy.user("samir").id)
    )[0]
    assert summary.status.value == "received"
    assert summary.requesting_state == "FRA"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reference": ""}, "Fill in this field."),
        ({"upload_id": ""}, "Choose the scanned letter"),
        ({"received_on": "2026-13-01"}, "Enter a date as YYYY-MM-DD"),
        ({"received_on": "2026-03-09"}, "could not be registered"),
    ],
)
def test_a_bad_registration_comes_back_with_the_reason(
    egy: Desk, fields: dict[str, str], message: str
) -> None:
    refused = _register(egy, **fields)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert message in refused.text  # type: ignore[attr-defined]
    listed = egy.node.cooperation.summaries(
        egy.user("samir"), ListQuery(user_id=egy.user("samir").id)
    )
    assert listed[1] == 0


def test_only_who_decides_may_register(egy: Desk) -> None:
    from support_ui import PASSWORD, signed_in

    egy.node.accounts.add_user(name="nour", role=Role.AUDITOR, password=PASSWORD)

    egy.clients["nour"] = signed_in(egy.node, "nour")  # closed with the others
    assert egy["nour"].get("/ui/registrations/new").status_code == 404  # as no page
    assert "Register a request received by letter" not in egy["nour"].get("/ui/requests").text
