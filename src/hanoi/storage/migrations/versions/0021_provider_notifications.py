"""A provider's notifications about an order (issue 20, answers in): each
``NotificationObject`` the node received for an order, kept with it
(``provider_notifications``). A new table only: the previous version's code never reads it,
so the migration is compatible with it (the rule of rolling upgrades).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provider_notifications",
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type_owner", sa.String(length=64), nullable=True),
        sa.Column("type_name", sa.String(length=64), nullable=True),
        sa.Column("type_value", sa.String(length=200), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("provider_time", sa.String(length=64), nullable=True),
        sa.Column("statuses", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["provider_orders.id"],
            name=op.f("fk_provider_notifications_order_id_provider_orders"),
        ),
        sa.PrimaryKeyConstraint("order_id", "object_id", name=op.f("pk_provider_notifications")),
    )
    op.create_index(
        "ix_provider_notifications_object_id",
        "provider_notifications",
        ["object_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_provider_notifications_object_id", table_name="provider_notifications")
    op.drop_table("provider_notifications")
