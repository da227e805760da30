"""Evidence received off the network (issue 17, point 5b): a State without a Hanoi node
sends evidence on media, by courier or in the diplomatic bag, and an officer records it
here. The item says from which State it came, by which channel, under which reference
(the note's number, the courier's waybill). Items recorded before came from no other State.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_from", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("channel_reference", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.drop_column("channel_reference")
        batch_op.drop_column("channel")
        batch_op.drop_column("received_from")
