"""Statistics for the Conference of the States Parties (issue 19; ADR 0036): the facts each
request's figures read, kept beside its steps (``request_facts``, ``request_milestones``,
``refusal_grounds``), the code of each refusal of an incoming evidence package
(``evidence_packages.refusal_reason``), and the indexes the figures' queries use.

The node writes the facts with every step from now on; this migration derives them once for
the requests stored before, from their steps (the same pure rules,
:mod:`hanoi.statistics.facts`). Packages refused before have no recorded reason: they count
under ``unrecorded``.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-12
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from hanoi.convention import default_catalogue
from hanoi.cooperation.statuses import Side
from hanoi.cooperation.table import TransitionName
from hanoi.statistics.facts import StepFact, grounds, is_preservation, milestones, request_facts

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_requests = sa.table(
    "cooperation_requests",
    sa.column("id", sa.String),
    sa.column("kind", sa.String),
    sa.column("route", sa.String),
    sa.column("requesting_state", sa.String),
    sa.column("requested_state", sa.String),
    sa.column("side", sa.String),
    sa.column("urgency", sa.String),
)
_steps = sa.table(
    "request_steps",
    sa.column("request_id", sa.String),
    sa.column("sequence", sa.Integer),
    sa.column("record", sa.Text),
)
_packages = sa.table(
    "evidence_packages",
    sa.column("direction", sa.String),
    sa.column("status", sa.String),
    sa.column("refusal_reason", sa.String),
)
BATCH = 1000
FACT_INDEXES = {
    "ix_request_facts_made": ("made_at", "direction", "kind", "other_state", "channel",
                              "urgency", "outcome", "outcome_at", "preservation",
                              "preserved_at", "request_id"),
    "ix_request_facts_decided": ("decided_at", "received_at", "direction", "urgency", "kind",
                                 "other_state"),
    "ix_request_facts_executed": ("executed_at", "received_at", "direction", "urgency", "kind",
                                  "other_state"),
    "ix_request_facts_preserved": ("preserved_until", "preservation", "direction", "kind",
                                   "other_state", "continued_at"),
}  # fmt: skip
"""Each covers what one query of the figures reads, so that none reads the table."""
_TIME = sa.DateTime(timezone=True)
"""Times are written as the node writes them (UTC; SQLite's text form)."""


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _step(record: str) -> StepFact:
    value = json.loads(record)
    return StepFact(
        sequence=int(value["sequence"]),
        transition=TransitionName(value["transition"]),
        at=datetime.fromisoformat(value["at"]),
        grounds=tuple(value.get("grounds") or ()),
        until=_time(value.get("until")),
    )


def _create_tables() -> None:
    op.create_table(
        "request_facts",
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("other_state", sa.String(length=3), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("preservation", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("preserved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("preserved_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("continued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["cooperation_requests.id"],
            name="fk_request_facts_request_id_cooperation_requests",
        ),
        sa.PrimaryKeyConstraint("request_id", name="pk_request_facts"),
    )
    for name, columns in FACT_INDEXES.items():
        op.create_index(name, "request_facts", list(columns))
    op.create_table(
        "request_milestones",
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mark", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["cooperation_requests.id"],
            name="fk_request_milestones_request_id_cooperation_requests",
        ),
        sa.PrimaryKeyConstraint("request_id", "sequence", name="pk_request_milestones"),
    )
    op.create_table(
        "refusal_grounds",
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ground", sa.String(length=64), nullable=False),
        sa.Column("article", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["cooperation_requests.id"],
            name="fk_refusal_grounds_request_id_cooperation_requests",
        ),
        sa.PrimaryKeyConstraint("request_id", "sequence", "ground", name="pk_refusal_grounds"),
    )
    # Not in a batch: SQLite adds and drops a plain column in place (3.35+), where a batch
    # would copy the table and drop it, which the evidence items' foreign keys refuse.
    op.add_column(
        "evidence_packages", sa.Column("refusal_reason", sa.String(length=32), nullable=True)
    )
    op.create_index("ix_evidence_packages_created_at", "evidence_packages", ["created_at"])


def _fill(connection: sa.Connection) -> None:
    facts_t = sa.table(
        "request_facts",
        *(
            sa.column(name, _TIME if name.endswith("_at") or name.endswith("_until") else None)
            for name in (
                "request_id",
                "direction",
                "kind",
                "other_state",
                "channel",
                "urgency",
                "preservation",
                "made_at",
                "received_at",
                "decided_at",
                "executed_at",
                "preserved_at",
                "preserved_until",
                "continued_at",
                "outcome",
                "outcome_at",
            )
        ),
    )
    marks_t = sa.table(
        "request_milestones",
        sa.column("request_id"),
        sa.column("sequence"),
        sa.column("at", _TIME),
        sa.column("mark"),
    )
    grounds_t = sa.table(
        "refusal_grounds",
        sa.column("request_id"),
        sa.column("sequence"),
        sa.column("ground"),
        sa.column("article"),
        sa.column("at", _TIME),
    )
    catalogue = default_catalogue()
    after = ""
    while True:
        requests = connection.execute(
            sa.select(_requests).where(_requests.c.id > after).order_by(_requests.c.id).limit(BATCH)
        ).all()
        if not requests:
            return
        after = requests[-1].id
        ids = [r.id for r in requests]
        steps: dict[str, list[StepFact]] = {i: [] for i in ids}
        for row in connection.execute(
            sa.select(_steps.c.request_id, _steps.c.record)
            .where(_steps.c.request_id.in_(ids))
            .order_by(_steps.c.request_id, _steps.c.sequence)
        ):
            steps[row.request_id].append(_step(row.record))
        facts: list[dict[str, Any]] = []
        marks: list[dict[str, Any]] = []
        refusals: list[dict[str, Any]] = []
        for r in requests:
            side = Side(r.side)
            found = request_facts(
                request_id=r.id,
                side=side,
                kind=r.kind,
                other_state=r.requested_state if side is Side.REQUESTING else r.requesting_state,
                channel=r.route,
                urgency=r.urgency,
                preservation=is_preservation(catalogue, r.kind),
                steps=steps[r.id],
            )
            facts.append(
                {
                    "request_id": r.id,
                    "direction": found.direction.value,
                    "kind": found.kind,
                    "other_state": found.other_state,
                    "channel": found.channel,
                    "urgency": found.urgency,
                    "preservation": int(found.preservation),
                    "made_at": found.made_at,
                    "received_at": found.received_at,
                    "decided_at": found.decided_at,
                    "executed_at": found.executed_at,
                    "preserved_at": found.preserved_at,
                    "preserved_until": found.preserved_until,
                    "continued_at": found.continued_at,
                    "outcome": found.outcome.value,
                    "outcome_at": found.outcome_at,
                }
            )
            marks.extend(
                {"request_id": r.id, "sequence": m.sequence, "at": m.at, "mark": m.mark.value}
                for m in milestones(steps[r.id])
            )
            refusals.extend(
                {
                    "request_id": r.id,
                    "sequence": g.sequence,
                    "ground": g.ground,
                    "article": g.article,
                    "at": g.at,
                }
                for g in grounds(steps[r.id], catalogue)
            )
        connection.execute(sa.insert(facts_t), facts)
        if marks:
            connection.execute(sa.insert(marks_t), marks)
        if refusals:
            connection.execute(sa.insert(grounds_t), refusals)


def upgrade() -> None:
    _create_tables()
    connection = op.get_bind()
    _fill(connection)
    connection.execute(
        sa.update(_packages)
        .where(_packages.c.direction == "incoming", _packages.c.status == "refused")
        .values(refusal_reason="unrecorded")
    )


def downgrade() -> None:
    op.drop_index("ix_evidence_packages_created_at", table_name="evidence_packages")
    op.drop_column("evidence_packages", "refusal_reason")
    op.drop_table("refusal_grounds")
    op.drop_table("request_milestones")
    for name in FACT_INDEXES:
        op.drop_index(name, table_name="request_facts")
    op.drop_table("request_facts")
