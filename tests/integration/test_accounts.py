"""Users and tokens on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

import hanoi.accounts.secrets as secrets_module
from hanoi.accounts.model import Role
from hanoi.accounts.service import AccountService
from hanoi.clock import FixedClock
from hanoi.errors import Conflict, PermissionDenied
from hanoi.storage.accounts_repo import AccountsRepository
from hanoi.storage.db import make_engine


@pytest.fixture
def service(migrated_url: str) -> Iterator[AccountService]:
    engine = make_engine(migrated_url)
    yield AccountService(
        repository=AccountsRepository(engine), clock=FixedClock(datetime(2026, 11, 28, tzinfo=UTC))
    )
    engine.dispose()


def test_token_authenticates_its_user(service: AccountService) -> None:
    created = service.add_user(name="amira", role=Role.OFFICER, with_token=True)
    assert created.token is not None
    assert service.authenticate_token(created.token) == created.user


def test_wrong_secret_and_unknown_token_are_refused_and_logged(
    service: AccountService, caplog: pytest.LogCaptureFixture
) -> None:
    created = service.add_user(name="amira", role=Role.OFFICER, with_token=True)
    assert created.token is not None
    forged = created.token[:-4] + ("AAAA" if not created.token.endswith("AAAA") else "BBBB")
    with pytest.raises(PermissionDenied):
        service.authenticate_token(forged)
    with pytest.raises(PermissionDenied):
        service.authenticate_token("hanoi_000000000000_" + "A" * 43)
    assert "refused API token" in caplog.text
    assert created.token.split("_", 2)[2] not in caplog.text  # the secret is never logged


def test_password_login(service: AccountService) -> None:
    service.add_user(name="duc", role=Role.SUPERVISOR, password="a long passphrase")
    assert service.authenticate_password("duc", "a long passphrase").role is Role.SUPERVISOR
    with pytest.raises(PermissionDenied):
        service.authenticate_password("duc", "a wrong passphrase")
    with pytest.raises(PermissionDenied):
        service.authenticate_password("nobody", "a long passphrase")


def test_an_unknown_name_costs_a_password_hash_like_a_known_one(
    service: AccountService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No timing difference tells who has an account: argon2 runs for unknown names too,
    and for users without a password."""
    service.add_user(name="duc", role=Role.SUPERVISOR, password="a long passphrase")
    service.add_user(name="token-only", role=Role.OFFICER, with_token=True)
    checked: list[str] = []
    real = secrets_module._hasher.verify

    def verify(stored: str, given: str) -> bool:
        checked.append(stored)
        return real(stored, given)

    monkeypatch.setattr(
        secrets_module, "_hasher", SimpleNamespace(verify=verify, hash=secrets_module._hasher.hash)
    )
    for name in ("duc", "nobody", "token-only"):
        with pytest.raises(PermissionDenied, match="wrong user name or password"):
            service.authenticate_password(name, "a wrong passphrase")
    assert len(checked) == 3
    assert all(stored.startswith("$argon2id$") for stored in checked)


def test_duplicate_name_is_a_conflict(service: AccountService) -> None:
    service.add_user(name="amira", role=Role.OFFICER)
    with pytest.raises(Conflict, match="amira"):
        service.add_user(name="amira", role=Role.AUDITOR)
    assert [u.name for u in service.users()] == ["amira"]
