"""A request's life in a real Chromium: an officer drafts it from the catalogue's form and
sees what it lacks, a supervisor approves and sends it; the request page in English and
Arabic. Full-page screenshots land in test-output/screenshots/ for a person to look at.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import HANOI, free_port, run_hanoi, start_server

pytestmark = pytest.mark.slow

PASSWORD = "a long and secret passphrase"
KIND = "spontaneous-information"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``hanoi serve`` for a node of Egypt with an officer and a supervisor."""
    folder = tmp_path_factory.mktemp("browser-requests") / "egy"
    made = run_hanoi("node", "init", "--dir", str(folder), "--state", "EGY", "--name", "EGY CA")
    assert made.returncode == 0, made.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANOI_")}
    for name, role in (("amira.hassan", "officer"), ("samir.adel", "supervisor")):
        added = subprocess.run(
            [HANOI, "user", "add", name, "--role", role, "--dir", str(folder), "--password-stdin"],
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert added.returncode == 0, added.stderr
    port = free_port()
    process = start_server(folder, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
    page.screenshot(path=screenshots / "request-draft-findings-en.png", full_page=True)

    page.locator("#item-information").fill("Servers in Lyon host a phishing kit.")
    page.locator("#item-expected-assistance").fill("Open an investigation.")
    page.locator("#item-confidentiality-required-1").check()
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("has everything the Convention requires")).to_be_visible()
    page.get_by_role("link", name="Go to the request page").click()
    page.get_by_label("Add a colleague to the case").fill("samir.adel")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#team-heading + ul")).to_contain_text("samir.adel")
    page.get_by_role("button", name="Sign out").click()

    # The supervisor finds it in the outbox, approves and sends it.
    _log_in(page, desk, "samir.adel")
    page.get_by_role("link", name="Outbox", exact=True).click()
    page.locator("table tbody a").first.click()
    page.locator("#step-approve").get_by_role("button", name="Approve").click()
    page.locator("#step-send").get_by_role("button", name="Send").click()
    expect(page.locator(".lead .status")).to_have_text("Sent")
    expect(page.locator(".conditions")).to_contain_text("Confidential")
    expect(page.locator("#step-withdraw")).to_be_visible()
    page.reload()  # the custody log is sequenced in the background
    expect(page.locator("table").nth(1)).to_contain_text("Send")
    page.screenshot(path=screenshots / "request-en.png", full_page=True)

    page.locator("#language-select").select_option("ar")
    page.locator("form.language button").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".lead .status")).to_have_text("مُرسل")
    brand = page.locator(".brand-name").bounding_box()
    assert brand is not None
    assert brand["x"] > 640  # mirrored: the brand sits at the right edge
    page.screenshot(path=screenshots / "request-ar.png", full_page=True)
    context.close()
