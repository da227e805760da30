"""``hanoi treaty import``: a saved depositary page into a node's parties data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hanoi.cli.main import app
from hanoi.convention import default_catalogue
from hanoi.errors import InvalidInput, NotFound
from hanoi.node.parties_files import TREATY_FOLDER, Choice, parties_in_use

RULES = default_catalogue().treaty_rules
PAGES = Path(__file__).parent / "untc"
XML = PAGES / "XVIII-16.en.xml"
HTML = PAGES / "XVIII-16.status.html"
HANOI = str(Path(sys.executable).with_name("hanoi"))


def node_folder(tmp_path: Path) -> Path:
    (tmp_path / "hanoi.toml").write_text('state = "EGY"\n', encoding="utf-8")
    return tmp_path


def run(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["treaty", "import", *args, "--json"])
    assert result.exception is None, result.exception
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    return document


def test_the_html_page_dates_itself_and_the_node_then_uses_it(tmp_path: Path) -> None:
    node = node_folder(tmp_path)
    summary = run(str(HTML), "--dir", str(node))
    assert summary["form"] == "html"
    assert summary["data_as_of"] == "2026-12-07"
    assert summary["signatories"] == 14
    assert summary["written"] == str(node / TREATY_FOLDER / "parties.csv")
    # The fixture's States are compared with the bundled data the node used before.
    assert "ARE" in summary["not_on_the_page"]  # type: ignore[operator]
    in_use = parties_in_use(node, rules=RULES)
    assert in_use.choice is Choice.NODE_FOLDER
    assert in_use.data.about is not None
    assert in_use.data.about.reported_signatories is not None
    assert in_use.data.about.reported_signatories.count == 14
    assert {note.confidence.value for note in in_use.data.notes.values()} == {"confirmed"}
    status = CliRunner().invoke(app, ["treaty", "status", "--dir", str(node), "--json"])
    document = json.loads(status.stdout)
    assert document["data_as_of"] == "2026-12-07"
    assert document["signatories"] == 14
    assert document["data"]["choice"] == "node-folder"


def test_the_xml_page_needs_the_day_it_was_saved(tmp_path: Path) -> None:
    node = node_folder(tmp_path)
    refused = CliRunner().invoke(app, ["treaty", "import", str(XML), "--dir", str(node)])
    assert isinstance(refused.exception, InvalidInput)
    assert "does not say the date" in str(refused.exception)
    assert not (node / TREATY_FOLDER).exists()
    summary = run(str(XML), "--dir", str(node), "--data-as-of", "2026-12-08")
    assert summary["form"] == "xml"
    assert summary["data_as_of"] == "2026-12-08"


def test_both_forms_write_the_same_parties_file(tmp_path: Path) -> None:
    run(str(XML), "--out", str(tmp_path / "xml.csv"), "--data-as-of", "2026-12-07")
    run(str(HTML), "--out", str(tmp_path / "html.csv"))
    assert (tmp_path / "xml.csv").read_bytes() == (tmp_path / "html.csv").read_bytes()
    assert (tmp_path / "xml.csv").read_text().startswith("party,kind,signed,deposited,")


def test_a_page_that_contradicts_the_given_date_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "treaty",
            "import",
            str(HTML),
            "--out",
            str(tmp_path / "x.csv"),
            "--data-as-of",
            "2026-12-01",
        ],
    )
    assert isinstance(result.exception, InvalidInput)
    assert "2026-12-07" in result.exception.diagnostics()
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--dir", "D", "--out", "x.csv"],
    ],
)
def test_exactly_one_destination(tmp_path: Path, args: list[str]) -> None:
    args = [str(tmp_path) if arg == "D" else arg for arg in args]
    result = CliRunner().invoke(app, ["treaty", "import", str(HTML), *args])
    assert isinstance(result.exception, InvalidInput)


def test_a_missing_page_or_a_folder_that_is_no_node(tmp_path: Path) -> None:
    missing = CliRunner().invoke(
        app, ["treaty", "import", str(tmp_path / "none.xml"), "--out", str(tmp_path / "x.csv")]
    )
    assert isinstance(missing.exception, NotFound)
    no_node = CliRunner().invoke(app, ["treaty", "import", str(HTML), "--dir", str(tmp_path)])
    assert isinstance(no_node.exception, NotFound)


def test_a_broken_page_writes_nothing_and_says_why_on_one_line(tmp_path: Path) -> None:
    node = node_folder(tmp_path)
    page = tmp_path / "page.html"
    page.write_text(
        HTML.read_text(encoding="utf-8").replace("Algeria", "Atlantis", 1), encoding="utf-8"
    )
    done = subprocess.run(
        [HANOI, "treaty", "import", str(page), "--dir", str(node)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert "Atlantis" in done.stderr
    assert not (node / TREATY_FOLDER).exists()


def test_the_summary_in_words(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["treaty", "import", str(HTML), "--dir", str(node_folder(tmp_path))]
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Read 15 participants from the html page (status as at 2026-12-07): "
        "14 signatories, 6 instruments."
    )
    assert lines[1].startswith("Wrote ")
    assert any(line.startswith("In the data in use but not on the page: ") for line in lines)
