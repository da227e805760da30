"""The offline dependency audit (scripts/audit-deps, tools/audit_deps): issue 13, finding 8.

The matcher on synthetic OSV records, the lock reader on a synthetic uv.lock,
the command end to end (exit codes, findings, JSON, the stale-snapshot
warning, a refresh from a git clone and from a plain folder), and the real
uv.lock against the snapshot kept in the repository.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from audit_deps import osv, snapshot  # noqa: E402
from audit_deps.audit import audit  # noqa: E402
from audit_deps.cli import main  # noqa: E402
from audit_deps.lockfile import LockedPackage, read_lock  # noqa: E402
from audit_deps.pipaudit import read_report  # noqa: E402

SHIPPED = Path(
    os.environ.get("HANOI_ADVISORY_SNAPSHOT", ROOT / "security/advisories/pypi-advisories.json")
)
FINDING = re.compile(
    r"^(runtime|dev) (\S+) (\S+): ([A-Z]+-[\w-]+)( \([^)]*\))?, "
    r"(fixed in [^:]+|no fixed version): .*$"
)


def record(
    ident: str = "PYSEC-0000-1",
    *,
    package: str = "jinja2",
    events: list[dict[str, str]] | None = None,
    versions: list[str] | None = None,
    **extra: object,
) -> dict[str, object]:
    affected: dict[str, object] = {"package": {"ecosystem": "PyPI", "name": package}}
    if events is not None:
        affected["ranges"] = [{"type": "ECOSYSTEM", "events": events}]
    if versions is not None:
        affected["versions"] = versions
    return {
        "id": ident,
        "summary": f"synthetic advisory {ident}",
        "published": "2026-01-01T00:00:00Z",
        "modified": "2026-01-02T00:00:00Z",
        "affected": [affected],
        **extra,
    }


def affects(raw: dict[str, object], version: str, package: str = "jinja2") -> bool:
    return osv.match(osv.parse(raw), package, version) is not None


# The matcher -------------------------------------------------------------------------


def test_introduced_and_fixed_bound_a_half_open_interval():
    raw = record(events=[{"introduced": "2.0"}, {"fixed": "3.1.5"}])
    verdicts = {v: affects(raw, v) for v in ["1.9", "2.0", "3.0.3", "3.1.4", "3.1.5", "3.2"]}
    assert verdicts == {
        "1.9": False,
        "2.0": True,
        "3.0.3": True,
        "3.1.4": True,
        "3.1.5": False,
        "3.2": False,
    }
    assert osv.match(osv.parse(raw), "jinja2", "3.1.4").fixed == ("3.1.5",)


def test_several_intervals_in_one_range_and_the_fix_of_each():
    events = [{"fixed": "1.2"}, {"introduced": "2.0"}, {"introduced": "1.0"}, {"fixed": "2.1"}]
    advisory = osv.parse(record(events=events))  # unsorted on purpose: rule 4 sorts them
    assert [
        osv.match(advisory, "jinja2", v) is not None for v in ["0.9", "1.1", "1.5", "2.0.5"]
    ] == [
        False,
        True,
        False,
        True,
    ]
    assert osv.match(advisory, "jinja2", "1.1").fixed == ("1.2",)
    assert osv.match(advisory, "jinja2", "2.0.5").fixed == ("2.1",)


def test_last_affected_includes_its_own_version_and_has_no_fix():
    raw = record(events=[{"introduced": "0"}, {"last_affected": "2.4"}])
    assert affects(raw, "0.1")
    assert affects(raw, "2.4")
    assert not affects(raw, "2.4.post1")
    assert not affects(raw, "2.5")
    assert osv.match(osv.parse(raw), "jinja2", "2.4").fixed == ()


def test_limit_closes_a_range():
    raw = record(events=[{"introduced": "1.0"}, {"limit": "1.5"}])
    assert affects(raw, "1.4")
    assert not affects(raw, "1.5")


def test_explicit_versions_compare_as_pep_440():
    raw = record(versions=["1.0", "2.0rc1"])
    assert affects(raw, "1.0")
    assert affects(raw, "1.0.0")
    assert affects(raw, "2.0rc1")
    assert not affects(raw, "2.0")
    assert not affects(raw, "1.0.1")


def test_a_withdrawn_advisory_affects_nothing():
    raw = record(events=[{"introduced": "0"}], withdrawn="2026-06-09T15:56:00Z")
    assert not affects(raw, "3.1.4")


def test_pre_releases_sort_before_their_release():
    raw = record(events=[{"introduced": "2.0.0b1"}, {"fixed": "3.1.5"}])
    assert not affects(raw, "2.0.0a1")
    assert affects(raw, "2.0.0b1")
    assert affects(raw, "2.0.0b2")
    assert affects(raw, "3.1.5rc1")
    assert affects(raw, "3.1.5.dev0")
    assert not affects(raw, "3.1.5")
    assert not affects(raw, "3.1.5.post1")


def test_only_pypi_ecosystem_ranges_count_and_names_are_normalised():
    raw = record(package="Python_Multipart", events=[{"introduced": "0"}, {"fixed": "0.0.18"}])
    raw["affected"] = [
        *raw["affected"],
        {"package": {"ecosystem": "npm", "name": "jinja2"}, "versions": ["3.1.4"]},
        {
            "package": {"ecosystem": "PyPI", "name": "jinja2"},
            "ranges": [{"type": "GIT", "events": [{"introduced": "0"}, {"fixed": "abc123"}]}],
        },
    ]
    assert affects(raw, "0.0.17", package="python-multipart")
    assert not affects(raw, "0.0.18", package="python.multipart")
    assert not affects(raw, "3.1.4", package="jinja2")


def test_an_unreadable_introduced_counts_from_the_start_and_an_unreadable_fix_is_skipped():
    assert affects(record(events=[{"introduced": "not a version"}, {"fixed": "2.0"}]), "0.1")
    assert affects(record(events=[{"introduced": "1.0"}, {"fixed": "2.0-final-ish!"}]), "9.0")


def test_a_record_without_an_id_is_refused():
    with pytest.raises(osv.AdvisoryError):
        osv.parse({"affected": []})


EVENT = st.sampled_from(["introduced", "fixed", "last_affected"])
VERSION = st.builds(
    "{}.{}{}".format,
    st.integers(0, 3),
    st.integers(0, 3),
    st.sampled_from(["", "rc1", ".post1", "a1"]),
)


@given(
    events=st.lists(st.builds(lambda kind, version: {kind: version}, EVENT, VERSION), max_size=5),
    listed=st.lists(VERSION, max_size=6),
    probe=VERSION,
)
def test_what_a_snapshot_keeps_gives_the_same_verdicts(events, listed, probe):
    """trim() drops listed versions its ranges cover and to_record() compacts: same verdicts."""
    original = osv.parse(record(events=[{"introduced": "0"}, *events], versions=listed))
    kept = osv.trim(original, frozenset({"jinja2"}))
    assert kept is not None
    reread = osv.parse(osv.to_record(kept))
    assert (osv.match(reread, "jinja2", probe) is None) == (
        osv.match(original, "jinja2", probe) is None
    )


def test_one_vulnerability_under_two_ids_is_reported_once():
    pysec = osv.parse({**record("PYSEC-1", events=[{"introduced": "0"}]), "aliases": ["GHSA-x"]})
    ghsa = osv.parse({**record("GHSA-x", events=[{"introduced": "0"}]), "aliases": ["CVE-1"]})
    found = audit([LockedPackage("jinja2", "3.1.4", runtime=True)], [pysec, ghsa])
    assert len(found) == 1


# The lock ----------------------------------------------------------------------------

LOCK = """\
version = 1
revision = 3
requires-python = "==3.11.*"

[[package]]
name = "demo"
version = "0.1.0"
source = {{ editable = "." }}
dependencies = [
    {{ name = "jinja2" }},
    {{ name = "psycopg", extra = ["binary"] }},
]

[package.dev-dependencies]
dev = [{{ name = "pytest" }}]

[[package]]
name = "jinja2"
version = "{jinja2}"
source = {{ registry = "https://pypi.org/simple" }}
dependencies = [{{ name = "markupsafe" }}]

[[package]]
name = "markupsafe"
version = "3.0.3"
source = {{ registry = "https://pypi.org/simple" }}

[[package]]
name = "psycopg"
version = "3.3.9"
source = {{ registry = "https://pypi.org/simple" }}

[package.optional-dependencies]
binary = [{{ name = "psycopg-binary", marker = "implementation_name != 'pypy'" }}]

[[package]]
name = "psycopg-binary"
version = "3.3.9"
source = {{ registry = "https://pypi.org/simple" }}

[[package]]
name = "pytest"
version = "9.2.0"
source = {{ registry = "https://pypi.org/simple" }}
dependencies = [{{ name = "markupsafe" }}]
"""


def test_the_lock_says_which_packages_a_node_runs():
    packages = {p.name: p for p in read_lock(LOCK.format(jinja2="3.1.4"))}
    assert "demo" not in packages
    assert {n for n, p in packages.items() if p.runtime} == {
        "jinja2",
        "markupsafe",
        "psycopg",
        "psycopg-binary",
    }
    assert not packages["pytest"].runtime
    assert packages["jinja2"].version == "3.1.4"


def test_the_real_lock_reads():
    packages = {p.name: p for p in read_lock((ROOT / "uv.lock").read_text(encoding="utf-8"))}
    assert "hanoi" not in packages
    assert all(packages[n].runtime for n in ["jinja2", "fastapi", "cryptography", "starlette"])
    assert not any(packages[n].runtime for n in ["pytest", "mypy", "ruff", "pip-audit"])


# The command -------------------------------------------------------------------------

JINJA2_ADVISORIES = [
    record(
        "PYSEC-9999-1",
        events=[{"introduced": "0"}, {"fixed": "3.1.5"}],
        aliases=["CVE-9999-0001", "GHSA-aaaa-bbbb-cccc"],
    ),
    record("PYSEC-9999-2", package="pytest", events=[{"introduced": "0"}]),
    record("PYSEC-9999-3", events=[{"introduced": "0"}], withdrawn="2026-02-01T00:00:00Z"),
]


def write_snapshot(
    path: Path, records: list[dict[str, object]], as_of: date, packages: set[str] | None = None
) -> Path:
    snap = snapshot.Snapshot(
        as_of=as_of,
        generated=as_of,
        licence="CC-BY-4.0",
        attribution="synthetic",
        sources=(snapshot.Source("synthetic", "", "", as_of.isoformat(), "CC-BY-4.0"),),
        packages=frozenset(
            packages or {"jinja2", "markupsafe", "psycopg", "psycopg-binary", "pytest"}
        ),
        advisories=tuple(osv.parse(r) for r in records),
    )
    path.write_text(snapshot.dump(snap), encoding="utf-8")
    return path


def today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture
def vulnerable(tmp_path):
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK.format(jinja2="3.1.4"), encoding="utf-8")
    snap = write_snapshot(tmp_path / "advisories.json", JINJA2_ADVISORIES, today())
    return ["--lock", str(lock), "--snapshot", str(snap)]


def test_a_vulnerable_runtime_pin_fails_and_is_named(vulnerable, capsys):
    assert main(vulnerable) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert (
        "runtime jinja2 3.1.4: PYSEC-9999-1 (CVE-9999-0001, GHSA-aaaa-bbbb-cccc), "
        "fixed in 3.1.5: synthetic advisory PYSEC-9999-1"
    ) in lines
    assert "PYSEC-9999-3" not in out  # withdrawn
    assert lines[-1].startswith("audit-deps: 5 locked packages (4 runtime, 1 dev)")
    assert lines[-1].endswith("1 runtime finding(s), 1 dev finding(s): FAILED")
    assert "audit-deps: python: CPython 3.11." in out
    assert "snapshot is" not in err


def test_dev_only_findings_warn_and_fail_only_when_strict(tmp_path, capsys):
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK.format(jinja2="3.1.6"), encoding="utf-8")
    snap = write_snapshot(tmp_path / "advisories.json", JINJA2_ADVISORIES, today())
    args = ["--lock", str(lock), "--snapshot", str(snap)]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert "dev pytest 9.2.0: PYSEC-9999-2, no fixed version" in out
    assert "1 dev-only finding(s)" in err
    assert out.splitlines()[-1].endswith(": passed")
    assert main([*args, "--strict"]) == 1


def test_json_output(vulnerable, capsys):
    assert main([*vulnerable, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["exit_code"] == 1
    assert report["findings"][0] == {
        "package": "jinja2",
        "version": "3.1.4",
        "scope": "runtime",
        "id": "PYSEC-9999-1",
        "aliases": ["CVE-9999-0001", "GHSA-aaaa-bbbb-cccc"],
        "fixed": ["3.1.5"],
        "summary": "synthetic advisory PYSEC-9999-1",
    }
    assert "jinja2" in report["packages"]["runtime"]


def test_a_stale_snapshot_warns(tmp_path, capsys):
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK.format(jinja2="3.1.6"), encoding="utf-8")
    old = write_snapshot(tmp_path / "old.json", [], today() - timedelta(days=91))
    assert main(["--lock", str(lock), "--snapshot", str(old)]) == 0
    assert "the advisory snapshot is 91 days old" in capsys.readouterr().err
    fresh = write_snapshot(tmp_path / "fresh.json", [], today() - timedelta(days=90))
    assert main(["--lock", str(lock), "--snapshot", str(fresh)]) == 0
    assert "days old" not in capsys.readouterr().err


def test_a_package_the_snapshot_was_not_cut_for_is_named(tmp_path, capsys):
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK.format(jinja2="3.1.6"), encoding="utf-8")
    snap = write_snapshot(tmp_path / "s.json", [], today(), packages={"jinja2", "pytest"})
    assert main(["--lock", str(lock), "--snapshot", str(snap)]) == 0
    assert "(markupsafe, psycopg, psycopg-binary): refresh it" in capsys.readouterr().err


def test_a_missing_or_broken_snapshot_is_an_input_error(tmp_path, capsys):
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK.format(jinja2="3.1.6"), encoding="utf-8")
    assert main(["--lock", str(lock), "--snapshot", str(tmp_path / "none.json")]) == 2
    assert "no such file (made by --refresh-from)" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text('{"format": "other"}', encoding="utf-8")
    assert main(["--lock", str(lock), "--snapshot", str(tmp_path / "bad.json")]) == 2


def git(repo: Path, *args: str) -> str:
    command = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def pypa_layout(root: Path) -> Path:
    """A small database laid out as the PyPA one: YAML, GIT ranges, a withdrawn
    record, a package we do not lock, a version written as a YAML number."""
    (root / "vulns/jinja2").mkdir(parents=True)
    (root / "vulns/other").mkdir()
    (root / "LICENSE").write_text("Attribution 4.0 International\n", encoding="utf-8")
    (root / "vulns/jinja2/PYSEC-9999-1.yaml").write_text(
        "id: PYSEC-9999-1\n"
        "summary: sandbox escape\n"
        "aliases: [CVE-9999-0001]\n"
        "modified: '2026-03-01T00:00:00Z'\n"
        "published: '2026-03-01T00:00:00Z'\n"
        "affected:\n"
        "- package: {name: Jinja2, ecosystem: PyPI}\n"
        "  ranges:\n"
        "  - type: GIT\n"
        "    events: [{introduced: '0'}, {fixed: ab12}]\n"
        "  - type: ECOSYSTEM\n"
        "    events: [{introduced: '0'}, {fixed: 3.1.10}]\n"
        "  versions: [3.1.4, 3.1.9]\n",
        encoding="utf-8",
    )
    (root / "vulns/jinja2/PYSEC-9999-2.yaml").write_text(
        "id: PYSEC-9999-2\nmodified: '2026-03-01T00:00:00Z'\n"
        "withdrawn: '2026-04-01T00:00:00Z'\n"
        "affected: [{package: {name: jinja2, ecosystem: PyPI}, versions: [3.1.6]}]\n",
        encoding="utf-8",
    )
    (root / "vulns/other/PYSEC-9999-3.yaml").write_text(
        "id: PYSEC-9999-3\nmodified: '2026-05-01T00:00:00Z'\n"
        "affected: [{package: {name: other, ecosystem: PyPI}, versions: ['1.0']}]\n",
        encoding="utf-8",
    )
    return root


def test_refresh_from_a_git_clone_records_its_commit_and_cuts_to_the_lock(tmp_path, capsys):
    source = pypa_layout(tmp_path / "advisory-database")
    git(source, "init", "-q")
    git(source, "add", ".")
    git(source, "commit", "-q", "-m", "advisories")
    git(source, "remote", "add", "origin", "https://user:secret@example.org/advisories.git")
    commit = git(source, "rev-parse", "HEAD")
    (source / "vulns/jinja2/PYSEC-9999-4.yaml").write_text("id: uncommitted\n", encoding="utf-8")
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK.format(jinja2="3.1.9"), encoding="utf-8")
    snap_path = tmp_path / "out/advisories.json"

    code = main(["--lock", str(lock), "--snapshot", str(snap_path), "--refresh-from", str(source)])

    assert code == 1
    out = capsys.readouterr().out
    assert (
        "runtime jinja2 3.1.9: PYSEC-9999-1 (CVE-9999-0001), fixed in 3.1.10: sandbox escape" in out
    )
    text = snap_path.read_text(encoding="utf-8")
    snap = snapshot.load(text)
    assert [a.id for a in snap.advisories] == ["PYSEC-9999-1"]
    assert snap.sources[0].commit == commit
    assert snap.sources[0].repository == "https://example.org/advisories.git"
    assert snap.sources[0].name == "PyPA Advisory Database"
    assert snap.licence == "CC-BY-4.0"
    assert snap.as_of == today()
    assert "secret" not in text
    entry = snap.advisories[0].affected[0]
    assert entry.package == "jinja2"
    assert entry.ranges == ((osv.Event("introduced", "0"), osv.Event("fixed", "3.1.10")),)
    assert entry.versions == ()  # 3.1.4 and 3.1.9 are in the range


def test_refresh_from_a_plain_folder_dates_it_by_its_newest_record(tmp_path, capsys):
    source = pypa_layout(tmp_path / "export")
    (source / "vulns/jinja2/GHSA-json.json").write_text(
        json.dumps(record("GHSA-json", versions=["3.1.6"]) | {"modified": "2026-06-30T08:00:00Z"}),
        encoding="utf-8",
    )
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK.format(jinja2="3.1.6"), encoding="utf-8")
    snap_path = tmp_path / "advisories.json"
    assert (
        main(["--lock", str(lock), "--snapshot", str(snap_path), "--refresh-from", str(source)])
        == 1
    )
    snap = snapshot.load(snap_path.read_text(encoding="utf-8"))
    assert snap.as_of == date(2026, 6, 30)
    assert snap.sources[0].commit == ""
    assert [a.id for a in snap.advisories] == ["GHSA-json", "PYSEC-9999-1"]
    assert "runtime jinja2 3.1.6: GHSA-json, no fixed version" in capsys.readouterr().out


def test_refresh_from_the_github_layout_reads_only_reviewed_pypi_advisories(tmp_path, capsys):
    source = tmp_path / "github-advisories"
    reviewed = source / "advisories/github-reviewed/2026/01"
    reviewed.mkdir(parents=True)
    (source / "advisories/unreviewed").mkdir()
    npm = record("GHSA-npm1") | {"affected": [{"package": {"ecosystem": "npm", "name": "jinja2"}}]}
    files = {
        reviewed / "GHSA-pypi.json": record("GHSA-pypi", events=[{"introduced": "3.0"}]),
        reviewed / "GHSA-npm1.json": npm,
        source / "advisories/unreviewed/GHSA-unrev.json": record("GHSA-unrev", versions=["3.1.6"]),
    }
    for path, content in files.items():
        path.write_text(json.dumps(content), encoding="utf-8")
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK.format(jinja2="3.1.6"), encoding="utf-8")
    snap_path = tmp_path / "advisories.json"
    args = ["--lock", str(lock), "--snapshot", str(snap_path), "--refresh-from", str(source)]
    assert main(args) == 1
    snap = snapshot.load(snap_path.read_text(encoding="utf-8"))
    assert [a.id for a in snap.advisories] == ["GHSA-pypi"]
    assert snap.sources[0].name == "GitHub Advisory Database (reviewed)"
    assert snap.licence == "unknown"
    assert "runtime jinja2 3.1.6: GHSA-pypi, no fixed version" in capsys.readouterr().out


def test_a_folder_without_advisories_is_refused(tmp_path, capsys):
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK.format(jinja2="3.1.6"), encoding="utf-8")
    args = ["--lock", str(lock), "--snapshot", str(tmp_path / "s.json")]
    assert main([*args, "--refresh-from", str(tmp_path)]) == 2
    assert "no OSV advisory for PyPI in it" in capsys.readouterr().err


def test_a_pip_audit_report_reads_as_findings_and_what_it_skipped_is_kept_apart():
    """--online: pip-audit exits 0 when it could look nothing up; the skipped list says so."""
    skip = "Dependency not found on PyPI and could not be audited: markupsafe (3.0.3)"
    vuln = {
        "id": "GHSA-q2x7-8rv6-6q7h",
        "fix_versions": ["3.1.5"],
        "aliases": ["CVE-2024-56326"],
        "description": "sandbox breakout",
    }
    text = json.dumps(
        {
            "dependencies": [
                {"name": "jinja2", "version": "3.1.4", "vulns": [vuln]},
                {"name": "pytest", "version": "9.2.0", "vulns": []},
                {"name": "markupsafe", "skip_reason": skip},
            ],
            "fixes": [],
        }
    )
    report = read_report(text, read_lock(LOCK.format(jinja2="3.1.4")))
    assert [f.line() for f in report.findings] == [
        "runtime jinja2 3.1.4: GHSA-q2x7-8rv6-6q7h (CVE-2024-56326), fixed in 3.1.5: "
        "sandbox breakout"
    ]
    assert report.audited == 2
    assert report.skipped == (f"markupsafe: {skip}",)


# The snapshot kept in the repository ------------------------------------------------


def test_the_real_lock_against_the_kept_snapshot(tmp_path, capsys):
    """The command as a maintainer runs it. A runtime finding here is a real one. Until a
    snapshot is committed (docs/operations.md), it stops with exit 2 and says why, never
    with a pass."""
    result = subprocess.run(
        [str(ROOT / "scripts/audit-deps"), "--snapshot", str(SHIPPED)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if not SHIPPED.exists():
        assert result.returncode == 2, result.stdout
        assert str(SHIPPED.name) in result.stderr
        assert "passed" not in result.stdout
        return
    assert result.returncode in (0, 1), result.stderr
    lines = result.stdout.splitlines()
    *findings, python, summary = lines
    assert all(FINDING.match(line) for line in findings), findings
    assert python.startswith("audit-deps: python: CPython 3.11.")
    assert re.match(r"^audit-deps: \d+ locked packages \(\d+ runtime, \d+ dev\) against", summary)
    runtime = [line for line in findings if line.startswith("runtime ")]
    assert (result.returncode == 1) == bool(runtime), runtime
    snap = snapshot.load(SHIPPED.read_text(encoding="utf-8"))
    assert snap.licence == "CC-BY-4.0"
    assert all(s.commit and s.date for s in snap.sources)
    # A known-vulnerable pin is caught by the kept snapshot.
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK.format(jinja2="3.1.4"), encoding="utf-8")
    assert main(["--lock", str(lock), "--snapshot", str(SHIPPED)]) == 1
    out = capsys.readouterr().out
    for cve, fix in [("CVE-2024-56326", "3.1.5"), ("CVE-2025-27516", "3.1.6")]:
        assert re.search(
            rf"^runtime jinja2 3\.1\.4: \S+ \([^)]*{cve}[^)]*\), fixed in {fix}:", out, re.M
        )
