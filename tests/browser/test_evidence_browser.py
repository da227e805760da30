"""Evidence upload in a real Chromium: a file of a few MiB goes to the node in 1 MiB tus
PATCHes with a live progress bar; one PATCH is cut off and the upload goes on from the
node's offset; the page is paused and reloaded (in Arabic) and the upload resumes from the
node's offset again, not from 0; then the form records the item, and the request's evidence
shows its SHA-256. Full-page screenshots of the upload page in English and Arabic land in
test-output/screenshots/.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route, expect

from support_a11y import check_accessible
from support_evidence_browser import Desk, fill_evidence_form, log_in, wait_for

pytestmark = pytest.mark.slow

MIB = 1024 * 1024
SIZE = 5 * MIB + 123


@dataclass
class Wire:
    """What the page sends to /ui/uploads, with one PATCH cut off and some held back."""

    calls: list[tuple[str, int | None]] = field(default_factory=list)
    cut_at: int | None = None
    hold_at: set[int] = field(default_factory=set)
    held: list[Route] = field(default_factory=list)

    def __call__(self, route: Route) -> None:
        request = route.request
        offset = request.headers.get("upload-offset")
        at = int(offset) if offset is not None and request.method == "PATCH" else None
        self.calls.append((request.method, at))
        if at is not None and at == self.cut_at:
            self.cut_at = None
            route.abort("connectionreset")  # the connection drops during this PATCH
        elif at is not None and at in self.hold_at:
            self.hold_at.discard(at)
            self.held.append(route)  # answered later, or never
        else:
            route.continue_()

    def patches(self) -> list[int]:
        return [at for method, at in self.calls if method == "PATCH" and at is not None]


def test_an_upload_survives_a_dropped_connection_and_a_reload(
    chromium: Browser, desk: Desk, screenshots: Path, tmp_path: Path
) -> None:
    data = os.urandom(SIZE)
    file = tmp_path / "mailbox.mbox"
    file.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, desk.base_url)
    upload_page = f"{desk.base_url}/ui/requests/{desk.request_id}/evidence"
    page.goto(upload_page)
    expect(page.locator("h1")).to_have_text("Add evidence")
    expect(page.locator("#upload-box")).to_be_visible()  # the script is running (CSP 'self')
    expect(page.get_by_label("Upload progress")).to_have_js_property("value", 0)

    # One PATCH is cut off: the script asks the node its offset and goes on from there.
    wire = Wire(cut_at=2 * MIB, hold_at={4 * MIB})
    page.route("**/ui/uploads**", wire)
    fill_evidence_form(page, file)
    page.locator("#upload-start").click()
    wait_for(page, lambda: wire.held, "the PATCH at 4 MiB")
    assert wire.patches() == [0, MIB, 2 * MIB, 2 * MIB, 3 * MIB, 4 * MIB]
    after_cut = wire.calls[wire.calls.index(("PATCH", 2 * MIB)) + 1]
    assert after_cut == ("HEAD", None)  # it asked where the node was: not from 0
    expect(page.locator("#upload-status")).to_contain_text("%")
    expect(page.locator("#upload-status")).to_contain_text("MB of 5.2 MB")

    # Pause, while the PATCH at 4 MiB hangs: the node keeps the 4 MiB it has.
    page.locator("#upload-pause").click()
    expect(page.locator("#upload-pause")).to_have_text("Resume")
    expect(page.locator("#upload-pause")).to_be_focused()
    expect(page.locator("#upload-start")).to_be_hidden()
    expect(page.locator("#upload-status")).to_have_text("Paused at 4.2 MB of 5.2 MB.")
    value = page.locator("#upload-progress").evaluate("bar => bar.value")
    assert 75 < value < 85
    # Kept for a resume: the upload's URL and the file's SHA-256, so it is not hashed again.
    kept = page.evaluate(
        """() => Object.keys(localStorage).filter((k) => k.startsWith("hanoi.upload:"))
                   .map((k) => JSON.parse(localStorage.getItem(k)))"""
    )
    assert [entry["sha256"] for entry in kept] == [digest]
    assert kept[0]["url"].startswith("/ui/uploads/")
    check_accessible(page)
    page.screenshot(path=screenshots / "evidence-upload-en.png", full_page=True)
    for hanging in wire.held:
        with contextlib.suppress(Exception):  # the page cancelled it already
            hanging.abort()

    # A reload (in Arabic): the same file again, and the upload resumes from 4 MiB.
    page.locator("#language-select").select_option("ar")
    page.locator("form.language button").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    wire.calls.clear()
    wire.hold_at = {4 * MIB}
    wire.held = []
    fill_evidence_form(page, file)
    page.locator("#upload-start").click()
    wait_for(page, lambda: wire.held, "the PATCH at 4 MiB after the reload")
    assert wire.calls == [("HEAD", None), ("PATCH", 4 * MIB)]  # no new upload, not from 0
    expect(page.locator("#upload-status")).not_to_be_empty()
    brand = page.locator(".brand-name").bounding_box()
    description = page.locator("#field-description").bounding_box()
    assert brand is not None
    assert description is not None
    assert brand["x"] > 640  # mirrored: the brand sits at the right edge
    assert description["x"] > 640  # and the form's fields start from the right
    check_accessible(page)
    page.screenshot(path=screenshots / "evidence-upload-ar.png", full_page=True)

    # Let it finish. The page notes what its progress bar and status said (sessionStorage
    # outlives the page, which leaves as soon as the form is sent).
    page.evaluate(
        """() => {
          const bar = document.getElementById("upload-progress");
          const status = document.getElementById("upload-status");
          new MutationObserver((records) => {
            const seen = JSON.parse(sessionStorage.getItem("seen") || "[]");
            for (const record of records) {
              const text = Array.from(record.addedNodes, (n) => n.textContent).join("");
              seen.push([bar.value, text, document.getElementById("field-upload_id").value]);
            }
            sessionStorage.setItem("seen", JSON.stringify(seen));
          }).observe(status, { childList: true, characterData: true, subtree: true });
        }"""
    )
    [held] = wire.held
    with page.expect_navigation(url=f"**/ui/requests/{desk.request_id}"):
        held.continue_()
    assert wire.patches() == [4 * MIB, 5 * MIB]
    seen = page.evaluate("() => JSON.parse(sessionStorage.getItem('seen') || '[]')")
    assert seen, "the status never changed"
    assert seen[-1][0] == 100  # the bar reached 100%
    assert any("100" in text for _, text, _ in seen)  # and its text said so
    assert len(seen[-1][2]) == 32  # the upload id went into the form

    # The request's evidence lists the item with the SHA-256 of the file.
    page.goto(upload_page)
    expect(page.locator("table.evidence-items")).to_contain_text(digest)
    expect(page.locator("table.evidence-items")).to_contain_text("mailbox.mbox")
    expect(page.locator("table.evidence-items")).to_contain_text(
        "Mailbox of the suspect, January 2026"
    )
    context.close()
