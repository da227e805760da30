"""An officer's evidence workflow without dead ends (issue 15): a send after a form error
lands on a page, not a 404; the same items sent twice make one package, in the UI and
over the API, and an item already in a live package is not sent again; items already
sent are marked and cannot be chosen; each action says what it did, once; the package
page speaks Arabic, checks and conditions included; the court report link tells the page
when the download is ready."""

from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from hanoi.accounts.model import Role
from hanoi.convention import Language
from hanoi.evidence.items import EvidenceItem
from hanoi.federation.ports import PackageRow
from hanoi.i18n.catalogues import translations
from hanoi.i18n.formatting import LocaleFormat
from support_evidence_desk import Federated, linked_package_id, record, uploaded
from support_transfers import flip_byte, payload_offset
from support_ui import PASSWORD, csrf

FLASH = re.compile(r'<p class="flash">(.*?)</p>', re.DOTALL)


@dataclass
class Form:
    """A form as the page rendered it: where it posts, its hidden fields, its checkboxes."""

    action: str = ""
    hidden: dict[str, str] = field(default_factory=dict)
    boxes: dict[str, tuple[str | None, bool]] = field(default_factory=dict)
    """Checkbox id to (name, disabled)."""
    buttons: int = 0


class _FormReader(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__()
        self._id = form_id
        self._inside = False
        self.form: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id") == self._id:
            self._inside = True
            self.form = Form(action=a.get("action") or "")
        elif self._inside and self.form is not None and tag == "input":
            if a.get("type") == "hidden":
                self.form.hidden[a.get("name") or ""] = a.get("value") or ""
            elif a.get("type") == "checkbox":
                self.form.boxes[a.get("value") or ""] = (a.get("name"), "disabled" in a)
        elif self._inside and self.form is not None and tag == "button":
            self.form.buttons += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


def send_form(page: str) -> Form:
    reader = _FormReader("send-package")
    reader.feed(page)
    assert reader.form is not None, "no send form on the page"
    return reader.form


def post_form(client: TestClient, form: Form, items: list[str]) -> Response:
    return client.post(form.action, data={**form.hidden, "items": items})


def follow(client: TestClient, answer: Response) -> Response:
    """Follow 303s as a browser does, to the page it lands on."""
    for _ in range(5):
        if answer.status_code != 303:
            return answer
        answer = client.get(answer.headers["location"])
    raise AssertionError("too many redirects")


def flashes(page: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in FLASH.findall(page)]


def collect(f: Federated, name: str, size: int = 20_000) -> EvidenceItem:
    """An item uploaded and recorded by VNM's hoa through the UI."""
    p, rid = f.pair, f.request_id
    before = {i.id for i in p.vnm.evidence.held_for_request(rid)}
    assert (
        record(f.hoa, rid, upload_id=uploaded(f.hoa, os.urandom(size), name=name)).status_code
        == 303
    )
    [item] = [i for i in p.vnm.evidence.held_for_request(rid) if i.id not in before]
    return item


def outgoing_ids(f: Federated) -> list[str]:
    return [r.package.id for r in f.pair.vnm.transfers.packages(f.pair.lan, f.request_id)]


# --- 1. a send after a form error lands where it should -------------------------------------


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_a_send_after_nothing_ticked_lands_on_the_evidence_page_not_a_404(
    federated: Federated,
) -> None:
    f, rid = federated, federated.request_id
    item = collect(f, "subscriber.csv")
    evidence_page = f"/ui/requests/{rid}/evidence"

    # From the request's evidence page: nothing ticked, the form comes back (422)...
    nothing = post_form(f.hoa, send_form(f.hoa.get(evidence_page).text), [])
    assert nothing.status_code == 422
    assert "Choose at least one evidence item to send." in nothing.text
    again = send_form(nothing.text)
    assert again.hidden["next"] == evidence_page  # not the URL the error answered
    # ...and the retry, through the form the 422 page rendered, lands on a page.
    sent = post_form(f.hoa, again, [item.id])
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == evidence_page
    landing = follow(f.hoa, sent)
    assert landing.status_code == 200
    assert landing.url.path == evidence_page
    assert flashes(landing.text) == ["Package sent to Egypt. Items: 1."]
    assert flashes(f.hoa.get(evidence_page).text) == []  # said once

    # From the request page the form leads back to the request page; a next that is not
    # one of the two (an old form, the POST-only URL) is the request page too.
    second = collect(f, "logs.txt")
    form = send_form(f.hoa.get(f"/ui/requests/{rid}").text)
    assert form.hidden["next"] == f"/ui/requests/{rid}"
    stale = {**form.hidden, "next": f"/ui/requests/{rid}/evidence/packages"}
    answer = f.hoa.post(form.action, data={**stale, "items": [second.id]})
    assert answer.headers["location"] == f"/ui/requests/{rid}"
    assert follow(f.hoa, answer).status_code == 200


# --- 2. the same items sent twice make one package ------------------------------------------


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_the_same_items_sent_twice_in_the_ui_give_the_same_package(
    federated: Federated,
) -> None:
    f, rid = federated, federated.request_id
    first, second = collect(f, "a.csv"), collect(f, "b.csv")
    form = send_form(f.hoa.get(f"/ui/requests/{rid}/evidence").text)

    sent = post_form(f.hoa, form, [first.id, second.id])
    assert sent.status_code == 303
    assert flashes(follow(f.hoa, sent).text) == ["Package sent to Egypt. Items: 2."]
    [package_id] = outgoing_ids(f)
    # A double click: the same form posted again, the items in another order.
    twice = post_form(f.hoa, form, [second.id, first.id])
    assert twice.status_code == 303
    landing = follow(f.hoa, twice)
    assert landing.status_code == 200
    [said] = flashes(landing.text)
    short = f"\u2068{package_id[:12]}…\u2069"
    assert said == f"These items are already in package {short}: nothing was packed again."
    assert outgoing_ids(f) == [package_id]  # one package row

    # One of them with a new item: refused, naming the package; nothing packed.
    third = collect(f, "c.csv")
    mixed = post_form(f.hoa, form, [first.id, third.id])
    assert mixed.status_code == 409
    assert 'id="send-package-error"' in mixed.text
    assert f"An item you chose is already in package \u2068{package_id[:12]}…\u2069" in mixed.text
    assert package_id in mixed.text  # the service's detail names it in full
    assert outgoing_ids(f) == [package_id]


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_the_same_items_sent_twice_over_the_api_give_the_same_package(
    federated: Federated,
) -> None:
    f, p, rid = federated, federated.pair, federated.request_id
    made = p.vnm.accounts.add_user(
        name="hoa-api", role=Role.SUPERVISOR, password=PASSWORD, with_token=True
    )
    p.vnm.cooperation.assign(p.lan, rid, "hoa-api")
    bearer = {"Authorization": f"Bearer {made.token}"}
    first, second = collect(f, "a.csv"), collect(f, "b.csv")
    url = f"/api/v1/requests/{rid}/evidence-packages"

    created = f.hoa.post(url, json={"evidence": [first.id, second.id]}, headers=bearer)
    assert created.status_code == 201, created.text
    package_id = created.json()["id"]
    again = f.hoa.post(url, json={"evidence": [second.id, first.id, first.id]}, headers=bearer)
    assert again.status_code in (200, 201), again.text
    assert again.json()["id"] == package_id
    assert again.json()["status"] == "offered"
    listed = f.hoa.get(url, headers=bearer).json()
    assert [p["id"] for p in listed] == [package_id]  # one package row

    # A set that shares an item with it but differs: 409, naming the package.
    refused = f.hoa.post(url, json={"evidence": [first.id]}, headers=bearer)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert package_id in refused.json()["detail"]
    assert outgoing_ids(f) == [package_id]

    # Once the requesting State refused the package, its items may be sent again.
    assert p.vnm.federation.deliver_due() >= 1
    [received] = p.egy.transfers.packages(p.samir, rid)
    p.egy.transfers.fetch(received.package)
    path = p.incoming(received.package.id, ".tar")
    flip_byte(path, payload_offset(path))  # altered at rest: verification fails in EGY
    p.egy.transfers.fetch_pending()
    assert p.egy.federation.deliver_due() == 1  # the outcome, to VNM
    assert f.hoa.get(url, headers=bearer).json()[0]["status"] == "refused"
    resent = f.hoa.post(url, json={"evidence": [first.id]}, headers=bearer)
    assert resent.status_code == 201, resent.text
    assert resent.json()["id"] != package_id


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_sends_racing_each_other_make_one_package(
    federated: Federated,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    f, p, rid = federated, federated.pair, federated.request_id
    item = collect(f, "a.csv")
    store = p.vnm.transfers.sender._store  # type: ignore[union-attr]
    looked_up = store.for_request

    def slow_look_up(request_id: str) -> list[PackageRow]:
        found = looked_up(request_id)
        time.sleep(0.3)  # every send looks before any stores: a race, unless serialised
        return found

    monkeypatch.setattr(store, "for_request", slow_look_up)
    with ThreadPoolExecutor(max_workers=4) as pool:
        sends = list(pool.map(lambda _: p.vnm.transfers.send(p.lan, rid, [item.id]), range(4)))
    assert len({s.package.id for s in sends}) == 1
    assert [s.new for s in sends].count(True) == 1
    assert outgoing_ids(f) == [sends[0].package.id]


# --- 3. items already sent are marked and not offered again ---------------------------------


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_items_already_sent_are_marked_and_cannot_be_chosen(
    federated: Federated,
) -> None:
    f, rid = federated, federated.request_id
    first, second = collect(f, "a.csv"), collect(f, "b.csv")
    page = f.hoa.get(f"/ui/requests/{rid}/evidence").text
    form = send_form(page)
    assert form.boxes == {first.id: ("items", False), second.id: ("items", False)}
    assert "Sent in package" not in page

    assert post_form(f.hoa, form, [first.id]).status_code == 303
    [package_id] = outgoing_ids(f)
    for path in (f"/ui/requests/{rid}/evidence", f"/ui/requests/{rid}"):
        page = f.hoa.get(path).text
        form = send_form(page)
        assert form.boxes == {first.id: (None, True), second.id: ("items", False)}, path
        assert form.buttons == 1
        mark = page.split(f'id="sent-{first.id}"')[1].split("</span>")[0]
        assert "Sent in package" in mark
        assert f'href="/ui/packages/{package_id}"' in mark
        assert f'<code dir="ltr">{package_id[:12]}…</code>' in mark
        assert "<time datetime=" in mark
        assert f'id="sent-{second.id}"' not in page

    # Everything sent: the form lists the items, none can be chosen, no button.
    assert post_form(f.hoa, form, [second.id]).status_code == 303
    form = send_form(f.hoa.get(f"/ui/requests/{rid}/evidence").text)
    assert all(name is None and disabled for name, disabled in form.boxes.values())
    assert form.buttons == 0
    # In Arabic the mark is Arabic, the package id isolated left to right.
    f.hoa.post("/ui/language", data={"csrf_token": csrf(f.hoa), "language": "ar"})
    arabic = f.hoa.get(f"/ui/requests/{rid}/evidence").text
    assert "Sent in package" not in arabic
    words = translations(Language.AR).gettext("Sent in package %(package)s on %(date)s")
    assert max(re.split(r"%\(\w+\)s", words), key=len).strip() in arabic


# --- 4. what an action did, said once ---------------------------------------------------------


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_recording_evidence_says_so_once_in_the_pages_language(
    federated: Federated,
) -> None:
    f, rid = federated, federated.request_id
    done = record(f.hoa, rid, upload_id=uploaded(f.hoa, b"mbox", name="inbox.mbox"))
    assert done.status_code == 303
    landing = follow(f.hoa, done)
    assert landing.status_code == 200
    assert flashes(landing.text) == ["Evidence recorded: \u2068inbox.mbox\u2069."]
    assert flashes(f.hoa.get(f"/ui/requests/{rid}").text) == []
    f.hoa.post("/ui/language", data={"csrf_token": csrf(f.hoa), "language": "fr"})
    record(f.hoa, rid, upload_id=uploaded(f.hoa, b"mbox 2", name="other.mbox"))
    [said] = flashes(f.hoa.get(f"/ui/requests/{rid}").text)
    french = translations(Language.FR).gettext("Evidence recorded: %(name)s.")
    assert french != "Evidence recorded: %(name)s."
    assert said == french % {"name": "\u2068other.mbox\u2069"}


# --- 6. the package page in Arabic --------------------------------------------------------------

ENGLISH_CHECKS = (
    "none missing or added",
    "describes this bag",
    "payload file(s)",
    "trusted witness(es)",
    "checkpoint size",
    ": decrypted;",
    "age file(s) match",
    "describes every payload file by its SHA-256",
    "against the CASE/UCO ontology",
    "signature (EdDSA) by",
    "(this node)",
    "Use only for the investigation",
    "Keep the fact and substance",
    "Keep personal data only",
    "No transfer to a third State",
    "Use only for the proceedings stated in the request",
)


def _section(page: str, start: str) -> str:
    return page.split(start)[1].split("</section>")[0]


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_the_package_page_in_arabic_has_no_english_check_or_condition(
    federated: Federated,
) -> None:
    f, p, rid = federated, federated.pair, federated.request_id
    item = collect(f, "subscriber.csv")
    assert (
        post_form(f.hoa, send_form(f.hoa.get(f"/ui/requests/{rid}").text), [item.id]).status_code
        == 303
    )
    package_id = linked_package_id(f.hoa.get(f"/ui/requests/{rid}").text)
    assert p.vnm.federation.deliver_due() >= 1
    assert p.egy.transfers.fetch_pending() == 1  # verified and accepted in EGY
    assert p.egy.federation.deliver_due() == 1  # its outcome, with its checks, to VNM

    # In English every check is recognised: none is shown as it came (lang="en").
    english = f.nour.get(f"/ui/packages/{package_id}").text
    verification = _section(english, 'id="verification-heading"')
    assert "BagIt 1.0: " in verification
    assert 'lang="en"' not in verification
    assert "Use limitation" in english
    assert "Use only for the proceedings stated in the request" in english  # the catalogue's

    ar = translations(Language.AR)
    for client in (f.nour, f.hoa):  # the receiver's verification; the sender's outcome
        client.post("/ui/language", data={"csrf_token": csrf(client), "language": "ar"})
        page = client.get(f"/ui/packages/{package_id}")
        assert page.status_code == 200
        text = page.text.split("<main")[1].split("</main>")[0]
        for phrase in ENGLISH_CHECKS:
            assert phrase not in text, phrase
        assert 'lang="en"' not in text  # nothing left in English on an accepted package
        assert ar.gettext("Custody proofs") in text
        # Digests, paths and key ids are isolated left to right inside the Arabic text.
        assert f'<code dir="ltr">{item.sha256}</code>' in text
        assert '<code dir="ltr">data/subscriber.csv.age</code>' in text
    receiver = f.nour.get(f"/ui/packages/{package_id}").text
    conditions = _section(receiver, 'id="package-conditions-heading"')
    assert ar.gettext("Use limitation") in conditions
    assert LocaleFormat(Language.AR).label("condition.use-limitation") in conditions
    assert '<bdi class="code">VNM</bdi>' in conditions
    sender = f.hoa.get(f"/ui/packages/{package_id}").text
    assert 'id="outcome-checks-caption"' in sender
    assert "none missing or added" not in _section(sender, 'id="outcome-heading"')


# --- 5. the court report link says when the download is ready ---------------------------------


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_the_report_tells_the_pages_script_when_it_is_ready(
    federated: Federated,
) -> None:
    f, rid = federated, federated.request_id
    collect(f, "subscriber.csv")
    plain = f.hoa.get(f"/ui/requests/{rid}/report.pdf")
    assert plain.status_code == 200
    assert "hanoi_report_ready" not in plain.headers.get("set-cookie", "")

    ready = f.hoa.get(f"/ui/requests/{rid}/report.pdf", params={"ready": "c0ffee42c0ffee42"})
    assert ready.status_code == 200
    assert ready.content.startswith(b"%PDF-")
    cookie = ready.headers["set-cookie"]
    assert cookie.startswith("hanoi_report_ready=c0ffee42c0ffee42;")
    assert "Path=/ui" in cookie
    assert "Max-Age=120" in cookie
    assert "SameSite=strict" in cookie
    assert "HttpOnly" not in cookie  # the page's script reads it

    odd = f.hoa.get(f"/ui/requests/{rid}/report.pdf", params={"ready": "<script>"})
    assert odd.status_code == 200
    assert "hanoi_report_ready" not in odd.headers.get("set-cookie", "")

    script = f.hoa.get("/ui/static/report.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert 'getElementById("report-link")' in script.text
    assert "aria-busy" in script.text
