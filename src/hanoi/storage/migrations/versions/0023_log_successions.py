"""A log that continues under a new origin after its key is rotated (issue 21, key
rotation; ADR 0051): each succession the sequencer signed (``log_successions``). A new
table only: the previous version's code never reads it, so the migration is compatible
with it (the rule of rolling upgrades).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log_successions",
        sa.Column("old_origin", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("new_origin", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("old_origin", name=op.f("pk_log_successions")),
        sa.UniqueConstraint("new_origin", name=op.f("uq_log_successions_new_origin")),
    )


def downgrade() -> None:
    op.drop_table("log_successions")
