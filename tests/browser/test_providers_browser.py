"""The provider directory in a real Chromium, served by ``hanoi serve``: an administrator
adds a provider by pasting its PEMs into the form, finds it by its certificate's
fingerprint, disables it; the pages pass the accessibility checks in English and in Arabic
(right to left, the PEM boxes and addresses left to right). Screenshots land in
test-output/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from playwright.sync_api import Browser, expect

from conftest import serving
from hanoi.accounts.model import Role
from support_a11y import check_accessible
from support_nodes import build_node
from support_providers import Pki, make_pki
from support_ui import PASSWORD, sign_in_page

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Served:
    base_url: str
    pki: Pki


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("browser-providers") / "vnm"
    node = build_node(folder, "VNM")
    node.accounts.add_user(name="admin", role=Role.ADMINISTRATOR, password=PASSWORD)
    node.close()
    with serving(folder) as server:
        yield Served(base_url=server.url, pki=make_pki(start=datetime.now(UTC)))


def test_an_administrator_adds_a_provider_in_english_and_reads_it_in_arabic(
    chromium: Browser, served: Served, screenshots: Path
) -> None:
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_page(page, served.base_url, "admin")
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Service providers"
    ).click()
    expect(page.locator("h1")).to_have_text("Service providers")
    page.get_by_role("link", name="Add a provider").click()
    check_accessible(page)
    page.get_by_label("Provider id").fill("vnm-telecom")
    page.get_by_label("Name").fill("Viet Nam Telecom")
    page.get_by_label("HI-1 endpoint").fill("https://hi1.telecom.example.vn/etsi")
    page.get_by_label("Country code").fill("VN")
    page.get_by_label("Unique identifier").fill("vnm-telecom-hi1")
    page.get_by_label("Client certificate chain (PEM)").fill(served.pki.client.pem)
    page.get_by_label("Private key (PEM)").fill(served.pki.client.key_pem)
    page.get_by_label("CA bundle (PEM)").fill("not a certificate")
    page.get_by_role("button", name="Add the provider").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_label("Private key (PEM)")).to_have_value("")  # never sent back
    check_accessible(page)
    page.get_by_label("CA bundle (PEM)").fill(served.pki.server_ca.pem)
    page.get_by_label("Private key (PEM)").fill(served.pki.client.key_pem)
    page.get_by_role("button", name="Add the provider").click()
    page.wait_for_url(f"{served.base_url}/ui/providers/vnm-telecom")
    expect(page.get_by_role("status").first).to_contain_text("Provider added: Viet Nam Telecom.")
    fingerprint = served.pki.client.certificate.fingerprint(hashes.SHA256()).hex()
    expect(page.get_by_text(fingerprint)).to_be_visible()
    assert served.pki.client.key_pem.splitlines()[1] not in page.content()
    check_accessible(page)
    page.screenshot(path=screenshots / "provider-en.png", full_page=True)

    page.get_by_role("button", name="Disable").click()
    expect(page.get_by_role("status").first).to_contain_text("Provider disabled")
    page.goto(f"{served.base_url}/ui/providers")
    expect(page.get_by_role("table", name="Providers this node orders")).to_contain_text("Disabled")

    page.locator("#language-select").select_option("ar")
    page.locator("form.language button").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("مقدمو الخدمات")
    endpoint = page.locator("bdi.endpoint").first
    expect(endpoint).to_have_css("direction", "ltr")
    check_accessible(page)
    page.screenshot(path=screenshots / "providers-ar.png", full_page=True)
    page.goto(f"{served.base_url}/ui/providers/vnm-telecom/edit")
    expect(page.locator("textarea.pem").first).to_have_css("direction", "ltr")
    check_accessible(page)
    page.screenshot(path=screenshots / "provider-form-ar.png", full_page=True)
    context.close()
