"""The journey of DESIGN.md through the real UI of two real nodes, in a real Chromium, in
English and in Arabic: Egypt's officer drafts a request for stored data from the
catalogue's form and sees what it lacks, fixes it; a supervisor approves and sends it
to Viet Nam; Viet Nam's central authority finds it in its inbox and decides on it;
evidence is uploaded there through the page's resumable upload, and sent back; Egypt
sees the package verified and exports the report for court.

Every step is taken through the pages (forms, links, buttons); the two nodes talk to
each other over HTTP on loopback. The selectors name ids and form fields, not visible
words, so the same journey runs in both languages; visible words are checked against
the language's own catalogue. Full-page screenshots land in test-output/screenshots/.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader

from conftest import free_port_run
from hanoi.clock import SystemClock
from hanoi.convention import Language
from hanoi.i18n.catalogues import translations
from hanoi.sandbox.nodes import Sandbox, SandboxNode, build_sandbox
from support_a11y import check_accessible

pytestmark = pytest.mark.slow

KIND = "mla-stored-data"
EVIDENCE = b"From: someone@example.invalid\nSubject: the phishing kit\n\n" * 40_000  # ~2 MiB


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """Egypt and Viet Nam as real nodes (own process, database, keys), one directory."""
    root = tmp_path_factory.mktemp("journey") / "sandbox"
    sandbox = build_sandbox(
        root, ["EGY", "VNM"], base_port=free_port_run(2), clock=SystemClock(), start=True
    )
    sandbox.start()
    yield sandbox
    sandbox.stop()


class Desk:
    """One person at one node's UI, in one language."""

    def __init__(self, context: BrowserContext, node: SandboxNode, language: str) -> None:
        self.page: Page = context.new_page()
        self.node = node
        self.language = language
        self.catalogue = translations(Language(language))

    def _(self, message: str) -> str:
        return self.catalogue.gettext(message)

    def go(self, path: str) -> None:
        self.page.goto(f"{self.node.url}{path}")

    def log_in(self, kind: str) -> None:
        credential = self.node.users[f"{self.node.state.lower()}-{kind}"]
        self.go("/ui/login")
        self.page.locator("input[name=name]").fill(credential.name)
        self.page.locator("input[name=password]").fill(credential.password)
        self.page.locator("main form button[type=submit]").click()
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)
        expect(self.page.locator("form.account")).to_be_visible()

    def log_out(self) -> None:
        self.page.locator("form.account button").click()

    def take(self, step: str) -> None:
        self.page.locator(f"#step-{step} button[type=submit]").click()
        expect(self.page.locator(f"#step-{step}-error")).to_have_count(0)

    def status_is(self, label: str) -> None:
        expect(self.page.locator(".lead .status")).to_have_text(self._(label))

    def wait_for_status(self, request_id: str, label: str, *, timeout: float = 60) -> None:
        """The other node's message arrives in the background: reload until it shows."""
        wanted = self._(label)
        deadline = time.monotonic() + timeout
        while True:
            self.go(f"/ui/requests/{request_id}")  # 404 until the message has arrived
            status = self.page.locator(".lead .status")
            if status.count() and status.inner_text() == wanted:
                return
            if time.monotonic() > deadline:
                log = (self.node.node_dir / "server.log").read_text(errors="replace")
                raise AssertionError(
                    f"{self.node.state} never showed {label!r}; its server log ends:\n"
                    + log[-3000:]
                )
            time.sleep(0.5)

    def shot(self, folder: Path, name: str) -> None:
        """A full-page screenshot to look at, once the page has passed the accessibility
        rules."""
        check_accessible(self.page)
        self.page.screenshot(path=folder / f"journey-{name}-{self.language}.png", full_page=True)


def _choose_state(page: Page, code: str) -> None:
    """The requested State: from the directory's list when the node holds one."""
    field = page.locator("#field-requested_state")
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(code)
    else:
        field.fill(code)


def _fill_text(page: Page, item: str, value: str) -> None:
    page.locator(f"#item-{item}").fill(value)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_journey_across_two_nodes(
    chromium: Browser, federation: Sandbox, screenshots: Path, language: str, tmp_path: Path
) -> None:
    egy_node, vnm_node = federation.nodes["EGY"], federation.nodes["VNM"]
    locale = "ar-EG" if language == "ar" else "en-GB"
    egy_context = chromium.new_context(
        locale=locale, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    vnm_context = chromium.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    egy, vnm = Desk(egy_context, egy_node, language), Desk(vnm_context, vnm_node, language)

    # 0. A browser at the node's address lands on the UI, in the browser's language.
    egy.go("/")
    expect(egy.page).to_have_url(re.compile(r"/ui/login"))
    expect(egy.page.locator("html")).to_have_attribute("lang", language)

    # 1. Egypt's officer drafts from the catalogue's form; what is missing comes back
    #    beside its field, with its article, and what was typed is kept.
    egy.log_in("officer")
    egy.go(f"/ui/requests/new?kind={KIND}")
    page = egy.page
    _choose_state(page, "VNM")
    _fill_text(page, "requesting-authority", "Public Prosecution of Egypt")
    page.locator("form.wide button[type=submit]").last.click()
    expect(page.get_by_role("status")).to_have_text(egy._("The draft is saved."))
    expect(page.locator("#item-summary-of-facts-error")).to_be_visible()
    article = "المادة" if language == "ar" else "Art."
    expect(page.locator(".findings-summary")).to_contain_text(article)
    expect(page.locator("#item-requesting-authority")).to_have_value("Public Prosecution of Egypt")
    egy.shot(screenshots, "draft-findings")

    for item, value in (
        ("proceeding-subject-and-nature", "Criminal investigation of a phishing campaign"),
        ("conducting-authority", "Cairo Economic Court prosecution office"),
        ("summary-of-facts", "Credentials of 3,000 bank clients were taken by a phishing kit."),
        ("assistance-sought", "Production of the mailbox used by the suspects."),
        ("purpose", "Evidence for the criminal proceedings in Egypt."),
        ("data-to-be-accessed", "Mailbox phish-ops@example.invalid and its subscriber data."),
    ):
        _fill_text(page, item, value)
    for item in ("offences", "data-categories", "stored-data-measures"):
        page.locator(f"#item-{item}-1").check()
    page.locator("form.wide button[type=submit]").last.click()
    expect(page.locator(".findings-summary")).to_have_count(0)
    page.locator("main p a[href^='/ui/requests/']").first.click()
    request_id = re.sub(r".*/ui/requests/", "", page.url)
    expect(page.locator("#step-approve")).to_have_count(0)  # an officer hands over
    egy.take("submit")
    expect(page.locator("#flashes")).to_be_visible()
    egy.status_is("Awaiting approval")
    egy.log_out()

    # 2. The supervisor finds it in the queue, approves and sends it to Viet Nam (Art. 40).
    egy.log_in("supervisor")
    queue = egy.page.locator("#queue-drafts-awaiting-approval")
    expect(queue.locator(f"a[href='/ui/requests/{request_id}']")).to_be_visible()
    egy.shot(screenshots, "queues")
    queue.locator(f"a[href='/ui/requests/{request_id}']").click()
    expect(egy.page.locator("#step-approve button.primary")).to_be_visible()
    egy.take("approve")
    expect(egy.page.locator("#flashes")).to_contain_text(
        egy._("Approved. The next step is to send it.")
    )
    expect(egy.page.locator("#step-send button.primary")).to_be_visible()
    egy.take("send")
    expect(egy.page.locator("#flashes")).to_be_visible()
    egy.status_is("Sent")

    # 3. Viet Nam's central authority finds it in its inbox and decides there.
    vnm.log_in("supervisor")
    vnm.wait_for_status(request_id, "Received")
    vnm.go("/ui/requests?side=requested")
    expect(vnm.page.locator(f"table tbody a[href='/ui/requests/{request_id}']")).to_be_visible()
    vnm.go(f"/ui/requests/{request_id}")
    vnm.take("acknowledge")
    vnm.take("accept")
    vnm.status_is("In execution")
    vnm.shot(screenshots, "decided")
    egy.wait_for_status(request_id, "In execution")

    # 4. Viet Nam uploads the evidence through the page (tus, with its progress bar),
    #    completes the execution and sends the package back.
    evidence = tmp_path / "mailbox.mbox"
    evidence.write_bytes(EVIDENCE)
    digest = hashlib.sha256(EVIDENCE).hexdigest()
    _upload_evidence(vnm, request_id, evidence, screenshots)
    expect(vnm.page.locator("main")).to_contain_text(digest)
    vnm.take("complete")
    _send_package(vnm)

    # 5. Egypt sees the package verified, and exports the report for court.
    egy.wait_for_status(request_id, "Executed")
    _check_package_and_report(egy, request_id, digest, screenshots, tmp_path)

    egy_context.close()
    vnm_context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_urgent_preservation_then_a_refusal_with_its_reasons(
    chromium: Browser, federation: Sandbox, screenshots: Path, language: str
) -> None:
    """Journeys 1 and 4: Egypt's 24/7 point of contact sends an urgent preservation
    request (Art. 42); Viet Nam's orders and confirms preservation for 90 days, and Egypt
    sees the period counting down. A second one is refused: without reasons the form
    says what Art. 40(24) requires, with them Egypt sees the refusal and its reasons."""
    egy_node, vnm_node = federation.nodes["EGY"], federation.nodes["VNM"]
    locale = "ar-EG" if language == "ar" else "en-GB"
    egy_context = chromium.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    vnm_context = chromium.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    egy, vnm = Desk(egy_context, egy_node, language), Desk(vnm_context, vnm_node, language)
    egy.log_in("contact")
    vnm.log_in("contact")

    preserved = _send_urgent_preservation(egy)
    vnm.wait_for_status(preserved, "Received")
    vnm.take("acknowledge")
    vnm.take("order-preservation")
    until = (datetime.now(UTC) + timedelta(days=90)).date()
    vnm.page.locator("#preserve-until").fill(until.isoformat())
    vnm.take("preserve")
    vnm.status_is("Data preserved")
    egy.wait_for_status(preserved, "Data preserved")
    expect(egy.page.locator("#preservation .countdown")).to_be_visible()
    egy.go("/ui/deadlines")
    expect(egy.page.locator(f"a[href='/ui/requests/{preserved}']")).to_be_visible()
    egy.shot(screenshots, "deadlines")

    refused = _send_urgent_preservation(egy)
    vnm.wait_for_status(refused, "Received")
    vnm.take("acknowledge")
    vnm.page.locator("#step-refuse button[type=submit]").click()
    expect(vnm.page.locator("#step-refuse-error")).to_contain_text(
        "المادة 40" if language == "ar" else "Art. 40"
    )
    vnm.status_is("Acknowledged")  # nothing happened
    vnm.page.locator("#step-refuse input[name=grounds]").first.check()
    reasons = "Execution would prejudice the essential interests of Viet Nam."
    vnm.page.locator("#refuse-reasons").fill(reasons)
    vnm.take("refuse")
    vnm.status_is("Refused")
    egy.wait_for_status(refused, "Refused")
    expect(egy.page.locator("#outcome")).to_contain_text(reasons)  # the decision leads
    egy.shot(screenshots, "refused")
    egy_context.close()
    vnm_context.close()


def _send_urgent_preservation(desk: Desk) -> str:
    """Drafted, approved and sent by the 24/7 point of contact itself (Art. 41)."""
    page = desk.page
    desk.go("/ui/requests/new?kind=expedited-preservation")
    _choose_state(page, "VNM")
    page.locator("#field-urgency").select_option("urgent")
    page.locator("#field-urgency_reasons").fill("The provider deletes its logs in 7 days.")
    for item, value in (
        ("requesting-authority", "24/7 point of contact of Egypt"),
        ("summary-of-facts", "A phishing kit hosted in Viet Nam took bank credentials."),
        ("data-to-be-preserved", "Logs of the server at 203.0.113.7 for November 2026."),
        ("relationship-to-offence", "The kit ran on this server."),
        ("custodian-or-system-location", "Example Hosting JSC, Ha Noi"),
        ("necessity-of-preservation", "The provider keeps its logs for 7 days."),
    ):
        _fill_text(page, item, value)
    for item in ("offences", "data-categories", "mla-request-intended"):
        page.locator(f"#item-{item}-1").check()
    page.locator("form.wide button[type=submit]").last.click()
    expect(page.locator(".findings-summary")).to_have_count(0)
    page.locator("main p a[href^='/ui/requests/']").first.click()
    request_id = re.sub(r".*/ui/requests/", "", page.url)
    desk.take("approve")
    desk.take("send")
    desk.status_is("Sent")
    return request_id


def _upload_evidence(desk: Desk, request_id: str, file: Path, screenshots: Path) -> None:
    """The request page's link to the upload page; the file goes up through tus in pieces
    while the bar moves; the completed upload is recorded and attached to the request."""
    page = desk.page
    desk.go(f"/ui/requests/{request_id}")
    page.locator(f"a[href='/ui/requests/{request_id}/evidence']").click()
    page.locator("#field-file").set_input_files(str(file))
    page.locator("#field-description").fill("Mailbox of the suspects, as produced")
    page.locator("#field-source_kind").select_option("provider")
    page.locator("#field-source").fill("Example Mail JSC (VNM)")
    page.locator("#field-method").fill("Production order of the People's Procuracy")
    page.locator("#field-acquired_at").fill(datetime.now(UTC).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#field-article").fill("Art. 44")
    desk.shot(screenshots, "upload")
    page.locator("#upload-start").click()
    page.wait_for_url(f"**/ui/requests/{request_id}", timeout=60_000)
    expect(page.locator("table.evidence-items")).to_contain_text(file.name)


def _send_package(desk: Desk) -> None:
    """Every item of the request, packed, signed and encrypted for the requesting State."""
    page = desk.page
    form = page.locator("#send-package")
    for box in form.locator("input[name=items]").all():
        box.check()
    form.locator("button[type=submit]").click()
    expect(page.locator("table.evidence-packages tbody a")).to_have_count(1)


def _check_package_and_report(
    desk: Desk, request_id: str, digest: str, screenshots: Path, tmp_path: Path
) -> None:
    """The requesting State's page shows the package verified, then the report for court
    downloads as a PDF that names the request, the file's digest and the verdict."""
    page = desk.page
    deadline = time.monotonic() + 60
    while True:  # the package is fetched, verified and accepted in the background
        desk.go(f"/ui/requests/{request_id}")
        if digest in page.locator("table.evidence-items").inner_text():
            break
        assert time.monotonic() < deadline, "the evidence package never arrived"
        time.sleep(0.5)
    page.locator("table.evidence-packages tbody a").first.click()
    expect(page.locator(".verdict")).to_have_class(re.compile(r"verdict-verified"))
    expect(page.locator("main")).to_contain_text(digest)
    if desk.language != "en":  # every check and condition in the page's language
        for english in ("none missing or added", "Its statement is signed", "Use only for"):
            expect(page.locator("main")).not_to_contain_text(english)
    desk.shot(screenshots, "package")
    desk.go(f"/ui/requests/{request_id}")
    with page.expect_download() as download:
        page.locator("#report-link").click()
    pdf = tmp_path / f"report-{desk.language}.pdf"
    download.value.save_as(pdf)
    # No silent wait: the page said it was preparing the report, then that it is ready.
    expect(page.locator("#report-status")).to_have_text(
        desk._("The report is ready: your browser has downloaded it.")
    )
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    flat = " ".join(text.split())
    assert request_id in flat
    assert digest in text.replace("\n", "")
    verdict = desk._(
        "Verified: every evidence package of this request was verified again when this "
        "report was generated."
    )
    if desk.language == "en":  # (Arabic shaping changes the extracted text)
        assert verdict in flat
    fonts = {
        str(font.get("/BaseFont", ""))
        for pdf_page in PdfReader(pdf).pages
        for font in pdf_page["/Resources"]["/Font"].values()
        for font in [font.get_object()]
    }
    if desk.language == "ar":
        assert any("Noto-Sans-Arabic" in name for name in fonts), fonts
