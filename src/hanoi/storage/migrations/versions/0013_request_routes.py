"""Requests off the network (issue 17, ADR 0028): each request's route, the channel it
travels by (``hanoi`` for the network, or diplomatic, email, interpol, courier, other),
so that lists can show and filter it. Requests stored before are on the network.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cooperation_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("route", sa.String(length=16), nullable=False, server_default="hanoi")
        )


def downgrade() -> None:
    with op.batch_alter_table("cooperation_requests", schema=None) as batch_op:
        batch_op.drop_column("route")
