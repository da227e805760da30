"""Every check the verifier words is shown in the page's language (issue 15): real
verifications (a court export carrying another State's package, a package checked with a
key instead of a trust file, one without custody, one without a key to decrypt it) give
texts that ``package_checks`` recognises, each wording at least once; in Arabic none of
their English is left, and codes, digests and paths are isolated left to right. The
conditions are shown by their catalogue key, free terms as entered."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markupsafe import Markup

from hanoi.convention import Language
from hanoi.evidence.report import PackageReport
from hanoi.evidence.verify import verify_package
from hanoi.federation.package_reports import KeptReport, KeptTerm
from hanoi.i18n.catalogues import LANGUAGES, translations
from hanoi.i18n.formatting import LocaleFormat
from hanoi.web.ui.package_checks import CHECKS, UNCHECKED, PackageWords
from unit.evidence.borders_support import REQUEST, Borders, export, make_borders, verify
from unit.evidence.package_support import pack, write_evidence

ENGLISH = (
    "none missing or added",
    "describes this bag",
    "payload file(s)",
    "trusted witness(es)",
    ": decrypted;",
    "age file(s) match",
    "describes every payload file by its SHA-256",
    "against the CASE/UCO ontology",
    "statement signed (",
    "holds every file",
    "byte for byte",
    "no --identity",
    "no custody events",
    "no witness in the trust file",
    "from keys not in the trust file",
    "the key given is not bound",
)


@pytest.fixture
def borders(tmp_path: Path) -> Borders:
    return make_borders(tmp_path)


def _reports(b: Borders, tmp_path: Path) -> list[PackageReport]:
    court = export(b, tmp_path / "court.tar").path
    plain = pack(
        tmp_path / "plain.tar",
        write_evidence(tmp_path / "plain", {"note.txt": 10}),
        sender=b.vnm,
        recipients=[b.court],
    ).path
    return [
        verify(b, court),  # with the package of VNM inside: origin checks
        verify_package(court, trust=b.trust(b.egy, b.vnm, quorum=0)),  # FRA's cosignatures
        verify_package(court, trust=b.trust(b.egy, quorum=0)),  # unwitnessed logs
        verify_package(plain, signing_key=b.vnm.keys.signing.public_key()),  # no custody
    ]


def test_every_wording_the_verifier_uses_is_recognised(borders: Borders, tmp_path: Path) -> None:
    words = PackageWords(LocaleFormat(Language.EN))
    seen: set[str] = set()
    for report in _reports(borders, tmp_path):
        kept = KeptReport.from_json(_kept_json(report))
        for check in kept.checks:
            shown = words.check(check.area, check.detail)
            assert shown.key is not None, check.detail
            seen.add(shown.key)
        for text in kept.unchecked:
            found = words.unchecked(text)
            assert found.key is not None, text
            seen.add(found.key)
    assert seen == {w.key for w in (*CHECKS, *UNCHECKED)}


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang is not Language.EN])
def test_no_english_of_the_verifier_is_left_in_another_language(
    borders: Borders,
    tmp_path: Path,
    language: Language,
) -> None:
    words = PackageWords(LocaleFormat(language))
    for report in _reports(borders, tmp_path):
        kept = KeptReport.from_json(_kept_json(report))
        shown = [words.check(c.area, c.detail).text for c in kept.checks]
        shown += [words.unchecked(t).text for t in kept.unchecked]
        shown.append(words.signer(report.signer))
        for text in shown:
            assert 'lang="en"' not in text
            for phrase in ENGLISH:
                assert phrase not in text, (phrase, text)
    # Digests and paths inside the sentence are isolated left to right.
    court = KeptReport.from_json(_kept_json(verify(borders, tmp_path / "court.tar")))
    payload = next(c for c in court.checks if c.area == "payload" and "decrypted" in c.detail)
    decrypted = words.check(payload.area, payload.detail).text
    sha256 = re.search(r"[0-9a-f]{64}", payload.detail)
    assert sha256 is not None
    assert f'<code dir="ltr">{sha256.group(0)}</code>' in decrypted
    assert re.search(r'<code dir="ltr">data/[^<]+\.age</code>', decrypted)
    assert "<bdi>" in decrypted  # the file's name, as its State recorded it


def test_origin_checks_keep_the_folder_of_the_package_they_concern(
    borders: Borders,
    tmp_path: Path,
) -> None:
    report = verify(borders, export(borders, tmp_path / "court.tar").path)
    words = PackageWords(LocaleFormat(Language.AR))
    origin = [c for c in report.checks if c.area == "origin"]
    assert origin
    for check in origin:
        folder = check.detail.split(": ", 1)[0]
        shown = words.check(check.area, check.detail)
        assert shown.text.startswith(Markup('<code dir="ltr">{}</code>: ').format(folder))
        assert _ar(shown.area) == "حزمة دولة أخرى"


def test_an_unknown_wording_is_shown_as_it_came_in_english() -> None:
    words = PackageWords(LocaleFormat(Language.AR))
    shown = words.check("bag", "a <new> wording")
    assert shown.key is None
    assert shown.text == Markup('<span lang="en" dir="ltr">a &lt;new&gt; wording</span>')
    assert words.signer("someone") == Markup('<span lang="en" dir="ltr">someone</span>')


def test_conditions_by_their_catalogue_key_and_free_terms_as_entered() -> None:
    fmt = LocaleFormat(Language.AR)
    words = PackageWords(fmt)
    own = KeptTerm(
        kind="use-limitation",
        imposed_by="VNM",
        text=(
            f"Use only for the investigation, prosecution or proceedings described in request "
            f"{REQUEST}; any other use needs the prior consent of VNM (Art. 40(19))."
        ),
        article="Art. 40(19)",
    )
    set_on_request = KeptTerm(
        kind="personal-data-protection",
        imposed_by="EGY",
        text="لا تُستخدم إلا للقضية 17/2026. Delete after 2027-03-01.",
        article="Art. 36(1)(b)",
    )
    [convention, free] = words.terms([own, set_on_request], request_id=REQUEST)
    assert convention.label == _ar("Use limitation")
    assert str(convention.text) == str(Markup.escape(fmt.label("condition.use-limitation")))
    assert "Use only" not in convention.text
    territory = fmt.territory("VNM")
    assert convention.imposed_by == Markup('{} (<bdi class="code">VNM</bdi>)').format(territory)
    assert free.text.startswith(Markup('<span dir="auto">لا تُستخدم إلا للقضية 17/2026.</span>'))
    assert "Delete after" not in free.text
    assert '<time datetime="2027-03-01">' in free.text
    # The same words for another request are not the Convention's: kept as signed.
    [other] = words.terms([own], request_id="EGY-2026-99999")
    assert other.text == Markup('<span dir="auto">{}</span>').format(own.text)


def test_the_costs_agreed_are_named_in_the_package_s_conditions() -> None:
    """Art. 40(29): a condition on costs set on the request shows, named, with its terms
    as entered and its article, like the other conditions."""
    words = PackageWords(LocaleFormat(Language.EN))
    costs = KeptTerm(
        kind="extraordinary-costs",
        imposed_by="VNM",
        text="The requesting State bears the costs of the forensic laboratory.",
        article="Art. 40(29)",
    )
    [shown] = words.terms([costs], request_id=REQUEST)
    assert (shown.kind, shown.label) == ("extraordinary-costs", "Costs of execution")
    assert "40(29)" in shown.article
    assert shown.text == Markup('<span dir="auto">{}</span>').format(costs.text)


def _ar(message: str) -> str:
    return translations(Language.AR).gettext(message)


def _kept_json(report: PackageReport) -> str:
    """What a node keeps of a verification (``evidence_packages.report``)."""
    return json.dumps({"version": 1, **report.as_json()})
