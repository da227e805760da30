"""``scripts/tarfile-probe.py``, which ``scripts/bootstrap`` runs to choose an interpreter by
what its ``tarfile`` does with hostile headers (issue 13, finding 3; ADR 0016).

Its logic is tested with fakes (a command that outlasts the limit, an "interpreter" whose
``tarfile`` is slow), never with a vulnerable interpreter; then it must pass on the
interpreter running these tests, which bootstrap chose, and on Debian's patched one.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

PROBE = Path(__file__).resolve().parents[2] / "scripts" / "tarfile-probe.py"
DEBIAN = Path("/usr/bin/python3.11")


@pytest.fixture(scope="module")
def probe() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tarfile_probe", PROBE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_case_that_outlasts_the_limit_is_unsafe_and_killed(probe: ModuleType) -> None:
    started = time.monotonic()
    slow = [sys.executable, "-c", "import time; time.sleep(60)"]
    assert probe.run_case(slow, limit=0.5) == "did not finish within 0.5 s"
    assert time.monotonic() - started < 10


def test_a_case_that_fails_says_why(probe: ModuleType) -> None:
    failing = [sys.executable, "-c", "print('read the same header twice'); raise SystemExit(1)"]
    assert probe.run_case(failing, limit=30) == "read the same header twice"
    assert probe.run_case([sys.executable, "-c", "pass"], limit=30) is None


def test_an_interpreter_whose_tarfile_is_slow_is_refused(probe: ModuleType, tmp_path: Path) -> None:
    """A stand-in for a backtracking ``tarfile``: every header takes 60 s to read."""
    fake = tmp_path / "python-slow-tarfile"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import runpy, sys, tarfile, time\n"
        "slow = tarfile.TarFile.next\n"
        "def next(self):\n"
        "    time.sleep(60)\n"
        "    return slow(self)\n"
        "tarfile.TarFile.next = next\n"
        "sys.argv = [a for a in sys.argv[1:] if a != '-I']\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n"
    )
    fake.chmod(0o755)
    started = time.monotonic()
    results = probe.probe(str(fake), limit=2)
    assert results == dict.fromkeys(probe.CASES, "did not finish within 2 s")
    assert time.monotonic() - started < 30


def run_probe(python: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, str(PROBE)], capture_output=True, text=True, timeout=120, check=False
    )


def test_the_interpreter_running_the_tests_passes(probe: ModuleType) -> None:
    """``scripts/bootstrap`` built ``.venv`` on an interpreter that passes."""
    done = run_probe(sys.executable)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tarfile survives hostile headers" in done.stdout
    assert all(f"{name:<15} ok" in done.stdout for name in probe.CASES)


@pytest.mark.skipif(not DEBIAN.exists(), reason="no Debian python3.11 on this machine")
def test_debian_s_patched_interpreter_passes_once_up_to_date() -> None:
    """Debian's 3.11.2 carries the fixes from 3.11.2-6+deb12u8 (``scripts/bootstrap``
    upgrades it when it can)."""
    done = run_probe(str(DEBIAN))
    if done.returncode != 0 and shutil.which("dpkg-query"):
        version = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "python3.11"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        pytest.fail(f"python3.11 {version} fails the probe: {done.stdout}")
    assert done.returncode == 0, done.stdout
