"""Users of the State's identity provider (ADR 0049), on SQLite and PostgreSQL: created on
first sign-in, found again by (issuer, sub) and never by name, with the role the provider
gives at each sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from hanoi.accounts.external import ExternalIdentity
from hanoi.accounts.model import Role
from hanoi.accounts.service import AccountService
from hanoi.clock import FixedClock
from hanoi.errors import PermissionDenied
from hanoi.storage.accounts_repo import AccountsRepository
from hanoi.storage.db import make_engine
from hanoi.storage.tables import users

ISSUER = "https://id.ministry.example"


@pytest.fixture
def service(migrated_url: str) -> Iterator[AccountService]:
    engine = make_engine(migrated_url)
    yield AccountService(
        repository=AccountsRepository(engine), clock=FixedClock(datetime(2026, 12, 7, tzinfo=UTC))
    )
    engine.dispose()


def identity(sub: str, name: str, role: Role, issuer: str = ISSUER) -> ExternalIdentity:
    return ExternalIdentity(subject=f"{issuer} {sub}", name=name, role=role)


def test_created_once_then_found_by_subject_with_the_role_of_now(service: AccountService) -> None:
    first = service.authenticate_external(identity("8f2c", "amina", Role.OFFICER))
    assert first.role is Role.OFFICER
    # Renamed at the provider, promoted: the same user, with the new role; the name stays.
    again = service.authenticate_external(identity("8f2c", "amina.h", Role.SUPERVISOR))
    assert again.id == first.id
    assert again.name == "amina"
    assert service.named("amina").role is Role.SUPERVISOR
    assert [u.name for u in service.users()] == ["amina"]


def test_a_name_is_never_enough(service: AccountService) -> None:
    service.add_user(name="omar", role=Role.ADMINISTRATOR, password="a long local passphrase")
    with pytest.raises(PermissionDenied, match="not linked"):
        service.authenticate_external(identity("77", "omar", Role.OFFICER))
    # Another issuer's subject of the same name is another person, refused the same way.
    service.authenticate_external(identity("1", "hoa", Role.OFFICER))
    with pytest.raises(PermissionDenied):
        service.authenticate_external(identity("1", "hoa", Role.OFFICER, "https://other.example"))
    assert service.named("omar").role is Role.ADMINISTRATOR


def test_a_user_disabled_on_the_node_is_refused(service: AccountService) -> None:
    user = service.authenticate_external(identity("9", "karim", Role.OFFICER))
    engine = service._repository.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(
            update(users).where(users.c.id == user.id).values(disabled_at=datetime.now(UTC))
        )
    with pytest.raises(PermissionDenied, match="disabled"):
        service.authenticate_external(identity("9", "karim", Role.OFFICER))
