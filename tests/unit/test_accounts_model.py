from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hanoi.accounts.model import PERMISSIONS, Action, Role, User, check_user_name, parse_role
from hanoi.accounts.secrets import hash_password, new_token, parse_token, verify_password
from hanoi.errors import InvalidInput, PermissionDenied

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def user(role: Role, *, disabled: bool = False) -> User:
    return User(id=1, name="amira", role=role, created_at=NOW, disabled=disabled)


def test_every_role_has_permissions_and_reads() -> None:
    assert set(PERMISSIONS) == set(Role)
    for role in Role:
        assert user(role).may(Action.READ)


def test_only_supervisors_approve() -> None:
    approvers = {role for role in Role if user(role).may(Action.APPROVE)}
    assert approvers == {Role.SUPERVISOR}


def test_auditor_is_read_only() -> None:
    auditor = user(Role.AUDITOR)
    for action in (Action.DRAFT, Action.DECIDE, Action.UPLOAD_EVIDENCE, Action.APPROVE):
        with pytest.raises(PermissionDenied, match="auditor"):
            auditor.require(action)


def test_disabled_user_may_do_nothing() -> None:
    assert not user(Role.ADMINISTRATOR, disabled=True).may(Action.READ)


def test_unknown_role_lists_the_choices() -> None:
    with pytest.raises(InvalidInput, match="point-of-contact"):
        parse_role("boss")


@pytest.mark.parametrize("name", ["A", "x", "has space", "UPPER", "-lead", "a" * 65])
def test_bad_user_names(name: str) -> None:
    with pytest.raises(InvalidInput, match="user name"):
        check_user_name(name)


def test_password_hash_is_argon2id_and_verifies() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    verify_password(stored, "correct horse battery")
    with pytest.raises(PermissionDenied):
        verify_password(stored, "correct horse battery!")


def test_short_password_is_refused() -> None:
    with pytest.raises(InvalidInput, match="12"):
        hash_password("short")


def test_token_round_trip_and_secret_not_in_repr() -> None:
    token = new_token()
    token_id, secret_hash = parse_token(token.plaintext)
    assert token_id == token.token_id
    assert secret_hash == token.secret_hash
    assert token.plaintext not in repr(token)


@pytest.mark.parametrize("text", ["", "hanoi_", "Bearer x", "hanoi_zzzzzzzzzzzz_" + "a" * 43])
def test_malformed_tokens(text: str) -> None:
    with pytest.raises(PermissionDenied):
        parse_token(text)
