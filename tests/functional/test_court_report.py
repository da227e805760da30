"""The court report, end to end: a request goes from EGY to VNM, VNM collects evidence (under
a production order, three days before it uploads it) and sends it back in a package, EGY
pulls, verifies and accepts it; then EGY's officers export the report from the CLI
(``hanoi evidence report``) and from the UI (``/ui/requests/{id}/report.pdf``), and the PDF
is read back: each file's chain from VNM's collection, the certifying officer, and the
``report-issued`` custody event with the SHA-256 of the very bytes handed over.

Both nodes run on loopback (uvicorn; SQLite, then PostgreSQL) as in
``tests/integration/test_package_transfer.py``; each cosigns the other's custody log. Pages
of the English, Arabic and Chinese reports are written to ``test-output/screenshots/`` as
PNG (pdftoppm), for a person to look at.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from conftest import free_port_run, require_tool, run_hanoi
from hanoi.accounts.model import Role
from hanoi.convention import Language
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.custody.events import CustodyAction
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.i18n.formatting import LocaleFormat
from hanoi.web.app import create_app
from hanoi.wiring import Node
from support_databases import templates as database_templates
from support_nodes import federate, open_at
from support_transfers import (
    CATALOGUE,
    KIND,
    Served,
    blob_file,
    flip_byte,
    payload_offset,
    writable,
)
from support_ui import LOOPBACK, PASSWORD, signed_in
from unit.cooperation.builders import complete_contents

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
FILES = {"mailbox.mbox": os.urandom(200_000), "subscriber.csv": b"name,ip\nx,192.0.2.7\n"}
VERIFIED = "Verified: every evidence package of this request was verified again"
FAILED = "Verification failed: at least one evidence package"
LEGAL_BASIS = "Production order 17/2026 of the Hanoi People's Court"
AUTHORITY = "Supreme People's Procuracy, Cybercrime Department"
OBTAINED_BEFORE_UPLOAD = timedelta(days=3, hours=2)
TITLE = "Public Prosecutor, Cybercrime Unit"


@dataclass
class Case:
    egy: Node
    vnm: Node
    request_id: str
    package_id: str
    digests: dict[str, str]
    env: dict[str, str]
    """For the CLI on EGY's folder: its database when it is not the folder's SQLite one."""
    vnm_env: dict[str, str]

    @property
    def egy_dir(self) -> Path:
        return self.egy.settings.node_dir

    @property
    def package_file(self) -> Path:
        """The received package's bytes: a file of EGY's disk blob store."""
        return blob_file(self.egy, self.egy.transfers.row(self.package_id))


def collected(vnm: Node, request_id: str, name: str, data: bytes) -> EvidenceItem:
    acquisition = Acquisition(
        original_name=name,
        media_type="application/octet-stream",
        source_kind=SourceKind.PROVIDER,
        source="Example Mail Ltd (VNM)",
        method="export by the provider",
        acquired_at=vnm.clock.now() - OBTAINED_BEFORE_UPLOAD,
        officer="lan",
        request_ref=request_id,
        article="Art. 44",
        legal_basis=LEGAL_BASIS,
        authority=AUTHORITY,
    )
    return vnm.evidence.ingest(vnm.accounts.named("lan"), io.BytesIO(data), acquisition).item


def _exchange(egy: Node, vnm: Node) -> tuple[str, str, dict[str, str]]:
    """EGY sends a request; VNM collects two files and sends them back in a package whose
    custody proofs EGY's witness cosigned; EGY pulls, verifies and accepts it."""
    for node in (egy, vnm):
        assert node.peering.sync()
    amira, samir = egy.accounts.named("amira"), egy.accounts.named("samir")
    contents = complete_contents(CATALOGUE.kind(KIND))
    request_id = egy.cooperation.draft(
        amira, DraftInput(kind=KIND, requested_state="VNM", contents=contents)
    ).request.id
    egy.cooperation.assign(amira, request_id, "samir")
    egy.cooperation.take(samir, request_id, StepInput(transition="approve"))
    egy.cooperation.take(amira, request_id, StepInput(transition="send"))
    assert egy.federation.deliver_due() >= 1
    lan = vnm.accounts.named("lan")
    vnm.cooperation.take(lan, request_id, StepInput(transition="acknowledge"))
    items = [collected(vnm, request_id, name, data) for name, data in FILES.items()]
    vnm.custody.sequence()
    assert vnm.collector.collect() == 1  # EGY's witness cosigns VNM's checkpoint
    row = vnm.transfers.offer(lan, request_id, [i.id for i in items])
    assert vnm.federation.deliver_due() >= 1
    assert egy.transfers.fetch_pending() == 1
    egy.custody.sequence()
    assert egy.collector.collect() == 1  # VNM's witness cosigns EGY's checkpoint
    return request_id, row.id, {i.acquisition.original_name: i.sha256 for i in items}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def case(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Case]:
    root = tmp_path_factory.mktemp("court")
    base = free_port_run(2)
    federate(root / "fed", ["EGY", "VNM"], base_port=base)
    with database_templates().clones() as databases:
        urls: list[str | None] = [None, None]
        if request.param == "postgresql":
            urls = [databases.postgres(), databases.postgres()]
        egy, vnm = open_at(root / "fed" / "egy", urls[0]), open_at(root / "fed" / "vnm", urls[1])
        servers = [Served(egy, base), Served(vnm, base + 1)]
        try:
            for name, role in (("amira", Role.OFFICER), ("samir", Role.SUPERVISOR)):
                egy.accounts.add_user(name=name, role=role, password=PASSWORD)
            egy.accounts.add_user(name="karim", role=Role.OFFICER, password=PASSWORD)  # no case
            vnm.accounts.add_user(name="lan", role=Role.SUPERVISOR, password=PASSWORD)
            request_id, package_id, digests = _exchange(egy, vnm)
            env, vnm_env = ({"HANOI_DATABASE_URL": url} if url else {} for url in urls)
            yield Case(egy, vnm, request_id, package_id, digests, env, vnm_env)
        finally:
            for served in servers:
                served.stop()
            for node in (egy, vnm):
                node.engine.dispose()


# --- reading a PDF ----------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """The text of every page, with the line breaks a layout adds removed."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_language(data: bytes) -> str:
    return str(PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"])


def pdf_fonts(data: bytes) -> set[str]:
    """The base names of the fonts embedded in the PDF (subset prefix removed)."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.get_object().values():
            base = str(font.get_object()["/BaseFont"]).lstrip("/")
            names.add(base.split("+", 1)[-1])
    return names


def first_page_png(pdf: Path, name: str) -> Path:
    tool = require_tool("pdftoppm")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / name
    subprocess.run(
        [tool, "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(target)],
        check=True,
        timeout=60,
    )
    png = target.with_suffix(".png")
    assert png.stat().st_size > 10_000
    return png


def every_page_png(pdf: Path, name: str) -> list[Path]:
    """Each page of ``pdf`` as ``<name>-<n>.png`` in the screenshots folder."""
    tool = require_tool("pdftoppm")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run([tool, "-png", "-r", "80", str(pdf), str(SCREENSHOTS / name)],
                   check=True, timeout=120)  # fmt: skip
    pages = sorted(SCREENSHOTS.glob(f"{name}-*.png"))
    assert pages
    assert all(page.stat().st_size > 10_000 for page in pages)
    return pages


# --- the CLI ----------------------------------------------------------------------------


def report_cli(
    case: Case, out: Path, *extra: str, user: str = "samir"
) -> subprocess.CompletedProcess[str]:
    return run_hanoi(
        "evidence", "report", case.request_id, "--dir", str(case.egy_dir), "--user", user,
        "--out", str(out), *extra, timeout=300, env=case.env,
    )  # fmt: skip


def issued_line(stdout: str) -> tuple[str, int]:
    """The digest and log entry the CLI's second line gives for the report it wrote."""
    found = re.fullmatch(
        r"SHA-256 ([0-9a-f]{64})  report-issued: entry (\d+) of \S+", stdout.splitlines()[1]
    )
    assert found, stdout
    return found[1], int(found[2])


def test_the_cli_writes_a_report_with_the_request_the_digests_and_the_verdict(
    case: Case, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    done = report_cli(case, out)
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert done.stdout.splitlines()[0] == (
        f"{out}  {len(data)} bytes  VERIFIED: 1 evidence package(s) verified again"
    )
    assert issued_line(done.stdout)[0] == hashlib.sha256(data).hexdigest()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left
    text = pdf_text(data)
    flat = squeezed(text)
    assert case.request_id in text
    for digest in case.digests.values():
        assert digest in flat
    assert squeezed(VERIFIED) in flat
    assert case.package_id in flat
    for heading in ("Evidence and its chain of custody", "History of the request",
                    "Witnessed checkpoints", "Evidence packages", "Certification"):  # fmt: skip
        assert heading in text
    assert "Collected" in text  # VNM's custody events, proven by the package
    assert "Received" in text  # EGY's own
    assert "Egypt" in text  # VNM's witness of EGY's log, and EGY's of VNM's
    assert "Viet Nam" in text
    assert re.search(r"1 / \d", text)  # the footer's page number
    assert str(case.egy_dir) not in text


def test_the_chain_runs_from_vnms_collection_and_a_titled_officer_certifies_it(
    case: Case, tmp_path: Path
) -> None:
    titled = run_hanoi(
        "user", "set-title", "samir", TITLE, "--dir", str(case.egy_dir), env=case.env
    )
    assert titled.returncode == 0, titled.stderr
    assert json.loads(titled.stdout) == {"name": "samir", "title": TITLE}
    out = tmp_path / "chain.pdf"
    done = report_cli(case, out)
    assert done.returncode == 0, done.stderr
    text = pdf_text(out.read_bytes())
    flat = squeezed(text)
    english = LocaleFormat(Language.EN)
    # VNM's collection, as VNM signed it: legal basis, authority, and the time the data were
    # obtained, three days before VNM uploaded them (the time of its 'collected' step).
    assert flat.count(squeezed(LEGAL_BASIS)) == len(FILES)
    assert flat.count(squeezed(AUTHORITY)) == len(FILES)
    assert flat.count("ObtainedbyVietNam") == len(FILES)
    assert flat.count(squeezed("Service provider: Example Mail Ltd (VNM)")) == len(FILES)
    for item in case.vnm.evidence.held_for_request(case.request_id):
        obtained, uploaded = item.acquisition.acquired_at, item.recorded_at
        assert uploaded - obtained >= OBTAINED_BEFORE_UPLOAD
        assert squeezed(english.moment(obtained)) in flat
    # Every step, once: VNM's collection in VNM's log (cosigned by EGY's witness) and EGY's
    # receipt in EGY's log (cosigned by VNM's), each with its log entry.
    steps = [
        (node, logged)
        for node in (case.vnm, case.egy)
        for digest in case.digests.values()
        for logged in node.custody.events_for(f"sha256:{digest}")
    ]
    assert {(node.settings.state, logged.event.action) for node, logged in steps} >= {
        ("VNM", CustodyAction.COLLECTED),
        ("EGY", CustodyAction.RECEIVED),
    }
    shown = [(n, s) for n, s in steps if s.event.action is not CustodyAction.EXPORTED]
    for node, logged in shown:  # (VNM's 'exported' is logged with the offer, after packing)
        assert flat.count(f"#{logged.index}{node.custody.origin}") == 1, logged.event
    assert "Notyetcosigned" not in flat
    assert "This node's custody log" not in text.split("Evidence packages")[0]
    # What digests, signatures and witnesses prove; the certifying officer.
    assert "What the checks prove, and what they do not" in text
    certification = flat[flat.index("Certification") :]
    for words in ("Certifying officer samir", f"Title {TITLE}",
                  "Authority Central authority of EGY (Egypt)",
                  f"Date {english.date(case.egy.clock.now().date())}",
                  "Signature of the certifying officer"):  # fmt: skip
        assert squeezed(words) in certification, words


def test_issuing_a_report_logs_the_sha256_of_the_bytes_handed_over(
    case: Case, tmp_path: Path
) -> None:
    """From the CLI and the UI alike: a court hashes its copy and the node finds the event;
    a copy changed by one byte matches nothing."""
    out = tmp_path / "issued.pdf"
    done = report_cli(case, out, "--title", "Deputy Prosecutor")
    assert done.returncode == 0, done.stderr
    cli_digest, index = issued_line(done.stdout)
    assert cli_digest == hashlib.sha256(out.read_bytes()).hexdigest()
    assert "Deputy Prosecutor" in pdf_text(out.read_bytes())  # this report's title only
    with signed_in(case.egy, "amira", enter=False) as client:
        answer = client.get(f"/ui/requests/{case.request_id}/report.pdf")
    assert answer.status_code == 200
    ui_digest = hashlib.sha256(answer.content).hexdigest()
    assert answer.headers["repr-digest"] == (
        f"sha-256=:{base64.b64encode(hashlib.sha256(answer.content).digest()).decode()}:"
    )
    case.egy.custody.sequence()  # as the custody worker does, in the second after
    for digest, officer in ((cli_digest, "samir"), (ui_digest, "amira")):
        [logged] = case.egy.custody.events_for(f"sha256:{digest}")
        event = logged.event
        assert event.action is CustodyAction.REPORT_ISSUED
        assert (event.request_id, event.officer, event.node) == (case.request_id, officer, "EGY")
        assert event.article == "Art. 40(19)"
    assert case.egy.custody.events_for(f"sha256:{cli_digest}")[0].index == index

    checked = run_hanoi(
        "evidence", "report-check", str(out), "--dir", str(case.egy_dir), "--user", "samir",
        env=case.env,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    [found] = json.loads(checked.stdout)["issued"]
    assert (found["request_id"], found["officer"], found["index"]) == (
        case.request_id, "samir", index,
    )  # fmt: skip
    # What a court needs to prove it offline: the event, its salt and a tlog-proof.
    (tmp_path / "event.json").write_text(json.dumps(found["event"]))
    (tmp_path / "proof.json").write_text(json.dumps(found["proof"]))
    verifier = json.loads(
        run_hanoi("node", "show", "--dir", str(case.egy_dir), env=case.env).stdout
    )["log_verifier_key"]
    proven = run_hanoi(
        "log", "verify-event", str(tmp_path / "event.json"), "--salt", found["salt"],
        "--proof", str(tmp_path / "proof.json"), "--key", verifier,
    )  # fmt: skip
    assert proven.returncode == 0, proven.stderr
    assert proven.stdout.startswith("ok: report-issued event ")

    altered = tmp_path / "altered.pdf"
    altered.write_bytes(out.read_bytes() + b"\n")
    refused = run_hanoi(
        "evidence", "report-check", str(altered), "--dir", str(case.egy_dir), "--user", "samir",
        env=case.env,
    )  # fmt: skip
    assert refused.returncode == 3
    assert "logged no report with SHA-256" in refused.stderr
    stranger = run_hanoi(
        "evidence", "report-check", str(out), "--dir", str(case.egy_dir), "--user", "karim",
        env=case.env,
    )  # fmt: skip
    assert stranger.returncode == 3  # not one of karim's cases: as if it did not exist

    with signed_in(case.egy, "amira", enter=False) as client:
        page = client.get(f"/ui/reports/check?sha256={ui_digest.upper()}")
        other = client.get(f"/ui/reports/check?sha256={'0' * 64}")
        bad = client.get("/ui/reports/check?sha256=not-a-digest")
    assert page.status_code == 200
    assert "This node issued this report" in page.text
    assert case.request_id in page.text
    assert other.status_code == 200
    assert "No report with this digest" in other.text
    assert bad.status_code == 422


def test_the_package_page_of_both_states_shows_how_each_file_was_obtained(case: Case) -> None:
    for node, user in ((case.egy, "amira"), (case.vnm, "lan")):
        with signed_in(node, user, enter=False) as client:
            page = client.get(f"/ui/packages/{case.package_id}")
        assert page.status_code == 200, page.text
        html = page.text.replace("&#39;", "'")
        assert "How the files were obtained" in html
        assert html.count(LEGAL_BASIS) == len(FILES)
        assert html.count(AUTHORITY) == len(FILES)
        assert "Example Mail Ltd (VNM)" in html


def test_the_requested_state_reports_the_package_it_sent(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "sent.pdf"
    done = run_hanoi(
        "evidence", "report", case.request_id, "--dir", str(case.vnm.settings.node_dir),
        "--user", "lan", "--out", str(out), "--language", "ru", timeout=300, env=case.vnm_env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].endswith("VERIFIED: 1 evidence package(s) verified again")
    text = pdf_text(out.read_bytes())
    flat = squeezed(text)
    assert case.package_id in flat
    for digest in case.digests.values():
        assert digest in flat
    assert "Египет" in text  # the State it went to, in Russian
    # Encrypted to EGY, the sender cannot decrypt it: the report says what was not checked.
    assert "payloadcontents:no--identity" in flat
    # Its own collection, as it recorded it, and each of its steps once: 'collected' (in its
    # log and proven by the package it sent), then 'exported'.
    assert flat.count(squeezed(LEGAL_BASIS)) == len(FILES)
    for digest in case.digests.values():
        logged = case.vnm.custody.events_for(f"sha256:{digest}")
        assert [e.event.action for e in logged] == [
            CustodyAction.COLLECTED,
            CustodyAction.EXPORTED,
        ]
        for entry in logged:
            assert flat.count(f"#{entry.index}{case.vnm.custody.origin}") == 1


def test_the_cli_refuses_to_overwrite_and_reports_errors_in_one_line(
    case: Case, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"an earlier report")
    kept = report_cli(case, out)
    assert kept.returncode == 4  # a conflict
    assert "--force" in kept.stderr
    assert kept.stderr.count("\n") == 1
    assert out.read_bytes() == b"an earlier report"

    replaced = report_cli(case, out, "--force", "--language", "fr")
    assert replaced.returncode == 0, replaced.stderr
    assert pdf_language(out.read_bytes()) == "fr"

    for args, code, words in (
        (("--language", "de"), 2, "one of ar, zh, en, fr, ru, es"),
        (("--out", str(tmp_path / "no" / "such" / "folder.pdf")), 2, "does not exist"),
        (("--out", str(tmp_path)), 2, "is a folder"),
    ):
        failed = run_hanoi(
            "evidence", "report", case.request_id, "--dir", str(case.egy_dir),
            "--user", "samir", "--out", str(tmp_path / "x.pdf"), *args, env=case.env,
        )  # fmt: skip
        assert failed.returncode == code, failed.stderr
        assert words in failed.stderr
        assert failed.stderr.count("\n") == 1
    unknown = run_hanoi(
        "evidence", "report", "EGY-2026-NOSUCH", "--dir", str(case.egy_dir),
        "--user", "samir", "--out", str(tmp_path / "y.pdf"), env=case.env,
    )  # fmt: skip
    assert unknown.returncode == 3
    stranger = report_cli(case, tmp_path / "z.pdf", user="karim")  # not on the case
    assert stranger.returncode == 3  # exactly as for a request that does not exist:
    said = stranger.stderr.splitlines()[-1]  # (after the service's warning that it refused)
    assert said.replace(case.request_id, "ID") == unknown.stderr.splitlines()[-1].replace(
        "EGY-2026-NOSUCH", "ID"
    )
    assert said == f"hanoi: not found: no request '{case.request_id}' among your cases"
    assert not (tmp_path / "x.pdf").exists()
    assert not (tmp_path / "z.pdf").exists()


def test_a_tampered_package_gives_a_report_that_says_verification_failed(
    case: Case, tmp_path: Path
) -> None:
    original = tmp_path / "original.tar"
    shutil.copyfile(case.package_file, original)
    try:
        flip_byte(case.package_file, payload_offset(case.package_file))
        out = tmp_path / "tampered.pdf"
        done = report_cli(case, out)
        assert done.returncode == 0, done.stderr  # the report is written, and says so
        assert "VERIFICATION FAILED: 1 of 1 package(s)" in done.stdout
        flat = squeezed(pdf_text(out.read_bytes()))
        assert squeezed(FAILED) in flat
        assert "data/" in flat  # the verifier names the file at fault
        assert "(altered)" in flat or "doesnotmatch" in flat
    finally:
        with writable(case.package_file) as blob:
            shutil.copyfile(original, blob)


# --- the UI -----------------------------------------------------------------------------


def test_the_ui_serves_the_report_as_a_pdf_attachment(case: Case) -> None:
    url = f"/ui/requests/{case.request_id}/report.pdf"
    with signed_in(case.egy, "amira", enter=False) as client:
        answer = client.get(url, headers={"Accept-Language": "en"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="hanoi-report-{case.request_id}.pdf"'
    )
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    flat = squeezed(pdf_text(answer.content))
    assert case.request_id in flat
    assert squeezed(VERIFIED) in flat
    for digest in case.digests.values():
        assert digest in flat


def test_a_stranger_to_the_case_gets_the_same_404_as_for_a_missing_request(case: Case) -> None:
    with signed_in(case.egy, "karim", enter=False) as client:
        hidden = client.get(f"/ui/requests/{case.request_id}/report.pdf")
        missing = client.get("/ui/requests/EGY-2026-NOSUCH/report.pdf")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.headers["content-type"].startswith("text/html")
    assert hidden.text.replace(case.request_id, "ID") == missing.text.replace(
        "EGY-2026-NOSUCH", "ID"
    )
    with TestClient(
        create_app(case.egy, background=False), base_url=LOOPBACK, follow_redirects=False
    ) as anonymous:
        away = anonymous.get(f"/ui/requests/{case.request_id}/report.pdf")
    assert away.status_code in (302, 303, 307)
    assert away.headers["location"].startswith("/ui/login")


@pytest.mark.parametrize(
    ("language", "font", "sample"),
    [("ar", "NotoSansArabic", "مصر"), ("zh", "NotoSansCJK", "埃及")],
)
def test_arabic_and_chinese_reports_embed_their_noto_fonts(
    case: Case, tmp_path: Path, language: str, font: str, sample: str
) -> None:
    with signed_in(case.egy, "samir", enter=False) as client:
        answer = client.get(
            f"/ui/requests/{case.request_id}/report.pdf", headers={"Accept-Language": language}
        )
    assert answer.status_code == 200
    assert pdf_language(answer.content) == language
    fonts = pdf_fonts(answer.content)
    assert any(name.replace("-", "").startswith(font) for name in fonts), fonts
    text = pdf_text(answer.content)
    assert sample in text  # Egypt, as the UN names it in the language
    for digest in case.digests.values():
        assert digest in squeezed(text)
    pdf = tmp_path / f"court-report-{language}.pdf"
    pdf.write_bytes(answer.content)
    first_page_png(pdf, f"court-report-{language}")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_english_and_arabic_reports_show_the_chain_on_pages_to_look_at(
    case: Case, tmp_path: Path, language: str
) -> None:
    """Every page of the report in English and in Arabic, for a person to look at: the chain
    from VNM's collection, the note, and the certifying officer's block."""
    out = tmp_path / f"chain-{language}.pdf"
    done = report_cli(case, out, "--language", language)
    assert done.returncode == 0, done.stderr
    flat = squeezed(pdf_text(out.read_bytes()))
    assert flat.count(squeezed(LEGAL_BASIS)) == len(FILES)  # as VNM signed it, in any language
    assert squeezed(fmt_territory(language, "VNM")) in flat
    every_page_png(out, f"court-report-chain-{language}")


def fmt_territory(language: str, code: str) -> str:
    return LocaleFormat(Language(language)).territory(code)
