"""The directory and alerts pages of the officers' UI over HTTP: the signed directory a node
holds (shown, filtered, near and past expiry, or missing), and the alerts of an overdue
preservation request and of a custody log that showed two histories (a split view)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from hanoi.accounts.model import Role, User
from hanoi.clock import Clock, FixedClock
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.directory.authoring import assemble, build_entry
from hanoi.directory.codec import dump_json
from hanoi.directory.signing import sign_directory, sign_entry
from hanoi.directory.store import import_document
from hanoi.node.folder import load_keys
from hanoi.wiring import Node
from support_cooperation import deliver
from support_custody import split_view
from support_directory import LANGUAGES, import_directory
from support_nodes import T0, build_node
from support_ui import PASSWORD, csrf, signed_in
from unit.cooperation.builders import complete_contents

PRESERVATION = "expedited-preservation"


@dataclass
class Desk:
    node: Node
    clients: dict[str, TestClient]

    def __getitem__(self, name: str) -> TestClient:
        return self.clients[name]

    def user(self, name: str) -> User:
        found = self.node.accounts.named(name)
        assert found is not None
        return found


def _desk(node: Node, users: dict[str, Role]) -> Desk:
    clients = {}
    for name, role in users.items():
        node.accounts.add_user(name=name, role=role, password=PASSWORD)
        clients[name] = signed_in(node, name)
    return Desk(node=node, clients=clients)


def choose_language(client: TestClient, language: str) -> None:
    chosen = client.post(
        "/ui/language", data={"csrf_token": csrf(client), "language": language, "next": "/ui/"}
    )
    assert chosen.status_code == 303


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[tuple[Desk, Desk, FixedClock]]:
    clock = FixedClock(T0)
    egy = _desk(
        build_node(tmp_path / "egy", "EGY", None, clock),
        {"amira": Role.OFFICER, "samir": Role.SUPERVISOR},
    )
    vnm = _desk(
        build_node(tmp_path / "vnm", "VNM", None, clock),
        {"minh": Role.POINT_OF_CONTACT, "thao": Role.OFFICER},
    )
    yield egy, vnm, clock
    for desk in (egy, vnm):
        for client in desk.clients.values():
            client.__exit__(None, None, None)
        desk.node.engine.dispose()


def test_a_node_without_a_directory_says_what_to_run(
    desks: tuple[Desk, Desk, FixedClock],
) -> None:
    egy, _, _ = desks
    page = egy["amira"].get("/ui/directory")
    assert page.status_code == 200
    assert "This node holds no directory yet." in page.text
    assert "hanoi directory import" in page.text
    home = egy["amira"].get("/ui/").text
    assert 'href="/ui/directory"' in home.split('id="pages-heading"')[1]


def test_the_directory_shows_each_state_and_filters(
    desks: tuple[Desk, Desk, FixedClock], tmp_path: Path
) -> None:
    egy, vnm, clock = desks
    fra = build_node(tmp_path / "fra", "FRA", None, clock)
    import_directory([egy.node, vnm.node, fra], into=[egy.node], clock=clock)
    fra.engine.dispose()
    client = egy["amira"]
    page = client.get("/ui/directory")
    assert page.status_code == 200
    text = page.text
    for name in ("Egypt", "Viet Nam", "France"):
        assert name in text
    assert "Ministry of Justice of VNM" in text
    assert "mla@vnm.example" in text
    assert "24/7 Cybercrime Unit of FRA" in text
    assert "Vietnamese" in text
    assert "Arabic" in text
    assert "French" in text
    assert '<code class="key-id" dir="ltr">https://hanoi.fra.example</code>' in text
    assert egy.node.identity.signing_key_id in text
    assert "3 of 3 States" in text
    assert "Art.\u00a040(13)" in text
    assert "Art.\u00a041(1)" in text
    assert "Art.\u00a040(14)" in text
    assert "<dd>7</dd>" in text  # the version
    assert "This directory expire" not in text
    assert '<th scope="col">' in text
    assert "<caption" in text

    only_vnm = client.get("/ui/directory?state=VNM").text
    assert "1 of 3 States" in only_vnm
    assert "Ministry of Justice of VNM" in only_vnm
    assert "Ministry of Justice of FRA" not in only_vnm
    french = client.get("/ui/directory?language=fr").text
    assert "Ministry of Justice of FRA" in french
    assert "Ministry of Justice of EGY" not in french
    nothing = client.get("/ui/directory?state=USA").text
    assert "No State in the directory matches the filter." in nothing
    for bad in ("state=E1Y", "language=%3Cscript%3E", "state=" + "A" * 40):
        refused = client.get(f"/ui/directory?{bad}")
        assert refused.status_code == 400, bad
        assert "Traceback" not in refused.text
        assert "<html" in refused.text

    choose_language(client, "ar")
    arabic = client.get("/ui/directory").text
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "مصر" in arabic
    assert "فييت نام" in arabic
    assert "العربية" in arabic  # the language, named in Arabic
    assert "المادة\u00a040(13)" in arabic


def test_the_directory_warns_before_and_after_it_expires(
    desks: tuple[Desk, Desk, FixedClock],
) -> None:
    egy, vnm, clock = desks
    import_directory([egy.node, vnm.node], into=[egy.node], clock=clock)
    clock.advance(timedelta(days=355))
    soon = egy["amira"].get("/ui/directory").text
    assert "This directory expires in" in soon
    clock.advance(timedelta(days=11))
    late = egy["amira"].get("/ui/directory").text
    assert "This directory expired on" in late
    assert 'role="alert"' in late


def _preservation_sent(egy: Desk) -> str:
    service = egy.node.cooperation
    kind = egy.node.cooperation.catalogue.kind(PRESERVATION)
    view = service.draft(
        egy.user("amira"),
        DraftInput(kind=PRESERVATION, requested_state="VNM", contents=complete_contents(kind)),
    )
    request_id = view.request.id
    service.assign(egy.user("amira"), request_id, "samir")
    service.take(egy.user("samir"), request_id, StepInput(transition="approve"))
    service.take(egy.user("amira"), request_id, StepInput(transition="send"))
    return request_id


def test_alerts_of_an_overdue_preservation_request(
    desks: tuple[Desk, Desk, FixedClock],
) -> None:
    egy, vnm, clock = desks
    empty = vnm["minh"].get("/ui/alerts")
    assert empty.status_code == 200
    assert "There are no alerts." in empty.text

    request_id = _preservation_sent(egy)
    deliver(egy.node.cooperation.show(egy.user("amira"), request_id).request, vnm.node)
    minh = vnm.user("minh")
    for step in ("acknowledge", "order-preservation"):
        vnm.node.cooperation.take(minh, request_id, StepInput(transition=step))
    vnm.node.cooperation.take(
        minh,
        request_id,
        StepInput(transition="preserve", until=clock.now() + timedelta(days=61)),
    )
    clock.advance(timedelta(days=62))
    vnm.node.cooperation.check_deadlines()  # what the background job does

    page = vnm["minh"].get("/ui/alerts")
    assert page.status_code == 200
    text = page.text
    assert "There are no alerts." not in text
    due = text.split('id="due-caption"')[1].split("</table>")[0]
    assert f'href="/ui/requests/{request_id}"' in due
    assert "End of the preservation period" in due
    assert "Overdue" in due
    assert "Requesting State" in due
    assert "Art. 42(8)" in due
    raised = text.split('id="raised-caption"')[1].split("</table>")[0]
    assert request_id in raised
    assert "Art. 42(8)" in raised
    # Someone outside the case sees none of it.
    other = vnm["thao"].get("/ui/alerts").text
    assert request_id not in other

    choose_language(vnm["minh"], "ar")
    arabic = vnm["minh"].get("/ui/alerts").text
    assert "المادة 42(8)" in arabic
    assert '<html lang="ar" dir="rtl">' in arabic


def test_the_home_page_counts_the_alerts(desks: tuple[Desk, Desk, FixedClock]) -> None:
    egy, _, _ = desks
    home = egy["amira"].get("/ui/").text
    assert 'href="/ui/alerts"' in home
    assert "0 now" in home


def test_alerts_of_a_split_view(desks: tuple[Desk, Desk, FixedClock]) -> None:
    egy, vnm, clock = desks
    import_directory([egy.node, vnm.node], into=[vnm.node], clock=clock)
    split_view(egy.node, vnm.node)
    page = vnm["thao"].get("/ui/alerts")
    assert page.status_code == 200
    logs = page.text.split('id="logs-caption"')[1].split("</table>")[0]
    assert "Split view: the log signed two different histories" in logs
    assert 'href="/ui/directory?state=EGY"' in logs
    assert "Egypt" in logs
    assert egy.node.identity.log_origin in logs
    assert "Art." not in logs  # no article of the Convention rules on custody logs
    assert "Mar 2, 2026" in logs  # when it was detected


def test_the_preservation_period_counts_down_on_the_request_the_home_page_and_deadlines(
    desks: tuple[Desk, Desk, FixedClock],
) -> None:
    egy, vnm, clock = desks
    request_id = _preservation_sent(egy)
    deliver(egy.node.cooperation.show(egy.user("amira"), request_id).request, vnm.node)
    minh = vnm.user("minh")
    for step in ("acknowledge", "order-preservation"):
        vnm.node.cooperation.take(minh, request_id, StepInput(transition=step))
    # Preserved until 15 May (entered as a day: kept as the midnight UTC that ends it).
    preserve = vnm["minh"].post(
        f"/ui/requests/{request_id}/steps",
        data={
            "csrf_token": csrf(vnm["minh"], f"/ui/requests/{request_id}"),
            "step": "preserve",
            "until": "2026-05-15",
        },
    )
    assert preserve.status_code == 303, preserve.text
    page = vnm["minh"].get(f"/ui/requests/{request_id}").text
    period = page.split('id="preservation"')[1].split("</section>")[0]
    assert "Preserved until May 15, 2026" in period
    assert "Art. 42(8)" in period
    assert "in 2 months" in period  # 2 March to 15 May

    clock.advance(timedelta(days=70))  # 11 May: within the 7 days of the queue
    home = vnm["minh"].get("/ui/").text
    queue = home.split('id="queue-deadlines"')[1].split("</section>")[0]
    assert 'data-count="1"' in queue
    assert request_id in queue
    assert "May 15, 2026" in queue
    assert "May 16" not in queue  # the day entered, not the midnight after it
    deadlines = vnm["minh"].get("/ui/deadlines").text
    assert "May 15, 2026" in deadlines
    assert "May 16, 2026" not in deadlines
    assert "in 5 days" in vnm["minh"].get(f"/ui/requests/{request_id}").text

    choose_language(vnm["minh"], "ar")
    arabic = vnm["minh"].get(f"/ui/requests/{request_id}").text
    period = arabic.split('id="preservation"')[1].split("</section>")[0]
    assert "المادة 42(8)" in period
    assert "Preserved until" not in period


def test_the_draft_form_chooses_the_requested_state_by_name_and_shows_its_languages(
    desks: tuple[Desk, Desk, FixedClock],
) -> None:
    egy, vnm, clock = desks
    plain = egy["amira"].get("/ui/requests/new?kind=mla-stored-data").text
    assert 'name="requested_state" type="text"' in plain  # no directory: the code
    assert "This node holds no directory of States" in plain
    import_directory([egy.node, vnm.node], into=[egy.node], clock=clock)
    form = egy["amira"].get("/ui/requests/new?kind=mla-stored-data").text
    field = form.split('id="field-requested_state"')[1].split("</select>")[0]
    assert '<option value="VNM">Viet Nam</option>' in field
    assert 'value="EGY"' not in field  # not this node's own State
    assert form.count("Reasons for urgency") == 1
    choose_language(egy["amira"], "ar")
    arabic = egy["amira"].get("/ui/requests/new?kind=mla-stored-data").text
    assert '<option value="VNM">فييت نام</option>' in arabic

    choose_language(egy["amira"], "en")
    saved = egy["amira"].post(
        "/ui/requests/new",
        data={
            "csrf_token": csrf(egy["amira"], "/ui/requests/new?kind=mla-stored-data"),
            "kind": "mla-stored-data",
            "requested_state": "VNM",
            "urgency": "urgent",
            "urgency_reasons": "The provider deletes its logs after 7 days.",
        },
    )
    assert saved.status_code == 303
    draft = egy["amira"].get(saved.headers["location"]).text
    facts = draft.split('id="requested-state-facts"')[1].split("</div>")[0]
    assert "Viet Nam takes requests in:" in facts
    assert "Ministry of Justice of VNM" in facts
    assert "24/7 Cybercrime Unit of VNM" in facts
    request_id = saved.headers["location"].split("/")[3]
    stored = egy.node.cooperation.show(egy.user("amira"), request_id).request
    assert stored.contents["urgency-reasons"] == "The provider deletes its logs after 7 days."
    assert stored.urgency.reasons == "The provider deletes its logs after 7 days."
    assert 'id="language-warning"' not in draft  # VNM takes English
    choose_language(egy["amira"], "ar")
    arabic = egy["amira"].get(saved.headers["location"]).text
    assert 'id="language-warning"' in arabic  # ... not Arabic (Art. 40(14))


def import_named_directory(nodes: list[Node], *, into: Node, clock: Clock) -> None:
    """As :func:`import_directory`, Egypt's central authority named in Arabic and English."""
    now = clock.now().replace(microsecond=0)
    names = {"EGY": {"ar": "وزارة العدل المصرية", "en": "Ministry of Justice of EGY"}}
    signed = []
    for node in nodes:
        state = node.identity.state
        central = {
            "kind": "central-authority",
            "name": f"Ministry of Justice of {state}",
            "languages": LANGUAGES[state],
            "contact": f"mla@{state.lower()}.example",
        }
        if state in names:
            central["names"] = names[state]
        entry = build_entry(
            node.identity,
            node_url=f"https://hanoi.{state.lower()}.example",
            authorities=[central],
            declarations={},
            valid_from=now,
        )
        signed.append(sign_entry(entry, [load_keys(node.settings).signing]))
    authority = Ed25519PrivateKey.generate()
    document = assemble(signed, version=1, issued_at=now, expires=now + timedelta(days=365))
    data = dump_json(sign_directory(document, authority).to_json())
    import_document(into.settings.node_dir, data, now=now, pin=authority.public_key())


def test_the_directory_names_an_authority_in_the_pages_language_else_its_own_name(
    desks: tuple[Desk, Desk, FixedClock],
) -> None:
    egy, vnm, clock = desks
    import_named_directory([egy.node, vnm.node], into=egy.node, clock=clock)
    client = egy["amira"]
    english = client.get("/ui/directory").text
    assert '<bdi class="authority-name" lang="en">Ministry of Justice of EGY</bdi>' in english
    assert '<bdi class="authority-name" lang="">Ministry of Justice of VNM</bdi>' in english
    assert "وزارة العدل المصرية" not in english

    choose_language(client, "ar")
    arabic = client.get("/ui/directory").text
    egypt = arabic.split('id="state-EGY"')[1].split("</tr>")[0]
    assert '<bdi class="authority-name" lang="ar">وزارة العدل المصرية</bdi>' in egypt
    assert "Ministry of Justice of EGY" not in egypt
    # Viet Nam gives no Arabic name: its own, marked as of unknown language (not Arabic).
    viet_nam = arabic.split('id="state-VNM"')[1].split("</tr>")[0]
    assert '<bdi class="authority-name" lang="">Ministry of Justice of VNM</bdi>' in viet_nam

    choose_language(client, "fr")
    french = client.get("/ui/directory").text
    egypt = french.split('id="state-EGY"')[1].split("</tr>")[0]
    assert '<bdi class="authority-name" lang="en">Ministry of Justice of EGY</bdi>' in egypt
