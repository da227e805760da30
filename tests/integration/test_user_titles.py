"""A user's title, for the court reports they certify, on SQLite and PostgreSQL: set when the
user is added or later, cleared, and read back with the user however the user is found
(by name, by API token, by UI session)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from hanoi.accounts.model import MAX_TITLE, Role
from hanoi.accounts.service import AccountService
from hanoi.clock import FixedClock
from hanoi.errors import InvalidInput, NotFound
from hanoi.storage.accounts_repo import AccountsRepository
from hanoi.storage.db import make_engine
from hanoi.storage.sessions_repo import SessionsRepository

TITLE = "Public Prosecutor, Cybercrime Unit"


@pytest.fixture
def service(migrated_url: str) -> Iterator[AccountService]:
    engine = make_engine(migrated_url)
    clock = FixedClock(datetime(2026, 11, 28, tzinfo=UTC))
    yield AccountService(
        repository=AccountsRepository(engine), clock=clock, sessions=SessionsRepository(engine)
    )
    engine.dispose()


def test_a_title_given_at_creation_comes_back_with_the_user_however_found(
    service: AccountService,
) -> None:
    created = service.add_user(
        name="samir", role=Role.SUPERVISOR, title=f"  {TITLE} ", with_token=True
    )
    assert created.user.title == TITLE  # surrounding spaces dropped
    assert created.token is not None
    assert service.named("samir").title == TITLE
    assert service.authenticate_token(created.token).title == TITLE
    resumed = service.sessions.resume(service.sessions.start(created.user))
    assert resumed is not None
    assert resumed.title == TITLE
    assert [u.title for u in service.users()] == [TITLE]


def test_a_title_is_set_later_replaced_and_cleared(service: AccountService) -> None:
    service.add_user(name="lan", role=Role.OFFICER)
    assert service.named("lan").title is None
    assert service.set_title("lan", "Investigating officer").title == "Investigating officer"
    assert service.set_title("lan", TITLE).title == TITLE
    assert service.named("lan").title == TITLE
    assert service.set_title("lan", "").title is None
    assert service.named("lan").title is None


def test_an_unreadable_title_or_an_unknown_user_is_refused(service: AccountService) -> None:
    service.add_user(name="lan", role=Role.OFFICER)
    for bad in ("x" * (MAX_TITLE + 1), "Prosecutor\nand judge"):
        with pytest.raises(InvalidInput, match="title"):
            service.set_title("lan", bad)
        with pytest.raises(InvalidInput, match="title"):
            service.add_user(name="karim", role=Role.OFFICER, title=bad)
    assert service.named("lan").title is None
    with pytest.raises(NotFound):
        service.set_title("nobody", TITLE)
