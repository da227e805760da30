"""Witnessing: logs this node cosigns, and witnesses it asks.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "witness_peers",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("cosigner_key", sa.Text(), nullable=False),
        sa.Column("cosigned_size", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_witness_peers")),
    )
    op.create_table(
        "witness_trust",
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("verifier_key", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("origin", name=op.f("pk_witness_trust")),
    )


def downgrade() -> None:
    op.drop_table("witness_trust")
    op.drop_table("witness_peers")
