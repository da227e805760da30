"""The requested State's answer as a signed letter, end to end on a real node folder
(issue 17, point 4): France runs no node and sends Viet Nam a request by diplomatic note;
Viet Nam registers it from the note (ADR 0028), acknowledges it, consults, and refuses it
on a ground of Art. 40(21) with its reasons (Art. 40(24)). The answer goes back as a
signed PDF in French, which France accepts by the directory Viet Nam holds: the real
poppler ``pdfsig`` says it is valid and covers the whole document, its text carries the
ground's label and article, the reasons and France's own reference, and ``hanoi letter
verify --dir`` finds its ``letter-issued`` event (``purpose: "answer"``, ``step:
"refuse"``). A changed byte fails both. A request just received has nothing to answer; a
request Viet Nam makes gets a letter of request, never an answer.

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
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from conftest import run_hanoi
from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.convention import Language
from hanoi.cooperation.kinds import ground_source
from hanoi.cooperation.offline import LetterScan, Registration
from hanoi.cooperation.routes import ChannelRecord, Route
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.custody.events import CustodyAction
from hanoi.directory.authoring import assemble, build_entry
from hanoi.directory.codec import dump_json
from hanoi.directory.signing import sign_directory, sign_entry
from hanoi.directory.store import import_document
from hanoi.errors import NotFound, PermissionDenied
from hanoi.letters.answer import NothingToAnswer
from hanoi.letters.issued import issue_answer, issue_for, letter_pdf, letters_of, logged_letters
from hanoi.letters.languages import LanguageNotAccepted
from hanoi.letters.letter import NotIssuable, Purpose, grouped, verification_code
from hanoi.letters.pades import verify_pdf
from hanoi.letters.wording import phrases
from hanoi.node.folder import load_document_signer, load_keys
from hanoi.wiring import Node
from support_letters import pdfsig, signed_ranges
from support_nodes import build_node
from support_ui import PASSWORD, csrf, signed_in
from unit.cooperation.builders import CATALOGUE, complete_contents

pytestmark = pytest.mark.slow

KIND = "mla-stored-data"
GROUND = "essential-interests"
TITLE = "Procureur, coopération internationale"
THEIR_REFERENCE = "NV 2026/117/BEPI"
REASONS = "Les données demandées concernent une enquête de sécurité nationale en cours."
CONSULTED = "L'entraide pourrait être accordée si les données ne servent qu'à l'affaire 17/2026."
SCAN = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
FRANCE = {
    "state": "FRA",
    "name": "Bureau de l'entraide pénale internationale",
    "authorities": [
        {
            "kind": "central-authority",
            "name": "Bureau de l'entraide pénale internationale",
            "languages": ["fr", "en"],
            "contact": "By diplomatic note",
        }
    ],
    "channels": ["diplomatic", "email"],
    "declarations": {},
    "source": "Note verbale 88/2026 of 1 October 2026",
    "updated": "2026-10-01",
}


@dataclass
class Case:
    vnm: Node
    refused: str
    """France's request by diplomatic note: registered, acknowledged, consulted, refused."""
    fresh: str
    """France's request just registered: nothing to answer yet."""
    own: str
    """Viet Nam's own request to Egypt, approved: Viet Nam is its requesting State."""

    @property
    def folder(self) -> Path:
        return self.vnm.settings.node_dir

    def check(self, pdf: bytes) -> bool:
        certificate = load_document_signer(self.vnm.settings).certificate
        later = self.vnm.clock.now() + timedelta(minutes=1)
        return verify_pdf(pdf, trusted=[certificate], now=later).ok


def _directory(vnm: Node, *, now: datetime) -> None:
    """Viet Nam with its node; France without one, taking requests in French and English."""
    entry = build_entry(
        vnm.identity,
        node_url="https://hanoi.vnm.example",
        authorities=[
            {
                "kind": "central-authority",
                "name": "Supreme People's Procuracy of Viet Nam",
                "languages": ["vi", "en"],
                "contact": "mla@vnm.example",
            }
        ],
        declarations={},
        valid_from=now,
    )
    signed = sign_entry(entry, [load_keys(vnm.settings).signing])
    authority = Ed25519PrivateKey.generate()
    document = assemble(
        [signed], version=1, issued_at=now, expires=now + timedelta(days=365), offline=[FRANCE]
    )
    data = dump_json(sign_directory(document, authority).to_json())
    import_document(vnm.settings.node_dir, data, now=now, pin=authority.public_key())


def _register(vnm: Node) -> str:
    linh = vnm.accounts.named("linh")
    view = vnm.cooperation.register(
        linh,
        Registration(
            kind=KIND,
            requesting_state="FRA",
            requesting_authority="Bureau de l'entraide pénale internationale",
            via=ChannelRecord(
                channel=Route.DIPLOMATIC, on=vnm.clock.now().date(), reference=THEIR_REFERENCE
            ),
            contents=complete_contents(CATALOGUE.kind(KIND)),
            scan=LetterScan(data=SCAN, title="Note verbale"),
        ),
    )
    request_id = view.request.id
    for name in ("minh", "an"):
        vnm.cooperation.assign(linh, request_id, name)
    return request_id


def _refused(vnm: Node) -> str:
    request_id = _register(vnm)
    linh, minh = vnm.accounts.named("linh"), vnm.accounts.named("minh")
    vnm.cooperation.take(linh, request_id, StepInput(transition="acknowledge"))
    vnm.cooperation.take(linh, request_id, StepInput(transition="consult", reasons=CONSULTED))
    vnm.cooperation.take(
        minh, request_id, StepInput(transition="refuse", grounds=(GROUND,), reasons=REASONS)
    )
    return request_id


def _own(vnm: Node) -> str:
    linh = vnm.accounts.named("linh")
    contents = complete_contents(CATALOGUE.kind(KIND))
    request_id = vnm.cooperation.draft(
        linh, DraftInput(kind=KIND, requested_state="EGY", contents=contents)
    ).request.id
    vnm.cooperation.assign(linh, request_id, "minh")
    vnm.cooperation.take(vnm.accounts.named("minh"), request_id, StepInput(transition="approve"))
    return request_id


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    root = tmp_path_factory.mktemp("answers")
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    vnm = build_node(root / "vnm", "VNM", None, clock)
    try:
        _directory(vnm, now=clock.now())
        users = (
            ("linh", Role.OFFICER, None),
            ("minh", Role.SUPERVISOR, TITLE),
            ("an", Role.AUDITOR, None),
            ("tuan", Role.OFFICER, None),
        )
        for name, role, title in users:
            vnm.accounts.add_user(name=name, role=role, password=PASSWORD, title=title)
        yield Case(vnm=vnm, refused=_refused(vnm), fresh=_register(vnm), own=_own(vnm))
    finally:
        vnm.engine.dispose()


@pytest.fixture(scope="module")
def french(case: Case) -> bytes:
    """Viet Nam's answer to France's refused request, in French, issued by linh."""
    issued = issue_answer(case.vnm, case.vnm.accounts.named("linh"), case.refused,
                          language=Language.FR)  # fmt: skip
    case.vnm.custody.sequence()
    return issued.pdf


def flat(text: str) -> str:
    """Spaces as one; a line broken after a hyphen (``ci-\ndessous``) joined again."""
    return re.sub(r"-\s+", "-", re.sub(r"\s+", " ", text))


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return flat(" ".join(page.extract_text() or "" for page in reader.pages))


def letter_verify(case: Case, pdf: bytes, folder: Path) -> tuple[int, dict[str, object], str]:
    path = folder / "answer.pdf"
    path.write_bytes(pdf)
    result = run_hanoi("letter", "verify", str(path), "--dir", str(case.folder), "--json")
    return result.returncode, json.loads(result.stdout), result.stderr


# --- issuing ------------------------------------------------------------------------------


def test_the_answer_is_signed_over_the_whole_file_and_valid_for_pdfsig(
    case: Case, french: bytes, tmp_path: Path
) -> None:
    lines = pdfsig(french, tmp_path)
    assert "Signature Validation: Signature is Valid." in lines
    assert "Total document signed" in lines
    assert "Signature Type: ETSI.CAdES.detached" in lines
    assert case.check(french)


def test_the_answer_gives_the_ground_its_article_the_reasons_and_their_reference(
    case: Case, french: bytes
) -> None:
    [record] = case.vnm.letters.for_request(case.refused)
    text = pdf_text(french)
    kind = CATALOGUE.kind(KIND)
    ground = CATALOGUE.refusal_ground(GROUND)
    source = ground_source(kind, GROUND)
    assert source is not None
    words = phrases(Language.FR)
    for expected in (
        words["answer.heading"],
        words["answer.step.refuse"],
        words["answer.grounds"],
        words["answer.reasons.refuse"],
        flat(CATALOGUE.label(ground.label_key, Language.FR)),
        CATALOGUE.cite(source, Language.FR),  # art. 40(21)(b)
        "art. 40(24)",  # reasons for any refusal
        REASONS,
        THEIR_REFERENCE,  # France's own reference, from the register step
        case.refused,
        grouped(record.verification_code),
        "France",
        "Viet Nam",
        "Bureau de l'entraide pénale internationale",
        words["answer.decided-by"],
        "minh",  # who refused: the signatory
        TITLE,
    ):
        assert flat(expected) in text, expected
    assert CATALOGUE.cite(source, Language.FR) == "art. 40(21)(b)"
    assert CATALOGUE.cite(source, Language.EN) == "Art. 40(21)(b)"


def test_issuing_an_answer_is_a_letter_issued_event_naming_the_step(
    case: Case, french: bytes
) -> None:
    digest = hashlib.sha256(french).hexdigest()
    [logged] = logged_letters(case.vnm, digest)
    event = logged.event
    refusal = case.vnm.cooperation.held(case.refused).history[-1]
    assert event.action is CustodyAction.LETTER_ISSUED
    assert event.evidence_sha256 == digest
    assert event.request_id == case.refused
    assert event.node == "VNM"
    assert event.officer == "linh"  # who issued it; the letter is signed for minh's decision
    assert event.article == refusal.article == "Art. 40(24); Art. 40(21)(b)"
    assert event.unknown["purpose"] == "answer"
    assert event.unknown["step"] == "refuse"
    assert event.unknown["step_sequence"] == refusal.sequence == 4
    assert event.unknown["language"] == "fr"
    assert "override_reason" not in event.unknown
    code = event.unknown["verification_code"]
    assert code == verification_code(bytes.fromhex(event.unknown["code_seed"]))
    linh = case.vnm.accounts.named("linh")
    record, stored = letter_pdf(case.vnm, linh, case.refused, digest)
    assert stored == french
    assert (record.purpose, record.step, record.step_sequence) == (Purpose.ANSWER, "refuse", 4)
    assert digest in [r.sha256 for r in letters_of(case.vnm, linh, case.refused)]


def test_letter_verify_with_the_node_folder_finds_the_answer(
    case: Case, french: bytes, tmp_path: Path
) -> None:
    code, result, stderr = letter_verify(case, french, tmp_path)
    assert code == 0, stderr
    assert result["signed"] is result["intact"] is result["trusted"] is True
    custody = result["custody"]
    assert isinstance(custody, dict)
    assert custody["found"] is True
    assert custody["request_id"] == case.refused
    assert custody["purpose"] == "answer"
    assert custody["step"] == "refuse"


def test_a_changed_answer_fails_pdfsig_and_letter_verify(
    case: Case, french: bytes, tmp_path: Path
) -> None:
    first, _ = signed_ranges(french)
    position = french.index(b"stream\n") + len(b"stream\n") + 8
    assert position in first
    changed = bytearray(french)
    changed[position] ^= 0x01
    lines = pdfsig(bytes(changed), tmp_path)
    assert "Signature Validation: Signature is Valid." not in lines
    code, result, _ = letter_verify(case, bytes(changed), tmp_path)
    assert code == 6
    assert result["intact"] is False
    assert result["custody"] == {"found": False, "sha256": hashlib.sha256(changed).hexdigest()}
    assert not case.check(bytes(changed))


# --- refusals -----------------------------------------------------------------------------


def test_a_request_just_received_has_nothing_to_answer(case: Case) -> None:
    linh = case.vnm.accounts.named("linh")
    with pytest.raises(NothingToAnswer, match=r"'received'.*acknowledge it \(Art. 40\(25\)\)"):
        issue_answer(case.vnm, linh, case.fresh, language=Language.FR)
    with pytest.raises(NothingToAnswer):  # the side's letter: an answer, of which none yet
        issue_for(case.vnm, linh, case.fresh, language=Language.FR)
    assert case.vnm.letters.for_request(case.fresh) == []


def test_the_requesting_side_issues_no_answer(case: Case) -> None:
    linh = case.vnm.accounts.named("linh")
    with pytest.raises(NotIssuable, match="only the requested State answers"):
        issue_answer(case.vnm, linh, case.own, language=Language.EN)
    assert case.vnm.letters.for_request(case.own) == []


def test_the_answer_is_in_a_language_the_requesting_state_accepts(case: Case) -> None:
    linh = case.vnm.accounts.named("linh")
    with pytest.raises(LanguageNotAccepted, match=r"FRA accepts requests in fr, en") as raised:
        issue_answer(case.vnm, linh, case.refused, language=Language.ES)
    assert raised.value.accepted == ("fr", "en")
    reason = "The Bureau asked by e-mail of 4 March for an answer in Spanish"
    issued = issue_answer(
        case.vnm, linh, case.refused, language=Language.ES, override_reason=reason
    )
    case.vnm.custody.sequence()
    [logged] = logged_letters(case.vnm, issued.record.sha256)
    assert logged.event.unknown["override_reason"] == reason
    assert phrases(Language.ES)["answer.step.refuse"] in pdf_text(issued.pdf)


def test_only_the_case_team_with_a_role_that_decides_answers(case: Case) -> None:
    with pytest.raises(PermissionDenied):
        issue_answer(case.vnm, case.vnm.accounts.named("an"), case.refused, language=Language.FR)
    with pytest.raises(NotFound):  # not on the case: as if it did not exist
        issue_answer(case.vnm, case.vnm.accounts.named("tuan"), case.refused,
                     language=Language.FR)  # fmt: skip


# --- the CLI ------------------------------------------------------------------------------


def test_requests_letter_writes_the_answer_on_the_requested_side(
    case: Case, tmp_path: Path
) -> None:
    out = tmp_path / "answer-en.pdf"
    base = ("requests", "letter", "--dir", str(case.folder), "--user", "linh")
    nothing = run_hanoi(*base[:2], case.fresh, *base[2:], "--language", "fr", "--out", str(out))
    assert nothing.returncode == 5, nothing.stderr
    assert "there is no decision to answer yet" in nothing.stderr
    assert not out.exists()
    made = run_hanoi(*base[:2], case.refused, *base[2:], "--language", "en", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert f"answer to request {case.refused} (refuse) (en)" in made.stdout
    pdf = out.read_bytes()
    digest = hashlib.sha256(pdf).hexdigest()
    assert f"SHA-256 {digest}  letter-issued: entry " in made.stdout
    assert "Grounds for refusal" in pdf_text(pdf)
    assert "Art. 40(21)(b)" in pdf_text(pdf)
    verified = run_hanoi("letter", "verify", str(out), "--dir", str(case.folder))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"answer (refuse) to request {case.refused}" in verified.stdout
    assert "VERIFIED" in verified.stdout


# --- the UI -------------------------------------------------------------------------------


def test_the_request_page_offers_the_answer_in_the_languages_france_accepts(
    case: Case, french: bytes
) -> None:
    with signed_in(case.vnm, "linh", enter=False) as client:
        page = client.get(f"/ui/requests/{case.refused}", headers={"Accept-Language": "en"})
        fresh = client.get(f"/ui/requests/{case.fresh}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.text
    assert "Answer by signed letter" in html
    assert "The letter answers the last step: Refused" in html
    assert "France accepts requests in French and English." in html
    assert '<optgroup label="Accepted by France">' in html
    assert '<option value="fr" lang="fr" selected>Français</option>' in html
    assert "Download the signed answer" in html
    assert hashlib.sha256(french).hexdigest() in html  # the answers issued, listed
    assert 'id="letter-heading"' not in fresh.text  # nothing to answer: no section


def test_the_ui_downloads_the_signed_answer_and_lists_it(case: Case) -> None:
    url = f"/ui/requests/{case.refused}"
    with signed_in(case.vnm, "minh", enter=False) as client:
        token = csrf(client, url)
        answer = client.post(f"{url}/letter", data={"csrf_token": token, "language": "fr"})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.headers["content-disposition"] == (
            f'attachment; filename="answer-{case.refused}-refuse-fr.pdf"'
        )
        pdf = answer.content
        digest = hashlib.sha256(pdf).hexdigest()
        assert case.check(pdf)
        assert REASONS in pdf_text(pdf)
        case.vnm.custody.sequence()
        [logged] = logged_letters(case.vnm, digest)
        assert logged.event.officer == "minh"
        assert logged.event.unknown["step"] == "refuse"
        page = client.get(url, headers={"Accept-Language": "en"}).text
        assert digest in page
        assert grouped(str(logged.verification_code)) in page
        again = client.get(f"{url}/letters/{digest}.pdf")
        assert again.status_code == 200
        assert again.content == pdf
        fresh = client.post(
            f"/ui/requests/{case.fresh}/letter",
            data={"csrf_token": token, "language": "fr"},
            headers={"Accept-Language": "en"},
        )
        assert fresh.status_code == 422  # never a 500
        assert "There is nothing to answer yet" in fresh.text


def test_an_auditor_sees_the_answers_but_no_form(case: Case) -> None:
    url = f"/ui/requests/{case.refused}"
    with signed_in(case.vnm, "an", enter=False) as client:
        page = client.get(url, headers={"Accept-Language": "en"})
        token = csrf(client, url)
        posted = client.post(f"{url}/letter", data={"csrf_token": token, "language": "fr"})
    assert page.status_code == 200
    assert 'id="letter-heading"' in page.text
    assert 'id="letter-form"' not in page.text
    assert posted.status_code == 404
