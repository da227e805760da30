"""One State's node on two hosts, one of them killed with -9 mid-work (issue 21, Art. 41:
a point of contact available 24 hours a day).

EGY runs two ``hanoi serve`` processes with folders of their own (as on two hosts) over one
PostgreSQL database and one S3 bucket (SeaweedFS); VNM, served in this process, receives
its requests and witnesses its log. Officers work through both processes; host A is
killed with SIGKILL right after its last request was sent, while the work those sends woke
on both hosts (sequencing the custody log, asking VNM's witness, delivering the outbox,
each under a lease or claim in the database) is under way or just done. Host B carries on
alone, and afterwards nothing is lost and nothing was done twice:

- VNM holds every request EGY sent, once;
- EGY's outbox is empty and its custody log holds each step of each request once, every
  entry sequenced once, and the log audits from B's HTTP prefix with the public tool's
  rules (``hanoi log audit``).
"""

from __future__ import annotations

import shutil
import signal
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from conftest import S3Server, free_port, free_port_run, run_hanoi, serving
from hanoi.accounts.model import Role
from hanoi.clock import SystemClock
from hanoi.custody.events import CustodyAction, parse_event
from hanoi.settings import load_settings
from hanoi.storage.tables import cooperation_requests, custody_entries, custody_pending, outbox
from hanoi.wiring import open_node
from support_databases import templates as database_templates
from support_hosts import LOCAL_ONLY, on_shared_storage, until
from support_nodes import federate, open_at
from support_transfers import CATALOGUE, KIND, Served
from unit.cooperation.builders import complete_contents

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.s3]

REQUESTS = 8
FAST = {"HANOI_DEADLINE_CHECK_SECONDS": "1", "HANOI_WITNESS_WAIT_SECONDS": "2"}


def send_request(url: str, tokens: dict[str, str]) -> str:
    """Draft, assign, approve and send one request through the process at ``url``; its id."""

    def as_(user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[user]}"}

    with httpx.Client(base_url=url, timeout=60) as client:
        body = {
            "kind": KIND,
            "requested_state": "VNM",
            "contents": complete_contents(CATALOGUE.kind(KIND)),
        }
        drafted = client.post("/api/v1/requests", json=body, headers=as_("amira"))
        assert drafted.status_code == 201, drafted.text
        request_id = str(drafted.json()["id"])
        path = f"/api/v1/requests/{request_id}"
        steps = [
            ("amira", f"{path}/assignments", {"user": "samir"}),
            ("samir", f"{path}/approve", None),
            ("amira", f"{path}/send", None),
        ]
        for user, step, payload in steps:
            answer = client.post(step, json=payload, headers=as_(user))
            assert answer.status_code in (200, 201), answer.text
    return request_id


def test_a_host_killed_mid_work_leaves_the_other_to_finish_once(
    tmp_path: Path, s3_server: S3Server, s3_bucket: str
) -> None:
    base = free_port_run(2)
    federate(tmp_path / "fed", ["EGY", "VNM"], base_port=base)
    host_b = tmp_path / "fed" / "egy"  # answers at EGY's address in the directory
    host_a = tmp_path / "host-a" / "egy"  # another process, elsewhere
    with database_templates().clones() as databases:
        on_shared_storage(host_b, database_url=databases.postgres(), s3=s3_server, bucket=s3_bucket)
        shutil.copytree(host_b, host_a, ignore=LOCAL_ONLY)  # keys, settings, directory
        vnm = open_at(tmp_path / "fed" / "vnm", None)
        egy = open_node(load_settings(host_b), clock=SystemClock())  # the shared state, seen
        served_vnm = Served(vnm, base + 1)
        try:
            for node in (egy, vnm):
                node.peering.sync()
            tokens = {}
            for name, role in (("amira", Role.OFFICER), ("samir", Role.SUPERVISOR)):
                created = egy.accounts.add_user(name=name, role=role, with_token=True)
                assert created.token is not None
                tokens[name] = created.token
            sent: list[str] = []
            with (
                serving(host_b, port=base, env=FAST) as b,
                serving(host_a, port=free_port(), env=FAST) as a,
            ):
                for number in range(REQUESTS // 2):  # both hosts take work
                    sent.append(send_request((a if number % 2 else b).url, tokens))
                # Both hosts' workers take up what was just sent: kill A now.
                a.process.send_signal(signal.SIGKILL)
                assert a.process.wait(timeout=30) == -signal.SIGKILL
                for _ in range(REQUESTS - len(sent)):  # B alone
                    sent.append(send_request(b.url, tokens))

                def settled() -> bool:
                    with egy.engine.connect() as c:
                        waiting = c.execute(
                            select(func.count()).where(outbox.c.status == "pending")
                        ).scalar_one()
                        queued = c.execute(select(func.count()).select_from(custody_pending))
                        unsequenced = queued.scalar_one()
                    with vnm.engine.connect() as c:
                        received = c.execute(
                            select(func.count()).select_from(cooperation_requests)
                        ).scalar_one()
                    return waiting == 0 and unsequenced == 0 and received == len(sent)

                until(settled, what="B to deliver and sequence everything alone", timeout=120)

                # VNM holds each request once.
                with vnm.engine.connect() as c:
                    held = [r.id for r in c.execute(select(cooperation_requests.c.id))]
                assert sorted(held) == sorted(sent)
                assert len(set(sent)) == REQUESTS

                # EGY's log: each entry once, each step of each request once.
                with egy.engine.connect() as c:
                    entries = c.execute(
                        select(custody_entries.c.idx, custody_entries.c.commitment,
                               custody_entries.c.event).order_by(custody_entries.c.idx)
                    ).all()  # fmt: skip
                assert [e.idx for e in entries] == list(range(len(entries)))
                assert len({e.commitment for e in entries}) == len(entries)
                steps = Counter(
                    (event.request_id, event.unknown["step"])
                    for event in (parse_event(e.event) for e in entries)
                    if event.action is CustodyAction.REQUEST_STEP
                )
                for request_id in sent:
                    for step in ("approve", "send"):
                        assert steps[(request_id, step)] == 1, (request_id, step, steps)

                # The log audits from B's HTTP prefix, the public way.
                audited = run_hanoi(
                    "log", "audit", f"{b.url}/log", "--key", egy.identity.log_verifier_key
                )
                assert audited.returncode == 0, audited.stderr
                assert audited.stdout.startswith("ok: ")
        finally:
            served_vnm.stop()
            egy.close()
            vnm.close()
