"""The request pages of the officers' UI over HTTP: inbox and outbox, drafting with the
Convention's findings, approval and sending, refusal on the requested State's node,
deadlines, and the 404 a stranger to the case gets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.convention import FieldType, RequestKind
from hanoi.cooperation.service import DraftInput
from support_cooperation import deliver
from support_nodes import T0, build_node
from support_requests_ui import CATALOGUE, KIND, Desk, desk_with, take_step
from support_ui import csrf
from unit.cooperation.builders import complete_contents

REQUEST_ID = re.compile(r"/ui/requests/([A-Z]{3}-\d{4}-[0-9A-F]+)")


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[tuple[Desk, Desk]]:
    clock = FixedClock(T0)
    egy = desk_with(
        build_node(tmp_path / "egy", "EGY", None, clock),
        {"amira": Role.OFFICER, "samir": Role.SUPERVISOR, "karim": Role.OFFICER},
    )
    vnm = desk_with(
        build_node(tmp_path / "vnm", "VNM", None, clock),
        {"lan": Role.SUPERVISOR, "thao": Role.OFFICER},
    )
    yield egy, vnm
    for desk in (egy, vnm):
        for client in desk.clients.values():
            client.__exit__(None, None, None)
        desk.node.engine.dispose()


def form_of(kind: RequestKind, contents: dict[str, Any]) -> dict[str, Any]:
    """The draft form's fields for ``contents``, as a browser would send them."""
    data: dict[str, Any] = {}
    for item in kind.contents:
        value = contents.get(item.key)
        name = f"c.{item.key}"
        if value is None:
            continue
        if item.type is FieldType.LIST:
            data[name] = list(value) if item.item_type is FieldType.ENUM else "\n".join(value)
        elif isinstance(value, bool):
            data[name] = "yes" if value else "no"
        else:
            data[name] = str(value)
    return data


def _draft_by_form(client: TestClient, contents: dict[str, Any]) -> Any:
    data = {
        "csrf_token": csrf(client, f"/ui/requests/new?kind={KIND}"),
        "kind": KIND,
        "requested_state": "vnm",
        "urgency": "routine",
        **form_of(CATALOGUE.kind(KIND), contents),
    }
    return client.post("/ui/requests/new", data=data)


def _sent_request(egy: Desk) -> str:
    """Drafted by amira through the form, samir added to the case, approved and sent."""
    response = _draft_by_form(egy["amira"], complete_contents(CATALOGUE.kind(KIND)))
    assert response.status_code == 303
    found = REQUEST_ID.search(response.headers["location"])
    assert found is not None
    request_id = found.group(1)
    added = egy["amira"].post(
        f"/ui/requests/{request_id}/assignments",
        data={"csrf_token": csrf(egy["amira"]), "colleague": "samir"},
    )
    assert added.status_code == 303
    assert take_step(egy["samir"], request_id, "approve").status_code == 303
    assert take_step(egy["samir"], request_id, "send").status_code == 303
    return request_id


def test_inbox_and_outbox_list_only_the_users_cases(desks: tuple[Desk, Desk]) -> None:
    egy, _ = desks
    service = egy.node.cooperation
    contents = complete_contents(CATALOGUE.kind(KIND))
    mine = service.draft(
        egy.user("amira"), DraftInput(kind=KIND, requested_state="VNM", contents=contents)
    )
    theirs = service.draft(
        egy.user("karim"), DraftInput(kind=KIND, requested_state="FRA", contents=contents)
    )
    outbox = egy["amira"].get("/ui/requests?side=requesting")
    assert outbox.status_code == 200
    assert "<h1>Outbox</h1>" in outbox.text
    assert mine.request.id in outbox.text
    assert theirs.request.id not in outbox.text
    assert "Viet Nam" in outbox.text
    assert "Mutual legal assistance: accessing stored electronic data" in outbox.text
    assert f'href="/ui/requests/{mine.request.id}"' in outbox.text
    assert "Draft" in outbox.text
    assert "Mar 2, 2026" in outbox.text  # the last change, in the locale's format
    inbox = egy["amira"].get("/ui/requests?side=requested")
    assert mine.request.id not in inbox.text
    assert "No request matches." in inbox.text
    filtered = egy["amira"].get("/ui/requests?status=sent").text
    assert mine.request.id not in filtered
    assert egy["amira"].get("/ui/requests?status=nonsense").status_code == 400

    chosen = egy["amira"].post(
        "/ui/language",
        data={"csrf_token": csrf(egy["amira"]), "language": "fr", "next": "/ui/requests"},
    )
    assert chosen.status_code == 303
    french = egy["amira"].get("/ui/requests").text
    assert "2 mars 2026" in french
    assert "Brouillon" in french


def test_a_draft_with_a_missing_item_shows_the_error_with_its_article_and_keeps_values(
    desks: tuple[Desk, Desk],
) -> None:
    egy, _ = desks
    client = egy["amira"]
    page = client.get(f"/ui/requests/new?kind={KIND}")
    assert page.status_code == 200
    assert 'name="c.summary-of-facts"' in page.text
    assert 'type="date"' in page.text  # the suggested deadline
    assert 'type="checkbox"' in page.text  # offences, data categories
    assert "Art. 40(15)" in page.text

    contents = complete_contents(CATALOGUE.kind(KIND))
    del contents["summary-of-facts"]
    contents["purpose"] = "Evidence for the trial of case 17/2026"
    response = _draft_by_form(client, contents)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.endswith("/edit?saved=true")
    page = client.get(location)
    assert page.status_code == 200
    text = page.text
    assert "The draft is saved." in text
    assert 'id="item-summary-of-facts-error"' in text
    assert "Summary of the relevant facts: required (Art. 40(15)(c))." in text
    assert "Evidence for the trial of case 17/2026</textarea>" in text  # kept
    assert 'aria-invalid="true" aria-describedby="item-summary-of-facts-hint' in text

    # A form the node cannot take comes back with the values and the error beside the field.
    bad = client.post(
        "/ui/requests/new",
        data={
            "csrf_token": csrf(client),
            "kind": KIND,
            "requested_state": "",
            "urgency": "urgent",
            "c.purpose": "kept text",
        },
    )
    assert bad.status_code == 422
    assert 'id="field-requested_state-error"' in bad.text
    assert "Give the reasons for urgency." in bad.text
    assert "kept text</textarea>" in bad.text

    # Completing the draft through its edit form clears the findings.
    request_id = location.split("/")[3]
    edited = client.post(
        f"/ui/requests/{request_id}/edit",
        data={
            "csrf_token": csrf(client),
            "urgency": "routine",
            **form_of(CATALOGUE.kind(KIND), complete_contents(CATALOGUE.kind(KIND))),
        },
    )
    assert edited.status_code == 303
    assert "has everything the Convention requires" in client.get(edited.headers["location"]).text


def test_an_officer_submits_and_a_supervisor_approves_then_sends(
    desks: tuple[Desk, Desk],
) -> None:
    egy, _ = desks
    response = _draft_by_form(egy["amira"], complete_contents(CATALOGUE.kind(KIND)))
    found = REQUEST_ID.search(response.headers["location"])
    assert found is not None
    request_id = found.group(1)
    page = egy["amira"].get(f"/ui/requests/{request_id}").text
    # An officer is offered the hand-over, as the primary step, and never "Approve".
    assert 'id="step-submit"' in page
    assert 'id="step-approve"' not in page
    submit_form = page.split('id="step-submit"')[1].split("</form>")[0]
    assert 'class="primary"' in submit_form
    # Forced, approval is refused with a sentence in the reader's language, no internal text.
    refused = take_step(egy["amira"], request_id, "approve")
    assert refused.status_code == 422
    assert "Your role does not allow this step." in refused.text
    assert "needs &#39;approve&#39;" not in refused.text
    assert "needs 'approve'" not in refused.text
    assert "Traceback" not in refused.text

    # Nothing waits for the supervisor before the officer submits.
    home = egy["samir"].get("/ui/").text
    queue = home.split('id="queue-drafts-awaiting-approval"')[1].split("</section>")[0]
    assert 'data-count="0"' in queue
    submitted = take_step(egy["amira"], request_id, "submit")
    assert submitted.status_code == 303
    page = egy["amira"].get(f"/ui/requests/{request_id}").text
    assert '<span class="status">Awaiting approval</span>' in page
    assert 'class="flash"' in page
    assert "Submitted for approval." in page
    assert "Waiting for a supervisor of the authority to approve it." in page
    again = egy["amira"].get(f"/ui/requests/{request_id}").text
    assert "Submitted for approval." not in again  # a confirmation is shown once

    # The supervisors of the authority have it in their queue, and on their case team.
    home = egy["samir"].get("/ui/").text
    queue = home.split('id="queue-drafts-awaiting-approval"')[1].split("</section>")[0]
    assert 'data-count="1"' in queue
    assert request_id in queue
    page = egy["samir"].get(f"/ui/requests/{request_id}").text
    approve_form = page.split('id="step-approve"')[1].split("</form>")[0]
    assert 'class="primary"' in approve_form
    assert 'id="step-return-to-draft"' in page
    assert take_step(egy["samir"], request_id, "approve").status_code == 303
    page = egy["samir"].get(f"/ui/requests/{request_id}").text
    assert "Approved. The next step is to send it." in page
    send_form = page.split('id="step-send"')[1].split("</form>")[0]
    assert 'class="primary"' in send_form  # "Send" leads, not "Return to draft"
    assert page.index('id="step-send"') < page.index('id="step-return-to-draft"')
    assert 'id="step-approve"' not in page
    sent = take_step(egy["samir"], request_id, "send")
    assert sent.status_code == 303
    egy.node.custody.sequence()  # what the background sequencer does
    page = egy["samir"].get(f"/ui/requests/{request_id}").text
    assert "Sent to Viet Nam." in page
    assert '<span class="status">Sent</span>' in page
    timeline = page.split('id="timeline-caption"')[1].split("</table>")[0]
    assert "Submit for approval" in timeline
    assert "Approve" in timeline
    assert "Send" in timeline
    assert "Art. 40(13)" in timeline
    assert "Art. 40(14)" in timeline
    assert "samir" in timeline
    custody = page.split('id="custody-caption"')[1].split("</table>")[0]
    assert "Step of the request: Send" in custody


def test_a_supervisor_returns_a_submitted_draft_with_comments(desks: tuple[Desk, Desk]) -> None:
    egy, _ = desks
    response = _draft_by_form(egy["amira"], complete_contents(CATALOGUE.kind(KIND)))
    found = REQUEST_ID.search(response.headers["location"])
    assert found is not None
    request_id = found.group(1)
    assert take_step(egy["amira"], request_id, "submit").status_code == 303
    page = egy["samir"].get(f"/ui/requests/{request_id}").text
    returning = page.split('id="step-return-to-draft"')[1].split("</form>")[0]
    assert "Comments for the officer" in returning
    without = take_step(egy["samir"], request_id, "return-to-draft")
    assert without.status_code == 422  # comments are required
    returned = take_step(egy["samir"], request_id, "return-to-draft", reasons="Cite the warrant.")
    assert returned.status_code == 303
    home = egy["amira"].get("/ui/").text
    queue = home.split('id="queue-drafts-returned"')[1].split("</section>")[0]
    assert 'data-count="1"' in queue
    assert request_id in queue
    page = egy["amira"].get(f"/ui/requests/{request_id}").text
    assert '<span class="status">Draft</span>' in page
    assert "Cite the warrant." in page


def test_refusal_on_the_requested_states_node(desks: tuple[Desk, Desk]) -> None:
    egy, vnm = desks
    request_id = _sent_request(egy)
    held = egy.node.cooperation.show(egy.user("amira"), request_id).request
    deliver(held, to=vnm.node)
    lan = vnm["lan"]
    inbox = lan.get("/ui/requests?side=requested").text
    assert request_id in inbox
    assert "Egypt" in inbox
    assert take_step(lan, request_id, "acknowledge").status_code == 303

    page = lan.get(f"/ui/requests/{request_id}").text
    assert 'id="step-refuse"' in page
    assert 'name="grounds" value="essential-interests"' in page

    # No grounds, no reasons: the error is beside the refusal form.
    empty = take_step(lan, request_id, "refuse")
    assert empty.status_code == 422
    assert 'id="step-refuse-error"' in empty.text
    assert "Give the reasons, in writing." in empty.text
    assert "Art. 40(24)" in empty.text
    no_grounds = take_step(lan, request_id, "refuse", reasons="Sovereignty.")
    assert no_grounds.status_code == 422
    assert "Choose at least one ground for refusal." in no_grounds.text
    assert "Sovereignty.</textarea>" in no_grounds.text

    # Grounds without consultation first: refused, with the reasons kept.
    early = take_step(
        lan, request_id, "refuse", grounds=["essential-interests"], reasons="Sovereignty."
    )
    assert early.status_code == 422
    assert "Consult the requesting State before refusing on this ground." in early.text
    assert "Sovereignty.</textarea>" in early.text
    assert 'value="essential-interests" checked' in early.text

    consulted = take_step(lan, request_id, "consult", reasons="About essential interests.")
    assert consulted.status_code == 303
    done = take_step(
        lan, request_id, "refuse", grounds=["essential-interests"], reasons="Sovereignty."
    )
    assert done.status_code == 303, done.text
    page = lan.get(f"/ui/requests/{request_id}").text
    assert '<span class="status">Refused</span>' in page
    assert "Step taken: Refuse. The request is now: Refused." in page
    # The decision leads the page: grounds with their articles, then the reasons.
    top = page.split('id="outcome"')[1].split("</section>")[0]
    assert "Decision: Refused" in top
    assert "Art. 40(24)" in top
    assert "essential interests" in top.lower()
    assert "(Art. 40(21)" in top
    assert "Sovereignty." in top
    assert page.index('id="outcome"') < page.index('id="steps-heading"')
    # Nothing to report for court, and nothing to collect: the request will not be executed.
    assert 'id="report-link"' not in page
    assert "Add evidence" not in page

    # On the requesting State's node, once the refusal arrives, the same decision leads.
    _hand_over(vnm, "lan", request_id, to=egy)
    theirs = egy["amira"].get(f"/ui/requests/{request_id}").text
    top = theirs.split('id="outcome"')[1].split("</section>")[0]
    assert "Decision: Refused" in top
    assert "Sovereignty." in top
    assert "Waiting for Viet Nam to take the next step." in theirs
    assert "Add evidence" not in theirs

    # In Arabic the page runs right to left.
    lan.post(
        "/ui/language",
        data={"csrf_token": csrf(lan), "language": "ar", "next": "/ui/"},
    )
    arabic = lan.get(f"/ui/requests/{request_id}").text
    assert '<html lang="ar" dir="rtl">' in arabic


def test_a_request_outside_the_users_cases_answers_like_a_missing_one(
    desks: tuple[Desk, Desk],
) -> None:
    egy, _ = desks
    request_id = _sent_request(egy)
    karim = egy["karim"]
    stranger = karim.get(f"/ui/requests/{request_id}")
    missing = karim.get("/ui/requests/EGY-2026-00000000")
    assert stranger.status_code == missing.status_code == 404
    assert stranger.text.replace(request_id, "X") == missing.text.replace("EGY-2026-00000000", "X")
    assert request_id not in karim.get("/ui/requests").text
    posted = karim.post(
        f"/ui/requests/{request_id}/steps",
        data={"csrf_token": csrf(karim), "step": "withdraw", "reasons": "x"},
    )
    assert posted.status_code == 404
    assert karim.get(f"/ui/requests/{request_id}/edit").status_code == 404


def test_deadlines_and_the_links_to_the_pages(desks: tuple[Desk, Desk]) -> None:
    egy, _ = desks
    home = egy["amira"].get("/ui/").text
    for path in ("/ui/requests?side=requested", "/ui/requests?side=requesting", "/ui/deadlines"):
        assert f'href="{path}"' in home
    nav = home.split('aria-label="Main menu"')[1].split("</nav>")[0]
    assert 'href="/ui/requests"' in nav
    assert 'href="/ui/deadlines"' in nav
    page = egy["amira"].get("/ui/deadlines")
    assert page.status_code == 200
    assert "Nothing is overdue." in page.text
    kinds = egy["amira"].get("/ui/requests/new").text
    assert f'href="/ui/requests/new?kind={KIND}"' in kinds
    assert egy["amira"].get("/ui/requests/new?kind=no-such-kind").status_code == 404


def _hand_over(sender: Desk, name: str, request_id: str, to: Desk) -> None:
    """What the federation does with a step message: the other node takes the new steps."""
    copy = sender.node.cooperation.show(sender.user(name), request_id).request
    assert to.node.cooperation.apply_remote(copy, sender=sender.node.identity.state)


def test_accept_with_conditions_agreed_by_the_requesting_state(
    desks: tuple[Desk, Desk],
) -> None:
    egy, vnm = desks
    request_id = _sent_request(egy)
    deliver(egy.node.cooperation.show(egy.user("amira"), request_id).request, to=vnm.node)
    lan = vnm["lan"]
    assert take_step(lan, request_id, "acknowledge").status_code == 303
    page = lan.get(f"/ui/requests/{request_id}").text
    accept = page.split('id="step-accept"')[1].split("</form>")[0]
    assert 'name="conditions" value="use-limitation"' in accept
    assert "Use only for the proceedings stated in the request" in accept
    assert "(Art. 40(19))" in accept
    assert 'name="retain_until.personal-data-protection"' in accept
    assert 'name="retain_until.use-limitation"' not in accept
    assert 'name="conditions" value="extraordinary-costs"' in accept  # Art. 40(29)
    assert "Substantial or extraordinary costs" in accept
    assert "(Art. 40(29))" in accept
    assert 'name="retain_until.extraordinary-costs"' not in accept

    # A malformed date and a condition without terms come back beside their fields.
    terms = "Only for the proceedings of case 17/2026."
    bad = take_step(
        lan,
        request_id,
        "accept",
        conditions=["use-limitation", "personal-data-protection"],
        **{
            "terms.use-limitation": terms,
            "retain_until.personal-data-protection": "2026-02-30",
        },
    )
    assert bad.status_code == 422
    form = bad.text.split('id="step-accept"')[1].split("</form>")[0]
    assert 'id="accept-personal-data-protection-retain-error"' in form
    assert "Enter a date as YYYY-MM-DD, for example 2026-03-01." in form
    assert 'value="2026-02-30"' in form
    assert 'id="accept-personal-data-protection-terms-error"' in form
    assert "Give the terms of this condition." in form
    assert f"{terms}</textarea>" in form
    assert 'value="use-limitation" checked' in form
    assert 'aria-describedby="accept-personal-data-protection-terms-error"' in form
    assert 'role="alert"' in bad.text

    # Conditions need the requesting State's agreement first (Art. 40(27)).
    early = take_step(
        lan,
        request_id,
        "accept",
        conditions=["use-limitation"],
        **{"terms.use-limitation": terms},
    )
    assert early.status_code == 422
    assert "The requesting State has not agreed to conditions yet" in early.text
    assert "(Art. 40(27))" in early.text
    proposal = "Only for case 17/2026; the data are deleted after 31 December 2026."
    assert take_step(lan, request_id, "consult", reasons=proposal).status_code == 303

    # The requesting State sees what it is asked to agree to, and agrees.
    _hand_over(vnm, "lan", request_id, to=egy)
    amira = egy["amira"]
    page = amira.get(f"/ui/requests/{request_id}").text
    box = page.split('id="conditions-heading"')[1].split("</section>")[0]
    assert "Conditions proposed in the consultation" in box
    assert proposal in box
    assert "If this State agrees, it must comply with them." in box
    agree = page.split('id="step-agree-to-conditions"')[1].split("</form>")[0]
    assert "By agreeing, this State accepts" in agree
    assert proposal in agree
    assert take_step(amira, request_id, "agree-to-conditions").status_code == 303

    # The requested State accepts on those conditions; both sides show them.
    _hand_over(egy, "amira", request_id, to=vnm)
    done = take_step(
        lan,
        request_id,
        "accept",
        conditions=["use-limitation", "personal-data-protection", "extraordinary-costs"],
        **{
            "terms.use-limitation": terms,
            "terms.personal-data-protection": "Delete after the trial.",
            "retain_until.personal-data-protection": "2026-12-31",
            "terms.extraordinary-costs": "The requesting State bears the laboratory's costs.",
        },
    )
    assert done.status_code == 303, done.text
    _hand_over(vnm, "lan", request_id, to=egy)
    page = amira.get(f"/ui/requests/{request_id}").text
    assert '<span class="status">In execution</span>' in page
    box = page.split('id="conditions-heading"')[1].split("</section>")[0]
    assert terms in box
    assert "Delete the data received after December 31, 2026" in box
    assert "Imposed by: Requested State" in box
    assert "Substantial or extraordinary costs" in box
    assert "(Art. 40(29))" in box
    assert "The requesting State bears the laboratory&#39;s costs." in box
    assert box.count("Set by the other State: this State must comply with it.") == 3


def test_citations_on_a_request_page_in_arabic(desks: tuple[Desk, Desk]) -> None:
    egy, vnm = desks
    request_id = _sent_request(egy)
    samir = egy["samir"]
    samir.post("/ui/language", data={"csrf_token": csrf(samir), "language": "ar", "next": "/ui/"})
    egy.node.custody.sequence()
    page = samir.get(f"/ui/requests/{request_id}").text
    timeline = page.split('id="timeline-caption"')[1].split("</table>")[0]
    assert "<td>المادة 40(13)</td>" in timeline
    assert "<td>المادة 40(14)</td>" in timeline
    assert "Art. 40" not in timeline
    custody = page.split('id="custody-caption"')[1].split("</table>")[0]
    assert "<td>المادة 40(14)</td>" in custody

    deliver(egy.node.cooperation.show(egy.user("amira"), request_id).request, to=vnm.node)
    lan = vnm["lan"]
    lan.post("/ui/language", data={"csrf_token": csrf(lan), "language": "ar", "next": "/ui/"})
    assert take_step(lan, request_id, "acknowledge").status_code == 303
    refused = take_step(lan, request_id, "refuse")
    assert refused.status_code == 422
    box = refused.text.split('id="step-refuse-error"')[1].split("</div>")[0]
    assert "(المادة 40(24))" in box
    summary = refused.text.split('class="error-summary"')[1].split("</div>")[0]
    assert "(المادة 40(24))" in summary


def test_the_requesting_state_proposes_other_terms_in_a_consultation(
    desks: tuple[Desk, Desk],
) -> None:
    egy, vnm = desks
    request_id = _sent_request(egy)
    deliver(egy.node.cooperation.show(egy.user("amira"), request_id).request, to=vnm.node)
    lan = vnm["lan"]
    assert take_step(lan, request_id, "acknowledge").status_code == 303
    asked = take_step(lan, request_id, "consult", reasons="Only for case 17/2026.")
    assert asked.status_code == 303
    _hand_over(vnm, "lan", request_id, to=egy)

    page = egy["samir"].get(f"/ui/requests/{request_id}").text
    assert 'id="step-agree-to-conditions"' in page
    counter = page.split('id="step-propose-terms"')[1].split("</form>")[0]
    assert "Propose other terms" in counter
    assert "the requested State answers in the consultation" in counter
    empty = take_step(egy["samir"], request_id, "propose-terms")
    assert empty.status_code == 422  # the terms are the reasons: required
    proposed = take_step(egy["samir"], request_id, "propose-terms", reasons="Cases 17 and 18/2026.")
    assert proposed.status_code == 303
    page = egy["samir"].get(f"/ui/requests/{request_id}").text
    assert "The requesting State has proposed other terms" in page
    assert 'id="step-propose-terms"' not in page  # one proposal at a time

    _hand_over(egy, "samir", request_id, to=vnm)
    theirs = lan.get(f"/ui/requests/{request_id}").text
    box = theirs.split('id="conditions-heading"')[1].split("</section>")[0]
    assert "Cases 17 and 18/2026." in box
    assert "The requesting State proposes these terms instead." in box
    assert 'id="step-consult"' in theirs  # the answer: its conditions again
