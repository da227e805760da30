"""The vendored files: found in a checkout or a wheel, and unchanged since they were vendored."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from hanoi.errors import Unavailable
from hanoi.providers.hi1.schemas import TS103280_ID, schema_files
from hanoi.providers.hi1.vendored import ETSI, TS103280_STAND_IN, vendored_dir

ROW = re.compile(r"^\| `([^`]+)` \| (\d+) \| `([0-9a-f]{64})` \|$")


def provenance_rows() -> list[tuple[Path, int, str]]:
    etsi = vendored_dir(ETSI)
    rows = []
    for line in (etsi / "PROVENANCE.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            name, size, digest = match.groups()
            base = etsi if not name.startswith(TS103280_STAND_IN) else etsi.parent
            rows.append((base / name, int(size), digest))
    return rows


def test_every_vendored_file_has_the_digest_its_provenance_records() -> None:
    rows = provenance_rows()
    recorded = {path for path, _, _ in rows}
    on_disk = {p for p in (vendored_dir(ETSI) / "103120").rglob("*") if p.is_file()}
    assert on_disk <= recorded, "a vendored file is missing from PROVENANCE.md"
    assert len(on_disk) == 38
    for path, size, digest in rows:
        data = path.read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (size, digest), path.name


def test_the_registry_holds_etsis_eleven_schemas_its_dictionary_schema_and_the_stand_in() -> None:
    files = schema_files()
    assert len(files) == 13
    ids = [json.loads(path.read_text(encoding="utf-8"))["$id"] for path in files]
    assert len(set(ids)) == 13
    assert TS103280_ID in ids


def test_the_stand_in_says_it_is_not_etsis() -> None:
    folder = vendored_dir(TS103280_STAND_IN)
    schema = json.loads((folder / f"{TS103280_ID}.schema.json").read_text(encoding="utf-8"))
    assert "NOT ETSI" in schema["title"].upper() or "not ETSI" in schema["title"]
    assert "NOT PUBLISHED BY ETSI" in schema["$comment"]
    assert "not ETSI material" in (folder / "README.md").read_text(encoding="utf-8")
    assert folder.parent != vendored_dir(ETSI), "the stand-in must live outside third_party/etsi"
    assert not (vendored_dir(ETSI) / TS103280_STAND_IN).exists()


def test_the_package_location_comes_before_the_checkout(tmp_path: Path) -> None:
    package, checkout = tmp_path / "package" / "_vendor", tmp_path / "checkout" / "third_party"
    (package / ETSI).mkdir(parents=True)
    (checkout / ETSI).mkdir(parents=True)
    assert vendored_dir(ETSI, roots=(package, checkout)) == package / ETSI
    (package / ETSI).rmdir()
    assert vendored_dir(ETSI, roots=(package, checkout)) == checkout / ETSI


def test_a_missing_folder_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match="missing"):
        vendored_dir(ETSI, roots=(tmp_path,))


def test_the_wheel_maps_third_party_into_the_package_where_the_loader_looks() -> None:
    pyproject = (Path(__file__).resolve().parents[4] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"third_party/etsi" = "hanoi/_vendor/etsi"' in pyproject
    assert f'"third_party/{TS103280_STAND_IN}" = "hanoi/_vendor/{TS103280_STAND_IN}"' in pyproject
