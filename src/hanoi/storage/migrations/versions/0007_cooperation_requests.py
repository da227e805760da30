"""Cooperation requests, their steps, case assignments, access refusals, deadline alerts,
onward-transfer consents; evidence items deleted under retention.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_refusals",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("user_role", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_refusals")),
    )
    with op.batch_alter_table("access_refusals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_refusals_at"), ["at"], unique=False)

    op.create_table(
        "cooperation_requests",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("requesting_state", sa.String(length=3), nullable=False),
        sa.Column("requested_state", sa.String(length=3), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=48), nullable=False),
        sa.Column("desired_status", sa.String(length=48), nullable=True),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("retain_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperation_requests")),
    )
    with op.batch_alter_table("cooperation_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cooperation_requests_retain_until"), ["retain_until"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cooperation_requests_status"), ["status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cooperation_requests_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "case_assignments",
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["cooperation_requests.id"],
            name=op.f("fk_case_assignments_request_id_cooperation_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_case_assignments_user_id_users")
        ),
        sa.PrimaryKeyConstraint("request_id", "user_id", name=op.f("pk_case_assignments")),
    )
    with op.batch_alter_table("case_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_assignments_user_id"), ["user_id"], unique=False)

    op.create_table(
        "deadline_alerts",
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("rule", sa.String(length=48), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("article", sa.String(length=200), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["cooperation_requests.id"],
            name=op.f("fk_deadline_alerts_request_id_cooperation_requests"),
        ),
        sa.PrimaryKeyConstraint(
            "request_id", "rule", "state", "due_at", name=op.f("pk_deadline_alerts")
        ),
    )
    with op.batch_alter_table("deadline_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deadline_alerts_raised_at"), ["raised_at"], unique=False
        )

    op.create_table(
        "onward_consents",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("third_state", sa.String(length=3), nullable=False),
        sa.Column("consenting_state", sa.String(length=3), nullable=False),
        sa.Column("written", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=500), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["cooperation_requests.id"],
            name=op.f("fk_onward_consents_request_id_cooperation_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onward_consents")),
    )
    with op.batch_alter_table("onward_consents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_onward_consents_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "request_steps",
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("transition", sa.String(length=48), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["cooperation_requests.id"],
            name=op.f("fk_request_steps_request_id_cooperation_requests"),
        ),
        sa.PrimaryKeyConstraint("request_id", "sequence", name=op.f("pk_request_steps")),
    )
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")

    op.drop_table("request_steps")
    with op.batch_alter_table("onward_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_onward_consents_request_id"))

    op.drop_table("onward_consents")
    with op.batch_alter_table("deadline_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_alerts_raised_at"))

    op.drop_table("deadline_alerts")
    with op.batch_alter_table("case_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_assignments_user_id"))

    op.drop_table("case_assignments")
    with op.batch_alter_table("cooperation_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cooperation_requests_updated_at"))
        batch_op.drop_index(batch_op.f("ix_cooperation_requests_status"))
        batch_op.drop_index(batch_op.f("ix_cooperation_requests_retain_until"))

    op.drop_table("cooperation_requests")
    with op.batch_alter_table("access_refusals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_refusals_at"))

    op.drop_table("access_refusals")
