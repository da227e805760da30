"""The SeenMessages port: every implementation passes the same conformance test."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from hanoi.errors import InvalidInput
from hanoi.federation.errors import ReplayedMessage
from hanoi.federation.replay import MemorySeenMessages, Outcome, SeenMessages

IMPLEMENTATIONS: dict[str, Callable[[], SeenMessages]] = {"memory": MemorySeenMessages}
ID, DIGEST, OTHER = "0123456789abcdef" * 2, "a" * 64, "b" * 64


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def seen(request: pytest.FixtureRequest) -> SeenMessages:
    return IMPLEMENTATIONS[request.param]()


def test_first_new_then_duplicate(seen: SeenMessages) -> None:
    assert seen.check_and_record(ID, DIGEST) is Outcome.NEW
    assert seen.check_and_record(ID, "".join(["a"] * 64)) is Outcome.DUPLICATE
    assert seen.check_and_record("f" * 32, DIGEST) is Outcome.NEW


def test_a_known_id_with_other_content_is_refused_and_changes_nothing(seen: SeenMessages) -> None:
    seen.check_and_record(ID, DIGEST)
    with pytest.raises(ReplayedMessage, match=f"message {ID} was already received"):
        seen.check_and_record(ID, OTHER)
    assert seen.check_and_record(ID, DIGEST) is Outcome.DUPLICATE


@pytest.mark.parametrize(
    ("message_id", "digest"),
    [("0123", DIGEST), (ID.upper(), DIGEST), (ID, "A" * 64), (ID, "a" * 63)],
)
def test_malformed_arguments_are_refused(seen: SeenMessages, message_id: str, digest: str) -> None:
    with pytest.raises(InvalidInput):
        seen.check_and_record(message_id, digest)


def test_of_concurrent_deliveries_exactly_one_is_new(seen: SeenMessages) -> None:
    outcomes: list[Outcome] = []
    start = threading.Barrier(8)

    def deliver() -> None:
        start.wait()
        outcomes.append(seen.check_and_record(ID, DIGEST))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [Outcome.DUPLICATE] * 7 + [Outcome.NEW]
