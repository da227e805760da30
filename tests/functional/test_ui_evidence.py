"""Evidence in the officers' UI over HTTP: tus at /ui/uploads for the signed-in session
(CSRF header, another user's upload, resuming after a partial PATCH), the form that records
and attaches the item with its errors beside the fields, the send form, and the package
page with what verification found, for the case team only."""

from __future__ import annotations

import hashlib
import os
import re

import pytest
from fastapi.testclient import TestClient

from hanoi.cooperation.service import StepInput
from hanoi.i18n.catalogues import LANGUAGES, translations
from hanoi.web.app import create_app
from support_evidence_desk import (
    FORM,
    OCTETS,
    TUS,
    Desk,
    Federated,
    b64,
    create,
    linked_package_id,
    patch,
    record,
    send_package,
    uploaded,
)
from support_evidence_desk import desk as desk  # a fixture
from support_transfers import flip_byte, payload_offset
from support_ui import LOOPBACK, csrf

# --- tus for the session ------------------------------------------------------------------


def test_ui_tus_needs_the_session_and_the_csrf_header(desk: Desk) -> None:
    amira = desk["amira"]
    anonymous = TestClient(create_app(desk.node, background=False), base_url=LOOPBACK)
    with anonymous:
        refused = anonymous.post("/ui/uploads", headers={**TUS, "Upload-Length": "5"})
        assert refused.status_code == 401  # a script is calling: no redirect to the login
        assert refused.headers["content-type"] == "application/problem+json"
        assert anonymous.head("/ui/uploads/" + "0" * 32, headers=TUS).status_code == 401
    token = csrf(amira)
    no_header = amira.post("/ui/uploads", headers={**TUS, "Upload-Length": "5"})
    assert no_header.status_code == 403
    wrong = amira.post(
        "/ui/uploads", headers={**TUS, "Upload-Length": "5", "X-CSRF-Token": token + "x"}
    )
    assert wrong.status_code == 403
    in_form = amira.post(
        "/ui/uploads", headers={**TUS, "Upload-Length": "5"}, data={"csrf_token": token}
    )
    assert in_form.status_code == 403  # the header, not a form field
    created = create(amira, 5, token)
    assert created.status_code == 201
    location = created.headers["location"]
    assert re.fullmatch(r"/ui/uploads/[0-9a-f]{32}", location)
    assert created.headers["tus-resumable"] == "1.0.0"
    options = amira.options("/ui/uploads", headers={"X-CSRF-Token": token})
    assert options.status_code == 204
    assert "creation" in options.headers["tus-extension"]

    # Without the header, a PATCH or a DELETE changes nothing.
    bare = amira.patch(
        location, content=b"12345", headers={**TUS, "Content-Type": OCTETS, "Upload-Offset": "0"}
    )
    assert bare.status_code == 403
    assert amira.delete(location, headers=TUS).status_code == 403
    assert amira.head(location, headers=TUS).headers["upload-offset"] == "0"
    # The tus version is still required, as on the API.
    assert (
        amira.post("/ui/uploads", headers={"Upload-Length": "5", "X-CSRF-Token": token}).status_code
        == 400
    )


def test_another_users_upload_is_not_found_and_an_auditor_may_not_upload(desk: Desk) -> None:
    amira, karim = desk["amira"], desk["karim"]
    location = create(amira, 10, csrf(amira)).headers["location"]
    token = csrf(karim)
    assert karim.head(location, headers=TUS).status_code == 404
    assert patch(karim, location, 0, b"0123456789", token).status_code == 404
    assert karim.delete(location, headers={**TUS, "X-CSRF-Token": token}).status_code == 404
    assert amira.head(location, headers=TUS).headers["upload-offset"] == "0"
    auditor = desk["audrey"]
    refused = create(auditor, 10, csrf(auditor))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


def test_an_upload_resumes_from_the_nodes_offset_after_a_partial_patch(desk: Desk) -> None:
    amira = desk["amira"]
    data = os.urandom(3 * 1024 * 1024 + 17)
    token = csrf(amira)
    location = create(amira, len(data), token).headers["location"]
    first = patch(amira, location, 0, data[: 1024 * 1024], token)
    assert first.status_code == 204
    assert first.headers["upload-offset"] == str(1024 * 1024)
    # The connection dropped: the client asks where the node is, and goes on from there.
    offset = int(amira.head(location, headers=TUS).headers["upload-offset"])
    assert offset == 1024 * 1024
    assert patch(amira, location, 0, data, token).status_code == 409  # not from 0
    done = patch(amira, location, offset, data[offset:], token)
    assert done.status_code == 204
    assert done.headers["upload-offset"] == str(len(data))
    digest = hashlib.sha256(data).hexdigest()
    assert done.headers["hanoi-blob-digest"] == f"sha256:{digest}"
    assert desk.node.blobs.exists(digest)
    # A cancelled upload is gone.
    other = create(amira, 10, token).headers["location"]
    assert amira.delete(other, headers={**TUS, "X-CSRF-Token": token}).status_code == 204
    assert amira.head(other, headers=TUS).status_code == 404


# --- the upload page and the record-and-attach form -------------------------------------------


def test_the_upload_page_is_for_the_case_team_that_may_upload(desk: Desk) -> None:
    page = desk["amira"].get(f"/ui/requests/{desk.request_id}/evidence")
    assert page.status_code == 200
    text = page.text
    assert '<form method="post" action="/ui/requests/' in text
    assert 'id="field-file" type="file" required' in text
    assert (
        '<progress id="upload-progress" max="100" value="0" aria-describedby="upload-status">'
        in text
    )
    assert 'aria-live="polite"' in text
    assert 'data-uploads="/ui/uploads"' in text
    assert "<noscript>" in text
    assert "Uploading evidence needs JavaScript" in text
    assert '<script src="/ui/static/upload.js" defer></script>' in text
    assert "onclick" not in text
    assert "<script>" not in text
    assert 'value="Art. 44(1)"' in text  # the article of the request's kind, to start from
    assert "No evidence has been recorded for this request yet." in text
    assert page.headers["content-security-policy"].count("script-src 'self'") == 1
    assert desk["amira"].get("/ui/static/upload.js").status_code == 200

    stranger = desk["karim"].get(f"/ui/requests/{desk.request_id}/evidence")
    missing = desk["karim"].get("/ui/requests/EGY-2026-00000000/evidence")
    assert stranger.status_code == missing.status_code == 404
    assert desk["audrey"].get(f"/ui/requests/{desk.request_id}/evidence").status_code == 404


def test_a_completed_upload_is_recorded_and_attached_then_listed_with_its_digest(
    desk: Desk,
) -> None:
    amira = desk["amira"]
    data = os.urandom(200_000)
    upload_id = uploaded(amira, data)
    done = record(amira, desk.request_id, upload_id=upload_id)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/ui/requests/{desk.request_id}"

    digest = hashlib.sha256(data).hexdigest()
    [item] = desk.node.evidence.held_for_request(desk.request_id)
    assert (item.sha256, item.size) == (digest, len(data))
    a = item.acquisition
    assert (a.original_name, a.media_type, a.officer) == (
        "mailbox.mbox",
        "application/mbox",
        "amira",
    )
    assert (a.source, a.method, a.article) == (FORM["source"], FORM["method"], "Art. 44(1)")
    assert a.acquired_at.isoformat() == "2026-03-01T10:30:00+00:00"
    request = desk.node.cooperation.show(desk.node.accounts.named("amira"), desk.request_id)
    [attachment] = request.request.attachments
    assert (attachment.sha256, attachment.role.value, attachment.title) == (
        digest,
        "evidence",
        FORM["description"],
    )
    page = desk["samir"].get(f"/ui/requests/{desk.request_id}/evidence").text
    row = page.split(f'id="item-{item.id}"')[1].split("</tr>")[0]
    assert "mailbox.mbox" in row
    assert FORM["description"] in row
    assert digest in row
    assert "200 kB" in row
    desk.node.custody.sequence()
    assert [e.event.action.value for e in desk.node.evidence.held_custody(item)] == ["collected"]


def test_form_errors_show_beside_the_fields_with_the_values_kept(desk: Desk) -> None:
    amira, rid = desk["amira"], desk.request_id
    empty = record(amira, rid, description="", source="", acquired_at="")
    assert empty.status_code == 422
    text = empty.text
    assert 'class="error-summary" role="alert"' in text
    assert 'id="field-file-error"' in text
    assert "Choose a file and upload it." in text
    assert 'id="field-description-error"' in text
    assert "Describe the evidence." in text
    assert "Say where or from whom the evidence was obtained." in text
    assert "Enter the date and time the evidence was obtained, in UTC." in text
    assert f'value="{FORM["method"]}"' in text  # kept
    assert '<option value="provider" selected>' in text
    assert "Traceback" not in text

    # An upload not yet complete, an unknown one, one of another user.
    token = csrf(amira)
    partial = create(amira, 10, token).headers["location"]
    assert patch(amira, partial, 0, b"01234", token).status_code == 204
    incomplete = record(amira, rid, upload_id=partial.rsplit("/", 1)[1])
    assert incomplete.status_code == 422
    assert "The upload is not complete. Resume it, then record the evidence." in incomplete.text
    unknown = record(amira, rid, upload_id="f" * 32)
    assert unknown.status_code == 422
    assert "The upload was not found. Choose the file again." in unknown.text
    bad_id = record(amira, rid, upload_id="../../etc/passwd")
    assert bad_id.status_code == 422
    theirs = uploaded(desk["samir"], b"samir's bytes")
    other = record(amira, rid, upload_id=theirs)
    assert other.status_code == 422
    assert "The upload was not found." in other.text

    # A complete upload kept across an error: the form says so and needs no new file.
    mine = uploaded(amira, b"mine")
    future = record(amira, rid, upload_id=mine, acquired_at="2030-01-01T00:00")
    assert future.status_code == 422
    assert "cannot be in the future" in future.text
    assert f'name="upload_id" id="field-upload_id" value="{mine}"' in future.text
    assert "Uploaded: mailbox.mbox" in future.text
    assert 'id="field-file" type="file" required' not in future.text
    odd = record(amira, rid, upload_id=mine, acquired_at="yesterday", source_kind="rumour")
    assert odd.status_code == 422
    assert "Choose the kind of source." in odd.text
    too_long = record(amira, rid, upload_id=mine, method="x" * 501, source="line\nbreak")
    assert too_long.status_code == 422
    assert 'id="field-method-error"' in too_long.text
    assert 'id="field-source-error"' in too_long.text
    assert "Use at most 500 characters, on one line." in too_long.text
    assert desk.node.evidence.held_for_request(rid) == []


def test_a_media_type_the_browser_made_up_is_recorded_as_bytes(desk: Desk) -> None:
    amira = desk["amira"]
    token = csrf(amira)
    created = amira.post(
        "/ui/uploads",
        headers={
            **TUS,
            "Upload-Length": "4",
            "Upload-Metadata": f"filename {b64('نسخة.bin')},filetype {b64('Not A Type')}",
            "X-CSRF-Token": token,
        },
    )
    location = created.headers["location"]
    assert patch(amira, location, 0, b"\x00\x01\x02\x03", token).status_code == 204
    assert record(amira, desk.request_id, upload_id=location.rsplit("/", 1)[1]).status_code == 303
    [item] = desk.node.evidence.held_for_request(desk.request_id)
    assert item.acquisition.media_type == "application/octet-stream"
    assert item.acquisition.original_name == "نسخة.bin"


def test_evidence_the_service_will_not_attach_is_an_error_not_a_crash(desk: Desk) -> None:
    amira, rid = desk["amira"], desk.request_id
    mine = uploaded(amira, b"late evidence")
    desk.node.cooperation.take(
        desk.node.accounts.named("amira"),
        rid,
        StepInput(transition="abandon", reasons="No longer needed."),
    )
    page = amira.get(f"/ui/requests/{rid}/evidence")
    assert "No evidence can be added to this request" in page.text
    assert 'id="evidence-form"' not in page.text
    refused = record(amira, rid, upload_id=mine)
    assert refused.status_code == 422
    assert "The evidence could not be attached to this request." in refused.text
    assert "closed" in refused.text  # the service's reason, in English beside it
    assert desk.node.evidence.held_for_request(rid) == []  # nothing recorded, nothing logged


# --- sending a package, and the package page ----------------------------------------------------


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_evidence_is_sent_verified_on_arrival_and_the_package_page_shows_the_checks(
    federated: Federated,
) -> None:
    f, p = federated, federated.pair
    rid = f.request_id
    data = os.urandom(150_000)
    upload_id = uploaded(f.hoa, data, name="subscriber.csv")
    assert record(f.hoa, rid, upload_id=upload_id).status_code == 303
    [item] = p.vnm.evidence.held_for_request(rid)

    # The send form lists the request's items; nothing chosen is an error beside it.
    page = f.hoa.get(f"/ui/requests/{rid}/evidence").text
    assert f'name="items" value="{item.id}"' in page
    assert "Send evidence to Egypt, the requesting State" in page
    nothing = send_package(f.hoa, rid, [])
    assert nothing.status_code == 422
    assert 'id="send-package-error"' in nothing.text
    assert "Choose at least one evidence item to send." in nothing.text
    unknown = send_package(f.hoa, rid, ["0" * 32])
    assert unknown.status_code == 422
    assert "The package could not be sent." in unknown.text
    sent = send_package(f.hoa, rid, [item.id])
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/ui/requests/{rid}"

    # The sender's page: sent, offered, the file and the conditions that travel with it.
    package_id = linked_package_id(f.hoa.get(f"/ui/requests/{rid}/evidence").text)
    outgoing = f.hoa.get(f"/ui/packages/{package_id}")
    assert outgoing.status_code == 200
    text = outgoing.text
    assert "This State sent it" in text
    assert "Offered" in text
    assert "subscriber.csv" in text
    assert hashlib.sha256(data).hexdigest() in text
    assert "Signed and encrypted by this node for the requesting State" in text
    assert "Use limitation" in text
    assert "Art. 40(19)" in text
    row = p.vnm.transfers.package(p.vnm.accounts.named("hoa"), package_id).package
    assert row.sha256 in text

    # The offer reaches EGY, which fetches, verifies and accepts the package.
    assert p.vnm.federation.deliver_due() >= 1
    assert p.egy.transfers.fetch_pending() == 1
    received = f.nour.get(f"/ui/packages/{package_id}")
    assert received.status_code == 200
    text = received.text
    assert "This State received it" in text
    assert "Verified and accepted" in text
    assert "Verified: the bag, the signature, the custody proofs and every file" in text
    checks = text.split('id="checks-caption"')[1].split("</table>")[0]
    for area in (
        "BagIt bag",
        "Signed statement",
        "Custody proofs",
        "CASE/UCO description",
        "Files",
    ):
        assert area in checks
    assert "decrypted" in checks
    assert "What could not be checked" in text
    assert "Custody steps proven" in text
    assert "Conditions that travel with the package" in text
    assert hashlib.sha256(data).hexdigest() in text
    assert f'href="/ui/requests/{rid}"' in text
    # ...and the request's evidence lists the received item and its package.
    [own] = p.egy.evidence.held_for_request(rid)
    assert own.sha256 == hashlib.sha256(data).hexdigest()
    listing = f.nour.get(f"/ui/requests/{rid}/evidence").text
    assert f'id="item-{own.id}"' in listing
    assert "Received in a package" in listing
    assert f'href="/ui/packages/{package_id}"' in listing
    assert "Verified and accepted" in listing
    assert 'id="send-package"' not in listing  # evidence goes back to the requesting State

    # Outside the case, a package answers exactly like one that does not exist.
    stranger = f.karim.get(f"/ui/packages/{package_id}")
    missing = f.karim.get("/ui/packages/" + "0" * 32)
    assert stranger.status_code == missing.status_code == 404
    assert stranger.text.replace(package_id, "X") == missing.text.replace("0" * 32, "X")
    assert f.nour.get("/ui/packages/..%2F..%2Fetc").status_code == 404
    assert f.nour.get("/ui/packages/" + "a" * 500).status_code == 404

    # In Arabic the page runs right to left.
    f.nour.post("/ui/language", data={"csrf_token": csrf(f.nour), "language": "ar", "next": "/ui/"})
    assert '<html lang="ar" dir="rtl">' in f.nour.get(f"/ui/packages/{package_id}").text


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_a_refused_package_shows_the_reason_and_the_checks_that_held(
    federated: Federated,
) -> None:
    f, p = federated, federated.pair
    rid = f.request_id
    upload_id = uploaded(f.hoa, os.urandom(100_000))
    assert record(f.hoa, rid, upload_id=upload_id).status_code == 303
    [item] = p.vnm.evidence.held_for_request(rid)
    assert send_package(f.hoa, rid, [item.id]).status_code == 303
    assert p.vnm.federation.deliver_due() >= 1
    [received] = p.egy.transfers.packages(p.samir, rid)
    p.egy.transfers.fetch(received.package)
    path = p.incoming(received.package.id, ".tar")
    flip_byte(path, payload_offset(path))  # altered at rest, after the digest check
    p.egy.transfers.fetch_pending()

    page = f.nour.get(f"/ui/packages/{received.package.id}")
    assert page.status_code == 200
    text = page.text
    assert "Not accepted" in text
    assert "The package was not accepted" in text
    assert "Nothing from it was recorded as evidence." in text
    assert "Not verified. These checks held before the one that failed:" in text
    checks = text.split('id="checks-caption"')[1].split("</table>")[0]
    assert "BagIt bag" in checks
    assert "Signed statement" in checks
    reason = p.egy.transfers.package(p.samir, received.package.id).package.error
    assert reason
    assert reason.replace("'", "&#39;") in text
    assert p.egy.evidence.held_for_request(rid) == []


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_every_page_of_the_journey_in_each_of_the_six_languages(federated: Federated) -> None:
    """The pages an officer walks through, on both sides, chosen in each language with
    the picker: each answers 200 in that language (``lang``, ``dir``), its menu and
    headings translated, and the court report downloads as a PDF."""
    f, p = federated, federated.pair
    rid = f.request_id
    upload_id = uploaded(f.hoa, os.urandom(20_000), name="subscriber.csv")
    assert record(f.hoa, rid, upload_id=upload_id).status_code == 303
    [item] = p.vnm.evidence.held_for_request(rid)
    assert send_package(f.hoa, rid, [item.id]).status_code == 303
    assert p.vnm.federation.deliver_due() >= 1
    assert p.egy.transfers.fetch_pending() == 1
    package_id = linked_package_id(f.nour.get(f"/ui/requests/{rid}").text)
    common = [
        "/ui/",
        "/ui/requests?side=requesting",
        "/ui/requests?side=requested",
        "/ui/requests/new",
        "/ui/requests/new?kind=mla-stored-data",
        f"/ui/requests/{rid}",
        f"/ui/packages/{package_id}",
        "/ui/deadlines",
        "/ui/alerts",
        "/ui/directory",
        "/ui/treaty",
    ]
    pages = {f.nour: common, f.hoa: [*common, f"/ui/requests/{rid}/evidence"]}
    for language in LANGUAGES:
        words = translations(language)
        for client, paths in pages.items():
            chosen = client.post(
                "/ui/language",
                data={"csrf_token": csrf(client), "language": language.value, "next": "/ui/"},
            )
            assert chosen.status_code == 303
            for path in paths:
                page = client.get(path)
                assert page.status_code == 200, (language, path)
                direction = "rtl" if language.right_to_left else "ltr"
                assert f'<html lang="{language.value}" dir="{direction}">' in page.text
                for message in ("Sign out", "Requests", "Deadlines", "Alerts", "Directory"):
                    assert f">{words.gettext(message)}<" in page.text, (language, path, message)
            request_page = client.get(f"/ui/requests/{rid}").text
            assert words.gettext("Timeline") in request_page
            assert words.gettext("Evidence packages") in request_page
        pdf = f.nour.get(f"/ui/requests/{rid}/report.pdf")
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
