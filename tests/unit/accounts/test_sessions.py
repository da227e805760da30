"""UI sessions that the server ends: logout, everywhere, expiry, disabled users."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from hanoi.accounts.memory import MemorySessionStore
from hanoi.accounts.model import Role, User
from hanoi.accounts.sessions import Sessions, session_id
from hanoi.clock import FixedClock

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
AMIRA = User(id=1, name="amira", role=Role.OFFICER, created_at=T0)
DUC = User(id=2, name="duc", role=Role.SUPERVISOR, created_at=T0)


def _sessions() -> tuple[Sessions, MemorySessionStore, FixedClock, dict[int, User]]:
    users = {AMIRA.id: AMIRA, DUC.id: DUC}
    store = MemorySessionStore(users.get)
    clock = FixedClock(T0)
    return Sessions(store=store, clock=clock), store, clock, users


def test_a_started_session_resumes_until_it_is_ended() -> None:
    sessions, store, _clock, _users = _sessions()
    secret = sessions.start(AMIRA)
    assert sessions.resume(secret) == AMIRA
    assert store.session(secret) is None  # stored under its hash, never the secret
    assert store.session(session_id(secret)) is not None
    sessions.end(secret)
    assert sessions.resume(secret) is None


def test_sign_out_everywhere_ends_only_that_users_sessions() -> None:
    sessions, _store, _clock, _users = _sessions()
    office, laptop, other = sessions.start(AMIRA), sessions.start(AMIRA), sessions.start(DUC)
    assert sessions.end_all(AMIRA) == 2
    assert sessions.resume(office) is None
    assert sessions.resume(laptop) is None
    assert sessions.resume(other) == DUC


def test_a_session_expires_eight_hours_after_sign_in_however_busy() -> None:
    sessions, store, clock, _users = _sessions()
    secret = sessions.start(AMIRA)
    for _ in range(7):
        clock.advance(timedelta(hours=1))
        assert sessions.resume(secret) == AMIRA
    clock.advance(timedelta(hours=1))
    assert sessions.resume(secret) is None
    assert store.session(session_id(secret)) is None  # and its row is gone


def test_last_seen_is_written_at_most_once_a_minute() -> None:
    sessions, store, clock, _users = _sessions()
    secret = sessions.start(AMIRA)
    clock.advance(timedelta(seconds=30))
    sessions.resume(secret)
    found = store.session(session_id(secret))
    assert found is not None
    assert found.last_seen_at == T0
    clock.advance(timedelta(seconds=30))
    sessions.resume(secret)
    found = store.session(session_id(secret))
    assert found is not None
    assert found.last_seen_at == T0 + timedelta(minutes=1)


def test_a_disabled_user_is_signed_out() -> None:
    sessions, _store, _clock, users = _sessions()
    secret = sessions.start(AMIRA)
    users[AMIRA.id] = dataclasses.replace(AMIRA, disabled=True)
    assert sessions.resume(secret) is None


def test_anything_but_a_secret_resumes_nothing() -> None:
    sessions, _store, _clock, _users = _sessions()
    sessions.start(AMIRA)
    for junk in (None, "", 42, ["x"], "x" * 65, "not a session"):
        assert sessions.resume(junk) is None
        sessions.end(junk)  # no error either


def test_signing_in_purges_expired_sessions() -> None:
    sessions, store, clock, _users = _sessions()
    old = sessions.start(AMIRA)
    clock.advance(timedelta(hours=9))
    sessions.start(DUC)
    assert store.session(session_id(old)) is None
