"""Two States witness each other: cosignatures collected, served, verified; a split view caught."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hanoi.custody.checkpoint import Checkpoint, sign_checkpoint
from hanoi.custody.note import Ed25519Signer
from hanoi.custody.policy import CheckpointPolicy
from hanoi.node.folder import load_keys
from hanoi.settings import load_settings
from hanoi.web.app import create_app
from hanoi.wiring import Node, open_node
from support_custody import events
from support_nodes import init_folder


class ClientTransport:
    """tlog-witness over an in-process HTTP client (the real routes, no sockets)."""

    def __init__(self, clients: dict[str, TestClient]) -> None:
        self._clients = clients

    def add_checkpoint(self, url: str, body: bytes) -> tuple[int, bytes]:
        client = self._clients[url]
        response = client.post("/witness/add-checkpoint", content=body)
        return response.status_code, response.content


def make_node(tmp_path: Path, state: str) -> Path:
    folder = tmp_path / state.lower()
    init_folder(folder, state, name=f"Authority of {state}")
    return folder


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Node, Node, TestClient]]:
    egy_dir, vnm_dir = make_node(tmp_path, "EGY"), make_node(tmp_path, "VNM")
    egy, vnm = open_node(load_settings(egy_dir)), open_node(load_settings(vnm_dir))
    vnm.witnesses.trust(
        origin=egy.identity.log_origin,
        verifier_key=egy.identity.log_verifier_key,
        now=vnm.clock.now(),
    )
    egy.witnesses.add_peer(
        name=vnm.identity.witness_name,
        url="vnm",
        cosigner_key=vnm.identity.witness_key,
        now=egy.clock.now(),
    )
    with TestClient(create_app(vnm, background=False)) as vnm_client:
        egy.collector._transport = ClientTransport({"vnm": vnm_client})
        yield egy, vnm, vnm_client
    egy.engine.dispose()
    vnm.engine.dispose()


def policy_for(egy: Node, vnm: Node, *, min_witnesses: int) -> CheckpointPolicy:
    return CheckpointPolicy.from_vkeys(
        [egy.identity.log_verifier_key],
        witness_keys=[vnm.identity.witness_key],
        min_witnesses=min_witnesses,
        origin=egy.identity.log_origin,
    )


def test_checkpoints_are_cosigned_by_the_other_state(pair: tuple[Node, Node, TestClient]) -> None:
    egy, vnm, _ = pair
    egy.custody.record(events(40))
    egy.custody.sequence()
    assert egy.collector.collect() == 1
    witnessed = policy_for(egy, vnm, min_witnesses=1).verify(egy.custody.checkpoint())
    assert [w.split("+")[0] for w in witnessed.witnesses] == [vnm.identity.witness_name]
    # The log grows: the witness checks consistency from the size it cosigned.
    egy.custody.record(events(300, start=40))
    egy.custody.sequence()
    assert egy.collector.collect() == 1
    witnessed = policy_for(egy, vnm, min_witnesses=1).verify(egy.custody.checkpoint())
    assert witnessed.signed.checkpoint.size == 340
    assert [p.cosigned_size for p in egy.witnesses.peers()] == [340]


def test_collector_recovers_when_the_witness_holds_another_size(
    pair: tuple[Node, Node, TestClient],
) -> None:
    egy, vnm, _ = pair
    egy.custody.record(events(10))
    egy.custody.sequence()
    egy.collector.collect()
    egy.custody.record(events(10, start=10))
    egy.custody.sequence()
    # Forget locally what the witness cosigned: it answers 409 with its size, and we retry.
    egy.witnesses.peer_result(vnm.identity.witness_name, cosigned_size=0, error=None)
    assert egy.collector.collect() == 1
    policy_for(egy, vnm, min_witnesses=1).verify(egy.custody.checkpoint())


def test_a_split_view_is_refused_and_raises_an_alert(
    pair: tuple[Node, Node, TestClient], tmp_path: Path
) -> None:
    egy, vnm, vnm_client = pair
    egy.custody.record(events(20))
    egy.custody.sequence()
    egy.collector.collect()
    # EGY (or whoever holds its log key) signs a different history of the same size.
    signer = Ed25519Signer(egy.identity.log_origin, load_keys(egy.settings).log_signing)
    forged = sign_checkpoint(Checkpoint(egy.identity.log_origin, 20, b"\x07" * 32), [signer])
    response = vnm_client.post("/witness/add-checkpoint", content=b"old 20\n\n" + forged)
    assert response.status_code == 422
    [alert] = vnm.witness.alerts()
    assert alert["kind"] == "split-view"
    assert alert["origin"] == egy.identity.log_origin
    # A longer fork, not consistent with what VNM cosigned, is refused too.
    forked = sign_checkpoint(Checkpoint(egy.identity.log_origin, 30, b"\x08" * 32), [signer])
    proof = vnm_client.post(
        "/witness/add-checkpoint", content=b"old 20\n" + b"A" * 43 + b"=\n\n" + forked
    )
    assert proof.status_code == 422
    assert len(vnm.witness.alerts()) == 2


def test_witness_refusals_follow_the_specification(
    pair: tuple[Node, Node, TestClient], tmp_path: Path
) -> None:
    egy, _, vnm_client = pair
    other = open_node(load_settings(make_node(tmp_path, "FRA")))
    other.custody.record(events(3))
    other.custody.sequence()
    unknown = vnm_client.post(
        "/witness/add-checkpoint", content=b"old 0\n\n" + other.custody.checkpoint()
    )
    assert unknown.status_code == 404
    egy.custody.record(events(5))
    egy.custody.sequence()
    note = egy.custody.checkpoint_note(5)
    assert (
        vnm_client.post("/witness/add-checkpoint", content=b"old 0\n\n" + note).status_code == 200
    )
    stale = vnm_client.post("/witness/add-checkpoint", content=b"old 0\n\n" + note)
    assert stale.status_code == 409
    assert stale.text.strip() == "5"
    assert vnm_client.post("/witness/add-checkpoint", content=b"garbage").status_code == 400
    signer = Ed25519Signer(egy.identity.log_origin, load_keys(other.settings).log_signing)
    wrong_key = sign_checkpoint(Checkpoint(egy.identity.log_origin, 6, b"\x01" * 32), [signer])
    assert (
        vnm_client.post("/witness/add-checkpoint", content=b"old 5\n\n" + wrong_key).status_code
        == 403
    )
    other.engine.dispose()


def test_alerts_api_needs_a_user(pair: tuple[Node, Node, TestClient]) -> None:
    _, _, vnm_client = pair
    assert vnm_client.get("/api/v1/alerts").status_code == 401
