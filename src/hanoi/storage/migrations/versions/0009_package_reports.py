"""Evidence packages keep what was found about them: the verification report of a
received package (or the checks that held before it was refused), the statement of a
sent one.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_packages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence_packages", schema=None) as batch_op:
        batch_op.drop_column("report")
