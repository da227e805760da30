"""Orders to providers over the node's JSON API (in process, the provider simulated): issue,
list, show, poll; problem+json for bad input, a request not in execution, a provider that
answers garbage; nothing for someone off the case."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from hanoi.web.app import create_app
from support_provider_orders import Execution, executing

PROBLEM = "application/problem+json"


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Execution]:
    yield from executing(tmp_path, None, None)


def body(**changes: Any) -> dict[str, Any]:
    values = {
        "provider_id": "vnm-sim",
        "identifiers": ["EmailAddress=suspect@example.vn", "InternationalE164=84912345678"],
        "deadline": "2026-03-20T00:00:00Z",
        "domestic_reference": "VNM-PO-2026-18",
        "legal_basis": "Criminal Procedure Code, Art. 196",
        "order_document": base64.b64encode(b"%PDF-1.7 order").decode(),
        "window_start": "2026-02-01T00:00:00Z",
        "window_end": "2026-03-01T00:00:00Z",
    }
    values.update(changes)
    return values


def test_an_officer_orders_polls_and_reads_the_deliveries(run: Execution) -> None:
    x = run
    officer = {"Authorization": f"Bearer {x.vnm.accounts.issue_token(x.officer)}"}
    outsider = {"Authorization": f"Bearer {x.vnm.accounts.issue_token(x.outsider)}"}
    base = f"/api/v1/requests/{x.request_id}/provider-orders"
    with TestClient(create_app(x.vnm, background=False)) as client:
        created = client.post(base, json=body(), headers=officer)
        assert created.status_code == 201, created.text
        order = created.json()
        assert (order["status"], order["kind"], order["open"]) == ("awaiting", "disclosure", True)
        assert order["deliveries"] == []
        assert order["notifications"] == []

        assert [o["id"] for o in client.get(base, headers=officer).json()] == [order["id"]]
        assert client.get(base, headers=outsider).status_code == 404
        assert client.get(f"{base}/{order['id']}", headers=outsider).status_code == 404

        x.later(120)
        polled = client.post(f"{base}/{order['id']}/poll", headers=officer)
        assert polled.status_code == 200, polled.text
        shown = polled.json()
        assert shown["status"] == "disclosed"
        assert [d["outcome"] for d in shown["deliveries"]] == ["ingested", "ingested"]
        items = {i.id for i in x.vnm.evidence.for_request(x.officer, x.request_id)}
        assert {d["evidence_item_id"] for d in shown["deliveries"]} == items
        (note,) = shown["notifications"]
        assert note["type"] == {"owner": "ETSI", "name": "NotificationType", "value": "General"}
        assert note["details"] == "The data are disclosed in 2 deliveries."
        assert note["statuses"] == [
            {"object_id": order["task_id"], "status": "Disclosed", "details": None}
        ]
        assert client.get(f"{base}/{order['id']}", headers=officer).json() == shown


def test_problems_name_what_is_wrong(run: Execution) -> None:
    x = run
    officer = {"Authorization": f"Bearer {x.vnm.accounts.issue_token(x.officer)}"}
    base = f"/api/v1/requests/{x.request_id}/provider-orders"
    with TestClient(create_app(x.vnm, background=False)) as client:
        bad = client.post(
            base,
            json=body(identifiers=["no-equals-sign"], order_document="***"),
            headers=officer,
        )
        assert bad.status_code == 400
        assert bad.headers["content-type"].startswith(PROBLEM)
        window = client.post(
            base,
            json=body(window_start="2026-03-01T00:00:00Z", window_end="2026-02-01T00:00:00Z"),
            headers=officer,
        )
        assert window.status_code == 400
        assert "window_end" in window.text
        assert (
            client.post(base, json=body(provider_id="nobody"), headers=officer).status_code == 404
        )

        x.transport.handler = lambda request: httpx.Response(502, content=b"Bad gateway")
        garbage = client.post(base, json=body(), headers=officer)
        assert garbage.status_code == 502
        assert garbage.headers["content-type"].startswith(PROBLEM)
        (failed,) = client.get(base, headers=officer).json()
        assert failed["status"] == "failed"
        assert "HTTP 502" in failed["error"]
        assert client.get(base).status_code == 401
        # The requesting State's node holds the request too; its token means nothing here.
        egy_user = x.egy.accounts.named("amira")
        egy_token = {"Authorization": f"Bearer {x.egy.accounts.issue_token(egy_user)}"}
        assert client.get(base, headers=egy_token).status_code == 401
        assert client.post(base, json=body(), headers=egy_token).status_code == 401
