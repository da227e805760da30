"""The chain of custody across borders (issue 14): how each item was obtained (legal basis,
executing authority) travels with it; a package waits for its witnesses with the items it
will hold; the sending node keeps the receiving node's verdict; "rejected" packages are
"refused", as the API names them; a user's title for the reports they certify.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_basis", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("authority", sa.String(length=500), nullable=True))
    with op.batch_alter_table("evidence_packages", schema=None) as batch_op:
        batch_op.alter_column(
            "status", existing_type=sa.String(length=16), type_=sa.String(length=32)
        )
        batch_op.add_column(sa.Column("items", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("peer_report", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("peer_outcome_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE evidence_packages SET status = 'refused' WHERE status = 'rejected'")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("title")
    op.execute("UPDATE evidence_packages SET status = 'rejected' WHERE status = 'refused'")
    op.execute(
        "UPDATE evidence_packages SET status = 'offered' WHERE status = 'awaiting-witnesses'"
    )
    with op.batch_alter_table("evidence_packages", schema=None) as batch_op:
        batch_op.drop_column("peer_outcome_at")
        batch_op.drop_column("peer_report")
        batch_op.drop_column("items")
        batch_op.alter_column(
            "status", existing_type=sa.String(length=32), type_=sa.String(length=16)
        )
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.drop_column("authority")
        batch_op.drop_column("legal_basis")
