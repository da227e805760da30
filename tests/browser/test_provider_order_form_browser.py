"""The form that orders a service provider, on a request's page in a real Chromium served
by ``hanoi serve``: an officer on the case sees it, a missing field is shown beside it, in
English and in Arabic (right to left, the identifiers box left to right); and an order
already answered, with the provider's notifications. Screenshots land in
test-output/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from conftest import serving
from hanoi.accounts.model import Role
from hanoi.providers.orders import OrderInput
from support_a11y import check_accessible
from support_nodes import T0
from support_provider_orders import executing
from support_ui import PASSWORD, sign_in_page

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Served:
    base_url: str
    request_id: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("browser-provider-orders")
    run = executing(folder, None, None)
    x = next(run)
    x.vnm.accounts.add_user(name="hoa", role=Role.OFFICER, password=PASSWORD)
    x.vnm.cooperation.assign(x.officer, x.request_id, "hoa")
    request_id = x.request_id
    made = x.vnm.provider_orders.issue(
        x.officer,
        request_id,
        OrderInput(
            provider_id="vnm-sim",
            identifiers=(("EmailAddress", "suspect@example.vn"),),
            deadline=T0 + timedelta(days=10),
            domestic_reference="VNM-PO-2026-41",
            legal_basis="Criminal Procedure Code, Art. 196",
            order_document=b"%PDF-1.4 order",
        ),
    )
    x.simulator.raise_notification(
        made.task_id,
        "The account is held by a diplomatic mission.",
        notification_type=("UN", "RefusalGround", "essential-interests"),
    )
    x.later()
    x.vnm.provider_orders.poll(x.officer, request_id, made.id)
    run.close()  # the nodes are closed: the served one opens its folder afresh
    with serving(folder / "vnm") as server:
        yield Served(base_url=server.url, request_id=request_id)


def test_the_order_form_in_english_and_in_arabic(
    chromium: Browser, served: Served, screenshots: Path
) -> None:
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_page(page, served.base_url, "hoa")
    page.goto(f"{served.base_url}/ui/requests/{served.request_id}#provider-order-form")
    form = page.locator("#provider-order-form")
    expect(form).to_be_visible()
    page.get_by_label("Provider", exact=True).select_option("vnm-sim")
    page.get_by_label("Identifiers", exact=True).fill("EmailAddress=suspect@example.vn")
    page.get_by_label("Deadline (date, UTC)", exact=True).fill("2026-12-31")
    page.get_by_label("Reference of the domestic order", exact=True).fill("VNM-PO-2026-42")
    page.get_by_label("Signed domestic order", exact=True).set_input_files(
        files=[{"name": "order.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
    )
    page.evaluate("document.getElementById('provider-order-form').noValidate = true")
    page.get_by_role("button", name="Send the order to the provider").click()
    expect(page.locator("#field-legal_basis-error")).to_be_visible()
    expect(page.get_by_label("Reference of the domestic order", exact=True)).to_have_value(
        "VNM-PO-2026-42"
    )
    check_accessible(page)
    form.screenshot(path=screenshots / "provider-order-form-en.png")

    page.locator("#language-select").select_option("ar")
    page.locator("form.language button").click()
    page.wait_for_load_state()
    page.goto(f"{served.base_url}/ui/requests/{served.request_id}#provider-order-form")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("#field-provider_id").select_option("vnm-sim")
    page.locator("#field-identifiers").fill("EmailAddress=suspect@example.vn")
    page.locator("#field-deadline").fill("2026-12-31")
    page.locator("#field-domestic_reference").fill("VNM-PO-2026-42")
    page.evaluate("document.getElementById('provider-order-form').noValidate = true")
    page.locator("#provider-order-form button[type=submit]").click()
    expect(page.locator("#field-legal_basis-error")).to_be_visible()
    expect(page.locator("#field-identifiers")).to_have_css("direction", "ltr")
    check_accessible(page)
    page.locator("#provider-order-form").screenshot(path=screenshots / "provider-order-form-ar.png")
    context.close()


def test_an_answered_order_shows_the_providers_notifications(
    chromium: Browser, served: Served, screenshots: Path
) -> None:
    for language, direction, ground in (  # the ground for refusal, by its label
        ("en-GB", "ltr", "other essential interests of the requested State"),
        ("ar", "rtl", "مصالحها الأساسية"),
    ):
        context = chromium.new_context(locale=language, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        sign_in_page(page, served.base_url, "hoa")
        page.goto(f"{served.base_url}/ui/requests/{served.request_id}#provider-orders")
        expect(page.locator("html")).to_have_attribute("dir", direction)
        notes = page.locator(".provider-notifications li")
        expect(notes).to_have_count(2)
        refusal = notes.filter(has_text="The account is held by a diplomatic mission.")
        expect(refusal.locator("strong")).to_contain_text(ground)
        general = notes.filter(has_text="The data are disclosed in 2 deliveries.")
        expect(general.locator("strong")).to_have_count(0)
        check_accessible(page)
        name = "en" if direction == "ltr" else "ar"
        page.locator("table.provider-orders-list").screenshot(
            path=screenshots / f"provider-order-notifications-{name}.png"
        )
        context.close()
