"""The request page shows the requested State's case team the orders sent to providers for
the request, with their status, the provider's reason and their deliveries; in every
language, and to nobody off the case or on the requesting side."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from hanoi.accounts.model import Role
from hanoi.providers.orders import OrderInput
from hanoi.sandbox.provider_sim import SimSettings
from support_nodes import T0
from support_provider_orders import Execution, executing
from support_ui import PASSWORD, signed_in


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Execution]:
    yield from executing(tmp_path, None, None, sim=SimSettings(delay=0))


def order(provider_id: str = "vnm-sim") -> OrderInput:
    return OrderInput(
        provider_id=provider_id,
        identifiers=(("EmailAddress", "suspect@example.vn"),),
        deadline=T0 + timedelta(days=10),
        domestic_reference="VNM-PO-2026-19",
        legal_basis="Criminal Procedure Code",
        order_document=b"order",
        order_media_type="text/plain",
    )


def test_the_case_team_sees_orders_and_their_deliveries(run: Execution) -> None:
    x = run
    made = x.vnm.provider_orders.issue(x.officer, x.request_id, order())
    x.simulator.raise_notification(
        made.task_id,
        "The account is held by a diplomatic mission.",
        notification_type=("UN", "RefusalGround", "essential-interests"),
    )
    x.later()
    x.vnm.provider_orders.poll(x.officer, x.request_id, made.id)
    x.vnm.custody.sequence()  # the order's custody events join the request's timeline
    x.vnm.accounts.add_user(name="hoa", role=Role.OFFICER, password=PASSWORD)
    x.vnm.cooperation.assign(x.officer, x.request_id, "hoa")
    x.vnm.accounts.add_user(name="binh", role=Role.OFFICER, password=PASSWORD)
    with signed_in(x.vnm, "hoa", enter=False) as client:
        page = client.get(f"/ui/requests/{x.request_id}")
        assert page.status_code == 200
        assert 'id="provider-orders"' in page.text
        assert "VNM-PO-2026-19" in page.text
        assert "Disclosed" in page.text
        assert "2 taken as evidence, 0 refused" in page.text
        # The provider's notifications: its ground under the Convention by its label,
        # its words as written, and ETSI's General notification of the disclosure.
        notes = page.text.split('class="provider-notifications"', 1)[1].split("</ul>", 1)[0]
        assert "The account is held by a diplomatic mission." in notes
        assert "The data are disclosed in 2 deliveries." in notes
        assert "<strong>" in notes
        assert "General" not in notes
        # The request's custody timeline names each step of the order.
        for step in (
            "Order to a service provider: Order sent to the provider",
            "Order to a service provider: The provider's status changed",
            "Order to a service provider: Notification from the provider",
        ):
            assert step in page.text, step
        french = client.get(f"/ui/requests/{x.request_id}", headers={"Accept-Language": "fr"})
        assert "Ordres aux fournisseurs de services" in french.text
        assert "Communiqué" in french.text
    with signed_in(x.vnm, "binh", enter=False) as client:
        assert client.get(f"/ui/requests/{x.request_id}").status_code == 404
