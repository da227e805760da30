"""A request's life in a real Chromium: an officer drafts it from the catalogue's form and
sees what it lacks, a supervisor approves and sends it; the request page in English and
Arabic. Then the directory and alerts pages of a node that holds a signed directory and
whose witness caught a split view. Full-page screenshots land in test-output/screenshots/
for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import serving
from hanoi.accounts.model import Role
from hanoi.settings import load_settings
from hanoi.wiring import open_node
from support_a11y import check_accessible
from support_custody import split_view
from support_directory import import_directory
from support_nodes import build_node

pytestmark = pytest.mark.slow

PASSWORD = "a long and secret passphrase"
KIND = "spontaneous-information"


def _node(folder: Path, state: str, users: tuple[tuple[str, str], ...]) -> None:
    node = build_node(folder, state, name=f"{state} CA")
    try:
        for name, role in users:
            node.accounts.add_user(name=name, role=Role(role), password=PASSWORD)
    finally:
        node.close()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``hanoi serve`` for a node of Egypt with an officer and a supervisor."""
    folder = tmp_path_factory.mktemp("browser-requests") / "egy"
    _node(folder, "EGY", (("amira.hassan", "officer"), ("samir.adel", "supervisor")))
    with serving(folder) as server:
        yield server.url


def _log_in(page: Page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/ui/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_contain_text("Welcome")


def test_a_request_is_drafted_approved_and_sent(
    chromium: Browser, desk: str, screenshots: Path
) -> None:
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _log_in(page, desk, "amira.hassan")

    # The officer drafts from the menu; a missing item comes back with its article.
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="New request").click()
    page.locator(f'a[href="/ui/requests/new?kind={KIND}"]').click()
    page.get_by_label("Requested State").fill("FRA")
    page.locator("#item-transmitting-authority").fill("Public Prosecution of Egypt")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("status")).to_have_text("The draft is saved.")
    expect(page.locator("#item-information-error")).to_contain_text("required (Art.")
    expect(page.locator("#item-transmitting-authority")).to_have_value(
        "Public Prosecution of Egypt"
    )
    check_accessible(page)
    page.screenshot(path=screenshots / "request-draft-findings-en.png", full_page=True)

    page.locator("#item-information").fill("Servers in Lyon host a phishing kit.")
    page.locator("#item-expected-assistance").fill("Open an investigation.")
    page.locator("#item-confidentiality-required-1").check()
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("has everything the Convention requires")).to_be_visible()
    page.get_by_role("link", name="Go to the request page").click()
    # An officer is never offered "Approve": the primary step hands the draft over.
    expect(page.locator("#step-approve")).to_have_count(0)
    expect(page.locator("#step-submit button.primary")).to_be_visible()
    page.locator("#step-submit").get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#flashes")).to_contain_text("Submitted for approval.")
    expect(page.locator(".lead .status")).to_have_text("Awaiting approval")
    page.get_by_role("button", name="Sign out").click()

    # The supervisor finds it in the queue on the home page, approves and sends it.
    _log_in(page, desk, "samir.adel")
    queue = page.locator("#queue-drafts-awaiting-approval")
    expect(queue.locator(".badge")).to_have_text("1")
    check_accessible(page)
    page.screenshot(path=screenshots / "home-queues-en.png", full_page=True)
    queue.locator("ul a").first.click()
    expect(page.locator("#step-approve button.primary")).to_be_visible()
    page.locator("#step-approve").get_by_role("button", name="Approve").click()
    expect(page.locator("#flashes")).to_contain_text("Approved. The next step is to send it.")
    expect(page.locator("#step-send button.primary")).to_be_visible()
    page.locator("#step-send").get_by_role("button", name="Send").click()
    expect(page.locator("#flashes")).to_contain_text("Sent to France.")
    expect(page.locator(".lead .status")).to_have_text("Sent")
    expect(page.locator(".conditions")).to_contain_text("Confidential")
    expect(page.locator("#step-withdraw")).to_be_visible()
    page.reload()  # the custody log is sequenced in the background
    expect(page.locator("table:has(#custody-caption)")).to_contain_text("Send")
    check_accessible(page)
    page.screenshot(path=screenshots / "request-en.png", full_page=True)

    page.locator("#language-select").select_option("ar")
    page.locator("form.language button").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".lead .status")).to_have_text("مُرسل")
    brand = page.locator(".brand-name").bounding_box()
    assert brand is not None
    assert brand["x"] > 640  # mirrored: the brand sits at the right edge
    check_accessible(page)
    page.screenshot(path=screenshots / "request-ar.png", full_page=True)
    context.close()


@pytest.fixture(scope="module")
def federated_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``hanoi serve`` for a node of Egypt that holds a directory of Egypt, Viet Nam and
    France, and whose witness caught Viet Nam's custody log showing two histories."""
    root = tmp_path_factory.mktemp("browser-directory")
    for state in ("EGY", "VNM", "FRA"):
        users = (("amira.hassan", "officer"),) if state == "EGY" else ()
        _node(root / state.lower(), state, users)
    nodes = [open_node(load_settings(root / s)) for s in ("egy", "vnm", "fra")]
    try:
        egy, vnm, _ = nodes
        import_directory(nodes, into=[egy], clock=egy.clock)
        split_view(vnm, egy)
    finally:
        for node in nodes:
            node.engine.dispose()
    with serving(root / "egy") as server:
        yield server.url


def _in_arabic(page: Page) -> None:
    page.locator("#language-select").select_option("ar")
    page.locator("form.language button").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    brand = page.locator(".brand-name").bounding_box()
    assert brand is not None
    assert brand["x"] > 640  # mirrored: the brand sits at the right edge


def test_the_directory_and_the_alerts_in_english_and_arabic(
    chromium: Browser, federated_desk: str, screenshots: Path
) -> None:
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _log_in(page, federated_desk, "amira.hassan")
    menu = page.get_by_role("navigation", name="Main menu")

    menu.get_by_role("link", name="Directory").click()
    expect(page.locator("h1")).to_have_text("Directory of States")
    table = page.get_by_role("table", name="3 of 3 States")
    expect(table).to_contain_text("Ministry of Justice of VNM")
    expect(table).to_contain_text("Vietnamese and English")
    page.get_by_label("Language of requests").select_option("fr")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("table", name="1 of 3 States")).to_contain_text("France")
    page.get_by_role("link", name="Show all States").click()
    check_accessible(page)
    page.screenshot(path=screenshots / "directory-en.png", full_page=True)

    menu.get_by_role("link", name="Alerts").click()
    logs = page.get_by_role("table", name="Custody logs: split views and other misbehaviour")
    expect(logs).to_contain_text("Split view")
    expect(logs.get_by_role("link", name="Viet Nam")).to_have_attribute(
        "href", "/ui/directory?state=VNM"
    )
    check_accessible(page)
    page.screenshot(path=screenshots / "alerts-en.png", full_page=True)

    _in_arabic(page)
    expect(page.locator("h1")).not_to_have_text("Alerts")
    check_accessible(page)
    page.screenshot(path=screenshots / "alerts-ar.png", full_page=True)
    page.goto(f"{federated_desk}/ui/directory")
    expect(page.locator("table")).to_contain_text("مصر")
    expect(page.locator("table")).to_contain_text("المادة 40(13)")
    check_accessible(page)
    page.screenshot(path=screenshots / "directory-ar.png", full_page=True)
    context.close()
