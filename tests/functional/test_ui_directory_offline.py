"""States without a Hanoi node in the officers' UI (issue 17): the directory page lists them
beside the States with a node, with how to reach their authorities (postal address,
e-mail, telephone), the languages and the channels they take requests by; the draft form
offers them, marked, and shows the chosen State's channels and languages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from support_directory import BRAZIL, import_directory_with_offline
from support_nodes import T0, build_node
from support_ui import PASSWORD, csrf, signed_in


@pytest.fixture
def officer(tmp_path: Path) -> Iterator[TestClient]:
    clock = FixedClock(T0)
    egy = build_node(tmp_path / "egy", "EGY", None, clock)
    vnm = build_node(tmp_path / "vnm", "VNM", None, clock)
    import_directory_with_offline([egy, vnm], into=egy, clock=clock)
    egy.accounts.add_user(name="amira", role=Role.OFFICER, password=PASSWORD)
    client = signed_in(egy, "amira")
    yield client
    client.__exit__(None, None, None)
    for node in (egy, vnm):
        node.engine.dispose()


def choose_language(client: TestClient, language: str) -> None:
    chosen = client.post(
        "/ui/language", data={"csrf_token": csrf(client), "language": language, "next": "/ui/"}
    )
    assert chosen.status_code == 303


def row(page: str, code: str) -> str:
    return page.split(f'id="state-{code}"')[1].split("</tr>")[0]


def test_the_directory_lists_states_without_a_node_with_their_contacts_and_channels(
    officer: TestClient,
) -> None:
    page = officer.get("/ui/directory")
    assert page.status_code == 200
    text = page.text
    assert "3 of 3 States" in text
    assert "States without a Hanoi node are listed too" in text
    assert "<dt>States without a Hanoi node</dt>\n  <dd>1</dd>" in text
    assert '<th scope="col">Channels for requests</th>' in text

    brazil = row(text, "BRA")
    assert '<th scope="row">Brazil <span class="code">BRA</span>' in brazil
    assert '<span class="badge no-node">No Hanoi node</span>' in brazil
    assert '<bdi class="email" dir="ltr">cooperacao@justice.example</bdi>' in brazil
    assert '<bdi class="telephone" dir="ltr">+55 61 2025-8900</bdi>' in brazil
    assert (
        '<div class="postal-address prewrap" dir="auto">SCN Quadra 6\nBrasília DF 70716-900</div>'
        in brazil
    )
    assert "24/7 Cybercrime Unit of BRA" in brazil
    assert "Portuguese" in brazil
    assert "Spanish" in brazil
    channels = brazil.split('<ol class="channels">')[1].split("</ol>")[0]
    assert channels.index("Diplomatic channels") < channels.index(
        "E-mail between central authorities"
    )
    assert "Hanoi node" not in channels
    assert "Note verbale 123/2026 of 2 October 2026" in brazil
    assert "Oct 2, 2026" in brazil
    assert "key-id" not in brazil  # no node, no keys

    egypt = row(text, "EGY")
    assert "No Hanoi node" not in egypt
    assert '<bdi class="email" dir="ltr">mla@justice.example</bdi>' in egypt
    assert '<bdi class="telephone" dir="ltr">+20 2 2792 2263</bdi>' in egypt
    egypt_channels = egypt.split('<ol class="channels">')[1].split("</ol>")[0]
    assert "<li>The Hanoi network</li>" in egypt_channels
    assert "<li>E-mail between central authorities</li>" in egypt_channels
    viet_nam = row(text, "VNM")
    assert "<li>The Hanoi network</li>" in viet_nam.split('<ol class="channels">')[1]  # none listed
    assert "E-mail between" not in viet_nam
    assert "postal-address" not in viet_nam

    portuguese = officer.get("/ui/directory?language=pt").text
    assert "1 of 3 States" in portuguese
    assert 'id="state-BRA"' in portuguese
    assert 'id="state-EGY"' not in portuguese
    assert '<option value="BRA" selected>' in officer.get("/ui/directory?state=BRA").text

    choose_language(officer, "ar")
    arabic = officer.get("/ui/directory").text
    assert 'dir="rtl"' in arabic
    assert "البرازيل" in row(arabic, "BRA")
    assert '<bdi class="email" dir="ltr">cooperacao@justice.example</bdi>' in row(arabic, "BRA")


def test_the_draft_form_offers_states_without_a_node_and_shows_their_channels(
    officer: TestClient,
) -> None:
    form = officer.get("/ui/requests/new?kind=mla-stored-data").text
    field = form.split('id="field-requested_state"')[1].split("</select>")[0]
    with_node, without = field.split("</optgroup>")[:2]
    assert '<optgroup label="States with a Hanoi node">' in with_node
    assert '<option value="VNM">Viet Nam</option>' in with_node
    assert "BRA" not in with_node
    assert '<optgroup label="No Hanoi node: the request goes by letter">' in without
    assert '<option value="BRA">Brazil</option>' in without
    assert 'value="EGY"' not in field  # not this node's own State

    saved = officer.post(
        "/ui/requests/new",
        data={
            "csrf_token": csrf(officer, "/ui/requests/new?kind=mla-stored-data"),
            "kind": "mla-stored-data",
            "requested_state": "BRA",
            "urgency": "routine",
        },
    )
    assert saved.status_code == 303, saved.text
    draft = officer.get(saved.headers["location"]).text
    facts = draft.split('id="requested-state-facts"')[1].split("</div>")[0]
    assert 'id="no-node-notice"' in facts
    assert "Brazil has no Hanoi node: the request goes by letter" in facts
    assert "Brazil takes requests by (most preferred first):" in facts
    channels = facts.split('id="requested-state-channels">')[1].split("</ol>")[0]
    assert channels.index("Diplomatic channels") < channels.index("E-mail between")
    assert "Brazil takes requests in:</strong> Portuguese and Spanish" in facts
    assert 'id="language-warning"' in facts  # English is not among them (Art. 40(14))
    assert '<bdi class="email" dir="ltr">cooperacao@justice.example</bdi>' in facts
    assert '<bdi class="telephone" dir="ltr">+55 61 2025-8900</bdi>' in facts
    assert "SCN Quadra 6\nBrasília DF 70716-900" in facts
    assert "24/7 Cybercrime Unit of BRA" in facts

    choose_language(officer, "es")
    spanish = officer.get(saved.headers["location"]).text
    assert 'id="language-warning"' not in spanish  # Brazil takes Spanish


def test_a_state_with_a_node_shows_its_node_as_the_channel(officer: TestClient) -> None:
    saved = officer.post(
        "/ui/requests/new",
        data={
            "csrf_token": csrf(officer, "/ui/requests/new?kind=mla-stored-data"),
            "kind": "mla-stored-data",
            "requested_state": "VNM",
            "urgency": "routine",
        },
    )
    assert saved.status_code == 303
    facts = officer.get(saved.headers["location"]).text.split('id="requested-state-facts"')[1]
    facts = facts.split("</div>")[0]
    assert 'id="no-node-notice"' not in facts
    assert "<li>The Hanoi network</li>" in facts


def test_the_sandbox_directory_may_list_states_without_a_node(tmp_path: Path) -> None:
    from hanoi.directory.store import load_held
    from hanoi.sandbox.nodes import build_sandbox

    sandbox = build_sandbox(
        tmp_path / "sandbox", ["EGY"], base_port=1, clock=FixedClock(T0), offline=[BRAZIL]
    )
    held = load_held(sandbox.nodes["EGY"].node_dir)
    assert held is not None
    assert held.directory.all_states() == ("BRA", "EGY")
    brazil = held.directory.contact_of("BRA")
    assert brazil is not None
    assert (brazil.on_network, brazil.channels) == (False, ("diplomatic", "email"))
    plain = build_sandbox(tmp_path / "plain", ["EGY"], base_port=1, clock=FixedClock(T0))
    held = load_held(plain.nodes["EGY"].node_dir)
    assert held is not None
    assert held.directory.offline_states == ()
