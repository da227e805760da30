"""Evidence packages checked by tools we did not write: ``bagit.py``, ``age`` and ``case_validate``.

Under ``CI=true`` a missing tool fails these tests (``require_tool``); elsewhere
they skip and say why.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import require_tool
from hanoi.crypto.agekeys import read_identity_file
from unit.evidence.package_support import (
    MemoryCustody,
    extract_tar,
    make_node,
    pack,
    read_statement,
    sha256_file,
    write_evidence,
)


def tool(name: str) -> str:
    """The tool installed beside this Python (the project's virtualenv), else on PATH."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else require_tool(name)


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, capture_output=True, check=False, timeout=300)


@dataclass(frozen=True)
class Packages:
    folder: Path
    tar: Path
    identity_file: Path


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Packages:
    root = tmp_path_factory.mktemp("interop")
    keygen = require_tool("age-keygen")
    identity_file = root / "court.txt"
    generated = run(keygen, "-o", str(identity_file))
    assert generated.returncode == 0, generated.stderr
    court = read_identity_file(identity_file.read_text())
    egy, fra = make_node("EGY"), make_node("FRA")
    files = write_evidence(
        root / "in",
        {"inbox.mbox": 1024 * 1024 + 5, "Café résumé.pdf": 70_000, "empty.txt": 0},
    )
    log = MemoryCustody(egy, witnesses=[fra])
    for f in files:
        log.collected(sha256_file(f))
    folder = pack(
        root / "package", files, sender=egy, recipients=[court, fra.keys.age], custody=log
    )
    tar = pack(root / "package.tar", files, sender=egy, recipients=[court], custody=log)
    return Packages(folder.path, tar.path, identity_file)


def test_bagit_py_validates_the_folder(packages: Packages) -> None:
    result = run(tool("bagit.py"), "--validate", str(packages.folder))
    assert result.returncode == 0, result.stderr.decode()
    assert b"is valid" in result.stderr


def test_bagit_py_validates_the_extracted_tar(packages: Packages, tmp_path: Path) -> None:
    bag = extract_tar(packages.tar, tmp_path)
    result = run(tool("bagit.py"), "--validate", str(bag))
    assert result.returncode == 0, result.stderr.decode()
    assert b"is valid" in result.stderr


@pytest.mark.parametrize("form", ["folder", "tar"])
def test_the_age_tool_decrypts_every_payload_to_the_stated_digest(
    packages: Packages, tmp_path: Path, form: str
) -> None:
    age = require_tool("age")
    bag = packages.folder if form == "folder" else extract_tar(packages.tar, tmp_path)
    statement = read_statement(bag)
    assert len(statement.payload) == 3
    for entry in statement.payload:
        result = run(age, "-d", "-i", str(packages.identity_file), str(bag / entry.path))
        assert result.returncode == 0, result.stderr.decode()
        assert hashlib.sha256(result.stdout).hexdigest() == entry.sha256
        assert len(result.stdout) == entry.size


def test_case_validate_accepts_the_description(packages: Packages) -> None:
    result = run(tool("case_validate"), str(packages.folder / "case-uco.jsonld"))
    assert result.returncode == 0, (result.stdout + result.stderr).decode()
    assert b"Conforms: True" in result.stdout
