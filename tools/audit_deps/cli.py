"""scripts/audit-deps: the locked dependencies against known vulnerabilities.

Offline by default: uv.lock against the advisory snapshot kept in the
repository. --refresh-from rebuilds that snapshot from local copies of the
advisory databases; --online asks pip-audit (which needs the network).

Exit codes: 0 nothing affects a runtime dependency (nor a dev one, with
--strict); 1 something does; 2 the lock, the snapshot or a source folder
cannot be read, or pip-audit cannot be run.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from audit_deps import osv
from audit_deps.audit import Finding, audit, failed
from audit_deps.lockfile import LockedPackage, LockError, read_lock
from audit_deps.pipaudit import read_report
from audit_deps.snapshot import MAX_AGE_DAYS, Snapshot, SnapshotError, age_warning, dump, load
from audit_deps.sources import SourceError, build

SNAPSHOT = Path("security/advisories/pypi-advisories.json")
UV = Path(".cache/tools/bin/uv")
PYTHON_NOTE = (
    "CPython's own advisories are not in these databases; scripts/bootstrap refuses "
    "interpreters without the tarfile fixes"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/audit-deps",
        description="Check the packages pinned in uv.lock against known vulnerabilities.",
        epilog="Exit 0: no runtime dependency affected; 1: one is (or a dev one, with "
        "--strict); 2: unreadable input. See docs/operations.md, Dependency audit.",
    )
    parser.add_argument("--lock", type=Path, default=Path("uv.lock"), help="default: uv.lock")
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT, help=f"default: {SNAPSHOT}")
    parser.add_argument("--strict", action="store_true", help="dev-only findings fail too")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument(
        "--max-age-days",
        type=int,
        default=MAX_AGE_DAYS,
        help=f"warn when the snapshot is older (default: {MAX_AGE_DAYS})",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--refresh-from",
        nargs="+",
        type=Path,
        metavar="DIR",
        help="rebuild the snapshot from local copies of advisory databases, then audit",
    )
    mode.add_argument(
        "--online", action="store_true", help="run pip-audit on the exported lock instead"
    )
    return parser


def _say(text: str) -> None:
    print(f"audit-deps: {text}", file=sys.stderr)


def _python() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}"


def _summary(packages: Sequence[LockedPackage], snap: Snapshot, found: list[Finding]) -> str:
    runtime = sum(p.runtime for p in packages)
    bad = sum(f.package.runtime for f in found)
    return (
        f"{len(packages)} locked packages ({runtime} runtime, {len(packages) - runtime} dev) "
        f"against {len(snap.advisories)} advisories as of {snap.as_of}: "
        f"{bad} runtime finding(s), {len(found) - bad} dev finding(s)"
    )


def offline(args: argparse.Namespace) -> int:
    today = datetime.now(UTC).date()
    packages = read_lock(args.lock.read_text(encoding="utf-8"))
    if args.refresh_from:
        fresh = build(args.refresh_from, {p.name for p in packages}, today)
        args.snapshot.parent.mkdir(parents=True, exist_ok=True)
        args.snapshot.write_text(dump(fresh), encoding="utf-8")
        _say(f"wrote {args.snapshot}: {len(fresh.advisories)} advisories as of {fresh.as_of}")
    snap = load(args.snapshot.read_text(encoding="utf-8"))
    found = audit(packages, snap.advisories)
    warnings = [w for w in [age_warning(snap, today, args.max_age_days)] if w]
    missing = sorted({p.name for p in packages} - snap.packages)
    if missing:
        warnings.append(
            f"{len(missing)} locked package(s) were not in the lock when the snapshot was "
            f"made, so it holds nothing on them ({', '.join(missing)}): refresh it"
        )
    dev_only = [f for f in found if not f.package.runtime]
    if dev_only and not args.strict:
        warnings.append(f"{len(dev_only)} dev-only finding(s): not deployed, but fix them soon")
    code = 1 if failed(found, strict=args.strict) else 0
    for warning in warnings:
        _say(f"warning: {warning}")
    if args.json:
        print(json.dumps(_report(args, packages, snap, found, warnings, code), indent=2))
        return code
    for finding in found:
        print(finding.line())
    print(f"audit-deps: python: {_python()} ({PYTHON_NOTE})")
    verdict = "FAILED" if code else "passed"
    print(f"audit-deps: {_summary(packages, snap, found)}: {verdict}")
    return code


def _report(
    args: argparse.Namespace,
    packages: Sequence[LockedPackage],
    snap: Snapshot,
    found: list[Finding],
    warnings: list[str],
    code: int,
) -> dict[str, object]:
    return {
        "lock": str(args.lock),
        "snapshot": {
            "path": str(args.snapshot),
            "as_of": snap.as_of.isoformat(),
            "advisories": len(snap.advisories),
            "sources": [s.__dict__ for s in snap.sources],
        },
        "python": {"version": _python(), "note": PYTHON_NOTE},
        "packages": {
            "total": len(packages),
            "runtime": sorted(p.name for p in packages if p.runtime),
        },
        "findings": [f.as_json() for f in found],
        "warnings": warnings,
        "summary": _summary(packages, snap, found),
        "exit_code": code,
    }


def online(args: argparse.Namespace) -> int:
    """pip-audit, with its own advisory data, on the requirements uv exports from the lock."""
    project = args.lock.resolve().parent
    uv = project / UV if (project / UV).exists() else shutil.which("uv")
    pip_audit = Path(sys.executable).with_name("pip-audit")
    if not uv or not pip_audit.exists():
        _say("--online needs uv and pip-audit (the dev group): run scripts/bootstrap")
        return 2
    packages = read_lock(args.lock.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="audit-deps-") as tmp:
        requirements, output = Path(tmp) / "requirements.txt", Path(tmp) / "pip-audit.json"
        export = [str(uv), "export", "--frozen", "--no-hashes", "--no-emit-project"]
        export += ["--all-groups", "--project", str(project), "--output-file", str(requirements)]
        subprocess.run(export, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        command = [str(pip_audit), "-r", str(requirements), "--disable-pip", "--no-deps"]
        command += ["--progress-spinner", "off", "--desc", "on", "--aliases", "on"]
        command += ["--format", "json", "--output", str(output)]
        subprocess.run(command, check=False)  # noqa: S603 (exit 1 means findings: read them)
        if not output.exists():
            _say("pip-audit wrote no report: see its messages above")
            return 2
        report = read_report(output.read_text(encoding="utf-8"), packages)
    for finding in report.findings:
        print(finding.line())
    print(f"audit-deps: python: {_python()} ({PYTHON_NOTE})")
    code = 1 if failed(report.findings, strict=args.strict) else 0
    if report.skipped:
        count, first = len(report.skipped), report.skipped[0]
        _say(f"pip-audit could not look up {count} package(s), first {first}")
        code = 2
    bad = sum(f.package.runtime for f in report.findings)
    verdict = {0: "passed", 1: "FAILED", 2: "INCOMPLETE"}[code]
    print(
        f"audit-deps: pip-audit looked up {report.audited} of {len(packages)} locked packages: "
        f"{bad} runtime finding(s), {len(report.findings) - bad} dev finding(s): {verdict}"
    )
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return online(args) if args.online else offline(args)
    except FileNotFoundError as error:
        hint = " (made by --refresh-from)" if error.filename == str(args.snapshot) else ""
        _say(f"{error.filename}: no such file{hint}")
    except (LockError, SnapshotError, SourceError, osv.AdvisoryError) as error:
        _say(str(error))
    except subprocess.CalledProcessError as error:
        _say(f"{' '.join(map(str, error.cmd[:2]))} failed with exit code {error.returncode}")
    return 2
