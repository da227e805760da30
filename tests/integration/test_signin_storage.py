"""The sign-in ports on SQLite and PostgreSQL: the rate counter (the same contract as the
in-memory one, and exact under concurrent threads) and the UI session store."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine, select

import hanoi.accounts.secrets as secrets_module
from hanoi.accounts.memory import MemoryRateCounter
from hanoi.accounts.model import Role
from hanoi.accounts.ports import RateCounter
from hanoi.accounts.service import AccountService
from hanoi.accounts.throttle import LoginThrottle, Reservation, TooManyFailures
from hanoi.clock import FixedClock
from hanoi.errors import PermissionDenied
from hanoi.storage.accounts_repo import AccountsRepository
from hanoi.storage.db import make_engine
from hanoi.storage.rate_limits_repo import SqlRateCounter, counter_key
from hanoi.storage.sessions_repo import SessionsRepository
from hanoi.storage.tables import rate_limits
from support_databases import Clones

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
W = 1_796_000_400  # a window's first second


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def counter(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RateCounter]:
    """Every implementation of the port in turn."""
    if request.param == "memory":
        yield MemoryRateCounter()
        return
    databases: Clones = request.getfixturevalue("migrated_databases")
    engine = make_engine(databases.url(request.param, tmp_path))
    yield SqlRateCounter(engine)
    engine.dispose()


def test_the_counter_contract(counter: RateCounter) -> None:
    assert [counter.add("login:a", W) for _ in range(3)] == [1, 2, 3]
    assert counter.add("login:a", W + 900) == 1  # another window
    assert counter.add("login:b", W) == 1  # another key
    assert counter.count("login:a", W) == 3
    assert counter.count("login:none", W) == 0
    counter.subtract("login:a", W)
    assert counter.count("login:a", W) == 2
    for _ in range(5):
        counter.subtract("login:b", W)
    counter.subtract("login:none", W)
    assert counter.count("login:b", W) == 0  # never below zero
    counter.clear("login:a")
    assert counter.count("login:a", W) == 0
    assert counter.count("login:a", W + 900) == 0
    counter.add("login:c", W - 60)
    assert counter.purge(W) == 1  # login:c, in a window that started before W
    assert counter.count("login:c", W - 60) == 0
    assert counter.add("login:a", W) == 1


def test_keys_are_stored_hashed(engine: Engine) -> None:
    SqlRateCounter(engine).add('login:name+client:["amira", "10.0.0.1"]', W)
    with engine.connect() as connection:
        stored = connection.execute(select(rate_limits.c.key)).scalars().all()
    assert stored == [counter_key('login:name+client:["amira", "10.0.0.1"]')]
    assert len(stored[0]) == 64
    assert "amira" not in stored[0]


def _at_once(count: int, attempt: Callable[[], object]) -> list[object]:
    start = threading.Barrier(count)
    results: list[object] = []
    lock = threading.Lock()

    def run() -> None:
        start.wait()
        try:
            result = attempt()
        except TooManyFailures as exc:
            result = exc
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_increments_each_get_their_own_count(engine: Engine) -> None:
    counter = SqlRateCounter(engine)
    counts = _at_once(24, lambda: counter.add("login:race", W))
    assert sorted(counts) == list(range(1, 25))  # type: ignore[type-var]


def test_concurrent_reservations_from_threads_let_exactly_the_limit_through(
    engine: Engine,
) -> None:
    """One throttle per thread, as separate processes would have: only the database is shared."""
    results = _at_once(
        30, lambda: LoginThrottle(SqlRateCounter(engine)).reserve("amira", "10.0.0.1", T0)
    )
    passed = [r for r in results if isinstance(r, Reservation)]
    assert len(passed) == 5
    assert len(results) - len(passed) == 25
    name_key, client_key = LoginThrottle.keys("amira", "10.0.0.1")
    window = passed[0].window
    # The refused took their reservations back: the counts hold the five checked attempts.
    assert SqlRateCounter(engine).count(name_key, window) == 5
    assert SqlRateCounter(engine).count(client_key, window) == 5


def test_a_throttled_password_is_never_checked(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FixedClock(T0)
    service = AccountService(
        repository=AccountsRepository(engine),
        clock=clock,
        throttle=LoginThrottle(SqlRateCounter(engine)),
        sessions=SessionsRepository(engine),
    )
    service.add_user(name="duc", role=Role.SUPERVISOR, password="a long passphrase")
    checked: list[str] = []
    real = secrets_module._hasher.verify

    def verify(stored: str, given: str) -> bool:
        checked.append(given)
        return real(stored, given)

    monkeypatch.setattr(
        secrets_module, "_hasher", SimpleNamespace(verify=verify, hash=secrets_module._hasher.hash)
    )
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            service.authenticate_password("duc", "a wrong passphrase", client="10.0.0.1")
    with pytest.raises(TooManyFailures):
        service.authenticate_password("duc", "a long passphrase", client="10.0.0.1")
    assert len(checked) == 5
    # From another address the right password works, and clears nothing elsewhere.
    assert (
        service.authenticate_password("duc", "a long passphrase", client="10.0.0.2").name == "duc"
    )
    clock.advance(timedelta(minutes=30))
    assert (
        service.authenticate_password("duc", "a long passphrase", client="10.0.0.1").name == "duc"
    )


def test_the_session_store(engine: Engine) -> None:
    accounts = AccountsRepository(engine)
    amira = accounts.add_user(name="amira", role="officer", password_hash=None, now=T0)
    duc = accounts.add_user(name="duc", role="supervisor", password_hash=None, now=T0)
    store = SessionsRepository(engine)
    later = T0 + timedelta(hours=8)
    store.add_session(session_id="a" * 64, user_id=amira.id, now=T0, expires_at=later)
    store.add_session(session_id="b" * 64, user_id=amira.id, now=T0, expires_at=later)
    store.add_session(session_id="c" * 64, user_id=duc.id, now=T0, expires_at=T0)
    found = store.session("a" * 64)
    assert found is not None
    assert (found.user, found.created_at, found.last_seen_at, found.expires_at) == (
        amira, T0, T0, later
    )  # fmt: skip
    store.touch_session("a" * 64, T0 + timedelta(minutes=5))
    touched = store.session("a" * 64)
    assert touched is not None
    assert touched.last_seen_at == T0 + timedelta(minutes=5)
    assert store.session("d" * 64) is None
    store.end_session("b" * 64)
    assert store.session("b" * 64) is None
    assert store.purge_sessions(T0 + timedelta(seconds=1)) == 1  # duc's, expired
    assert store.session("c" * 64) is None
    store.add_session(session_id="e" * 64, user_id=amira.id, now=T0, expires_at=later)
    assert store.end_sessions_of(amira.id) == 2
    assert store.session("a" * 64) is None
