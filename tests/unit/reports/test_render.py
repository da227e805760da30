"""The report's HTML in the six languages (the PDF itself is checked in
``tests/functional/test_court_report.py``), and the fetcher that keeps WeasyPrint offline."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hanoi.convention import Language, default_catalogue
from hanoi.cooperation import Side
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.reports.court import (
    CheckpointEntry,
    CourtReport,
    Direction,
    HeldItem,
    ItemEntry,
    LoggedStep,
    Outcome,
    PackageCheck,
    PackageEntry,
    Witness,
    assemble,
)
from hanoi.reports.render import TEMPLATES_DIR, _template_file, render_html
from unit.cooperation.builders import STEP, acknowledged

CATALOGUE = default_catalogue()
MAILBOX = "0123456789abcdef" * 4
CSV = "fedcba9876543210" * 4
REASON = "data/mailbox.mbox.age: SHA-256 does not match manifest-sha256.txt (altered)"


def sample(outcome: Outcome = Outcome.VERIFIED) -> CourtReport:
    request = acknowledged("mla-stored-data").request
    later = request.history[-1].at
    received = CustodyEvent(
        action=CustodyAction.RECEIVED,
        time=later + STEP,
        node="EGY",
        officer="egy-node",
        request_id=request.id,
        article="Art. 40(17)",
        evidence_sha256=MAILBOX,
    )
    return assemble(
        request=request,
        side=Side.REQUESTING,
        node_state="EGY",
        generated_at=later + timedelta(hours=1),
        generated_by="samir",
        items=[
            HeldItem(
                file=ItemEntry(name="mailbox.mbox", size=300_000, sha256=MAILBOX),
                source="node of VNM",
                method="received in an evidence package",
                acquired_at=later + STEP,
                officer="egy-node",
                article="Art. 40(17)",
            )
        ],
        packages=[
            PackageEntry(
                id="f" * 32,
                direction=Direction.RECEIVED,
                peer="VNM",
                sha256="b" * 64,
                size=123_456,
                transfer_status="accepted",
                created_at=later,
                items=(
                    ItemEntry(name="mailbox.mbox", size=300_000, sha256=MAILBOX),
                    ItemEntry(name="subscriber.csv", size=20, sha256=CSV),
                ),
                check=PackageCheck(
                    outcome=outcome, reason=REASON if outcome is Outcome.FAILED else None
                ),
            )
        ],
        logged=[LoggedStep(event=received, log_origin="hanoi.node/egy/x", index=7)],
        proven=[],
        checkpoints=[
            CheckpointEntry(
                origin="hanoi.node/egy/x",
                size=8,
                root_hash="wyb51c8YD/apSSUfcoUdRFXBFioZIcH8HaOl5K87lwg=",
                witnesses=(Witness(name="hanoi.node/vnm/x/witness", state="VNM"),),
                log_state="EGY",
            )
        ],
    )


@pytest.mark.parametrize("language", list(Language), ids=str)
def test_every_language_shows_the_id_the_digests_and_the_checkpoint(language: Language) -> None:
    html = render_html(sample(), language, catalogue=CATALOGUE)
    direction = "rtl" if language is Language.AR else "ltr"
    assert f'<html lang="{language.value}" dir="{direction}">' in html
    assert html.count("EGY-2026-mla-stored-data") >= 3  # title, heading, footer
    for digest in (MAILBOX, CSV, "b" * 64):
        assert f'<span class="digest" dir="ltr">{digest}</span>' in html
    assert "wyb51c8YD/apSSUfcoUdRFXBFioZIcH8HaOl5K87lwg=" in html
    assert "hanoi.node/vnm/x/witness" in html
    assert 'class="page-number"' in html
    assert '#7</span> <span class="code">EGY</span>' in html  # the entry, in EGY's log
    assert re.search(r"<bdi class=\"code\" dir=\"ltr\">f{32}</bdi>", html)


def test_the_english_report_says_verified_or_failed_with_the_reason() -> None:
    verified = render_html(sample(), Language.EN, catalogue=CATALOGUE)
    assert "Verified: every evidence package of this request was verified again" in verified
    assert 'class="verdict verdict-verified"' in verified
    failed = render_html(sample(Outcome.FAILED), Language.EN, catalogue=CATALOGUE)
    assert "Verification failed: at least one evidence package" in failed
    assert 'class="verdict verdict-failed"' in failed
    assert f'<span class="reason" lang="en" dir="ltr">{REASON}</span>' in failed


def test_labels_come_from_the_catalogue_and_the_locale() -> None:
    html = render_html(sample(), Language.FR, catalogue=CATALOGUE)
    assert CATALOGUE.label("kind.mla-stored-data.title", Language.FR) in html
    assert "Égypte" in html  # Babel's French name of EGY
    assert "300 000" in html.replace("\u202f", " ").replace("\xa0", " ")


def test_the_report_fetches_only_its_own_template_files() -> None:
    stylesheet = TEMPLATES_DIR / "court.css"
    assert _template_file(stylesheet.as_uri()) == stylesheet.resolve()
    for url in (
        "https://example.org/font.woff2",
        "http://127.0.0.1:8000/ui/static/hanoi.css",
        "data:text/css,body{}",
        (TEMPLATES_DIR.parent / "court.py").as_uri(),
        (TEMPLATES_DIR / ".." / ".." / "settings.py").as_uri(),
        "file://remote-host/etc/passwd",
    ):
        with pytest.raises(ValueError, match="court report"):
            _template_file(url)
