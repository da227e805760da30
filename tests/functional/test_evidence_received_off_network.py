"""Evidence a State without a node sent off the network (on media, by courier or in the
diplomatic bag), recorded with where it came from: ``hanoi evidence add --received-from
--channel --reference`` (the real command), and the upload form's optional fieldset, with
its errors beside the fields and the line the evidence list shows."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import open_case, run_hanoi
from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.cooperation.routes import Route
from hanoi.cooperation.service import DraftInput
from hanoi.settings import load_settings
from hanoi.wiring import Node, open_node
from support_directory import import_directory_with_offline
from support_evidence_desk import Desk, record, uploaded
from support_evidence_desk import desk as desk  # a fixture
from support_nodes import T0, build_node
from support_ui import PASSWORD, signed_in
from unit.cooperation.builders import complete_contents

NOTE = "Note verbale 88/2026, diplomatic bag 4"
RECEIPT = {"received_from": "GHA", "channel": "diplomatic", "channel_reference": NOTE}

# --- the command ----------------------------------------------------------------------


@pytest.fixture
def case(node_dir: Path, tmp_path: Path) -> tuple[Path, str, Path]:
    """A copy of the node, a request of amira's to Ghana, and a file to record."""
    copy = tmp_path / "node"
    shutil.copytree(node_dir, copy)
    source = tmp_path / "phone-image.e01"
    source.write_bytes(os.urandom(50_000))
    return copy, open_case(copy, "amira", to="GHA"), source


def add(case: tuple[Path, str, Path], *extra: str) -> tuple[int, str, str]:
    folder, request_id, source = case
    result = run_hanoi(
        "evidence", "add", str(source), "--dir", str(folder), "--request", request_id,
        "--source-kind", "device", "--source", "USB stick sealed by the Ghana Police Service",
        "--method", "forensic image", "--user", "amira", "--article", "Art. 40(17)", *extra,
    )  # fmt: skip
    return result.returncode, result.stdout, result.stderr


def test_evidence_add_records_from_which_state_by_which_channel(
    case: tuple[Path, str, Path],
) -> None:
    code, out, err = add(
        case, "--received-from", "GHA", "--channel", "courier", "--reference", "AWB 176-42"
    )
    assert code == 0, err
    recorded = json.loads(out)
    node = open_node(load_settings(case[0]))
    try:
        item = node.evidence.get(node.accounts.named("amira"), recorded["id"])
        a = item.acquisition
        assert (a.received_from, a.channel, a.channel_reference) == (
            "GHA",
            Route.COURIER,
            "AWB 176-42",
        )
    finally:
        node.engine.dispose()


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (("--received-from", "GHA"), "--received-from needs --channel, --reference"),
        (("--channel", "courier", "--reference", "x"), "--channel, --reference needs"),
        (("--received-from", "gha", "--channel", "courier", "--reference", "x"), "alpha-3"),
        (("--received-from", "Ghana", "--channel", "courier", "--reference", "x"), "alpha-3"),
        (("--received-from", "GHA", "--channel", "hanoi", "--reference", "x"), "in a package"),
        (("--received-from", "GHA", "--channel", "pigeon", "--reference", "x"), "courier"),
        (
            ("--received-from", "GHA", "--channel", "courier", "--reference", "x" * 201),
            "at most 200 characters, not 201",
        ),
        (("--received-from", "GHA", "--channel", "courier", "--reference", "a\tb"), "one line"),
        (
            ("--received-from", "EGY", "--channel", "courier", "--reference", "x"),
            "another State than EGY",
        ),
    ],
)
def test_evidence_add_refuses_a_bad_receipt_in_one_line(
    case: tuple[Path, str, Path], extra: tuple[str, ...], says: str
) -> None:
    code, out, err = add(case, *extra)
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert says in err
    node = open_node(load_settings(case[0]))
    try:
        assert node.evidence.held_for_request(case[1]) == []
    finally:
        node.engine.dispose()


# --- the upload form ------------------------------------------------------------------


def form_for(desk: Desk) -> str:
    return desk["amira"].get(f"/ui/requests/{desk.request_id}/evidence").text


def test_the_form_offers_the_channels_off_the_network_and_a_code_without_a_directory(
    desk: Desk,
) -> None:
    page = form_for(desk)
    fieldset = page[page.index('<fieldset class="group received-off-network"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert "<legend>Received from another State off the network</legend>" in fieldset
    channels = re.findall(r'<option value="([a-z]+)">', fieldset)
    assert channels == ["diplomatic", "email", "interpol", "courier", "other"]
    assert "The Hanoi network" not in fieldset
    assert "Diplomatic channels" in fieldset
    assert '<input id="field-received_from" name="received_from" type="text"' in fieldset
    assert "This node holds no directory of States" in fieldset
    assert 'id="field-channel_reference" name="channel_reference"' in fieldset
    assert " required" not in fieldset  # the whole fieldset is optional


def test_evidence_received_by_diplomatic_bag_is_recorded_and_listed(desk: Desk) -> None:
    amira = desk["amira"]
    done = record(amira, desk.request_id, upload_id=uploaded(amira, b"image"), **RECEIPT)
    assert done.status_code == 303, done.text
    [item] = desk.node.evidence.held_for_request(desk.request_id)
    a = item.acquisition
    assert (a.received_from, a.channel, a.channel_reference) == ("GHA", Route.DIPLOMATIC, NOTE)
    page = amira.get(f"/ui/requests/{desk.request_id}").text
    line = re.search(
        rf'<span class="hint received-off-network" id="received-{item.id}">(.*?)</span>', page
    )
    assert line is not None
    assert (
        line.group(1) == f"Received from Ghana by Diplomatic channels, reference <bdi>{NOTE}</bdi>"
    )


def test_evidence_without_a_receipt_shows_no_such_line(desk: Desk) -> None:
    amira = desk["amira"]
    assert record(amira, desk.request_id, upload_id=uploaded(amira, b"x")).status_code == 303
    [item] = desk.node.evidence.held_for_request(desk.request_id)
    assert item.acquisition.received_from is None
    assert "Received from" not in amira.get(f"/ui/requests/{desk.request_id}").text


@pytest.mark.parametrize(
    ("given", "errors"),
    [
        (
            {"received_from": "GHA"},
            {
                "channel": "Choose the channel the evidence came by.",
                "channel_reference": "Give the reference of the consignment",
            },
        ),
        (
            {"channel_reference": NOTE},
            {
                "received_from": "Choose the State that sent the evidence.",
                "channel": "Choose the channel the evidence came by.",
            },
        ),
        ({**RECEIPT, "received_from": "gha"}, {"received_from": "three-letter code"}),
        ({**RECEIPT, "received_from": "GHAN"}, {"received_from": "three-letter code"}),
        ({**RECEIPT, "received_from": "G1A"}, {"received_from": "three-letter code"}),
        ({**RECEIPT, "received_from": "EGY"}, {"received_from": "another State than this"}),
        ({**RECEIPT, "channel": "hanoi"}, {"channel": "Choose the channel"}),
        ({**RECEIPT, "channel": "pigeon"}, {"channel": "Choose the channel"}),
        ({**RECEIPT, "channel_reference": "x" * 201}, {"channel_reference": "at most 200"}),
    ],
)
def test_a_bad_receipt_is_explained_beside_its_fields_and_nothing_is_recorded(
    desk: Desk, given: dict[str, str], errors: dict[str, str]
) -> None:
    amira = desk["amira"]
    answer = record(amira, desk.request_id, upload_id=uploaded(amira, b"image"), **given)
    assert answer.status_code == 422, answer.text
    for name, message in errors.items():
        shown = re.search(rf'<p class="field-error" id="field-{name}-error">(.*?)</p>', answer.text)
        assert shown is not None, name
        assert message in shown.group(1), shown.group(1)
        assert f'href="#field-{name}"' in answer.text  # and in the summary at the top
    found = re.findall(r'<p class="field-error" id="field-([a-z_]+)-error">', answer.text)
    assert set(found) == set(errors)
    assert desk.node.evidence.held_for_request(desk.request_id) == []
    request = desk.node.cooperation.show(desk.node.accounts.named("amira"), desk.request_id)
    assert request.request.attachments == ()  # not attached either
    reference = given.get("channel_reference", "")
    if 0 < len(reference) <= 200:
        assert f'value="{reference}"' in answer.text  # kept for the officer to correct


# --- with a directory: the States to choose from ------------------------------------


@pytest.fixture
def with_directory(tmp_path: Path) -> Iterator[tuple[Node, TestClient, str]]:
    clock = FixedClock(T0)
    egy = build_node(tmp_path / "egy", "EGY", None, clock)
    vnm = build_node(tmp_path / "vnm", "VNM", None, clock)
    import_directory_with_offline([egy, vnm], into=egy, clock=clock)  # Brazil runs no node
    egy.accounts.add_user(name="amira", role=Role.OFFICER, password=PASSWORD)
    contents = complete_contents(egy.cooperation.catalogue.kind("mla-stored-data"))
    view = egy.cooperation.draft(
        egy.accounts.named("amira"),
        DraftInput(kind="mla-stored-data", requested_state="BRA", contents=contents),
    )
    client = signed_in(egy, "amira")
    yield egy, client, view.request.id
    client.__exit__(None, None, None)
    for node in (egy, vnm):
        node.engine.dispose()


def test_the_states_of_the_directory_are_offered_with_and_without_a_node(
    with_directory: tuple[Node, TestClient, str],
) -> None:
    node, client, request_id = with_directory
    page = client.get(f"/ui/requests/{request_id}/evidence").text
    select = page[page.index('<select id="field-received_from"') :]
    select = select[: select.index("</select>")]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert [(label, re.findall(r'value="([A-Z]{3})"', body)) for label, body in groups] == [
        ("States without a Hanoi node", ["BRA"]),
        ("States with a Hanoi node", ["VNM"]),
    ]
    assert "EGY" not in select  # not this node's own State
    desk = Desk(node=node, request_id=request_id, clients={"amira": client})
    not_listed = record(
        client, request_id, upload_id=uploaded(client, b"a"), **{**RECEIPT, "received_from": "GHA"}
    )
    assert not_listed.status_code == 422
    assert "Choose the State that sent the evidence." in not_listed.text
    done = record(
        client, request_id, upload_id=uploaded(client, b"b"), **{**RECEIPT, "received_from": "BRA"}
    )
    assert done.status_code == 303, done.text
    [item] = desk.node.evidence.held_for_request(request_id)
    assert item.acquisition.received_from == "BRA"
    assert (
        "Received from Brazil by Diplomatic channels"
        in client.get(f"/ui/requests/{request_id}").text
    )
