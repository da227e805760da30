"""What the work off the network of issue 17 costs: issuing a signed letter of request,
checking one, and registering a request received on paper, against public tools and
plain calls of the same node in the same run.

1. ``issue_letter`` (the letter rendered with WeasyPrint in the language asked, signed
   PAdES with the node's certificate, stored and logged) against ``pdfsig`` checking the
   letter it made (poppler, a public tool: the baseline a receiving State runs);
2. ``verify_pdf`` (pyHanko: signature, coverage, trust) against ``pdfsig`` on the same
   file;
3. ``register`` (a paper request: scan checked and stored, contents validated, the
   request and its custody events written) against ``draft`` (a new request alone);
4. the letter's custody proof (ADR 0031): ``letter_proof`` (found by digest, proven
   against the log's checkpoint) and checking it (parse, digest, commitment, inclusion,
   checkpoint signature) against ``pdfsig`` on the letter.

It prints the median of RUNS runs (each of CALLS calls for 3, LETTERS letters for 1-2)
and the ratios. Letters in English and Arabic.

    HANOI_BENCH_RUNS=5 HANOI_BENCH_LETTERS=5 HANOI_BENCH_CALLS=50 \\
        .venv/bin/python bench/bench_letters.py
"""

from __future__ import annotations

import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import env_int, machine

from hanoi.accounts.model import Role
from hanoi.convention import Language
from hanoi.cooperation.offline import LetterScan, Registration
from hanoi.cooperation.routes import ChannelRecord, Route
from hanoi.cooperation.samples import sample_contents
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.evidence.trust import parse_trust
from hanoi.letters.issued import issue_letter, letter_proof
from hanoi.letters.pades import verify_pdf
from hanoi.letters.proof import check, parse_letter_proof
from hanoi.node.folder import load_document_signer
from hanoi.settings import load_settings
from hanoi.wiring import open_node

RUNS = env_int("HANOI_BENCH_RUNS", 5)
LETTERS = env_int("HANOI_BENCH_LETTERS", 5)
CALLS = env_int("HANOI_BENCH_CALLS", 50)
HANOI = str(Path(sys.executable).with_name("hanoi"))
PDFSIG = shutil.which("pdfsig") or "/usr/bin/pdfsig"
SCAN = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n" + bytes(200_000)


def timed(call: Callable[[], object], times: int) -> float:
    """The median of ``times`` calls, in milliseconds."""
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def report(label: str, values: list[float]) -> float:
    middle = statistics.median(values)
    print(f"{label:<58} median {middle:9.2f} ms  (runs {min(values):.2f}-{max(values):.2f})")
    return middle


def main() -> None:
    print(machine())
    print(f"{RUNS} runs; {LETTERS} letters and {CALLS} registrations per run")
    work = Path(tempfile.mkdtemp(prefix="hanoi-bench-letters-"))
    try:
        folder = work / "egy"
        subprocess.run(
            [HANOI, "node", "init", "--dir", str(folder), "--state", "EGY", "--name", "Bench"],
            check=True, capture_output=True,
        )  # fmt: skip
        node = open_node(load_settings(folder))
        samir = node.accounts.add_user(name="samir", role=Role.SUPERVISOR).user
        service = node.cooperation
        today = node.clock.now().date()
        contents = sample_contents("mla-stored-data", today=today)
        trusted = [load_document_signer(node.settings).certificate]
        logs = parse_trust(json.dumps([node.identity.as_json()]).encode())

        def approved() -> str:
            draft = DraftInput(kind="mla-stored-data", requested_state="VNM", contents=contents)
            request_id = service.draft(samir, draft).request.id
            service.take(samir, request_id, StepInput(transition="approve"))
            return request_id

        letter_file = work / "letter.pdf"
        figures: dict[str, list[float]] = {
            name: []
            for name in ("en", "ar", "pdfsig", "verify", "register", "draft", "proof", "check")
        }
        for _ in range(RUNS):
            for language, name in ((Language.EN, "en"), (Language.AR, "ar")):
                ids = [approved() for _ in range(LETTERS)]
                made: list[bytes] = []

                def one(
                    ids: list[str] = ids, language: Language = language, made: list[bytes] = made
                ) -> None:
                    issued = issue_letter(
                        node, samir, ids.pop(), language=language, override_reason="bench"
                    )
                    made.append(issued.pdf)

                figures[name].append(timed(one, LETTERS))
            letter_file.write_bytes(made[-1])
            checked = subprocess.run(
                [PDFSIG, str(letter_file)], capture_output=True, text=True, check=False
            )
            assert "Signature is Valid." in checked.stdout, checked.stdout
            figures["pdfsig"].append(
                timed(
                    lambda: subprocess.run(
                        [PDFSIG, str(letter_file)], capture_output=True, check=False
                    ),
                    LETTERS,
                )
            )
            pdf = letter_file.read_bytes()
            assert verify_pdf(pdf, trusted=trusted).ok
            figures["verify"].append(
                timed(lambda pdf=pdf: verify_pdf(pdf, trusted=trusted), LETTERS)  # type: ignore[misc]
            )

            digest = hashlib.sha256(pdf).hexdigest()
            node.custody.sequence()
            proof = letter_proof(node, digest).to_bytes()
            assert check(parse_letter_proof(proof), sha256=digest, trust=logs).proven
            figures["proof"].append(
                timed(lambda digest=digest: letter_proof(node, digest).to_bytes(), LETTERS)  # type: ignore[misc]
            )
            figures["check"].append(
                timed(
                    lambda proof=proof, digest=digest: check(  # type: ignore[misc]
                        parse_letter_proof(proof), sha256=digest, trust=logs
                    ),
                    LETTERS,
                )
            )

            def registration() -> None:
                service.register(
                    samir,
                    Registration(
                        kind="mla-stored-data",
                        requesting_state="FRA",
                        requesting_authority="Ministère de la Justice",
                        via=ChannelRecord(channel=Route.DIPLOMATIC, on=today, reference="N 1"),
                        contents=contents,
                        scan=LetterScan(data=SCAN),
                    ),
                )

            def draft() -> None:
                service.draft(
                    samir,
                    DraftInput(kind="mla-stored-data", requested_state="VNM", contents=contents),
                )

            figures["register"].append(timed(registration, CALLS))
            figures["draft"].append(timed(draft, CALLS))
        node.engine.dispose()
        print(f"letter: {len(pdf)} bytes; scan: {len(SCAN)} bytes; {datetime.now(UTC):%Y-%m-%d}")
        en = report("issue_letter, English (render, sign, store, log)", figures["en"])
        ar = report("issue_letter, Arabic", figures["ar"])
        sig = report("pdfsig on the letter (baseline)", figures["pdfsig"])
        ver = report("verify_pdf on the letter (pyHanko)", figures["verify"])
        reg = report("register a paper request (scan, contents, events)", figures["register"])
        dra = report("draft a request (baseline)", figures["draft"])
        prf = report("letter_proof (found by digest, proven)", figures["proof"])
        chk = report("check the proof (parse, commitment, inclusion, checkpoint)", figures["check"])
        print(f"ratio issue_letter(en)/pdfsig = {en / sig:.2f}")
        print(f"ratio issue_letter(ar)/issue_letter(en) = {ar / en:.2f}")
        print(f"ratio verify_pdf/pdfsig = {ver / sig:.2f}")
        print(f"ratio register/draft = {reg / dra:.2f}")
        print(f"ratio letter_proof/pdfsig = {prf / sig:.2f}")
        print(f"ratio proof check/pdfsig = {chk / sig:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
