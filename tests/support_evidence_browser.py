"""The evidence upload page in a real Chromium: the ``desk`` fixture's value (the fixture,
``hanoi serve`` for a node with a draft request, is in browser/conftest.py), signing in,
filling in the upload form, and waiting on the page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect

PASSWORD = "a long and secret passphrase"
KIND = "mla-stored-data"


@dataclass(frozen=True)
class Desk:
    base_url: str
    request_id: str


def log_in(page: Page, base_url: str) -> None:
    """Sign in as amira.hassan, the officer who drafted the request."""
    page.goto(f"{base_url}/ui/login")
    page.get_by_label("User name").fill("amira.hassan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_contain_text("Welcome")


def fill_evidence_form(page: Page, file: Path) -> None:
    """The form, by field id (the labels are in the page's language)."""
    page.evaluate("document.getElementById('evidence-form').dataset.chunkSize = String(1048576)")
    page.locator("#field-file").set_input_files(str(file))
    page.locator("#field-description").fill("Mailbox of the suspect, January 2026")
    page.locator("#field-source_kind").select_option("provider")
    page.locator("#field-source").fill("Example Mail Ltd")
    page.locator("#field-method").fill("Production order of 2 March 2026")
    page.locator("#field-acquired_at").fill("2026-03-01T10:30")


def wait_for(page: Page, condition: object, what: str, timeout_ms: int = 30_000) -> None:
    waited = 0
    while not (condition() if callable(condition) else condition):
        if waited > timeout_ms:
            status = page.locator("#upload-status").text_content()
            raise AssertionError(f"timed out waiting for {what}; the page says {status!r}")
        page.wait_for_timeout(50)
        waited += 50
