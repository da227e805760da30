"""The request pages off the network (ADR 0028): the dispatch form asks for the channel,
the day and the reference; the other State's answers are recorded from their letters;
the channel shows on the page and filters the list; a bad channel record is explained
beside the form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from functional.test_ui_requests import CATALOGUE, KIND, Desk, _desk, _step
from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.cooperation.service import DraftInput, StepInput
from support_cooperation import T0, make_node
from support_ui import csrf
from unit.cooperation.builders import complete_contents

DAY = T0.date().isoformat()


@pytest.fixture
def egy(tmp_path: Path) -> Iterator[Desk]:
    desk = _desk(
        make_node(tmp_path / "egy", "EGY", None, FixedClock(T0)),
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
    missing = _step(egy["samir"], request_id, "dispatch", channel="diplomatic", on=DAY)
    assert missing.status_code == 422
    assert "Give the channel, the day and the reference" in missing.text
    sent = _step(
        egy["samir"], request_id, "dispatch", channel="diplomatic", on=DAY,
        reference="Note verbale 14/2026",
    )  # fmt: skip
    assert sent.status_code == 303, sent.text
    page = egy["samir"].get(f"/ui/requests/{request_id}").text
    assert 'id="route">Diplomatic channels' in page
    assert "Record what Viet Nam answered by letter" in page
    assert "Record: Receive" in page
    assert "Letter or note (off the network)" in page  # the scan goes with the documents
    received = _step(
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
    assert _step(egy["samir"], request_id, "send").status_code == 303
    page = egy["samir"].get(f"/ui/requests/{request_id}").text
    assert "Record what" not in page
    refused = _step(egy["samir"], request_id, "receive", channel="email", on=DAY, reference="<m@x>")
    assert refused.status_code in (403, 422)
    assert egy.node.cooperation.show(egy.user("samir"), request_id).request.status.value == ("sent")


def test_a_bad_channel_is_explained_beside_the_form(egy: Desk) -> None:
    request_id = _approved(egy)
    bad = _step(egy["samir"], request_id, "dispatch", channel="pigeon", on=DAY, reference="x")
    assert bad.status_code == 422
    assert "The channel, the day or the reference is not valid." in bad.text
    token_page = egy["samir"].get(f"/ui/requests/{request_id}").text
    assert re.search(r'<option value="diplomatic">', token_page)
    assert csrf(egy["samir"], f"/ui/requests/{request_id}")
