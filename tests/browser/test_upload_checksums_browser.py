"""The upload page's checksums in a real Chromium (issue 13, finding 4).

- The page's own incremental SHA-256 (static/sha256.js) agrees with Python's hashlib on
  inputs around the 64-byte block and fed in uneven pieces.
- An upload of several PATCHes, of a file whose size is not a multiple of 64 bytes,
  announces the file's SHA-256 in its ``sha256`` metadata before the first byte and sends
  ``Upload-Checksum`` with every PATCH, each matching the bytes it carries. A 409 from
  the node (another request still holds the upload) is answered by asking the offset
  (HEAD) and going on from there.
- A second tab with the same file does not upload it at the same time (Web Locks).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from hanoi.evidence import tus
from support_evidence_browser import Desk, fill_evidence_form, log_in, wait_for

pytestmark = pytest.mark.slow

MIB = 1024 * 1024

HASH_IN_PIECES = """([encoded, pieces]) => {
  const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  const hash = new HanoiSha256();
  let at = 0;
  for (const n of pieces) {
    hash.update(bytes.subarray(at, at + n));
    at += n;
  }
  hash.update(bytes.subarray(at));
  return hash.hex();
}"""


def _upload_page(page: Page, desk: Desk) -> None:
    log_in(page, desk.base_url)
    page.goto(f"{desk.base_url}/ui/requests/{desk.request_id}/evidence")
    expect(page.locator("#upload-box")).to_be_visible()


def test_the_pages_sha256_agrees_with_hashlib(chromium: Browser, desk: Desk) -> None:
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    _upload_page(page, desk)
    sizes = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 3 * 65536 + 37]
    for size in sizes:
        data = os.urandom(size)
        encoded = base64.b64encode(data).decode()
        for pieces in ([], [1, 62, 3, 64, 65, 7, 100], [size // 2], [64] * (size // 64)):
            got = page.evaluate(HASH_IN_PIECES, [encoded, pieces])
            assert got == hashlib.sha256(data).hexdigest(), (size, pieces)
    context.close()


def test_every_upload_announces_its_digest_and_checks_every_patch(
    chromium: Browser,
    desk: Desk,
    tmp_path: Path,
) -> None:
    data = os.urandom(3 * MIB + 37)  # four PATCHes of 1 MiB at most; 37 is not 64's multiple
    digest = hashlib.sha256(data).hexdigest()
    file = tmp_path / "traffic-data.pcap"
    file.write_bytes(data)
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    _upload_page(page, desk)
    calls: list[tuple[str, dict[str, str], bytes | None]] = []
    busy_once = {MIB}

    def wire(route: Route) -> None:
        request = route.request
        calls.append((request.method, request.headers, request.post_data_buffer))
        offset = request.headers.get("upload-offset")
        if request.method == "PATCH" and offset is not None and int(offset) in busy_once:
            busy_once.discard(int(offset))
            route.fulfill(  # as the node answers while another request holds the lease
                status=409,
                headers={"Tus-Resumable": "1.0.0", "Content-Type": "application/problem+json"},
                body='{"status": 409, "title": "Upload busy"}',
            )
        else:
            route.continue_()

    page.route("**/ui/uploads**", wire)
    page.evaluate(
        """() => {
          const status = document.getElementById("upload-status");
          new MutationObserver(() => {
            const seen = JSON.parse(sessionStorage.getItem("said") || "[]");
            seen.push(status.textContent);
            sessionStorage.setItem("said", JSON.stringify(seen));
          }).observe(status, { childList: true, characterData: true, subtree: true });
        }"""
    )
    fill_evidence_form(page, file)
    with page.expect_navigation(url=f"**/ui/requests/{desk.request_id}", timeout=60_000):
        page.locator("#upload-start").click()

    said = page.evaluate("() => JSON.parse(sessionStorage.getItem('said') || '[]')")
    assert any(text.startswith("Checking the file") for text in said), said
    assert said.index(next(t for t in said if t.startswith("Checking the file"))) < next(
        i for i, t in enumerate(said) if " of " in t
    ), "the file is checked before it is sent"

    methods = [method for method, _, _ in calls]
    assert methods[0] == "POST"
    created = tus.parse_metadata(calls[0][1]["upload-metadata"])
    assert created["sha256"] == digest
    assert created["filename"] == "traffic-data.pcap"
    patches = [(headers, body) for method, headers, body in calls if method == "PATCH"]
    offsets = [int(headers["upload-offset"]) for headers, _ in patches]
    assert offsets == [0, MIB, MIB, 2 * MIB, 3 * MIB]
    refused = methods.index("PATCH", methods.index("PATCH") + 2)  # the PATCH after the 409
    assert methods[refused - 1] == "HEAD"  # it asked the node's offset first
    for headers, body in patches:
        assert body is not None
        offset = int(headers["upload-offset"])
        assert body == data[offset : offset + MIB]
        expected = base64.b64encode(hashlib.sha256(body).digest()).decode()
        assert headers["upload-checksum"] == f"sha256 {expected}"

    page.goto(f"{desk.base_url}/ui/requests/{desk.request_id}/evidence")
    expect(page.locator("table.evidence-items")).to_contain_text(digest)
    context.close()


def test_two_tabs_never_upload_the_same_file_at_once(
    chromium: Browser,
    desk: Desk,
    tmp_path: Path,
) -> None:
    file = tmp_path / "mailbox-copy.mbox"
    file.write_bytes(os.urandom(2 * MIB + 5))
    context = chromium.new_context(locale="en-GB")
    first, second = context.new_page(), context.new_page()
    held: list[Route] = []
    second_calls: list[str] = []
    _upload_page(first, desk)
    first.route("**/ui/uploads/*", lambda route: held.append(route))  # hang the PATCHes
    fill_evidence_form(first, file)
    first.locator("#upload-start").click()
    wait_for(first, lambda: held, "the first tab's first PATCH")

    second.goto(f"{desk.base_url}/ui/requests/{desk.request_id}/evidence")

    def count(route: Route) -> None:
        second_calls.append(route.request.method)
        route.continue_()

    second.route("**/ui/uploads**", count)
    fill_evidence_form(second, file)
    second.locator("#upload-start").click()
    expect(second.locator("#upload-status")).to_have_text(
        "This file is being uploaded in another tab or window. "
        "Continue there, or close it and try again."
    )
    assert second_calls == []  # it created no upload and sent nothing
    expect(second.locator("#upload-start")).to_be_visible()
    context.close()
