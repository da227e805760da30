"""Packages never leave unwitnessed, whatever fails (ADR 0022). On SQLite and PostgreSQL.

Two nodes (the pair of ``tests/integration/test_package_transfer.py``): VNM sends
evidence back to EGY, whose witness must cosign VNM's checkpoint first.

- A witness that never answers (a socket that accepts and never reads) delays the
  package: the officer's request comes back within the wait, ``awaiting-witnesses``,
  nothing is offered or served, and the page and the API say what it waits for; once the
  witness answers, the background job offers it, once, and EGY accepts it.
- The sending node killed between the steps of an offer (a real process, ``os._exit``
  at each step): on the next round the package is offered exactly once.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from hanoi.accounts.model import Role
from hanoi.custody.events import CustodyAction
from hanoi.federation.ports import PackageRow, PackageStatus
from hanoi.federation.sending import offer_message_id
from hanoi.storage.transfers_repo import TransfersRepository
from support_transfers import (
    PACKAGES,
    Pair,
    collected,
    sent_and_received,
    stored_blobs,
    temporaries,
    two_nodes,
)
from support_ui import PASSWORD, csrf, signed_in

pytestmark = pytest.mark.slow

WAIT = 1.0


@contextmanager
def black_hole() -> Iterator[str]:
    """A witness URL whose server accepts connections and never reads or answers."""
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(64)
        yield f"http://127.0.0.1:{hole.getsockname()[1]}/witness"


@pytest.fixture(params=["sqlite", "postgresql"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """The two nodes served by real servers on loopback: a sender process is killed, and
    another process opens its node and reaches EGY over the network."""
    yield from two_nodes(request.param, tmp_path, network=True)


def point_egy_witness(p: Pair, url: str) -> None:
    """Where VNM asks EGY's witness to cosign (as ``hanoi witness add-peer`` would set it)."""
    p.vnm.witnesses.add_peer(
        name=p.egy.identity.witness_name,
        url=url,
        cosigner_key=p.egy.identity.witness_key,
        now=p.vnm.clock.now(),
    )


def offers_in_outbox(p: Pair, request_id: str) -> list[str]:
    entries = p.vnm.federation.store.outbox(limit=100, request_id=request_id)
    return [e.id for e in entries if e.type == "evidence-offer"]


def due_now(p: Pair, row: PackageRow) -> None:
    """Move the package's next attempt to now, instead of sleeping until it."""
    TransfersRepository(p.vnm.engine).failed_attempt(
        row.id,
        status=row.status,
        attempts=row.attempts,
        at=p.vnm.clock.now() - timedelta(seconds=1),
        error=row.error or "",
        now=p.vnm.clock.now(),
    )


def received_and_accepted_once(p: Pair, request_id: str, package_id: str) -> None:
    assert offers_in_outbox(p, request_id) == [offer_message_id(package_id)]
    assert p.vnm.federation.deliver_due() >= 1
    assert p.egy.transfers.fetch_pending() == 1
    [received] = p.egy.transfers.packages(p.samir, request_id)
    assert (received.package.id, received.package.status) == (package_id, "accepted")
    assert len(received.items) == 1
    p.vnm.custody.sequence()
    [item] = p.vnm.evidence.held_for_request(request_id)
    actions = [e.event.action for e in p.vnm.evidence.held_custody(item)]
    assert actions == [CustodyAction.COLLECTED, CustodyAction.EXPORTED]


def test_a_witness_that_never_answers_delays_the_package_never_lets_it_go(pair: Pair) -> None:
    p = pair
    request_id = sent_and_received(p)
    item = collected(p, request_id, "mailbox.mbox", os.urandom(50_000))
    p.vnm.transfers.sender.wait_seconds = WAIT  # type: ignore[union-attr]
    with black_hole() as url:
        point_egy_witness(p, url)
        started = time.monotonic()
        row = p.vnm.transfers.offer(p.lan, request_id, [item.id])
        assert WAIT <= time.monotonic() - started < WAIT + 3
        assert row.status == PackageStatus.AWAITING_WITNESSES
        assert (row.sha256, row.size, row.attempts) == ("", 0, 1)
        assert row.next_attempt_at is not None
        assert row.error is not None
        assert "cosigned by 1 witness" in row.error
        waiting = p.vnm.transfers.awaiting(row)
        assert waiting is not None
        assert (waiting.required, waiting.states, waiting.cosigned) == (1, ("EGY",), ())
        # Nothing left the node: no offer, no file served, no 'exported' event.
        assert offers_in_outbox(p, request_id) == []
        assert httpx.get(f"{p.vnm_url}{PACKAGES}/{row.id}", timeout=10).status_code == 404
        p.vnm.custody.sequence()
        actions = [e.event.action for e in p.vnm.evidence.held_custody(item)]
        assert actions == [CustodyAction.COLLECTED]

        # The background job tries again, later and later, and still sends nothing.
        assert p.vnm.transfers.resume_outgoing() == 0  # not due yet
        due_now(p, row)
        assert p.vnm.transfers.resume_outgoing() == 0
        again = p.vnm.transfers.package(p.lan, row.id).package
        assert (again.status, again.attempts) == (PackageStatus.AWAITING_WITNESSES, 2)
        assert again.next_attempt_at is not None
        assert again.next_attempt_at - again.updated_at >= timedelta(seconds=3)
        assert offers_in_outbox(p, request_id) == []

    # The witness answers again: the custody worker's next round, then the job sends it.
    point_egy_witness(p, f"{p.egy_url}/witness")
    assert p.vnm.collector.collect() == 1
    due_now(p, again)
    assert p.vnm.transfers.resume_outgoing() == 1
    assert p.vnm.transfers.resume_outgoing() == 0
    sent = p.vnm.transfers.package(p.lan, row.id).package
    assert sent.status == PackageStatus.OFFERED
    assert sent.error is None
    assert len(sent.sha256) == 64
    received_and_accepted_once(p, request_id, row.id)


def test_the_api_and_the_page_say_what_a_package_waits_for(pair: Pair) -> None:
    p = pair
    request_id = sent_and_received(p)
    item = collected(p, request_id, "subscriber.csv", b"name,ip\nx,192.0.2.7\n")
    made = p.vnm.accounts.add_user(
        name="hoa", role=Role.SUPERVISOR, password=PASSWORD, with_token=True
    )
    p.vnm.cooperation.assign(p.lan, request_id, "hoa")
    p.vnm.transfers.sender.wait_seconds = WAIT  # type: ignore[union-attr]
    with black_hole() as url:
        point_egy_witness(p, url)
        started = time.monotonic()
        answer = httpx.post(
            f"{p.vnm_url}/api/v1/requests/{request_id}/evidence-packages",
            json={"evidence": [item.id]},
            headers={"Authorization": f"Bearer {made.token}"},
            timeout=30,
        )
        assert time.monotonic() - started < WAIT + 3  # the request never hangs past the wait
        assert answer.status_code == 202, answer.text
        body = answer.json()
        assert body["status"] == "awaiting-witnesses"
        assert body["waiting_for"]["cosignatures_required"] == 1
        assert body["waiting_for"]["witnesses_of"] == ["EGY"]
        assert body["waiting_for"]["cosigned_by"] == []
        assert body["waiting_for"]["attempts"] == 1

        # The UI: sending redirects to the package's page, which says what it waits for.
        with signed_in(p.vnm, "hoa", enter=False) as hoa:
            token = csrf(hoa, f"/ui/requests/{request_id}/evidence")
            sent = hoa.post(
                f"/ui/requests/{request_id}/evidence/packages",
                data={"csrf_token": token, "items": [item.id]},
            )
            assert sent.status_code == 303, sent.text
            location = sent.headers["location"]
            assert location.startswith("/ui/packages/")
            page = hoa.get(location).text
            assert "Waiting for witnesses" in page
            assert "The package has not left this node yet" in page
            assert "Cosignatures needed: 1, from the witnesses of Egypt (EGY)." in page
            assert "No witness of another State has cosigned the latest checkpoint yet." in page
            assert "Waiting since" in page
            assert "Attempts: 1. Next attempt:" in page
            listing = hoa.get(f"/ui/requests/{request_id}/evidence").text
            assert "Waiting for witnesses" in listing
            hoa.post("/ui/language", data={"csrf_token": csrf(hoa), "language": "fr"})
            french = hoa.get(location).text
            assert "En attente des témoins" in french
            assert "Cosignatures requises : 1, parmi les témoins de" in french


KILLER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from hanoi.clock import SystemClock
    from hanoi.settings import build_settings, read_config_file
    from hanoi.wiring import open_node

    folder, url, step, request_id, item_id = sys.argv[1:6]
    values = {**read_config_file(Path(folder)), "node_dir": Path(folder), "database_url": url}
    node = open_node(build_settings(values), clock=SystemClock())

    def fault(reached):
        if reached == step:
            os._exit(137)  # like SIGKILL: no clean-up, no rollback beyond the database's own

    node.transfers.sender.fault = fault
    node.transfers.offer(node.accounts.named("lan"), request_id, [item_id])
    os._exit(0)
    """
)


@pytest.mark.parametrize("step", ["stored", "witnessed", "packed", "offered"])
def test_a_sender_killed_between_the_steps_offers_the_package_once(
    pair: Pair,
    step: str,
) -> None:
    p = pair
    request_id = sent_and_received(p)
    item = collected(p, request_id, "disk.img", os.urandom(80_000))
    folder = p.vnm.settings.node_dir
    blobs_before = stored_blobs(p.vnm)
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLER,
            str(folder),
            p.vnm.settings.resolved_database_url,
            step,
            request_id,
            item.id,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert killed.returncode == 137, killed.stderr
    [row] = [r.package for r in p.vnm.transfers.packages(p.lan, request_id)]
    if step == "offered":
        assert row.status == PackageStatus.OFFERED
    else:  # nothing was offered: the package is still to pack
        assert row.status == PackageStatus.PACKING
        assert offers_in_outbox(p, request_id) == []
        assert httpx.get(f"{p.vnm_url}{PACKAGES}/{row.id}", timeout=10).status_code == 404
    # Packed: the package's bytes in the blob store (a blob nobody refers to, if the offer
    # never came); the temporary file it was packed in removed, whatever the step.
    assert len(stored_blobs(p.vnm) - blobs_before) == (step in ("packed", "offered"))
    assert temporaries(p.vnm) == []

    # The node's next round (after a restart, the background job): the package goes once.
    p.vnm.custody.sequence()  # the custody worker's round: sequence, ask the witnesses
    assert p.vnm.collector.collect() == 1
    assert p.vnm.transfers.resume_outgoing() == (0 if step == "offered" else 1)
    assert p.vnm.transfers.resume_outgoing() == 0
    sent = p.vnm.transfers.package(p.lan, row.id).package
    assert sent.status == PackageStatus.OFFERED
    received_and_accepted_once(p, request_id, row.id)
