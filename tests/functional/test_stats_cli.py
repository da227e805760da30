"""``hanoi stats aggregate`` and ``hanoi stats export --signed`` as a secretariat and a
State run them: three nodes' real keys, their signed directory or a trust file of
``hanoi node show``, and files that are tampered with, signed by the wrong State, or of
another period, each refused on one line with its exit code and nothing summed."""

from __future__ import annotations

import base64
import dataclasses
import json
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from conftest import run_hanoi
from hanoi.node.folder import load_keys
from hanoi.settings import build_settings, read_config_file
from hanoi.statistics.figures import Durations, Figures
from hanoi.statistics.signed import sign_statistics
from hanoi.wire import canonical_json
from support_nodes import federate
from unit.statistics.figures_builder import figures

STATES = ["EGY", "VNM", "FRA"]
SIGNED_AT = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
FIGURES = {
    "EGY": figures("EGY", sent={"VNM": 5, "FRA": 1}, received={"VNM": 3}, refused=1,
                   days=Durations(3, 2.0, 4.0)),
    "VNM": figures("VNM", sent={"EGY": 3}, received={"EGY": 4}, days=Durations(4, 10.0, 20.0)),
    "FRA": figures("FRA", received={"NGA": 6, "EGY": 1}, refused=2, days=Durations(7, 5.0, 30.0)),
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class World:
    root: Path
    files: dict[str, Path]
    directory: Path
    authority: Path
    trust_file: Path

    def folder(self, state: str) -> Path:
        return self.root / state.lower()


def sign_as(world_root: Path, state: str, figures_: Figures, out: Path) -> Path:
    """``figures_`` signed with the real signing key of ``state``'s node folder."""
    folder = world_root / state.lower()
    keys = load_keys(build_settings({**read_config_file(folder), "node_dir": folder}))
    out.write_bytes(
        sign_statistics(figures_, keys.signing, directory_version=1, signed_at=SIGNED_AT)
    )
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("stats")
    federate(root, STATES, base_port=18000)  # the URLs only: no node is served
    files = {s: sign_as(root, s, FIGURES[s], root / f"{s.lower()}.jws") for s in STATES}
    shown = []
    for state in STATES:
        result = run_hanoi("node", "show", "--dir", str(root / state.lower()))
        assert result.returncode == 0, result.stderr
        shown.append(json.loads(result.stdout))
    trust_file = root / "nodes.json"
    trust_file.write_text(json.dumps(shown))
    held = root / "egy" / "directory"
    return World(root, files, held / "current.json", held / "authority.pub", trust_file)


def aggregate(
    world: World, *files: Path, trust: str = "directory", json_out: bool = False
) -> subprocess.CompletedProcess[str]:
    options = (
        ["--trust", str(world.directory), "--authority-key", str(world.authority)]
        if trust == "directory"
        else ["--trust", str(world.trust_file)]
    )
    names = [str(f) for f in (files or world.files.values())]
    return run_hanoi("stats", "aggregate", *names, *options, *(["--json"] if json_out else []))


def test_three_states_signed_files_are_summed_against_the_directory(world: World) -> None:
    result = aggregate(world)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Figures of 3 State(s), each signed by its node and verified: EGY, FRA, VNM" in text
    # outgoing of the three (6 + 3 + 0) and incoming from NGA, which did not report
    assert "Distinct requests: 15" in text
    assert "EGY → VNM: 5 by EGY, 4 by VNM" in text
    assert "not the median of all 14 requests" in text
    assert "directory version 1" in text


def test_the_json_form_with_a_trust_file(world: World) -> None:
    result = aggregate(world, trust="file", json_out=True)
    assert result.returncode == 0, result.stderr
    value = json.loads(result.stdout)
    assert [s["state"] for s in value["states"]] == ["EGY", "FRA", "VNM"]
    assert value["distinct_requests"]["count"] == 15
    assert (value["outgoing"]["total"], value["incoming"]["total"]) == (9, 14)
    assert value["incoming"]["by_outcome"]["refused"] == 3
    mismatched = [(p["requesting"], p["requested"]) for p in value["pairs"]
                  if p["agreement"] == "mismatch"]  # fmt: skip
    assert mismatched == [("EGY", "VNM")]
    first = value["incoming"]["response_days"]["first-decision"]
    assert (first["median"], first["states"]) == (5.0, 3)


def _tampered(world: World) -> Path:
    """EGY's file with one more request to VNM (the totals kept consistent) under EGY's
    own signature: the bytes the signature covers changed."""
    header, payload, signature = world.files["EGY"].read_bytes().split(b".")
    statement = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    outgoing = statement["figures"]["outgoing"]
    outgoing["by_state"]["VNM"] = 4
    outgoing["total"] = outgoing["by_kind"]["mla-stored-data"] = 5
    outgoing["by_channel"]["hanoi"] = outgoing["by_urgency"]["routine"] = 5
    outgoing["by_outcome"]["executed"] = 5
    changed = base64.urlsafe_b64encode(canonical_json(statement)).rstrip(b"=")
    path = world.root / "egy-tampered.jws"
    path.write_bytes(b".".join([header, changed, signature]))
    return path


def _refused(result: subprocess.CompletedProcess[str], code: int, name: Path) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stdout == "", "nothing is printed as a sum when a file fails"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(name) in lines[0]
    return lines[0]


@pytest.mark.parametrize("trust", ["directory", "file"])
def test_a_tampered_file_is_refused_and_nothing_is_summed(world: World, trust: str) -> None:
    tampered = _tampered(world)
    result = aggregate(world, world.files["VNM"], tampered, world.files["FRA"], trust=trust)
    assert "does not verify" in _refused(result, 6, tampered)


def test_figures_signed_by_another_state_are_not_trusted(world: World) -> None:
    # VNM's node key signs figures that say they are EGY's
    forged = sign_as(world.root, "VNM", FIGURES["EGY"], world.root / "egy-by-vnm.jws")
    for trust in ("directory", "file"):
        result = aggregate(world, forged, world.files["FRA"], trust=trust)
        _refused(result, 7, forged)


def test_a_state_missing_from_the_trust_file_is_not_trusted(world: World) -> None:
    partial = world.root / "two-nodes.json"
    partial.write_text(json.dumps(json.loads(world.trust_file.read_text())[:2]))  # EGY, VNM
    result = run_hanoi("stats", "aggregate", *map(str, world.files.values()),
                       "--trust", str(partial))  # fmt: skip
    assert "not in the trust file" in _refused(result, 7, world.files["FRA"])


def test_files_that_cannot_be_summed_are_refused(world: World) -> None:
    half = dataclasses.replace(FIGURES["FRA"], period_to=date(2026, 6, 30))
    other = sign_as(world.root, "FRA", half, world.root / "fra-half.jws")
    result = aggregate(world, world.files["EGY"], other)
    assert result.returncode == 2
    assert "different periods" in result.stderr
    assert result.stdout == ""
    twice = aggregate(world, world.files["EGY"], world.files["EGY"])
    assert (twice.returncode, "two files of EGY" in twice.stderr) == (2, True)
    not_statistics = aggregate(world, world.files["EGY"], world.directory)
    _refused(not_statistics, 2, world.directory)


def test_a_directory_is_trusted_only_with_its_authority_key(world: World) -> None:
    result = run_hanoi("stats", "aggregate", str(world.files["EGY"]),
                       "--trust", str(world.directory))  # fmt: skip
    assert result.returncode == 2
    assert "--authority-key" in result.stderr


def test_export_needs_signed_and_keeps_an_existing_file(world: World) -> None:
    out = world.root / "export.jws"
    base = ["stats", "export", "--dir", str(world.folder("EGY")),
            "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out)]  # fmt: skip
    unsigned = run_hanoi(*base)
    assert (unsigned.returncode, "--signed" in unsigned.stderr) == (2, True)
    bad_day = run_hanoi(*base[:5], "2026-13-01", *base[6:], "--signed")
    assert (bad_day.returncode, "--from" in bad_day.stderr) == (2, True)
    out.write_bytes(b"kept")
    exists = run_hanoi(*base, "--signed")
    assert exists.returncode == 4
    assert out.read_bytes() == b"kept"


def test_a_node_exports_its_signed_figures_that_aggregate_verifies(world: World) -> None:
    out = world.root / "egy-export.jws"
    result = run_hanoi("stats", "export", "--signed", "--dir", str(world.folder("EGY")),
                       "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "directory version 1" in result.stdout
    assert not list(world.root.glob(".egy-export.jws.*")), "no temporary file is left"
    summed = aggregate(world, out, json_out=True)
    assert summed.returncode == 0, summed.stderr
    value = json.loads(summed.stdout)
    assert [(s["state"], s["directory_version"]) for s in value["states"]] == [("EGY", 1)]
    assert value["period"] == {"from": "2026-01-01", "to": "2026-12-31"}
    assert value["outgoing"]["total"] == 0  # a new node has sent nothing
