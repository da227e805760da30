"""The letter of request, end to end on a real node folder (issue 17, point 2): EGY's
officers put an approved request to Viet Nam in writing (Art. 40(14)), from the library,
the CLI (``hanoi requests letter``) and the UI; the signed PDF is checked with the real
poppler ``pdfsig`` and with ``verify_pdf`` against the node's certificate, and
``hanoi letter verify --dir`` finds its ``letter-issued`` custody event. A changed byte or
an update appended after signing fails both. Viet Nam takes requests in Vietnamese and
English (the directory EGY holds): French is refused, naming them, unless a reason is
given, which the custody event records. A draft gives no letter.

A missing pdfsig fails these tests: it is what a State without a node checks a letter with.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader

from conftest import run_hanoi
from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.convention import Language
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.custody.events import CustodyAction
from hanoi.errors import NotFound, PermissionDenied
from hanoi.letters.issued import issue_letter, letter_pdf, letters_of, logged_letters
from hanoi.letters.languages import LanguageNotAccepted
from hanoi.letters.letter import NotIssuable, grouped, verification_code
from hanoi.letters.pades import verify_pdf
from hanoi.node.folder import load_document_signer
from hanoi.wiring import Node
from support_directory import import_directory
from support_letters import pdfsig, signed_ranges
from support_nodes import build_node
from support_ui import PASSWORD, csrf, signed_in
from unit.cooperation.builders import CATALOGUE, complete_contents

pytestmark = pytest.mark.slow

KIND = "mla-stored-data"
TITLE = "Public Prosecutor, International Cooperation"
REASON = "Viet Nam's central authority agreed by e-mail of 3 March to take it in French"


@dataclass
class Case:
    egy: Node
    approved: str
    """A complete request to Viet Nam, approved by samir."""
    draft: str
    unlisted: str
    """An approved request to France, which the directory EGY holds does not list."""

    @property
    def folder(self) -> Path:
        return self.egy.settings.node_dir

    def check(self, pdf: bytes) -> bool:
        certificate = load_document_signer(self.egy.settings).certificate
        later = self.egy.clock.now() + timedelta(minutes=1)
        return verify_pdf(pdf, trusted=[certificate], now=later).ok


def _request(egy: Node, to: str, *, approve: bool) -> str:
    amira = egy.accounts.named("amira")
    contents = complete_contents(CATALOGUE.kind(KIND))
    request_id = egy.cooperation.draft(
        amira, DraftInput(kind=KIND, requested_state=to, contents=contents)
    ).request.id
    for name in ("samir", "aline"):
        egy.cooperation.assign(amira, request_id, name)
    if approve:
        egy.cooperation.take(
            egy.accounts.named("samir"), request_id, StepInput(transition="approve")
        )
    return request_id


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    root = tmp_path_factory.mktemp("letters")
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    egy = build_node(root / "egy", "EGY", None, clock)
    vnm = build_node(root / "vnm", "VNM", None, clock)
    try:
        import_directory([egy, vnm], into=[egy], clock=clock)  # VNM: vi, en
        users = (
            ("amira", Role.OFFICER, None),
            ("samir", Role.SUPERVISOR, TITLE),
            ("aline", Role.AUDITOR, None),
            ("karim", Role.OFFICER, None),
        )
        for name, role, title in users:
            egy.accounts.add_user(name=name, role=role, password=PASSWORD, title=title)
        yield Case(
            egy=egy,
            approved=_request(egy, "VNM", approve=True),
            draft=_request(egy, "VNM", approve=False),
            unlisted=_request(egy, "FRA", approve=True),
        )
    finally:
        egy.engine.dispose()
        vnm.engine.dispose()


@pytest.fixture(scope="module")
def english(case: Case) -> bytes:
    """The English letter of the approved request, issued by amira."""
    issued = issue_letter(case.egy, case.egy.accounts.named("amira"), case.approved,
                          language=Language.EN)  # fmt: skip
    case.egy.custody.sequence()
    return issued.pdf


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def flip(pdf: bytes, position: int) -> bytes:
    data = bytearray(pdf)
    data[position] ^= 0x01
    return bytes(data)


def inside_a_stream(pdf: bytes) -> int:
    first, _ = signed_ranges(pdf)
    position = pdf.index(b"stream\n") + len(b"stream\n") + 8
    assert position in first
    return position


def updated_after_signing(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.document_meta.title = "Amended letter"
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def letter_verify(case: Case, pdf: bytes, folder: Path) -> tuple[int, dict[str, object], str]:
    path = folder / "letter.pdf"
    path.write_bytes(pdf)
    result = run_hanoi("letter", "verify", str(path), "--dir", str(case.folder), "--json")
    return result.returncode, json.loads(result.stdout), result.stderr


# --- issuing ------------------------------------------------------------------------------


def test_the_letter_is_signed_over_the_whole_file_and_valid_for_pdfsig(
    case: Case, english: bytes, tmp_path: Path
) -> None:
    lines = pdfsig(english, tmp_path)
    assert "Signature Validation: Signature is Valid." in lines
    assert "Total document signed" in lines
    assert "Signature Type: ETSI.CAdES.detached" in lines
    assert "Signer Certificate Common Name: Supreme People's Procuracy" not in lines
    assert "Signer Certificate Common Name: Central Authority of Egypt document signing" in lines
    assert case.check(english)


def test_the_letter_says_what_the_request_asks_in_english(case: Case, english: bytes) -> None:
    [record] = [r for r in case.egy.letters.for_request(case.approved) if r.language.value == "en"]
    text = pdf_text(english)
    for expected in (
        "Letter of request",
        case.approved,
        grouped(record.verification_code),
        "Viet Nam",
        "Egypt",
        "Mutual legal assistance: accessing stored electronic data",
        "Approved by",
        "samir",
        TITLE,
        "No document is attached.",
    ):
        assert expected in text, expected
    kind = CATALOGUE.kind(KIND)
    labels = [CATALOGUE.label(item.label_key, Language.EN) for item in kind.contents]
    found = [text.find(label.split(",")[0]) for label in labels[:6]]
    assert all(position >= 0 for position in found)
    assert found == sorted(found)  # item by item, in the catalogue's order


def test_issuing_is_a_letter_issued_custody_event_with_the_pdfs_digest(
    case: Case, english: bytes
) -> None:
    digest = hashlib.sha256(english).hexdigest()
    [logged] = logged_letters(case.egy, digest)
    event = logged.event
    assert event.action is CustodyAction.LETTER_ISSUED
    assert event.evidence_sha256 == digest
    assert event.request_id == case.approved
    assert event.article == "Art. 40(14)"
    assert event.officer == "amira"
    assert event.node == "EGY"
    assert event.unknown["language"] == "en"
    assert event.unknown["size"] == len(english)
    code = event.unknown["verification_code"]
    assert code == verification_code(bytes.fromhex(event.unknown["code_seed"]))
    assert "override_reason" not in event.unknown
    amira = case.egy.accounts.named("amira")
    record, stored = letter_pdf(case.egy, amira, case.approved, digest)
    assert stored == english  # the same letter can be downloaded again
    assert record.verification_code == code
    assert digest in [r.sha256 for r in letters_of(case.egy, amira, case.approved)]


def test_letter_verify_with_the_node_folder_finds_the_custody_event(
    case: Case, english: bytes, tmp_path: Path
) -> None:
    code, result, stderr = letter_verify(case, english, tmp_path)
    assert code == 0, stderr
    assert result["signed"] is result["intact"] is result["trusted"] is True
    custody = result["custody"]
    assert isinstance(custody, dict)
    [logged] = logged_letters(case.egy, hashlib.sha256(english).hexdigest())
    assert custody["found"] is True
    assert custody["index"] == logged.logged.index
    assert custody["request_id"] == case.approved
    assert custody["verification_code"] == logged.verification_code


@pytest.mark.parametrize("change", ["one byte", "an appended update"])
def test_a_changed_letter_fails_pdfsig_and_letter_verify(
    case: Case, english: bytes, tmp_path: Path, change: str
) -> None:
    if change == "one byte":
        changed = flip(english, inside_a_stream(english))
        lines = pdfsig(changed, tmp_path)
        assert "Signature Validation: Signature is Valid." not in lines
    else:
        changed = updated_after_signing(english)
        lines = pdfsig(changed, tmp_path)
        assert "Total document signed" not in lines
        assert "Not total document signed" in lines
    code, result, _ = letter_verify(case, changed, tmp_path)
    assert code == 6  # integrity
    assert result["intact"] is False
    assert result["custody"] == {
        "found": False,
        "sha256": hashlib.sha256(changed).hexdigest(),
    }
    assert not case.check(changed)


def test_a_letter_this_node_did_not_log_fails_letter_verify(
    case: Case, english: bytes, tmp_path: Path
) -> None:
    """Signed with the node's own key, intact and trusted, but never issued: exit 6."""
    from hanoi.letters.pades import sign_pdf
    from support_letters import letter_pdf as plain_letter

    forged = sign_pdf(
        plain_letter(),
        load_document_signer(case.egy.settings),
        reason="Letter of request",
        location=None,
        signing_time=case.egy.clock.now(),
    )
    code, result, stderr = letter_verify(case, forged, tmp_path)
    assert code == 6
    assert result["trusted"] is True
    assert result["custody"]["found"] is False  # type: ignore[index]
    assert "logged no letter-issued event" in stderr


# --- refusals -----------------------------------------------------------------------------


def test_a_language_the_requested_state_does_not_accept_is_refused_naming_them(
    case: Case,
) -> None:
    amira = case.egy.accounts.named("amira")
    before = len(case.egy.letters.for_request(case.approved))
    with pytest.raises(LanguageNotAccepted, match=r"VNM accepts requests in vi, en") as raised:
        issue_letter(case.egy, amira, case.approved, language=Language.FR)
    assert raised.value.accepted == ("vi", "en")
    assert len(case.egy.letters.for_request(case.approved)) == before  # nothing issued


def test_a_reason_overrides_the_language_and_the_event_records_it(case: Case) -> None:
    amira = case.egy.accounts.named("amira")
    issued = issue_letter(
        case.egy, amira, case.approved, language=Language.FR, override_reason=REASON
    )
    case.egy.custody.sequence()
    assert issued.record.override_reason == REASON
    [logged] = logged_letters(case.egy, issued.record.sha256)
    assert logged.event.unknown["override_reason"] == REASON
    assert logged.event.unknown["language"] == "fr"
    assert "Lettre de demande" in pdf_text(issued.pdf)
    assert case.check(issued.pdf)


def test_a_state_the_directory_does_not_list_needs_a_reason(case: Case) -> None:
    amira = case.egy.accounts.named("amira")
    with pytest.raises(LanguageNotAccepted, match="does not list FRA"):
        issue_letter(case.egy, amira, case.unlisted, language=Language.FR)
    issued = issue_letter(
        case.egy, amira, case.unlisted, language=Language.FR, override_reason="By note verbale"
    )
    assert issued.record.override_reason == "By note verbale"


def test_a_draft_request_gives_no_letter(case: Case) -> None:
    with pytest.raises(NotIssuable, match="approved request"):
        issue_letter(case.egy, case.egy.accounts.named("amira"), case.draft, language=Language.EN)


def test_only_the_case_team_with_a_role_that_drafts_or_decides_issues(case: Case) -> None:
    with pytest.raises(PermissionDenied):
        issue_letter(case.egy, case.egy.accounts.named("aline"), case.approved,
                     language=Language.EN)  # fmt: skip
    with pytest.raises(NotFound):  # not on the case: as if it did not exist
        issue_letter(case.egy, case.egy.accounts.named("karim"), case.approved,
                     language=Language.EN)  # fmt: skip


# --- the CLI ------------------------------------------------------------------------------


def test_the_cli_writes_the_letter_and_refuses_a_language_not_accepted(
    case: Case, tmp_path: Path
) -> None:
    out = tmp_path / "letter-es.pdf"
    base = ("requests", "letter", case.approved, "--dir", str(case.folder), "--user", "amira")
    refused = run_hanoi(*base, "--language", "es", "--out", str(out))
    assert refused.returncode == 5, refused.stderr
    assert "VNM accepts requests in vi, en" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert not out.exists()
    drafted = run_hanoi(
        "requests", "letter", case.draft, "--dir", str(case.folder), "--user", "amira",
        "--language", "en", "--out", str(out),
    )  # fmt: skip
    assert drafted.returncode == 5
    assert "approved request" in drafted.stderr
    made = run_hanoi(*base, "--language", "es", "--out", str(out), "--override-reason", REASON)
    assert made.returncode == 0, made.stderr
    pdf = out.read_bytes()
    digest = hashlib.sha256(pdf).hexdigest()
    assert f"SHA-256 {digest}  letter-issued: entry " in made.stdout
    [logged] = logged_letters(case.egy, digest)
    assert f"verification code {grouped(str(logged.verification_code))}" in made.stdout
    assert logged.event.unknown["override_reason"] == REASON
    assert "Carta de solicitud" in pdf_text(pdf)
    verified = run_hanoi("letter", "verify", str(out), "--dir", str(case.folder))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "VERIFIED" in verified.stdout
    assert f"request {case.approved}" in verified.stdout


# --- the UI -------------------------------------------------------------------------------


def test_the_request_page_offers_the_letter_with_the_accepted_languages_first(
    case: Case, english: bytes
) -> None:
    with signed_in(case.egy, "amira", enter=False) as client:
        page = client.get(f"/ui/requests/{case.approved}", headers={"Accept-Language": "en"})
        draft = client.get(f"/ui/requests/{case.draft}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.text
    assert 'id="letter-heading"' in html
    assert "Viet Nam accepts requests in Vietnamese and English." in html
    form = html[
        html.index('id="letter-form"') : html.index("</form>", html.index('id="letter-form"'))
    ]
    accepted = form.index('<optgroup label="Accepted by Viet Nam">')
    others = form.index('<optgroup label="Other languages: a reason is needed">')
    assert accepted < form.index('<option value="en" lang="en" selected>English</option>') < others
    assert others < form.index('<option value="fr" lang="fr">Français</option>')
    assert form.count("<option ") == 6
    assert 'id="field-letter-override_reason"' in html
    assert hashlib.sha256(english).hexdigest() in html  # the letters issued, listed
    assert 'id="letter-heading"' not in draft.text  # not approved: no letter


def test_the_ui_downloads_the_signed_letter_and_lists_it(case: Case) -> None:
    url = f"/ui/requests/{case.approved}"
    with signed_in(case.egy, "samir", enter=False) as client:
        token = csrf(client, url)
        answer = client.post(f"{url}/letter", data={"csrf_token": token, "language": "en"})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.headers["content-disposition"] == (
            f'attachment; filename="letter-{case.approved}-en.pdf"'
        )
        assert answer.headers["cache-control"] == "no-store"
        pdf = answer.content
        digest = hashlib.sha256(pdf).hexdigest()
        assert case.check(pdf)
        case.egy.custody.sequence()
        [logged] = logged_letters(case.egy, digest)
        assert logged.event.officer == "samir"
        page = client.get(url, headers={"Accept-Language": "en"}).text
        assert digest in page
        assert grouped(str(logged.verification_code)) in page
        again = client.get(f"{url}/letters/{digest}.pdf")
        assert again.status_code == 200
        assert again.content == pdf
        missing = client.get(f"{url}/letters/{'0' * 64}.pdf")
        assert missing.status_code == 404
        # Viet Nam's witness has not cosigned EGY's log here: the proof is not ready yet.
        assert f'href="{url}/letters/{digest}.proof.json"' in page
        proof = client.get(f"{url}/letters/{digest}.proof.json", follow_redirects=False)
        assert proof.status_code == 303
        assert proof.headers["location"] == f"{url}#letter"
        back = client.get(url, headers={"Accept-Language": "en"}).text
        assert "The custody proof is not ready yet" in back


def test_a_language_not_accepted_comes_back_beside_the_field(case: Case) -> None:
    url = f"/ui/requests/{case.approved}"
    with signed_in(case.egy, "amira", enter=False) as client:
        token = csrf(client, url)
        refused = client.post(
            f"{url}/letter",
            data={"csrf_token": token, "language": "ru"},
            headers={"Accept-Language": "en"},
        )
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("text/html")
        html = refused.text
        assert 'id="field-letter-language-error"' in html
        assert "Viet Nam accepts requests in Vietnamese and English (Art. 40(14))" in html
        assert 'aria-invalid="true" aria-describedby="field-letter-language-error"' in html
        assert '<details class="override" open>' in html
        assert '<option value="ru" lang="ru" selected>' in html
        overridden = client.post(
            f"{url}/letter",
            data={"csrf_token": token, "language": "ru", "override_reason": REASON},
        )
        assert overridden.status_code == 200
        assert overridden.headers["content-disposition"].endswith(f'-{case.approved}-ru.pdf"')
        draft = client.post(
            f"/ui/requests/{case.draft}/letter", data={"csrf_token": token, "language": "en"}
        )
        assert draft.status_code == 422  # never a 500
        assert "No letter can be made of this request now" in draft.text
        forged = client.post(f"{url}/letter", data={"language": "en"})
        assert forged.status_code == 403  # no CSRF token


def test_an_auditor_sees_the_letters_but_no_form(case: Case) -> None:
    url = f"/ui/requests/{case.approved}"
    with signed_in(case.egy, "aline", enter=False) as client:
        page = client.get(url, headers={"Accept-Language": "en"})
        token = csrf(client, url)
        posted = client.post(f"{url}/letter", data={"csrf_token": token, "language": "en"})
    assert page.status_code == 200
    assert 'id="letter-heading"' in page.text
    assert 'id="letter-form"' not in page.text
    assert posted.status_code == 404


def test_the_letter_section_renders_right_to_left_in_arabic(case: Case) -> None:
    with signed_in(case.egy, "amira", enter=False) as client:
        page = client.get(f"/ui/requests/{case.approved}", headers={"Accept-Language": "ar"})
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert 'id="letter-form"' in page.text
    assert '<option value="ar" lang="ar">العربية</option>' in page.text
    assert '<code class="digest" dir="ltr">' in page.text  # digests stay left to right
