"""The receiving State's outcome of an evidence package travels back to the sending State
(issue 14: "the sending State never learns the outcome"), on SQLite and PostgreSQL.

Two real nodes served by uvicorn on loopback (EGY receives, VNM sends), and FRA in the
signed directory only, to sign messages that are not its to send. The package is offered,
pulled, verified and accepted or refused by EGY as in ``test_package_transfer.py``; EGY's
outbox then delivers a signed ``evidence-outcome`` to VNM's inbox, which applies it once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import free_port_run
from hanoi.accounts.model import Role, User
from hanoi.crypto.agekeys import AgeRecipient
from hanoi.custody.events import CustodyAction
from hanoi.errors import Conflict, HanoiError, IntegrityError, InvalidInput, NotFound
from hanoi.federation.envelope import seal
from hanoi.federation.errors import SenderNotAllowed
from hanoi.federation.messages import Message, MessageType, new_message_id
from hanoi.federation.offer_retry import OfferRetry
from hanoi.node.folder import load_keys
from hanoi.node.identity import NodeKeys
from hanoi.settings import build_settings, read_config_file
from hanoi.wire import format_time
from hanoi.wiring import Node
from support_databases import templates as database_templates
from support_federation import InProcessFederation
from support_nodes import federate, open_at
from support_transfers import (
    Pair,
    flip_byte,
    offered,
    payload_offset,
    sent_and_received,
)


@dataclass
class Nodes:
    pair: Pair
    tokens: dict[str, str]
    """API tokens: ``samir`` (EGY supervisor), ``lan`` (VNM supervisor), ``hoa`` (a VNM
    officer on no case)."""
    keys: dict[str, NodeKeys]

    @property
    def egy(self) -> Node:
        return self.pair.egy

    @property
    def vnm(self) -> Node:
        return self.pair.vnm

    def api(self, who: str, path: str, **params: str) -> httpx.Response:
        url = self.pair.egy_url if who == "samir" else self.pair.vnm_url
        return self.pair.http.get(
            f"{url}/api/v1{path}",
            params=params,
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
            timeout=30,
        )

    def outcome(self, sender: str, request_id: str, **body: Any) -> bytes:
        """An evidence-outcome signed by ``sender``'s node key, sealed to VNM."""
        message = Message(
            id=new_message_id(),
            type=MessageType.EVIDENCE_OUTCOME,
            sender=sender,
            recipient="VNM",
            sent_at=self.vnm.clock.now(),
            request_id=request_id,
            body={"decided_at": format_time(self.vnm.clock.now()), **body},
        )
        return seal(
            message,
            signing_key=self.keys[sender].signing,
            recipient=AgeRecipient.parse(self.vnm.identity.age_recipient),
        )


def _user(node: Node, name: str, role: Role) -> tuple[User, str]:
    created = node.accounts.add_user(name=name, role=role, with_token=True)
    assert created.token is not None
    return created.user, created.token


@pytest.fixture(params=["sqlite", "postgresql"])
def nodes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Nodes]:
    base = free_port_run(2)
    root = tmp_path / "fed"
    federate(root, ["EGY", "VNM", "FRA"], base_port=base)  # FRA: in the directory, not served
    keys = {
        state: load_keys(
            build_settings(
                {**read_config_file(root / state.lower()), "node_dir": root / state.lower()}
            )
        )
        for state in ("EGY", "FRA")
    }
    with database_templates().clones() as databases, InProcessFederation() as federation:
        urls: list[str | None] = [None, None]
        if request.param == "postgresql":
            urls = [databases.postgres(), databases.postgres()]
        egy = open_at(root / "egy", urls[0], http_client=federation.client)
        vnm = open_at(root / "vnm", urls[1], http_client=federation.client)
        for node in (egy, vnm):  # as the background job does: each witnesses the other's log
            node.peering.sync()
        federation.serve(f"http://127.0.0.1:{base}", egy)
        federation.serve(f"http://127.0.0.1:{base + 1}", vnm)
        http = federation.client()
        try:
            amira, _ = _user(egy, "amira", Role.OFFICER)
            samir, samir_token = _user(egy, "samir", Role.SUPERVISOR)
            lan, lan_token = _user(vnm, "lan", Role.SUPERVISOR)
            _, hoa_token = _user(vnm, "hoa", Role.OFFICER)
            pair = Pair(
                egy=egy,
                vnm=vnm,
                egy_url=f"http://127.0.0.1:{base}",
                vnm_url=f"http://127.0.0.1:{base + 1}",
                amira=amira,
                samir=samir,
                lan=lan,
                http=http,
            )
            yield Nodes(pair, {"samir": samir_token, "lan": lan_token, "hoa": hoa_token}, keys)
        finally:
            http.close()
            for node in (egy, vnm):
                node.engine.dispose()


def outcome_messages(node: Node, request_id: str) -> list[Any]:
    return [
        m
        for m in node.federation.store.outbox(limit=100, request_id=request_id)
        if m.type == "evidence-outcome"
    ]


def outcome_events(node: Node, request_id: str, action: CustodyAction) -> list[dict[str, Any]]:
    node.custody.sequence()
    return [
        dict(logged.event.unknown)
        for logged in node.custody.events_for(f"request:{request_id}")
        if logged.event.action is action
        and logged.event.unknown.get("message_type") == "evidence-outcome"
    ]


# --- the outcome travels back -----------------------------------------------------------------


def test_an_accepted_package_shows_accepted_on_the_sending_node(nodes: Nodes) -> None:
    n = nodes
    request_id, row, _ = offered(n.pair, {"mailbox.mbox": os.urandom(50_000)})
    sent = n.vnm.transfers.package(n.pair.lan, row.id).package
    assert sent.status == "offered"

    assert n.egy.transfers.fetch_pending() == 1
    [queued] = outcome_messages(n.egy, request_id)  # in the outbox with the status
    assert (queued.status, queued.recipient) == ("pending", "VNM")
    assert n.egy.federation.deliver_due() == 1

    after = n.vnm.transfers.package(n.pair.lan, row.id).package
    assert after.status == "accepted"
    assert after.error is None
    [outcome] = n.vnm.transfers.outcomes.peer_outcomes([row.id]).values()
    assert outcome.status == "accepted"
    assert outcome.report is not None
    # The API of both nodes: the same package, each from its side.
    [shown] = n.api("lan", "/packages", request=request_id).json()
    assert (shown["id"], shown["direction"], shown["peer_state"], shown["status"]) == (
        row.id,
        "outgoing",
        "EGY",
        "accepted",
    )
    assert (shown["sha256"], shown["size"]) == (row.sha256, row.size)
    assert shown["peer_report"]["verdict"] == "verified"
    assert {c["area"] for c in shown["peer_report"]["checked"]} >= {"bag", "statement", "payload"}
    assert shown["peer_outcome_at"] is not None
    assert n.api("lan", f"/packages/{row.id}").json() == shown
    assert n.api("lan", f"/requests/{request_id}/evidence-packages").json() == [shown]
    incoming = n.api("samir", f"/packages/{row.id}").json()
    assert (incoming["direction"], incoming["peer_state"], incoming["status"]) == (
        "incoming",
        "VNM",
        "accepted",
    )
    assert len(incoming["items"]) == 1
    assert incoming["report"]["verdict"] == "verified"
    assert incoming["peer_report"] is None
    # Both custody logs hold the outcome: sent by EGY, received by VNM, naming the package.
    [sent_event] = outcome_events(n.egy, request_id, CustodyAction.SENT)
    [received_event] = outcome_events(n.vnm, request_id, CustodyAction.RECEIVED)
    for event in (sent_event, received_event):
        assert (event["package_id"], event["package_sha256"], event["package_outcome"]) == (
            row.id,
            row.sha256,
            "accepted",
        )
    # The background job passing by again sends nothing more.
    n.egy.transfers.fetch_pending()
    assert len(outcome_messages(n.egy, request_id)) == 1


def test_a_refused_package_shows_refused_with_the_receivers_reason(nodes: Nodes) -> None:
    n = nodes
    request_id, row, _ = offered(n.pair, {"mailbox.mbox": os.urandom(80_000)})
    n.egy.transfers.fetch(row)
    path = n.pair.incoming(row.id, ".tar")
    flip_byte(path, payload_offset(path))  # altered at rest: verification fails
    n.egy.transfers.fetch_pending()
    assert n.pair.row(request_id).status == "refused"
    assert n.egy.federation.deliver_due() == 1

    after = n.vnm.transfers.package(n.pair.lan, row.id).package
    assert after.status == "refused"
    assert after.error == n.pair.row(request_id).error  # the receiver's reason
    [shown] = n.api("lan", "/packages", request=request_id).json()
    assert shown["status"] == "refused"
    assert shown["error"] == after.error
    assert shown["peer_report"]["verdict"] == "not-verified"
    assert shown["peer_report"]["checked"]  # the checks that held before the one that failed
    assert n.vnm.evidence.held_for_request(request_id)  # the sender's own evidence is untouched


def test_a_package_its_sender_never_served_shows_expired(
    nodes: Nodes, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = nodes
    request_id, row, _ = offered(n.pair, {"mailbox.mbox": b"From a@example.org\n"})
    n.pair.outgoing(row.id).unlink()  # the sender no longer serves it (404)
    monkeypatch.setattr(n.egy.transfers.receiver, "_retry", OfferRetry(expiry=timedelta(0)))
    n.egy.transfers.fetch_pending()
    assert n.pair.row(request_id).status == "expired"
    assert n.egy.federation.deliver_due() == 1
    after = n.vnm.transfers.package(n.pair.lan, row.id).package
    assert after.status == "expired"
    assert after.error is not None
    assert "did not serve the package" in after.error


# --- forged or mismatched outcomes change nothing -------------------------------------------


def test_an_outcome_that_does_not_match_the_package_is_refused_and_changes_nothing(
    nodes: Nodes,
) -> None:
    n = nodes
    request_id, row, _ = offered(n.pair, {"mailbox.mbox": b"From a@example.org\n"})
    other_request = sent_and_received(n.pair)  # also between EGY and VNM
    good = {"package_id": row.id, "package_sha256": row.sha256, "outcome": "accepted"}
    before = n.vnm.transfers.package(n.pair.lan, row.id).package
    refusals: list[tuple[bytes, type[HanoiError], str]] = [
        # FRA is in the directory but not a party to the request.
        (n.outcome("FRA", request_id, **good), SenderNotAllowed, "FRA"),
        # An id this node never offered.
        (n.outcome("EGY", request_id, **{**good, "package_id": "f" * 32}), NotFound, "f" * 32),
        # The right package, another digest.
        (n.outcome("EGY", request_id, **{**good, "package_sha256": "0" * 64}), IntegrityError,
         "SHA-256"),
        # The right package, named under another request.
        (n.outcome("EGY", other_request, **good), InvalidInput, other_request),
    ]  # fmt: skip
    for envelope, error, said in refusals:
        with pytest.raises(error) as refused:
            n.vnm.federation.accept(envelope)
        assert said in refused.value.detail
        assert n.vnm.transfers.package(n.pair.lan, row.id).package == before
        assert n.vnm.transfers.outcomes.peer_outcomes([row.id]) == {}
    # Over HTTP, the inbox answers with problem+json and records the refusal only.
    answer = n.pair.http.post(
        f"{n.pair.vnm_url}/federation/v1/inbox",
        content=n.outcome("EGY", request_id, **{**good, "package_id": "e" * 32}),
        timeout=30,
    )
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"

    # The genuine outcome is applied; the same outcome again (another message) is
    # acknowledged and changes nothing; a different one is a conflict.
    n.vnm.federation.accept(n.outcome("EGY", request_id, **good))
    applied = n.vnm.transfers.package(n.pair.lan, row.id).package
    assert applied.status == "accepted"
    n.vnm.federation.accept(n.outcome("EGY", request_id, **good))
    assert n.vnm.transfers.package(n.pair.lan, row.id).package == applied
    refused = {**good, "outcome": "refused", "reason": "changed our mind"}
    with pytest.raises(Conflict):
        n.vnm.federation.accept(n.outcome("EGY", request_id, **refused))
    assert n.vnm.transfers.package(n.pair.lan, row.id).package == applied


# --- the packages API keeps to the case ----------------------------------------------------


def without_instance(problem: dict[str, Any]) -> dict[str, Any]:
    """A problem+json body without ``instance`` (the path asked, which differs by its id)."""
    return {k: v for k, v in problem.items() if k != "instance"}


def test_the_packages_api_answers_the_case_team_only(nodes: Nodes) -> None:
    n = nodes
    request_id, row, _ = offered(n.pair, {"mailbox.mbox": b"From a@example.org\n"})
    assert n.api("lan", "/packages", request=request_id).status_code == 200
    # hoa is an officer of VNM on no case: what she is told is what a missing one gives.
    hidden = n.api("hoa", f"/packages/{row.id}")
    missing = n.api("hoa", f"/packages/{'0' * 32}")
    assert hidden.status_code == missing.status_code == 404
    assert without_instance(hidden.json()) == without_instance(missing.json())
    hidden_list = n.api("hoa", "/packages", request=request_id)
    missing_list = n.api("hoa", "/packages", request="EGY-2026-99999")
    assert hidden_list.status_code == missing_list.status_code == 404
    assert hidden_list.json()["detail"] == missing_list.json()["detail"].replace(
        "EGY-2026-99999", request_id
    )
    assert n.api("lan", "/packages").status_code == 422  # which request?
