"""Rows for several tables in one call (``batches.insert_all``: one statement on
PostgreSQL, one executemany per table on SQLite), and a request's creation through it:
everything or nothing is written."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import IntegrityError

from hanoi.cooperation.ports import Outgoing
from hanoi.cooperation.statuses import Side
from hanoi.custody.service import NewEvent
from hanoi.errors import Conflict
from hanoi.storage.batches import insert_all
from hanoi.storage.cooperation_repo import CooperationRepository
from hanoi.storage.custody_repo import CustodyRepository, pending_rows
from hanoi.storage.tables import (
    case_assignments,
    cooperation_requests,
    custody_pending,
    outbox,
    request_facts,
    request_steps,
    users,
)
from unit.cooperation.builders import draft

NOW = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)


def request_row(request_id: str) -> dict[str, Any]:
    return {
        "id": request_id,
        "kind": "mla-stored-data",
        "channel": "mla",
        "route": "hanoi",
        "requesting_state": "EGY",
        "requested_state": "VNM",
        "side": "requesting",
        "status": "draft",
        "desired_status": None,
        "urgency": "routine",
        "steps": 2,
        "document": "{}",
        "retain_until": None,
        "created_at": NOW,
        "updated_at": NOW,
    }


def step_row(request_id: str, sequence: int) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "sequence": sequence,
        "transition": "approve",
        "at": NOW + timedelta(minutes=sequence),
        "record": "{}",
    }


def new_event(n: int) -> NewEvent:
    return NewEvent(n.to_bytes(32, "big"), b'{"n":%d}' % n, os.urandom(32), f"request:{n}")


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_rows_of_several_tables_go_together_children_after_their_parent(engine: Engine) -> None:
    seen = statements(engine)
    local = NOW.astimezone(timezone(timedelta(hours=2)))  # stored as UTC
    with engine.begin() as connection:
        insert_all(
            connection,
            [
                (cooperation_requests, [request_row("EGY-2026-A")]),
                (request_steps, [step_row("EGY-2026-A", 1), step_row("EGY-2026-A", 2)]),
                (request_facts, []),  # skipped
                (custody_pending, pending_rows([new_event(1), new_event(2)], now=local)),
            ],
        )
    assert len(seen) == (1 if engine.dialect.name == "postgresql" else 3)
    with engine.connect() as connection:
        steps = connection.execute(
            select(request_steps.c.sequence, request_steps.c.at).order_by(request_steps.c.sequence)
        ).all()
        queued = connection.execute(
            select(custody_pending.c.subject, custody_pending.c.enqueued_at, custody_pending.c.salt)
            .order_by(custody_pending.c.id)
        ).all()  # fmt: skip
    # Each column's type converts its values, as SQLAlchemy's own insert does: times
    # come back in UTC, bytes as bytes, the rows in the order given.
    assert steps == [(1, NOW + timedelta(minutes=1)), (2, NOW + timedelta(minutes=2))]
    assert [(q.subject, q.enqueued_at) for q in queued] == [("request:1", NOW), ("request:2", NOW)]
    assert all(len(bytes(q.salt)) == 32 for q in queued)
    with engine.begin() as connection:  # the same shape again: the SQL built once is reused
        insert_all(connection, [(cooperation_requests, [request_row("EGY-2026-B")])])
    assert count(engine, cooperation_requests) == 2


def test_a_failing_row_fails_every_batch_of_the_call(engine: Engine) -> None:
    with engine.begin() as connection:
        insert_all(connection, [(cooperation_requests, [request_row("EGY-2026-A")])])
    with pytest.raises(IntegrityError), engine.begin() as connection:
        insert_all(
            connection,
            [
                (cooperation_requests, [request_row("EGY-2026-B")]),
                (request_steps, [step_row("EGY-2026-B", 1), step_row("EGY-2026-NONE", 1)]),
            ],
        )
    assert count(engine, cooperation_requests) == 1
    assert count(engine, request_steps) == 0


def test_rows_of_a_table_have_the_same_columns(engine: Engine) -> None:
    ragged = [step_row("EGY-2026-A", 1), {"request_id": "EGY-2026-A", "sequence": 2}]
    batches = [(cooperation_requests, [request_row("EGY-2026-A")]), (request_steps, ragged)]
    with engine.begin() as connection:
        with pytest.raises(ValueError, match="request_steps have different columns"):
            insert_all(connection, batches)
        with pytest.raises(ValueError, match=r"not columns of request_steps: \['colour'\]"):
            insert_all(connection, [(request_steps, [{**step_row("EGY-2026-A", 1), "colour": 1}])])
    assert count(engine, cooperation_requests) == 0  # nothing was sent


def test_a_request_is_created_with_all_its_rows_and_an_id_taken_writes_nothing(
    engine: Engine,
) -> None:
    with engine.begin() as connection:
        ids = [
            connection.execute(
                users.insert()
                .values(name=name, role="officer", created_at=NOW)
                .returning(users.c.id)
            ).scalar_one()
            for name in ("amira", "samir")
        ]
    repo = CooperationRepository(engine, CustodyRepository(engine))
    request = draft("mla-stored-data", id="EGY-2026-0001")
    message = Outgoing(
        id="m" * 32,
        recipient="VNM",
        type="request",
        request_id=request.id,
        message="{}",
        created_at=NOW,
    )
    repo.create(
        request,
        side=Side.REQUESTING,
        assignees=[ids[1], ids[0], ids[1]],
        assigned_by="amira",
        custody=[new_event(1)],
        now=NOW,
        outbox=[message],
    )
    stored = repo.load(request.id, user_id=ids[0])
    assert stored is not None
    assert stored.assigned
    assert stored.request == request
    with engine.connect() as connection:
        team = connection.execute(select(case_assignments.c.user_id)).scalars().all()
        facts = connection.execute(select(request_facts.c.kind)).scalars().all()
    assert sorted(team) == sorted(ids)
    assert facts == ["mla-stored-data"]
    assert count(engine, custody_pending) == 1
    assert count(engine, outbox) == 1
    with pytest.raises(Conflict, match="already exists"):
        repo.create(
            request,
            side=Side.REQUESTING,
            assignees=[ids[0]],
            assigned_by="amira",
            custody=[new_event(2)],
            now=NOW,
        )
    assert count(engine, custody_pending) == 1  # the second creation's event was not queued
    assert count(engine, request_facts) == 1
