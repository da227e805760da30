"""The sending State's package page shows what the requesting State did with the package:
waiting for its verdict, then accepted (when, and the checks that held there) or refused
(with its reason), in the UI's languages; the request's evidence lists the new status."""

from __future__ import annotations

import os

import pytest

from support_evidence_desk import Federated, linked_package_id, record, send_package, uploaded
from support_transfers import flip_byte, payload_offset
from support_ui import csrf

VERDICT = 'id="outcome-heading"'


def sent(f: Federated) -> str:
    """An item uploaded and sent by VNM's hoa; the offer delivered to EGY. The package id."""
    p, rid = f.pair, f.request_id
    upload_id = uploaded(f.hoa, os.urandom(30_000), name="subscriber.csv")
    assert record(f.hoa, rid, upload_id=upload_id).status_code == 303
    [item] = p.vnm.evidence.held_for_request(rid)
    assert send_package(f.hoa, rid, [item.id]).status_code == 303
    assert p.vnm.federation.deliver_due() >= 1
    return linked_package_id(f.hoa.get(f"/ui/requests/{rid}/evidence").text)


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_the_sender_sees_the_requesting_states_verdict(
    federated: Federated,
) -> None:
    f, p = federated, federated.pair
    package_id = sent(f)
    waiting = f.hoa.get(f"/ui/packages/{package_id}").text
    assert VERDICT in waiting
    assert "The requesting State has not reported on the package yet." in waiting

    assert p.egy.transfers.fetch_pending() == 1  # verified and accepted in EGY
    assert p.egy.federation.deliver_due() == 1  # the outcome, to VNM
    page = f.hoa.get(f"/ui/packages/{package_id}")
    assert page.status_code == 200
    text = page.text
    assert "Verified and accepted" in text
    assert "The requesting State verified the package in full and accepted it." in text
    assert "Decided on" in text
    checks = text.split('id="outcome-checks-caption"')[1].split("</table>")[0]
    for area in ("BagIt bag", "Signed statement", "Custody proofs", "Files"):
        assert area in checks
    assert "Reason given" not in text
    # The request's evidence on VNM's side lists the package as accepted.
    listing = f.hoa.get(f"/ui/requests/{f.request_id}").text
    assert f'href="/ui/packages/{package_id}"' in listing
    assert "Verified and accepted" in listing
    # The receiving side has no such section: it decided.
    assert VERDICT not in f.nour.get(f"/ui/packages/{package_id}").text
    # In Arabic, the verdict is in Arabic.
    f.hoa.post("/ui/language", data={"csrf_token": csrf(f.hoa), "language": "ar", "next": "/ui/"})
    arabic = f.hoa.get(f"/ui/packages/{package_id}").text
    assert "قرار الدولة الطالبة" in arabic
    assert "تحققت الدولة الطالبة من الحزمة تحققًا كاملًا وقبلتها." in arabic


@pytest.mark.parametrize("pair", ["sqlite"], indirect=True)
def test_the_sender_sees_a_refusal_with_the_requesting_states_reason(
    federated: Federated,
) -> None:
    f, p = federated, federated.pair
    package_id = sent(f)
    [received] = p.egy.transfers.packages(p.samir, f.request_id)
    p.egy.transfers.fetch(received.package)
    path = p.incoming(received.package.id, ".tar")
    flip_byte(path, payload_offset(path))  # altered at rest: verification fails in EGY
    p.egy.transfers.fetch_pending()
    assert p.egy.federation.deliver_due() == 1
    text = f.hoa.get(f"/ui/packages/{package_id}").text
    assert "Not accepted" in text
    assert "The requesting State refused the package." in text
    reason = p.egy.transfers.package(p.samir, package_id).package.error
    assert reason
    assert "Reason given" in text
    assert reason.replace("'", "&#39;") in text
    checks = text.split('id="outcome-checks-caption"')[1].split("</table>")[0]
    assert "BagIt bag" in checks  # held in EGY before the check that failed
