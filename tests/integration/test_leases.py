"""One conformance suite for every lease store (memory, SQLite, PostgreSQL), and the lease
service over the real ones: renewal, release, a bounded wait, holders that die."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hanoi.clock import SystemClock
from hanoi.errors import Unavailable
from hanoi.leases import LeaseLost, Leases, LeaseStore, MemoryLeases, process_of
from hanoi.storage import migrate
from hanoi.storage.db import make_engine
from hanoi.storage.leases_repo import SqlLeases
from hanoi.storage.liveness import FolderLiveness

T0 = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    if kind == "memory":
        return None
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'leases.db'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


@pytest.fixture
def store(url: str | None) -> Iterator[LeaseStore]:
    if url is None:
        yield MemoryLeases()
        return
    engine = make_engine(url)
    migrate.upgrade(engine)
    try:
        yield SqlLeases(engine)
    finally:
        engine.dispose()


# --- the contract -------------------------------------------------------------------------


def test_a_lease_is_held_by_one_holder_until_it_ends(store: LeaseStore) -> None:
    assert store.holder("job", now=T0) is None
    assert store.take("job", holder="a", now=T0, until=T0 + MINUTE)
    assert store.holder("job", now=T0) == "a"
    assert not store.take("job", holder="b", now=T0 + MINUTE / 2, until=T0 + 2 * MINUTE)
    assert not store.take("job", holder="a", now=T0, until=T0 + MINUTE)  # not twice either
    assert store.holder("job", now=T0 + MINUTE) is None  # ended
    assert store.take("job", holder="b", now=T0 + MINUTE, until=T0 + 2 * MINUTE)
    assert store.holder("job", now=T0 + MINUTE) == "b"
    assert not store.renew("job", holder="a", now=T0 + MINUTE, until=T0 + 3 * MINUTE)
    store.release("job", holder="a")  # not a's any more: nothing happens
    assert store.holder("job", now=T0 + MINUTE) == "b"
    assert store.take("other", holder="a", now=T0, until=T0 + MINUTE)  # names are separate


def test_renewal_moves_the_end_and_release_frees(store: LeaseStore) -> None:
    assert store.take("job", holder="a", now=T0, until=T0 + MINUTE)
    assert store.renew("job", holder="a", now=T0 + MINUTE / 2, until=T0 + 2 * MINUTE)
    assert not store.take("job", holder="b", now=T0 + MINUTE, until=T0 + 2 * MINUTE)
    assert store.holder("job", now=T0 + MINUTE) == "a"
    store.release("job", holder="a")
    assert store.holder("job", now=T0 + MINUTE) is None
    assert not store.renew("job", holder="a", now=T0 + MINUTE, until=T0 + 2 * MINUTE)
    assert store.take("job", holder="b", now=T0 + MINUTE, until=T0 + 2 * MINUTE)


def test_a_holder_known_dead_is_replaced_before_its_lease_ends(store: LeaseStore) -> None:
    assert store.take("job", holder="dead", now=T0, until=T0 + MINUTE)
    assert not store.take("job", holder="b", now=T0, until=T0 + MINUTE, replacing="someone")
    assert store.take("job", holder="b", now=T0, until=T0 + MINUTE, replacing="dead")
    assert not store.take("job", holder="c", now=T0, until=T0 + MINUTE, replacing="dead")
    assert store.holder("job", now=T0) == "b"


@pytest.mark.parametrize("expired", [False, True], ids=["free", "expired"])
def test_of_holders_racing_exactly_one_takes_the_lease(store: LeaseStore, expired: bool) -> None:
    takers = 6
    for round_ in range(8):
        name = f"race-{round_}"
        if expired:  # a row that ended: the takers race on one UPDATE
            assert store.take(name, holder="old", now=T0 - 2 * MINUTE, until=T0 - MINUTE)
        start = threading.Barrier(takers)
        won: list[str] = []

        def take(
            holder: str,
            name: str = name,
            start: threading.Barrier = start,
            won: list[str] = won,
        ) -> None:
            start.wait()
            if store.take(name, holder=holder, now=T0, until=T0 + MINUTE):
                won.append(holder)

        threads = [threading.Thread(target=take, args=(f"h{i}",)) for i in range(takers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1, (round_, won)
        assert store.holder(name, now=T0) == won[0]


# --- the service over a real store ---------------------------------------------------------


def test_a_lease_renewed_outlives_its_length_and_is_released_after_a_failure(
    store: LeaseStore,
) -> None:
    mine = Leases(store, clock=SystemClock(), seconds=0.6)
    theirs = Leases(store, clock=SystemClock(), seconds=0.6)

    def work() -> None:
        with mine.held("pack") as lease:
            assert lease is not None
            time.sleep(1.5)  # more than twice its length: renewed meanwhile
            assert not lease.lost
            with theirs.held("pack") as other:
                assert other is None
            raise RuntimeError("the work failed")

    with pytest.raises(RuntimeError):
        work()
    with theirs.held("pack") as other:  # released in finally
        assert other is not None


def test_a_lease_lost_is_said_to_its_holder(store: LeaseStore) -> None:
    leases = Leases(store, clock=SystemClock(), seconds=0.3)
    with leases.held("fetch") as lease:
        assert lease is not None
        store.release("fetch", holder=lease.holder)  # as if it ran out and was taken
        assert store.take("fetch", holder="thief", now=SystemClock().now(), until=T0 + 9 * MINUTE)
        time.sleep(0.5)  # the next renewal finds it gone
        assert lease.lost
        with pytest.raises(LeaseLost):
            lease.check()
    assert store.holder("fetch", now=SystemClock().now()) == "thief"  # not released by the loser


def test_waiting_for_a_lease_is_bounded(store: LeaseStore) -> None:
    first = Leases(store, clock=SystemClock())
    second = Leases(store, clock=SystemClock())
    with first.held("request") as held:
        assert held is not None
        started = time.monotonic()
        with (
            pytest.raises(Unavailable, match="busy"),
            second.waited("request", seconds=0.5, what="sending this request"),
        ):
            pass
        assert 0.5 <= time.monotonic() - started < 3
        got: list[float] = []

        def wait() -> None:
            with second.waited("request", seconds=10, what="sending this request"):
                got.append(time.monotonic())

        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(0.3)
        released = time.monotonic()
    waiter.join()
    assert got
    assert got[0] >= released


# --- holders that die -------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from hanoi.clock import SystemClock
    from hanoi.leases import Leases
    from hanoi.storage.db import make_engine
    from hanoi.storage.leases_repo import SqlLeases
    from hanoi.storage.liveness import FolderLiveness

    url, folder, seconds = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    leases = Leases(SqlLeases(make_engine(url)), clock=SystemClock(), seconds=seconds,
                    liveness=FolderLiveness(folder))
    lease = leases.try_take("job")
    print(lease.holder if lease else "", flush=True)
    time.sleep(600)
    """
)


def killed_holder(url: str, folder: Path, seconds: float) -> str:
    """A process that takes the lease ``job`` and is killed with SIGKILL while holding it."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, str(folder), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            holder = process.stdout.readline().strip()
            assert holder, "the holder process did not get the lease"
        finally:
            process.kill()
            process.wait()
    return holder


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'leases.db'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


@pytest.fixture
def sql_engine(sql_url: str) -> Iterator[Engine]:
    engine = make_engine(sql_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def test_a_dead_holders_lease_is_taken_over_after_it_ends(
    sql_engine: Engine, sql_url: str, tmp_path: Path
) -> None:
    """Another host (another liveness folder) cannot know the holder died: it waits out
    the lease, then takes it."""
    holder = killed_holder(sql_url, tmp_path / "host-a", seconds=2)
    killed_at = time.monotonic()
    other_host = Leases(
        SqlLeases(sql_engine), clock=SystemClock(), liveness=FolderLiveness(tmp_path / "host-b")
    )
    assert other_host.store.holder("job", now=SystemClock().now()) == holder
    with other_host.held("job") as lease:
        assert lease is None  # still the dead holder's
    deadline = time.monotonic() + 10
    while (lease := other_host.try_take("job")) is None:
        assert time.monotonic() < deadline, "the dead holder's lease never ended"
        time.sleep(0.05)
    lease.release()
    assert time.monotonic() - killed_at >= 1.5  # not before it ended


def test_a_dead_holder_of_this_host_is_replaced_at_once(
    sql_engine: Engine, sql_url: str, tmp_path: Path
) -> None:
    """A process of the same folder sees the dead process's lock gone: no wait."""
    holder = killed_holder(sql_url, tmp_path / "host-a", seconds=600)
    same_host = Leases(
        SqlLeases(sql_engine), clock=SystemClock(), liveness=FolderLiveness(tmp_path / "host-a")
    )
    lease = same_host.try_take("job")
    assert lease is not None
    assert process_of(lease.holder) != process_of(holder)
    lease.release()


def test_a_live_holder_of_this_host_is_never_taken_for_dead(tmp_path: Path) -> None:
    store = MemoryLeases()
    alive = Leases(store, clock=SystemClock(), liveness=FolderLiveness(tmp_path / "host"))
    other = Leases(store, clock=SystemClock(), liveness=FolderLiveness(tmp_path / "host"))
    with alive.held("job") as lease:
        assert lease is not None
        assert other.try_take("job") is None
