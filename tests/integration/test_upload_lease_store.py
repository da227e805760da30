"""The upload lease in SQL (``hanoi.storage.uploads_repo``), on SQLite and PostgreSQL: one
holder at a time, taken over only when free, expired or known dead; the offset moves
only under the lease, by compare-and-swap; only the holder frees or completes it."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine

from hanoi.evidence.uploads import Upload
from hanoi.storage.accounts_repo import AccountsRepository
from hanoi.storage.uploads_repo import UploadsRepository
from support_nodes import T0

LATER = T0 + timedelta(seconds=120)


def _upload(engine: Engine) -> tuple[UploadsRepository, str]:
    user = AccountsRepository(engine).add_user(
        name="officer1", role="officer", password_hash=None, now=T0
    )
    repository = UploadsRepository(engine)
    record = Upload(
        id="a" * 32,
        user_id=user.id,
        length=100,
        offset=0,
        metadata={},
        expected_sha256=None,
        digest=None,
        created_at=T0,
    )
    repository.create(record)
    return repository, record.id


def test_one_holder_at_a_time(engine: Engine) -> None:
    repository, upload_id = _upload(engine)
    assert repository.take_lease(upload_id, lease="hostA" + "1", offset=0, now=T0, until=LATER)
    assert not repository.take_lease(upload_id, lease="hostB2", offset=0, now=T0, until=LATER)
    # Expired: taken over; and the first holder can neither advance nor free it.
    after = LATER + timedelta(seconds=1)
    assert repository.take_lease(upload_id, lease="hostB2", offset=0, now=after, until=after)
    assert not repository.advance(
        upload_id, lease="hostA1", old_offset=0, new_offset=50, until=after
    )
    repository.release(upload_id, lease="hostA1")
    assert not repository.take_lease(upload_id, lease="hostC3", offset=0, now=T0, until=LATER)


def test_a_lease_known_dead_is_taken_over_at_once(engine: Engine) -> None:
    repository, upload_id = _upload(engine)
    assert repository.take_lease(upload_id, lease="host_A%1", offset=0, now=T0, until=LATER)
    # Another prefix, or one that LIKE would match by its wildcards, does not take it.
    assert not repository.take_lease(
        upload_id, lease="x", offset=0, now=T0, until=LATER, dead_prefix="host_B"
    )
    assert not repository.take_lease(
        upload_id, lease="x", offset=0, now=T0, until=LATER, dead_prefix="host%"
    )
    assert repository.take_lease(
        upload_id, lease="host_A%2", offset=0, now=T0, until=LATER, dead_prefix="host_A%"
    )


def test_the_offset_moves_by_compare_and_swap_under_the_lease(engine: Engine) -> None:
    repository, upload_id = _upload(engine)
    assert not repository.advance(upload_id, lease="L", old_offset=0, new_offset=10, until=LATER)
    assert repository.take_lease(upload_id, lease="L", offset=0, now=T0, until=LATER)
    assert repository.advance(upload_id, lease="L", old_offset=0, new_offset=10, until=LATER)
    assert not repository.advance(upload_id, lease="L", old_offset=0, new_offset=20, until=LATER)
    record = repository.get(upload_id)
    assert record is not None
    assert record.offset == 10
    # A lease is taken at the offset the client named, or not at all.
    repository.release(upload_id, lease="L")
    assert not repository.take_lease(upload_id, lease="M", offset=0, now=T0, until=LATER)
    assert repository.take_lease(upload_id, lease="M", offset=10, now=T0, until=LATER)
    assert not repository.complete(upload_id, lease="L", digest="d" * 64, now=T0)
    assert repository.complete(upload_id, lease="M", digest="d" * 64, now=T0)
    # Complete: nobody takes it again.
    assert not repository.take_lease(upload_id, lease="N", offset=10, now=LATER, until=LATER)


def test_of_many_requests_at_once_exactly_one_takes_the_lease(engine: Engine) -> None:
    repository, upload_id = _upload(engine)
    barrier = threading.Barrier(8)
    won: list[str] = []

    def attempt(n: int) -> None:
        barrier.wait()
        if repository.take_lease(upload_id, lease=f"L{n}", offset=0, now=T0, until=LATER):
            won.append(f"L{n}")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
