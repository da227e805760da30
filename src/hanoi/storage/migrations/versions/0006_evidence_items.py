"""Evidence items.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=200), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("officer", sa.String(length=200), nullable=False),
        sa.Column("request_ref", sa.String(length=128), nullable=False),
        sa.Column("article", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_items")),
    )
    op.create_index(
        op.f("ix_evidence_items_request_ref"), "evidence_items", ["request_ref"], unique=False
    )
    op.create_index(op.f("ix_evidence_items_sha256"), "evidence_items", ["sha256"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_items_sha256"), table_name="evidence_items")
    op.drop_index(op.f("ix_evidence_items_request_ref"), table_name="evidence_items")
    op.drop_table("evidence_items")
