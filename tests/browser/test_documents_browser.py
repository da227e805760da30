"""A document added to a draft in a real Chromium: the draft page's documents form checks
the file, uploads it with upload.js (the evidence page's tus client) and adds it with its
kind and title; the page comes back with the confirmation and the document listed with its
SHA-256, and the request page (in Arabic) lists it with a download link. Full-page
screenshots in English and Arabic land in test-output/screenshots/.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from support_a11y import check_accessible
from support_evidence_browser import Desk, log_in

pytestmark = pytest.mark.slow


def test_a_warrant_is_uploaded_and_added_to_a_draft(
    chromium: Browser,
    desk: Desk,
    screenshots: Path,
    tmp_path: Path,
) -> None:
    data = b"%PDF-1.7\n" + os.urandom(3 * 1024 * 1024)
    file = tmp_path / "warrant-12-2026.pdf"
    file.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, desk.base_url)
    edit = f"{desk.base_url}/ui/requests/{desk.request_id}/edit"
    page.goto(edit)
    expect(page.locator("#documents-heading")).to_contain_text("Documents")
    expect(page.locator("#upload-box")).to_be_visible()  # the script runs (CSP connect-src)
    check_accessible(page)

    page.evaluate("document.getElementById('documents-form').dataset.chunkSize = '1048576'")
    page.locator("#field-file").set_input_files(str(file))
    page.locator("#field-document_kind").select_option("warrant")
    page.locator("#field-title").fill("Search warrant no. 12/2026")
    with page.expect_navigation(url=f"**/ui/requests/{desk.request_id}/edit", timeout=60_000):
        page.locator("#upload-start").click()
    expect(page.locator(".flash")).to_contain_text("Document added: Search warrant no. 12/2026.")
    listed = page.locator("table.documents-list")
    expect(listed).to_contain_text("Search warrant no. 12/2026")
    expect(listed).to_contain_text("Warrant")
    expect(listed).to_contain_text(digest)
    check_accessible(page)
    page.screenshot(path=screenshots / "documents-draft-en.png", full_page=True)

    # The request page, in Arabic, lists it with a link that downloads the same bytes.
    page.locator("#language-select").select_option("ar")
    page.locator("form.language button").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto(f"{desk.base_url}/ui/requests/{desk.request_id}")
    link = page.locator("table.documents-list a[download]")
    expect(link).to_have_count(1)
    check_accessible(page)
    page.screenshot(path=screenshots / "documents-request-ar.png", full_page=True)
    with page.expect_download() as waiting:
        link.click()
    downloaded = Path(waiting.value.path())
    assert hashlib.sha256(downloaded.read_bytes()).hexdigest() == digest
    context.close()
