"""Offers whose package the sender does not serve: backoff, then expiry (issue 13,
finding 7).

The attack run: an offer whose package the sending node answered 404 was fetched again on
every round of the background job, twice a second, for as long as the node ran (1,806
warnings in 17 minutes). Here the receiving node (EGY) runs on a clock the test moves; the
sender (VNM) is a real server on loopback. Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from conftest import free_port_run
from hanoi.accounts.model import Role
from hanoi.clock import FixedClock, SystemClock
from hanoi.federation.ports import PackageRow
from support_cooperation import add_user
from support_databases import templates as database_templates
from support_nodes import federate, open_at
from support_transfers import Pair, Served, offered
from support_ui import PASSWORD, signed_in

MINUTE = timedelta(minutes=1)


@dataclass
class Clocked:
    p: Pair
    clock: FixedClock  # EGY's
    vnm_port: int
    vnm_server: Served
    asked: list[str]  # every URL EGY's transfers asked for

    def row(self, package_id: str) -> PackageRow:
        return self.p.egy.transfers.package(self.p.samir, package_id).package

    def due(self, row: PackageRow) -> None:
        """Move EGY's clock to the next attempt of ``row``."""
        assert row.next_attempt_at is not None
        self.clock.advance(row.next_attempt_at - self.clock.now())


@pytest.fixture(params=["sqlite", "postgresql"])
def clocked(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Clocked]:
    base = free_port_run(2)
    federate(tmp_path / "fed", ["EGY", "VNM"], base_port=base)
    clock = FixedClock(SystemClock().now())
    with database_templates().clones() as databases:
        urls: list[str | None] = [None, None]
        if request.param == "postgresql":
            urls = [databases.postgres(), databases.postgres()]
        egy = open_at(tmp_path / "fed" / "egy", urls[0], clock=clock)
        vnm = open_at(tmp_path / "fed" / "vnm", urls[1], clock=SystemClock())
        for node in (egy, vnm):  # as the background job does: each witnesses the other's log
            node.peering.sync()
        servers = [Served(egy, base), Served(vnm, base + 1)]
        asked: list[str] = []

        def counting() -> httpx.Client:  # the real client, with every request counted
            return httpx.Client(
                timeout=60, event_hooks={"request": [lambda r: asked.append(str(r.url))]}
            )

        monkeypatch.setattr(egy.transfers.receiver.download, "_client", counting)
        amira = egy.accounts.add_user(name="amira", role=Role.OFFICER, password=PASSWORD).user
        http = httpx.Client(timeout=60)  # real servers: these tests stop VNM's
        try:
            yield Clocked(
                p=Pair(
                    egy=egy,
                    vnm=vnm,
                    egy_url=f"http://127.0.0.1:{base}",
                    vnm_url=f"http://127.0.0.1:{base + 1}",
                    amira=amira,
                    samir=add_user(egy, "samir", Role.SUPERVISOR),
                    lan=add_user(vnm, "lan", Role.SUPERVISOR),
                    http=http,
                ),
                clock=clock,
                vnm_port=base + 1,
                vnm_server=servers[1],
                asked=asked,
            )
        finally:
            http.close()
            for served in servers:
                served.stop()
            for node in (egy, vnm):
                node.engine.dispose()


def warnings_about(caplog: pytest.LogCaptureFixture, package_id: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "hanoi.federation"
        and r.levelno >= logging.WARNING
        and package_id in r.getMessage()
    ]


def test_a_package_the_sender_answers_404_for_backs_off_fast_then_expires(
    clocked: Clocked, caplog: pytest.LogCaptureFixture
) -> None:
    c, p = clocked, clocked.p
    caplog.set_level(logging.WARNING, logger="hanoi.federation")
    request_id, offer, _ = offered(p, {"log.txt": b"x" * 1000})
    p.outgoing(offer.id).unlink()  # the sender no longer has it: 404
    offered_at = offer.created_at

    p.egy.transfers.fetch_pending()
    assert len(c.asked) == 1
    # The background job runs twice a second: within the wait, it asks nothing of anyone.
    for _ in range(50):
        p.egy.transfers.fetch_pending()
    assert len(c.asked) == 1
    first = c.row(offer.id)
    assert (first.status, first.attempts) == ("offered", 1)
    assert first.next_attempt_at == c.clock.now() + 5 * MINUTE
    assert first.error is not None
    assert "404" in first.error
    c.clock.advance(5 * MINUTE - timedelta(seconds=1))
    for _ in range(10):
        p.egy.transfers.fetch_pending()
    assert len(c.asked) == 1
    assert c.row(offer.id).attempts == 1
    assert len(warnings_about(caplog, offer.id)) == 1  # logged once per attempt

    delays = [first.next_attempt_at - offered_at]
    row = first
    while row.status != "expired":
        c.due(row)
        p.egy.transfers.fetch_pending()
        row = c.row(offer.id)
        if row.next_attempt_at is not None and row.status != "expired":
            delays.append(row.next_attempt_at - c.clock.now())
    assert delays[:5] == [5 * MINUTE, 20 * MINUTE, 80 * MINUTE, 320 * MINUTE, 360 * MINUTE]
    assert max(delays) == timedelta(hours=6)
    assert c.clock.now() == offered_at + timedelta(days=7)  # the last try on the deadline
    assert row.attempts == len(c.asked) < 40  # one request per attempt, and few of them
    assert row.error is not None
    assert "did not serve the package within 7 days of the offer" in row.error
    assert "404" in row.error
    logged = warnings_about(caplog, offer.id)
    assert len(logged) == row.attempts  # one line per attempt, the last one giving up
    assert "given up" in logged[-1]
    assert p.egy.evidence.held_for_request(request_id) == []

    # Expired is final: the job never asks again.
    c.clock.advance(timedelta(days=30))
    p.egy.transfers.fetch_pending()
    assert len(c.asked) == row.attempts


def test_a_sender_that_is_down_is_tried_again_later_and_later_then_fetched_from(
    clocked: Clocked,
) -> None:
    c, p = clocked, clocked.p
    request_id, offer, items = offered(p, {"log.txt": b"y" * 5000})
    c.vnm_server.stop()  # connection refused

    p.egy.transfers.fetch_pending()
    waits = []
    for _ in range(4):
        row = c.row(offer.id)
        assert row.next_attempt_at is not None
        waits.append(row.next_attempt_at - c.clock.now())
        for _ in range(5):
            p.egy.transfers.fetch_pending()  # not due: nothing asked
        c.due(row)
        p.egy.transfers.fetch_pending()
    assert waits == [timedelta(seconds=30), MINUTE, 2 * MINUTE, 4 * MINUTE]
    assert len(c.asked) == 5
    row = c.row(offer.id)
    assert (row.status, row.attempts) == ("offered", 5)
    assert row.error is not None

    c.vnm_server = Served(p.vnm, c.vnm_port)  # back in time: fetched, verified, accepted
    c.due(row)
    assert p.egy.transfers.fetch_pending() == 1
    assert c.row(offer.id).status == "accepted"
    assert len(p.egy.evidence.held_for_request(request_id)) == len(items)


def test_the_package_page_says_how_an_offer_is_waiting_and_when_it_expired(
    clocked: Clocked,
) -> None:
    c, p = clocked, clocked.p
    _, offer, _ = offered(p, {"log.txt": b"z" * 100})
    p.outgoing(offer.id).unlink()
    p.egy.transfers.fetch_pending()
    page = f"/ui/packages/{offer.id}"
    client = signed_in(p.egy, "amira")
    try:
        waiting = client.get(page)
        assert waiting.status_code == 200
        assert "has not served the package yet" in waiting.text
        assert "Failed attempts: 1." in waiting.text
        assert "404" in waiting.text

        c.clock.advance(timedelta(days=7))  # package_offer_expiry_days
        p.egy.transfers.fetch_pending()
        expired = client.get(page)
        assert "Not delivered" in expired.text
        assert "The sending State did not deliver the package" in expired.text
        assert "within 7 days of the offer" in expired.text
        client.cookies.set("hanoi_lang", "ar")
        arabic = client.get(page)
        assert "لم تُسلَّم" in arabic.text
    finally:
        client.__exit__(None, None, None)
