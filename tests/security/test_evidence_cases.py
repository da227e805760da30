"""Evidence belongs to a case (issue 13, findings 1 and 5, and the digest-attachment item).

The attack run: an officer on no case uploaded a file and attached it to another team's
request, with a ``source`` naming a package received from Viet Nam. The item was then
listed among the items received in that verified package (packages and items were linked
by a substring of ``source``), in the court report under VERIFIED, and as sendable; 6 of
6 times, for officers, supervisors and contacts, on both engines. Evidence metadata and
custody (with salts) were readable by 20 of 20 outsiders. Attaching a digest to one's own
request told whether the node held those bytes, and attached another case's blob.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from hanoi.accounts.model import Role
from hanoi.errors import NotFound
from support_security import ROLES, World, acquisition, user_name, world
from support_transfers import Pair, offered

OUTSIDERS = [user_name(role, False) for role in ROLES]
UPLOADERS_OFF_CASE = [
    user_name(role, False) for role in (Role.OFFICER, Role.SUPERVISOR, Role.POINT_OF_CONTACT)
]


@pytest.fixture(params=["sqlite", "postgresql"])
def node(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    url = (
        None
        if request.param == "sqlite"
        else request.getfixturevalue("migrated_databases").postgres()
    )
    with world(tmp_path, url) as built:
        yield built


def evidence_body(node: World, upload_id: str, request_id: str, **changes: str) -> dict[str, str]:
    return {
        "upload_id": upload_id,
        "original_name": "planted.bin",
        "source_kind": "system",
        "source": "node of VNM, package 0123456789abcdef0123456789abcdef",
        "method": "received in an evidence package verified in full",
        "acquired_at": "2026-03-02T09:00:00+00:00",
        "request_ref": request_id,
        "article": "Art. 40(17)",
        **changes,
    }


@pytest.mark.parametrize("outsider", UPLOADERS_OFF_CASE)
def test_an_officer_off_the_case_cannot_plant_evidence_in_it(node: World, outsider: str) -> None:
    upload = node.uploads[outsider]
    planted = node.call(
        "POST", "/api/v1/evidence", outsider, evidence_body(node, upload, node.request_id)
    )
    missing = node.call(
        "POST", "/api/v1/evidence", outsider, evidence_body(node, upload, "EGY-2026-99999")
    )
    assert planted.status_code == missing.status_code == 404
    assert planted.json()["detail"] == missing.json()["detail"].replace(
        "EGY-2026-99999", node.request_id
    )
    assert [i.id for i in node.node.evidence.held_for_request(node.request_id)] == [node.item.id]
    # Nothing was taken from the outsider either: their upload is still theirs, complete.
    assert node.call("GET", f"/api/v1/uploads/{upload}", outsider).json()["complete"] is True
    # The refusal is on record for auditors.
    refusals = node.call("GET", "/api/v1/audit/refusals", "auditor-off").json()
    assert any(
        r["user"] == outsider
        and r["request_id"] == node.request_id
        and r["action"] == ("record evidence")
        for r in refusals
    )


def test_the_case_team_records_in_its_name_whatever_it_says(node: World) -> None:
    body = evidence_body(node, node.uploads["point-of-contact-on"], node.request_id)
    recorded = node.call("POST", "/api/v1/evidence", "point-of-contact-on", body)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["officer"] == "point-of-contact-on"


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_items_and_their_custody_are_hidden_outside_the_case(node: World, outsider: str) -> None:
    node.node.custody.sequence()
    missing = "0123456789abcdef0123456789abcdef"
    for suffix in ("", "/custody"):
        hidden = node.call("GET", f"/api/v1/evidence/{node.item.id}{suffix}", outsider)
        unknown = node.call("GET", f"/api/v1/evidence/{missing}{suffix}", outsider)
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json()["detail"] == unknown.json()["detail"]
        assert "salt" not in hidden.text
        assert node.item.sha256 not in hidden.text
    member = outsider.removesuffix("-off") + "-on"
    shown = node.call("GET", f"/api/v1/evidence/{node.item.id}/custody", member)
    assert shown.status_code == 200
    assert [e["event"]["type"] for e in shown.json()] == ["collected"]


def test_the_service_checks_the_case_for_every_read(node: World) -> None:
    outsider = node.users["supervisor-off"]
    evidence = node.node.evidence
    for call in (
        lambda: evidence.get(outsider, node.item.id),
        lambda: evidence.custody_of(outsider, node.item.id),
        lambda: evidence.for_request(outsider, node.request_id),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(NotFound):
        evidence.ingest(outsider, io.BytesIO(b"x"), acquisition(node.request_id, outsider.name))
    assert evidence.for_request(node.users["auditor-on"], node.request_id) == [node.item]


def test_a_digest_attaches_only_a_file_of_the_same_request(node: World) -> None:
    """Another case's blob, by its digest, is refused exactly like bytes never seen."""
    kind = "mla-stored-data"
    other = node.call(
        "POST",
        "/api/v1/requests",
        "officer-off",
        {"kind": kind, "requested_state": "FRA", "contents": {}},
    ).json()["id"]
    path = f"/api/v1/requests/{other}/attachments"
    theirs = node.call("POST", path, "officer-off", {"sha256": node.item.sha256})
    unknown = node.call("POST", path, "officer-off", {"sha256": "ab" * 32})
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["detail"] == unknown.json()["detail"]
    own = node.call("POST", f"/api/v1/requests/{node.request_id}/attachments", "officer-on",
                    {"sha256": node.item.sha256, "role": "evidence"})  # fmt: skip
    assert own.status_code == 201, own.text


def test_items_cannot_be_sent_from_another_case(node: World) -> None:
    """An officer of another request cannot pack this case's item into their package."""
    other = node.call(
        "POST",
        "/api/v1/requests",
        "supervisor-off",
        {"kind": "mla-stored-data", "requested_state": "FRA", "contents": {}},
    ).json()["id"]
    response = node.call(
        "POST",
        f"/api/v1/requests/{other}/evidence-packages",
        "supervisor-off",
        {"evidence": [node.item.id]},
    )
    assert response.status_code in (404, 422)  # the item is hidden, or the side is wrong
    assert node.item.id not in response.text


@pytest.mark.slow
def test_an_item_naming_a_package_is_not_among_its_items(pair: Pair) -> None:
    """Items are linked to the package they came in by its id, not by what they say."""
    files = {"mailbox.mbox": b"m" * 5000}
    request_id, row, _ = offered(pair, files)
    assert pair.egy.transfers.fetch_pending() == 1
    [received] = pair.egy.transfers.packages(pair.samir, request_id)
    assert [i.acquisition.original_name for i in received.items] == ["mailbox.mbox"]
    # The case team records an item of its own whose source names that package.
    pair.egy.evidence.ingest(
        pair.amira,
        io.BytesIO(b"not from VNM"),
        acquisition(
            request_id,
            "amira",
            original_name="planted.bin",
            source=f"node of VNM, package {row.id}",
        ),
    )
    [again] = pair.egy.transfers.packages(pair.samir, request_id)
    assert [i.acquisition.original_name for i in again.items] == ["mailbox.mbox"]
    assert pair.egy.transfers.package(pair.samir, row.id).items == again.items
    # An item received from another State is not this node's to send on as its own.
    with pytest.raises(Exception, match=r"received from another State|requesting State"):
        pair.egy.transfers.offer(pair.samir, request_id, [again.items[0].id])
