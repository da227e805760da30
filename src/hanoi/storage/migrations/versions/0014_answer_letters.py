"""Answers by letter (issue 17, point 4): a letter a node issued is a letter of request or
the requested State's answer to one of its steps. Letters stored before are letters of
request.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_letters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=16), nullable=False, server_default="request")
        )
        batch_op.add_column(sa.Column("step", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("step_sequence", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issued_letters", schema=None) as batch_op:
        batch_op.drop_column("step_sequence")
        batch_op.drop_column("step")
        batch_op.drop_column("purpose")
