"""The provider directory over the API: an administrator manages it, bad fields come back
as problem+json one entry each, the private key never comes back in any answer, officers
read enabled entries and change nothing, and another State's node reads nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from fastapi.testclient import TestClient

from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.web.app import create_app
from hanoi.wiring import Node
from support_databases import Templates
from support_nodes import T0, build_node
from support_providers import Pki, issue, make_pki

PKI = make_pki(start=T0)
SECRET = PKI.client.key_pem.splitlines()[1]
"""A line of the private key: no answer may hold it."""


@dataclass
class Desk:
    node: Node
    client: TestClient
    tokens: dict[str, str]
    clock: FixedClock

    def call(self, method: str, path: str, name: str | None, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[name]}"} if name else {}
        answer = self.client.request(method, path, json=body, headers=headers)
        assert SECRET not in answer.text
        assert "PRIVATE KEY" not in answer.text
        return answer


def body(pki: Pki = PKI, **changes: Any) -> dict[str, Any]:
    return {
        "id": "vnm-telecom",
        "name": "Viet Nam Telecom",
        "endpoint": "https://hi1.telecom.example.vn/etsi/103120",
        "hi1_identifier": {"country_code": "VN", "unique_identifier": "vnm-telecom-hi1"},
        "client_certificate_chain": pki.client.pem,
        "client_private_key": pki.client.key_pem,
        "ca_bundle": pki.server_ca.pem,
        **changes,
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    """A node of its own for each test (the tests change its directory and its clock)."""
    templates: Templates = request.getfixturevalue("database_templates")
    with templates.clones() as databases:
        url = databases.postgres() if request.param == "postgresql" else None
        clock = FixedClock(T0)
        node = build_node(tmp_path / "vnm", "VNM", url, clock)
        tokens = {}
        for name, role in (
            ("admin", Role.ADMINISTRATOR),
            ("lan", Role.OFFICER),
            ("minh", Role.POINT_OF_CONTACT),
            ("audit", Role.AUDITOR),
        ):
            created = node.accounts.add_user(name=name, role=role, with_token=True)
            assert created.token is not None
            tokens[name] = created.token
        with TestClient(create_app(node, background=False)) as client:
            yield Desk(node, client, tokens, clock)
        node.close()


def test_an_administrator_adds_an_entry_and_reads_what_identifies_its_credentials(
    desk: Desk,
) -> None:
    created = desk.call("POST", "/api/v1/providers", "admin", body())
    assert created.status_code == 201, created.text
    shown = created.json()
    assert shown["enabled"] is True
    assert shown["hi1_identifier"] == {"country_code": "VN", "unique_identifier": "vnm-telecom-hi1"}
    (certificate,) = shown["tls"]["client_certificate_chain"]
    assert certificate["sha256"] == PKI.client.certificate.fingerprint(hashes.SHA256()).hex()
    assert "CN=hanoi-node-vnm" in certificate["subject"]
    assert shown["tls"]["client_private_key"] == {"kind": "EC P-256"}
    assert shown["tls"]["ca_bundle"][0]["subject"].startswith("CN=Provider Root CA")
    assert (shown["created_by"], shown["updated_by"]) == ("admin", "admin")
    assert shown["warnings"] == []
    again = desk.call("GET", "/api/v1/providers/vnm-telecom", "audit")
    assert again.json() == shown
    duplicate = desk.call("POST", "/api/v1/providers", "admin", body())
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == "application/problem+json"


def test_every_bad_field_is_one_problem_entry_and_nothing_is_stored(desk: Desk) -> None:
    answer = desk.call(
        "POST",
        "/api/v1/providers",
        "admin",
        body(
            id="Bad Id",
            endpoint="http://hi1.telecom.example.vn/",
            hi1_identifier={"country_code": "vn", "unique_identifier": "x"},
            client_private_key=issue(PKI.client_ca, "other").key_pem,
        ),
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    pointers = [e["pointer"] for e in answer.json()["errors"]]
    assert pointers == ["id", "endpoint", "hi1_identifier/country_code", "client_private_key"]
    assert desk.call("GET", "/api/v1/providers/bad-id", "admin").status_code == 404
    unknown = desk.call("POST", "/api/v1/providers", "admin", {**body(id="x2"), "extra": 1})
    assert unknown.status_code == 422


def test_officers_read_enabled_entries_and_change_nothing(desk: Desk) -> None:
    desk.call(
        "POST", "/api/v1/providers", "admin",
        body(id="vnm-mobile", hi1_identifier={"country_code": "VN", "unique_identifier": "m"}),
    )  # fmt: skip
    assert desk.call("POST", "/api/v1/providers", "lan", body(id="x3")).status_code == 403
    patched = desk.call("PATCH", "/api/v1/providers/vnm-mobile", "minh", {"name": "Mine"})
    assert patched.status_code == 403
    assert desk.call("POST", "/api/v1/providers/vnm-mobile/disable", "lan").status_code == 403
    assert desk.call("GET", "/api/v1/providers/vnm-mobile/changes", "lan").status_code == 403
    assert desk.call("POST", "/api/v1/providers/vnm-mobile/disable", "admin").status_code == 200
    for officer in ("lan", "minh"):
        listed = desk.call("GET", "/api/v1/providers", officer).json()
        assert "vnm-mobile" not in [p["id"] for p in listed]
        assert desk.call("GET", "/api/v1/providers/vnm-mobile", officer).status_code == 404
    everything = desk.call("GET", "/api/v1/providers?enabled=false", "audit").json()
    assert [p["id"] for p in everything] == ["vnm-mobile"]
    assert desk.call("POST", "/api/v1/providers/vnm-mobile/enable", "admin").json()["enabled"]
    history = desk.call("GET", "/api/v1/providers/vnm-mobile/changes", "audit").json()
    assert [c["kind"] for c in history] == ["enabled", "disabled", "created"]
    assert history[0]["by"] == "admin"


def test_a_change_keeps_what_is_not_given_and_is_kept_in_the_history(desk: Desk) -> None:
    desk.call("POST", "/api/v1/providers", "admin", body())
    desk.call(
        "POST", "/api/v1/providers", "admin",
        body(id="vnm-cloud", hi1_identifier={"country_code": "VN", "unique_identifier": "c"}),
    )  # fmt: skip
    desk.clock.advance(timedelta(days=350))
    renewed = issue(PKI.client_ca, "hanoi-node-vnm", start=desk.clock.now())
    changed = desk.call(
        "PATCH",
        "/api/v1/providers/vnm-cloud",
        "admin",
        {
            "hi1_identifier": {"unique_identifier": "cloud"},
            "client_certificate_chain": renewed.pem,
            "client_private_key": renewed.key_pem,
        },
    )
    assert changed.status_code == 200, changed.text
    shown = changed.json()
    assert shown["hi1_identifier"] == {"country_code": "VN", "unique_identifier": "cloud"}
    assert shown["version"] == 2
    latest = desk.call("GET", "/api/v1/providers/vnm-cloud/changes", "admin").json()[0]
    assert latest["kind"] == "updated"
    assert latest["fields"] == [
        "hi1_identifier/unique_identifier",
        "client_certificate_chain",
        "client_private_key",
    ]
    assert latest["summary"]["client_private_key"] == "EC P-256"
    expiring = desk.call("GET", "/api/v1/providers/vnm-telecom", "admin").json()["warnings"]
    assert [w["pointer"] for w in expiring] == ["client_certificate_chain/0"]
    assert renewed.key_pem.splitlines()[1] not in str(latest)


def test_another_states_node_reads_nothing(desk: Desk, tmp_path: Path) -> None:
    """A token of another node (even an administrator's, even with the same user name) is
    no token here; nor is anything of the directory reachable without one."""
    desk.call("POST", "/api/v1/providers", "admin", body())
    other = build_node(tmp_path / "egy", "EGY")
    try:
        foreign = other.accounts.add_user(name="admin", role=Role.ADMINISTRATOR, with_token=True)
    finally:
        other.close()
    assert foreign.token is not None
    for path in (
        "/api/v1/providers",
        "/api/v1/providers/vnm-telecom",
        "/api/v1/providers/vnm-telecom/changes",
    ):
        for headers in ({"Authorization": f"Bearer {foreign.token}"}, {}):
            answer = desk.client.get(path, headers=headers)
            assert answer.status_code == 401, (path, answer.text)
            assert "Viet Nam Telecom" not in answer.text
    refused = desk.client.post(
        "/api/v1/providers",
        json=body(id="egy-plant"),
        headers={"Authorization": f"Bearer {foreign.token}"},
    )
    assert refused.status_code == 401
