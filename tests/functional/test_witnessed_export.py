"""``hanoi evidence export``: the proofs for court rest on a checkpoint another State's
witness cosigned; the command asks the witnesses, waits ``witness_wait_seconds`` at most,
and without the quorum fails with one line and exit 8 (ADR 0022). Both engines."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conftest import run_hanoi
from hanoi.crypto.agekeys import AgeIdentity
from hanoi.crypto.ed25519keys import NoteVerifierKey, raw_public
from hanoi.custody.policy import CheckpointPolicy
from hanoi.evidence.items import Acquisition, SourceKind
from support_transfers import Pair, sent_and_received, two_nodes


@pytest.fixture(params=["sqlite", "postgresql"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """The two nodes served by real servers on loopback: ``hanoi evidence export`` runs as
    a process of its own and asks VNM's witness over the network."""
    yield from two_nodes(request.param, tmp_path, network=True)


def egy_evidence(p: Pair) -> str:
    """A request EGY sent, with a file EGY's officer recorded for it."""
    request_id = sent_and_received(p)
    p.egy.evidence.ingest(
        p.amira,
        io.BytesIO(os.urandom(30_000)),
        Acquisition(
            original_name="seized-phone.txt",
            media_type="text/plain",
            source_kind=SourceKind.DEVICE,
            source="seized phone",
            method="forensic extraction",
            acquired_at=p.egy.clock.now(),
            officer="amira",
            request_ref=request_id,
            article="Art. 28",
        ),
    )
    return request_id


def export(p: Pair, request_id: str, out: Path, *, wait: str = "10") -> tuple[int, str]:
    result = run_hanoi(
        "evidence", "export", "--dir", str(p.egy.settings.node_dir), "--request", request_id,
        "--user", "amira", "--recipient", str(AgeIdentity.generate().recipient()),
        "--out", str(out),
        env={
            "HANOI_DATABASE_URL": p.egy.settings.resolved_database_url,
            "HANOI_WITNESS_WAIT_SECONDS": wait,
        },
        process=True,  # asks VNM's witness from outside the nodes' process, as a user would
    )  # fmt: skip
    return result.returncode, result.stderr


def test_the_export_for_court_rests_on_a_witnessed_checkpoint(
    pair: Pair,
    tmp_path: Path,
) -> None:
    p = pair
    request_id = egy_evidence(p)
    code, stderr = export(p, request_id, tmp_path / "court.tar")
    assert code == 0, stderr
    policy = CheckpointPolicy.from_vkeys(
        [p.egy.identity.log_verifier_key],
        witness_keys=[p.vnm.identity.witness_key],
        min_witnesses=1,
        origin=p.egy.identity.log_origin,
    )
    with tarfile.open(tmp_path / "court.tar") as tar:
        notes = [
            tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if "/custody/checkpoints/" in m.name and "/origins/" not in m.name
        ]
    assert notes
    for note in notes:
        assert len(policy.verify(note).witnesses) == 1


def test_without_the_quorum_the_export_fails_in_one_line(
    pair: Pair,
    tmp_path: Path,
) -> None:
    p = pair
    request_id = egy_evidence(p)
    # VNM's witness now holds another key for EGY's log: it refuses every checkpoint.
    other = NoteVerifierKey.from_public(
        p.egy.identity.log_origin, raw_public(Ed25519PrivateKey.generate().public_key())
    )
    p.vnm.witnesses.trust(
        origin=p.egy.identity.log_origin, verifier_key=str(other), now=p.vnm.clock.now()
    )
    # The command gives up after its wait (HANOI_WITNESS_WAIT_SECONDS); that the wait is
    # bounded is held in process by tests/integration/test_witnessed_proofs.py, where time
    # is not a process start-up on a loaded machine (this bound failed at load 22).
    code, stderr = export(p, request_id, tmp_path / "court.tar", wait="1")
    assert code == 8, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("hanoi: ")
    assert "cosigned by 1 witness(es) of other States" in lines[0]
    assert not (tmp_path / "court.tar").exists()
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".court.tar")]
