"""What the treaty data of issue 16 cost: reading a saved depositary page, and reading
a node folder's parties data on every treaty page, against plain parsers of the same
bytes in the same run.

1. ``parse_untc_status`` on an XML status page of every UN short name (all 196
   participants signed, a third with an instrument) against ``defusedxml``'s
   ``fromstring`` of the same bytes (the XML parse alone, no checks);
2. ``parties_in_use`` for a node folder holding those 196 rows with notes and about
   file (what the treaty page does per request: read, parse and check three files,
   and the bundled data) against ``csv.reader`` over the same CSV bytes;
3. the whole page: ``GET /ui/treaty`` with those data against ``GET /ui/login`` of
   the same app (in process, ``TestClient``).

It prints the median of RUNS runs of CALLS calls each, and the ratios.

    HANOI_BENCH_CALLS=200 HANOI_BENCH_RUNS=5 .venv/bin/python bench/bench_treaty.py
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from defusedxml import ElementTree

sys.path.insert(0, str(Path(__file__).parent))
from common import env_int, machine

from hanoi.accounts.model import Role
from hanoi.convention import default_catalogue
from hanoi.convention.state_names import state_names
from hanoi.convention.untc import parse_untc_status
from hanoi.node.parties_files import parties_in_use

CALLS = env_int("HANOI_BENCH_CALLS", 200)
RUNS = env_int("HANOI_BENCH_RUNS", 5)
HANOI = str(Path(sys.executable).with_name("hanoi"))
PASSWORD = "bench passphrase, long enough"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RULES = default_catalogue().treaty_rules
HEADER = "Acceptance(A), Ratification, Approval(AA), Accession(a)"


def page() -> bytes:
    """An XML status page in the layout ``hanoi.convention.untc`` reads."""
    rows = []
    names = sorted((entry["en"], code) for code, entry in state_names().items())
    for index, (name, _code) in enumerate(names):
        deposit = ""
        if index % 3 == 0:
            day = date(2026, 1, 5) + timedelta(days=index)
            deposit = f"{day.day} {day.strftime('%b')} {day.year}" + (" AA" if index % 2 else "")
        escaped = name.replace("&", "&amp;").replace("'", "&apos;")
        rows.append(
            f"<Row><Entry>{escaped}</Entry><Entry>25 Oct 2025</Entry><Entry>{deposit}</Entry></Row>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Document><Treaty><Header><ExternalData>'
        f"<Status><Signatories>{len(rows)}</Signatories></Status></ExternalData></Header>"
        "<Participants><Table><TGroup><Thead><Row><Entry>Participant</Entry>"
        f"<Entry>Signature</Entry><Entry>{HEADER}</Entry></Row></Thead><Tbody><Rows>"
        + "".join(rows)
        + "</Rows></Tbody></TGroup></Table></Participants></Treaty></Document>\n"
    ).encode()


def median_ms(call: Callable[[], object]) -> list[float]:
    """RUNS medians of CALLS calls, in milliseconds."""
    medians = []
    for _ in range(RUNS):
        times = []
        for _ in range(CALLS):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        medians.append(statistics.median(times))
    return medians


def report(label: str, values: list[float]) -> float:
    middle = statistics.median(values)
    print(f"{label:<52} median {middle:8.3f} ms  (runs {min(values):.3f}-{max(values):.3f})")
    return middle


def main() -> None:
    from fastapi.testclient import TestClient

    from hanoi.settings import load_settings
    from hanoi.web.app import create_app
    from hanoi.wiring import open_node

    print(machine())
    print(f"{CALLS} calls x {RUNS} runs")
    work = Path(tempfile.mkdtemp(prefix="hanoi-bench-treaty-"))
    try:
        data = page()
        saved = work / "XVIII-16.en.xml"
        saved.write_bytes(data)
        folder = work / "egy"
        subprocess.run(
            [HANOI, "node", "init", "--dir", str(folder), "--state", "EGY", "--name", "Bench"],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            [HANOI, "treaty", "import", str(saved), "--dir", str(folder),
             "--data-as-of", "2027-02-01"],
            check=True, capture_output=True,
        )  # fmt: skip
        parsed = parse_untc_status(data, rules=RULES)
        print(f"status page: {len(data)} bytes, {len(parsed.records)} participants")
        csv_bytes = (folder / "treaty" / "parties.csv").read_bytes()

        untc = report(
            "parse_untc_status (XML page)", median_ms(lambda: parse_untc_status(data, rules=RULES))
        )
        xml = report(
            "defusedxml fromstring, same bytes (baseline)",
            median_ms(lambda: ElementTree.fromstring(data)),
        )
        in_use = report(
            "parties_in_use (node folder, 3 files + bundled)",
            median_ms(lambda: parties_in_use(folder, rules=RULES)),
        )
        plain = report(
            "csv.reader, same CSV bytes (baseline)",
            median_ms(lambda: list(csv.reader(io.StringIO(csv_bytes.decode())))),
        )
        node = open_node(load_settings(folder))
        node.accounts.add_user(name="samir", role=Role.SUPERVISOR, password=PASSWORD)
        with TestClient(create_app(node, background=False), base_url="http://127.0.0.1") as client:
            token = CSRF.search(client.get("/ui/login").text)
            assert token is not None
            answer = client.post(
                "/ui/login",
                data={"csrf_token": token.group(1), "name": "samir", "password": PASSWORD},
                follow_redirects=False,
            )
            assert answer.status_code == 303, answer.status_code
            shown = client.get("/ui/treaty")
            assert shown.status_code == 200
            assert "treaty/parties.csv" in shown.text
            treaty = report(
                "GET /ui/treaty (node folder data)", median_ms(lambda: client.get("/ui/treaty"))
            )
            login = report("GET /ui/login (baseline)", median_ms(lambda: client.get("/ui/login")))
        node.engine.dispose()
        print(f"ratio parse_untc_status/fromstring = {untc / xml:.2f}")
        print(f"ratio parties_in_use/csv.reader = {in_use / plain:.2f}")
        print(f"ratio treaty page/login page = {treaty / login:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
