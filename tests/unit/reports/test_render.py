"""The report's HTML in the six languages (the PDF itself is checked in
``tests/functional/test_court_report.py``), and the fetcher that keeps WeasyPrint offline."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace

import pytest

from hanoi.convention import Language
from hanoi.reports.court import (
    CourtReport,
    Outcome,
)
from hanoi.reports.render import TEMPLATES_DIR, _template_file, render_html
from unit.reports.render_support import (
    CATALOGUE,
    CSV,
    EGY_LOG,
    LEGAL_BASIS,
    MAILBOX,
    REASON,
    VNM_LOG,
    sample,
    text_of,
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
    assert f'<bdi class="code">#7</bdi> <span class="log-origin">{EGY_LOG}</span>' in html
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


def test_each_file_shows_its_collection_and_every_step_once_with_its_state_and_witnesses() -> None:
    report = sample()
    html = render_html(report, Language.EN, catalogue=CATALOGUE)
    text = text_of(html)
    # VNM's acquisition, as it signed it: the time obtained, three days before its upload.
    obtained = report.chains[0].acquired
    assert obtained is not None
    assert "Obtained by Viet Nam" in text
    assert f'<time datetime="{obtained.obtained_at.isoformat()}">' in html
    for words in (f"Legal basis or order {LEGAL_BASIS} (Art. 44)",
                  "Executing authority Supreme People's Procuracy VNM",
                  "Source Service provider: Example Mail Ltd", "Method export by the provider",
                  "Executing officer lan"):  # fmt: skip
        assert words in text, words
    assert "As Viet Nam declared it in the signed statement of package" in text
    # One row per log entry: VNM's collection (seen twice) once, with both witnesses.
    for index, log in ((3, VNM_LOG), (5, VNM_LOG), (7, EGY_LOG)):
        entry = f'<bdi class="code">#{index}</bdi> <span class="log-origin">{log}</span>'
        assert html.count(entry) == 1, entry
    assert "Egypt and France" in text  # the States whose witnesses cosigned VNM's #3
    # The file VNM's statement did not describe says so, rather than showing the receipt.
    assert "How this file was obtained is not established" in text
    chain = text[text.index("Evidence and its chain of custody") : text.index("Evidence packages")]
    assert "custody log" not in chain.split("that log.", 1)[1]  # no noise rows


def received_off_network(report: CourtReport, channel: str = "courier") -> CourtReport:
    """``report`` with VNM's file received by VNM from Ghana, which runs no node, on media."""
    [chain, *rest] = report.chains
    assert chain.acquired is not None
    acquired = replace(
        chain.acquired, received_from="GHA", channel=channel, channel_reference="AWB 1234-5678"
    )
    return replace(report, chains=(replace(chain, acquired=acquired), *rest))


def test_a_file_received_off_network_says_from_which_state_by_which_channel() -> None:
    html = render_html(received_off_network(sample()), Language.EN, catalogue=CATALOGUE)
    text = text_of(html)
    assert (
        "Received off the network Received from Ghana by Courier, reference AWB 1234-5678 GHA"
        in text
    )
    assert "<bdi>AWB 1234-5678</bdi>" in html
    assert "Executing authority Supreme People's Procuracy VNM" in text  # beside, unchanged
    assert "off the network" not in text_of(render_html(sample(), Language.EN, catalogue=CATALOGUE))


def test_a_channel_this_version_does_not_know_is_named_as_it_came() -> None:
    report = received_off_network(sample(), channel="satellite")
    text = text_of(render_html(report, Language.FR, catalogue=CATALOGUE))
    assert "Ghana" in text
    assert "satellite" in text


def test_the_report_says_what_digests_signatures_and_witnesses_prove() -> None:
    text = text_of(render_html(sample(), Language.EN, catalogue=CATALOGUE))
    assert "What the checks prove, and what they do not" in text
    assert "fingerprint of a file" in text
    assert "not that they are accurate" in text
    assert "Witnesses see only hashes" in text


@pytest.mark.parametrize("title", ["Public Prosecutor", None])
def test_the_certifying_officer_block_has_name_title_authority_and_date(
    title: str | None,
) -> None:
    report = sample(title=title)
    text = text_of(render_html(report, Language.EN, catalogue=CATALOGUE))
    block = text[text.index("Certification") :]
    assert "Certifying officer samir" in block
    assert f"Title {title or 'Not recorded'}" in block
    assert "Authority Central authority of Egypt (Egypt)" in block
    assert (
        f"Date {report.generated_at:%B} {report.generated_at.day}, {report.generated_at.year}"
        in block
    )
    assert "Signature of the certifying officer" in block
    assert '"report-issued"' in block


def test_a_default_authority_name_is_in_the_reports_language_and_codes_are_isolated() -> None:
    report = sample()
    requesting = dataclasses.replace(report.request.requesting, authority="central authority")
    request = dataclasses.replace(report.request, requesting=requesting)
    html = render_html(
        dataclasses.replace(report, request=request), Language.AR, catalogue=CATALOGUE
    )
    assert "central authority" not in html
    assert "السلطة المركزية" in html
    assert '<bdi class="code">EGY</bdi>' in html
    assert '<span class="code">' not in html
