"""Orders to service providers (issue 20, part 3): each HI-1 order sent for a request in
execution with its status as the provider last gave it (``provider_orders``), and each
delivery received for it, with the evidence item it became (``provider_deliveries``).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provider_orders",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("officer", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("domestic_reference", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("order_sha256", sa.String(length=64), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("authorisation_id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("task_reference", sa.Text(), nullable=True),
        sa.Column("provider_status", sa.String(length=64), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_provider_orders_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_orders")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_provider_orders_transaction_id")),
    )
    op.create_index(
        op.f("ix_provider_orders_request_id"), "provider_orders", ["request_id"], unique=False
    )
    op.create_table(
        "provider_deliveries",
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("sequence_number", sa.Integer(), nullable=True),
        sa.Column("last_sequence", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("evidence_item_id", sa.String(length=32), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["provider_orders.id"],
            name=op.f("fk_provider_deliveries_order_id_provider_orders"),
        ),
        sa.PrimaryKeyConstraint("order_id", "object_id", name=op.f("pk_provider_deliveries")),
    )
    op.create_index(
        "ix_provider_deliveries_object_id", "provider_deliveries", ["object_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_provider_deliveries_object_id", table_name="provider_deliveries")
    op.drop_table("provider_deliveries")
    op.drop_index(op.f("ix_provider_orders_request_id"), table_name="provider_orders")
    op.drop_table("provider_orders")
