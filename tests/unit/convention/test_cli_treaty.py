"""``hanoi treaty status``: exact JSON, the table, and bad files."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hanoi.cli.main import app, main
from hanoi.convention import default_catalogue
from hanoi.convention.parties import HEADER, LIMITS

RULES = default_catalogue().treaty_rules
HEAD = ",".join(HEADER) + "\n"
HANOI = str(Path(sys.executable).with_name("hanoi"))


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "parties.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["treaty", "status", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):
    """Through ``main()``, as the installed command runs: errors become one line on stderr."""
    monkeypatch.setattr(sys, "argv", ["hanoi", "treaty", "status", *args])
    with pytest.raises(SystemExit) as caught:
        main()
    captured = capsys.readouterr()
    return caught.value.code, captured.out, captured.err


def forty_states(last: date) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    rows = [
        f"{letters[i // 26]}{letters[i % 26]}X,state,2025-10-25,"
        f"{(last - timedelta(days=RULES.entry_into_force.threshold - 1 - i)).isoformat()},"
        "ratification,"
        for i in range(RULES.entry_into_force.threshold)
    ]
    return "\n".join(rows) + "\n"


def test_json_has_exactly_the_documented_shape(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + "EGY,state,2025-10-25,2026-05-01,ratification,\n"
        + "EU,organization,2025-10-25,2026-06-01,approval,\n"
        + "VNM,state,2025-10-25,,,\n"
        + "QAT,state,2025-10-25,2027-01-10,ratification,\n",
    )
    code, out = run("--parties", str(path), "--as-of", "2026-11-28", "--json")
    assert code == 0
    assert json.loads(out) == {
        "as_of": "2026-11-28",
        "data_as_of": None,
        "threshold": 40,
        "instruments_counted": 1,
        "signatories": 4,
        "in_force": False,
        "entry_into_force": None,
        "parties": [
            {
                "party": "EGY",
                "kind": "state",
                "signed": "2025-10-25",
                "deposited": "2026-05-01",
                "instrument": "ratification",
                "in_force_for_party": None,
                "denunciation_effective": None,
            },
            {
                "party": "EU",
                "kind": "organization",
                "signed": "2025-10-25",
                "deposited": "2026-06-01",
                "instrument": "approval",
                "in_force_for_party": None,
                "denunciation_effective": None,
            },
            {
                "party": "VNM",
                "kind": "state",
                "signed": "2025-10-25",
                "deposited": None,
                "instrument": None,
                "in_force_for_party": None,
                "denunciation_effective": None,
            },
            {
                "party": "QAT",
                "kind": "state",
                "signed": "2025-10-25",
                "deposited": None,
                "instrument": None,
                "in_force_for_party": None,
                "denunciation_effective": None,
            },
        ],
        "organization_conditions": [
            {
                "party": "EU",
                "step": "signature",
                "article": "Art. 64(2)",
                "met": False,
                "members_known": True,
                "members": [],
            },
            {
                "party": "EU",
                "step": "instrument",
                "article": "Art. 64(3)",
                "met": False,
                "members_known": True,
                "members": [],
            },
        ],
        "data": {
            "file": str(path),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "choice": "file",
            "sources": None,
            "reported_signatories": None,
            "problem": None,
        },
    }
    assert list(json.loads(out)) == [
        "as_of",
        "data_as_of",
        "threshold",
        "instruments_counted",
        "signatories",
        "in_force",
        "entry_into_force",
        "parties",
        "organization_conditions",
        "data",
    ]


def test_json_once_in_force(tmp_path: Path) -> None:
    last = date(2026, 9, 25)
    text = HEAD + forty_states(last) + "EGY,state,2025-10-25,2027-03-01,acceptance,2027-06-01\n"
    path = write(tmp_path, text)
    code, out = run("--parties", str(path), "--as-of", "2027-07-01", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["entry_into_force"] == "2026-12-24"
    assert result["in_force"] is True
    assert result["instruments_counted"] == 41
    egypt = result["parties"][-1]
    assert egypt["in_force_for_party"] == "2027-03-31"
    assert egypt["denunciation_effective"] == "2028-06-01"


def test_the_table_and_its_summary(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "EGY,state,2025-10-25,2026-05-01,ratification,\n")
    code, out = run("--parties", str(path), "--as-of", "2026-11-28")
    assert code == 0
    assert "EGY" in out
    assert "2026-05-01" in out
    assert "ratification" in out
    assert out.strip().splitlines()[-1] == (
        "Not in force: 1 of 40 instruments deposited (1 signatories)"
    )
    path = write(tmp_path, HEAD + forty_states(date(2026, 9, 25)))
    _, out = run("--parties", str(path), "--as-of", "2027-01-01")
    assert "In force since 2026-12-24" in out


def test_the_bundled_data_and_today_by_default() -> None:
    before = datetime.now(UTC).date()
    code, out = run("--json")
    after = datetime.now(UTC).date()
    assert code == 0
    result = json.loads(out)
    assert result["as_of"] in {before.isoformat(), after.isoformat()}
    assert "EGY" in {party["party"] for party in result["parties"]}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (HEAD + "EGY,state,2025-10-25,2026-02-30,ratification,\n", "line 2: deposited"),
        (HEAD + "EGY,state,2025-10-25,,,\nEGY,state,,,,\n", "line 3: party"),
        ("party,kind\nEGY,state\n", "line 1: header"),
        (HEAD + "EGY,state,2025-11-01,2025-10-30,ratification,\n", "line 2: deposited"),
        (HEAD + "EGY,state,2025-10-25,2026-01-01,ratification,2025-12-01\n", "line 2: denounced"),
        (HEAD + "EGY,state,2025-10-25,2026-01-01,treaty,\n", "line 2: instrument"),
        (HEAD + "EGY,nation,2025-10-25,,,\n", "line 2: kind"),
        (HEAD.encode() + b"EGY,state,,,,\n" * (LIMITS.file_bytes // 14 + 1), "file: larger than"),
    ],
)
def test_a_bad_file_gives_one_line_on_stderr_and_no_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str | bytes,
    expected: str,
) -> None:
    path = write(tmp_path, content)
    code, out, err = run_main(monkeypatch, capsys, "--parties", str(path), "--json")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("hanoi: invalid input:")
    assert expected in err
    assert "Traceback" not in err


def test_a_missing_file_and_a_bad_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_main(monkeypatch, capsys, "--parties", str(tmp_path / "none.csv"))
    assert code == 3
    assert "--parties" in err
    code, _, err = run_main(monkeypatch, capsys, "--as-of", "28/11/2026")
    assert code == 2
    assert "--as-of" in err


def test_the_installed_command_reports_a_bad_file_on_one_line(tmp_path: Path) -> None:
    bad = write(tmp_path, HEAD + "EGY,state,someday,,,\n")
    done = subprocess.run(
        [HANOI, "treaty", "status", "--parties", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "hanoi: invalid input: 1 problem(s) in the parties file "
        "(line 2: signed: 'someday' is not a date written YYYY-MM-DD)"
    ]
