"""The request page's form that orders a service provider: an officer on the case orders
and sees the order in the list; a missing field is shown beside it, the values kept; no
form, and a refused POST (404, as the UI answers), for anyone else; a provider's refusal
or silence is a sentence, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from hanoi.accounts.model import Role
from hanoi.sandbox.provider_sim import E_REJECTED, SimSettings
from support_provider_orders import Execution, executing
from support_ui import PASSWORD, csrf, signed_in

FORM = 'id="provider-order-form"'


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Execution]:
    yield from executing(tmp_path, None, None, sim=SimSettings(delay=0))


@pytest.fixture
def rejecting(tmp_path: Path) -> Iterator[Execution]:
    yield from executing(tmp_path, None, None, sim=SimSettings(delay=0, reject="no such account"))


def on_the_case(x: Execution, name: str = "hoa") -> None:
    x.vnm.accounts.add_user(name=name, role=Role.OFFICER, password=PASSWORD)
    x.vnm.cooperation.assign(x.officer, x.request_id, name)


def fields(**changes: str) -> dict[str, str]:
    values = {
        "provider_id": "vnm-sim",
        "identifiers": "EmailAddress=suspect@example.vn\r\nInternationalE164=84912345678",
        "request_type": "SubscriberData",
        "window_start": "2026-01-01",
        "window_end": "2026-01-31",
        "deadline": "2026-12-31",
        "domestic_reference": "VNM-PO-2026-42",
        "legal_basis": "Criminal Procedure Code, art. 88",
    }
    values.update(changes)
    return values


def post(
    client: TestClient, x: Execution, data: dict[str, str], *, document: bytes = b"signed order"
) -> httpx.Response:
    page = f"/ui/requests/{x.request_id}"
    files: dict[str, Any] = {"order_document": ("order.pdf", document, "application/pdf")}
    return client.post(
        f"{page}/provider-orders",
        data={"csrf_token": csrf(client, page), **data},
        files=files if document else {"order_document": ("", b"", "application/octet-stream")},
    )


def test_an_officer_on_the_case_orders_and_sees_the_order(run: Execution) -> None:
    x = run
    on_the_case(x)
    with signed_in(x.vnm, "hoa", enter=False) as client:
        page = client.get(f"/ui/requests/{x.request_id}")
        assert FORM in page.text
        assert '<span dir="ltr">EmailAddress, InternationalE164' in page.text  # the hint
        assert "Disclosure" in page.text  # the kind of order, implied by the request
        french = client.get(f"/ui/requests/{x.request_id}", headers={"Accept-Language": "fr"})
        assert "Adresser un ordre à un fournisseur de services" in french.text
        arabic = client.get(f"/ui/requests/{x.request_id}", headers={"Accept-Language": "ar"})
        assert "توجيه أمر إلى مقدّم خدمة" in arabic.text
        answer = post(client, x, fields())
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"].startswith(f"/ui/requests/{x.request_id}#provider-order-")
        shown = client.get(f"/ui/requests/{x.request_id}")
        assert "VNM-PO-2026-42" in shown.text
        assert "Order sent to vnm-sim" in shown.text
    (made,) = x.vnm.provider_orders.orders(x.officer, x.request_id)
    assert made.domestic_reference == "VNM-PO-2026-42"
    assert f'id="provider-order-{made.id}"' in shown.text


def test_a_missing_field_is_shown_beside_it_with_the_values_kept(run: Execution) -> None:
    x = run
    on_the_case(x)
    with signed_in(x.vnm, "hoa", enter=False) as client:
        answer = post(client, x, fields(legal_basis="", identifiers="not an identifier"))
        assert answer.status_code == 422
        assert 'id="field-legal_basis-error"' in answer.text
        assert 'id="field-identifiers-error"' in answer.text
        assert "VNM-PO-2026-42" in answer.text  # kept
        unknown_type = post(client, x, fields(request_type="Everything"))
        assert unknown_type.status_code == 422
        assert 'id="field-request_type-error"' in unknown_type.text
        missing_file = post(client, x, fields(), document=b"")
        assert missing_file.status_code == 422
        assert 'id="field-order_document-error"' in missing_file.text
    assert x.vnm.provider_orders.orders(x.officer, x.request_id) == []


def test_no_form_and_no_order_for_anyone_else(run: Execution) -> None:
    x = run
    x.vnm.accounts.add_user(name="binh", role=Role.OFFICER, password=PASSWORD)
    x.vnm.accounts.add_user(name="an", role=Role.AUDITOR, password=PASSWORD)
    with signed_in(x.vnm, "binh", enter=False) as client:
        assert client.get(f"/ui/requests/{x.request_id}").status_code == 404
        token = csrf(client)
        refused = client.post(
            f"/ui/requests/{x.request_id}/provider-orders", data={"csrf_token": token, **fields()}
        )
        assert refused.status_code == 404
    with signed_in(x.vnm, "an", enter=False) as client:
        page = client.get(f"/ui/requests/{x.request_id}")
        assert FORM not in page.text
        token = csrf(client)
        refused = client.post(
            f"/ui/requests/{x.request_id}/provider-orders", data={"csrf_token": token, **fields()}
        )
        assert refused.status_code == 404  # a role that never orders: no such page
    assert x.vnm.provider_orders.orders(x.officer, x.request_id) == []


def test_a_provider_that_refuses_shows_its_reason(rejecting: Execution) -> None:
    x = rejecting
    on_the_case(x)
    with signed_in(x.vnm, "hoa", enter=False) as client:
        answer = post(client, x, fields())
        assert answer.status_code == 303, answer.text
        shown = client.get(f"/ui/requests/{x.request_id}")
        assert "no such account" in shown.text
        assert "vnm-sim did not accept the order" in shown.text
        orders = shown.text.split('class="provider-orders-list"', 1)[1].split("</table>", 1)[0]
        assert "Rejected by the provider" in orders
        # The provider's ErrorInformation: its code and its reason, in the list.
        assert f'Code {E_REJECTED}: <span lang="en" dir="auto">no such account</span>' in orders


def test_a_provider_that_cannot_be_reached_is_a_sentence_not_a_500(run: Execution) -> None:
    x = run
    on_the_case(x)

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    x.transport.handler = down
    with signed_in(x.vnm, "hoa", enter=False) as client:
        answer = post(client, x, fields())
        assert answer.status_code == 502
        assert "could not be reached" in answer.text
        assert "VNM-PO-2026-42" in answer.text


def test_no_form_on_the_requesting_side(run: Execution) -> None:
    x = run
    x.egy.accounts.add_user(name="rania", role=Role.OFFICER, password=PASSWORD)
    x.egy.cooperation.assign(x.egy.accounts.named("amira"), x.request_id, "rania")
    with signed_in(x.egy, "rania", enter=False) as client:
        page = client.get(f"/ui/requests/{x.request_id}")
        assert page.status_code == 200
        assert FORM not in page.text
        refused = post(client, x, fields())
        assert refused.status_code == 404  # the service's refusal, as the UI shows it
    assert x.vnm.provider_orders.orders(x.officer, x.request_id) == []
