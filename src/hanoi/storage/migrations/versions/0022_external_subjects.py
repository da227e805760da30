"""Sign-in through the State's identity provider (issue 21, ADR 0049): a user may be linked
to one subject of one OpenID Connect issuer (``users.external_subject``, unique, empty for
local users). A new nullable column only: the previous version's code never reads it, so
the migration is compatible with it (the rule of rolling upgrades).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("external_subject", sa.String(length=600), nullable=True))
        batch.create_unique_constraint(op.f("uq_users_external_subject"), ["external_subject"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("uq_users_external_subject"), type_="unique")
        batch.drop_column("external_subject")
