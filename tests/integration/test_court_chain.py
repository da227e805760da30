"""The export for court of evidence received from another State, made by a real node and
checked offline (issue 14, "Done when"), on SQLite and PostgreSQL: one chain from VNM's
collection to EGY's export, each step cosigned by another State's witness, VNM's
conditions; and the faults a court must see as NOT VERIFIED on real nodes' packages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.evidence.report import PackageReport
from hanoi.evidence.trust import TrustStore
from hanoi.evidence.verify import verify_package
from hanoi.federation.acceptance import directory_trust
from hanoi.federation.court_export import export_for_court
from hanoi.node.folder import load_keys
from support_transfers import Pair, offered

pytestmark = pytest.mark.slow


def received_and_exported(p: Pair, out: Path) -> tuple[AgeIdentity, str]:
    """VNM's evidence offered, pulled, verified and accepted by EGY, then exported for EGY's
    court with proofs EGY's log has had cosigned; the court's identity and the request."""
    request_id, _, _ = offered(p, {"mailbox.mbox": os.urandom(40_000)})
    assert p.egy.transfers.fetch_pending() == 1
    assert p.row(request_id).status == "accepted"
    court = AgeIdentity.generate()
    quorum = p.egy.quorum
    export_for_court(
        out,
        user=p.samir,
        request_id=request_id,
        recipients=[court.recipient()],
        state="EGY",
        keys=load_keys(p.egy.settings),
        evidence=p.egy.evidence,
        cooperation=p.egy.cooperation,
        transfers=p.egy.transfers,
        custody=p.egy.custody.witnessed(quorum.policy()),
        clock=p.egy.clock,
        before_packing=lambda: quorum.witnessed(seconds=20),
    )
    return court, request_id


def court_trust(p: Pair, *, quorum: int = 1) -> TrustStore:
    """What the court is given: the States' keys, from the directory both nodes hold."""
    return directory_trust(p.egy.federation.directory.current(), p.egy.clock.now(),
                           min_witnesses=quorum)  # fmt: skip


def test_the_court_sees_one_chain_from_the_collection(pair: Pair, tmp_path: Path) -> None:
    court, request_id = received_and_exported(pair, tmp_path / "court.tar")
    report: PackageReport = verify_package(
        tmp_path / "court.tar", trust=court_trust(pair), identities=[court]
    )
    assert report.verified, report.shortfalls
    steps = [(s.state, s.event) for s in report.chain()]
    assert steps[0] == ("VNM", "collected")
    assert ("EGY", "received") in steps
    assert steps[-1] == ("EGY", "exported")
    for step in report.chain():
        assert set(step.witnesses) - {step.state}, step  # another State cosigned it
    [item] = report.items()
    assert item["acquisition"]["state"] == "VNM"
    assert item["acquisition"]["officer"] == "lan"
    assert {c["imposed_by"] for c in report.conditions()} == {"VNM"}
    assert [o.origin.sending_state for o in report.origins] == ["VNM"]
    assert report.statement.request == request_id


def test_without_vnm_in_the_trust_file_the_court_export_is_not_verified(
    pair: Pair,
    tmp_path: Path,
) -> None:
    court, _ = received_and_exported(pair, tmp_path / "court.tar")
    full = court_trust(pair, quorum=0)
    only_egy = TrustStore(tuple(n for n in full.nodes if n.state == "EGY"), 0)
    report = verify_package(tmp_path / "court.tar", trust=only_egy, identities=[court])
    assert not report.verified
    assert any("not in the trust file" in r for r in report.shortfalls), report.shortfalls
