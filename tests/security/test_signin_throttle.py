"""Finding 6 of the attack run: the sign-in throttle could be outrun (concurrent attempts,
several workers, a restart) and sidestepped (a forged ``X-Forwarded-For``). Each test
runs real ``hanoi serve`` processes and counts what the node answered."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from support_signin import PASSWORD, WRONG, LoginPage, add_setting, node_with_user, served

LIMIT = 5  # wrong passwords checked per name and address (ThrottleLimits.per_name_and_client)
pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgresql"])
def database_env(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The node's database: the folder's SQLite file, or a migrated PostgreSQL database."""
    if request.param == "sqlite":
        yield {}
    else:
        yield {"HANOI_DATABASE_URL": request.getfixturevalue("migrated_databases").postgres()}


@pytest.mark.parametrize("workers", [1, 2])
def test_concurrent_wrong_passwords_are_checked_exactly_up_to_the_limit(
    node_dir: Path, tmp_path: Path, workers: int, database_env: dict[str, str]
) -> None:
    """40 wrong passwords for one name at once: before the fix 18 (one worker) and 29 (two)
    were checked against a limit of 5. Every attempt is now reserved in the database before
    argon2 runs, so exactly 5 are checked (422) and the rest refused unchecked (429)."""
    folder = node_with_user(node_dir, tmp_path / "node", "amira.hassan", env=database_env)
    with served(folder, workers=workers, env=database_env) as base:
        answers = Counter(LoginPage(base).at_once("amira.hassan", WRONG, 40))
        assert answers == {422: LIMIT, 429: 40 - LIMIT}
        # The right password is refused too, without being checked.
        assert LoginPage(base).attempt("amira.hassan", PASSWORD) == 429


def test_the_count_survives_a_restart(node_dir: Path, tmp_path: Path) -> None:
    folder = node_with_user(node_dir, tmp_path / "node", "amira.hassan")
    with served(folder) as base:
        page = LoginPage(base)
        assert [page.attempt("amira.hassan", WRONG) for _ in range(LIMIT)] == [422] * LIMIT
    with served(folder) as base:
        assert LoginPage(base).attempt("amira.hassan", PASSWORD) == 429


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(
    node_dir: Path, tmp_path: Path
) -> None:
    """The peer (127.0.0.1) is no proxy of ours: whatever it writes in X-Forwarded-For, the
    attempts are counted under its own address, so a fresh header buys no fresh count."""
    folder = node_with_user(node_dir, tmp_path / "node", "amira.hassan")
    with served(folder) as base:
        page = LoginPage(base)
        answers = [
            page.attempt("amira.hassan", WRONG, **{"X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(LIMIT + 1)
        ]
        assert answers == [422] * LIMIT + [429]
        forged = {"X-Forwarded-For": "203.0.113.99", "X-Forwarded-Proto": "https"}
        assert page.attempt("amira.hassan", PASSWORD, **forged) == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(
    node_dir: Path, tmp_path: Path
) -> None:
    """With 127.0.0.1 configured as a proxy, the right-most address of X-Forwarded-For that
    is not a proxy is the client: an address the client itself put in front changes nothing."""
    folder = node_with_user(node_dir, tmp_path / "node", "amira.hassan")
    add_setting(folder, 'trusted_proxies = ["127.0.0.1", "10.9.0.0/16"]')
    client = {"X-Forwarded-For": "203.0.113.7"}
    with served(folder) as base:
        page = LoginPage(base)
        assert [page.attempt("amira.hassan", WRONG, **client) for _ in range(LIMIT)] == [422] * 5
        assert page.attempt("amira.hassan", PASSWORD, **client) == 429
        spoofed = {"X-Forwarded-For": f"192.0.2.{uuid.uuid4().int % 250}, 203.0.113.7"}
        assert page.attempt("amira.hassan", PASSWORD, **spoofed) == 429
        through_two = {"X-Forwarded-For": "203.0.113.7, 10.9.3.4"}  # a second proxy of ours
        assert page.attempt("amira.hassan", PASSWORD, **through_two) == 429
        # Another officer's address has its own count, and the peer's own address too.
        assert page.attempt("amira.hassan", PASSWORD, **{"X-Forwarded-For": "203.0.113.8"}) == 303
        assert LoginPage(base).attempt("amira.hassan", PASSWORD) == 303
