"""Between two nodes, on SQLite and PostgreSQL: a package's custody proofs rest on a
checkpoint the other State's witness cosigned, and the receiver refuses one whose proofs
do not (ADR 0022)."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from hanoi.crypto.agekeys import AgeRecipient
from hanoi.custody.policy import CheckpointPolicy
from hanoi.errors import NotFound
from hanoi.evidence.package import export_package
from hanoi.evidence.package_conditions import package_conditions
from hanoi.federation.acceptance import directory_trust
from hanoi.federation.ports import PackageStatus
from hanoi.federation.sending import offer_message_id
from hanoi.federation.witness_quorum import acceptance_quorum, capped_quorum
from hanoi.node.folder import load_keys
from support_offers import hostile_offer
from support_transfers import Pair, collected, offered, sent_and_received, temporaries


def checkpoints_in(path: os.PathLike[str]) -> list[bytes]:
    with tarfile.open(path) as tar:
        return [
            tar.extractfile(member).read()  # type: ignore[union-attr]
            for member in tar.getmembers()
            if member.name.endswith(".checkpoint")
        ]


def egy_must_witness(p: Pair, quorum: int = 1) -> CheckpointPolicy:
    """What a court or EGY asks of VNM's checkpoints: EGY's witness cosigned them."""
    return CheckpointPolicy.from_vkeys(
        [p.vnm.identity.log_verifier_key],
        witness_keys=[p.egy.identity.witness_key],
        min_witnesses=quorum,
        origin=p.vnm.identity.log_origin,
    )


def test_every_proof_a_package_carries_was_witnessed_by_the_other_state(
    pair: Pair,
) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": os.urandom(60_000), "b.csv": b"a,b\n"})
    [sent] = [r.package for r in p.vnm.transfers.packages(p.lan, request_id)]
    assert sent.status == PackageStatus.OFFERED
    entries = p.vnm.federation.store.outbox(limit=20, request_id=request_id)
    assert [e.id for e in entries if e.type == "evidence-offer"] == [offer_message_id(row.id)]
    notes = checkpoints_in(p.outgoing(row.id))
    assert notes
    for note in notes:
        witnessed = egy_must_witness(p).verify(note)
        assert len(witnessed.witnesses) == 1
    assert p.egy.transfers.fetch_pending() == 1
    assert p.row(request_id).status == "accepted"


def test_a_package_on_an_unwitnessed_checkpoint_is_refused_at_acceptance(
    pair: Pair,
    tmp_path: Path,
) -> None:
    """What a sender that does not wait would send: proofs against its latest checkpoint,
    which nobody cosigned. EGY refuses it, and says why."""
    p = pair
    request_id = sent_and_received(p)
    item = collected(p, request_id, "mailbox.mbox", os.urandom(40_000))
    p.vnm.custody.sequence()  # the latest checkpoint: new, cosigned by nobody
    path = tmp_path / "unwitnessed.tar"
    view = p.vnm.cooperation.show(p.lan, request_id)
    conditions, terms = package_conditions(
        view.request, giving_state="VNM", catalogue=p.vnm.cooperation.catalogue
    )
    export_package(
        path,
        items=[item],
        blobs=p.vnm.blobs,
        custody=p.vnm.custody,  # proof_for: the latest checkpoint, as it is
        keys=load_keys(p.vnm.settings),
        sending_state="VNM",
        request=request_id,
        recipients=[AgeRecipient.parse(p.egy.identity.age_recipient)],
        clock=p.vnm.clock,
        conditions=conditions,
        terms=terms,
    )
    for note in checkpoints_in(path):
        assert egy_must_witness(p, quorum=0).verify(note).witnesses == ()
    hostile_offer(p, request_id, path.read_bytes())  # as a sender that does not wait
    p.egy.transfers.fetch_pending()
    refused = p.row(request_id)
    assert refused.status == "refused"
    assert refused.error is not None
    assert "0 trusted witness(es) cosigned the checkpoint, the policy requires 1" in refused.error
    assert p.egy.evidence.held_for_request(request_id) == []


def test_the_quorum_is_capped_by_the_other_states_in_the_directory(
    pair: Pair,
) -> None:
    p = pair
    held = p.egy.federation.directory.current()  # two States: one other witness per log
    assert [acceptance_quorum(held, wanted) for wanted in (0, 1, 2, 5)] == [0, 1, 1, 1]
    assert (capped_quorum(3, 0), capped_quorum(1, 4)) == (0, 1)
    now = p.egy.clock.now()
    assert directory_trust(held, now).min_witnesses == 0  # the court report's default
    assert directory_trust(held, now, min_witnesses=3).min_witnesses == 1
    policy = p.vnm.quorum.policy()  # what VNM's packages wait for: EGY's witness
    assert policy.min_witnesses == 1
    assert [k.name for k in policy.witness_keys] == [p.egy.identity.witness_name]


def test_a_package_that_cannot_be_packed_is_not_kept(
    pair: Pair,
) -> None:
    """The officer is told why, and nothing is left to send later."""
    p = pair
    request_id = sent_and_received(p)
    item = collected(p, request_id, "gone.bin", os.urandom(10_000))
    p.vnm.blobs.delete(item.sha256)
    with pytest.raises(NotFound):
        p.vnm.transfers.offer(p.lan, request_id, [item.id])
    assert p.vnm.transfers.packages(p.lan, request_id) == []
    assert p.vnm.transfers.resume_outgoing() == 0
    assert temporaries(p.vnm) == []
