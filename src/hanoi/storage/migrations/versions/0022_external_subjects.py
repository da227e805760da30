"""Sign-in through the State's identity provider (issue 21, ADR 0049): a user may be linked
to one subject of one OpenID Connect issuer (``users.external_subject``, unique by an index,
empty for local users). A new nullable column only: the previous version's code never reads it, so
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
    # In place on both engines (ALTER TABLE ... ADD COLUMN, and a unique index): a batch
    # rebuild of 'users' on SQLite drops the table, which its tokens' foreign keys forbid
    # once the node has users.
    op.add_column("users", sa.Column("external_subject", sa.String(length=600), nullable=True))
    op.create_index("uq_users_external_subject", "users", ["external_subject"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_users_external_subject", table_name="users")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE users DROP COLUMN external_subject")  # SQLite 3.35+
    else:
        op.drop_column("users", "external_subject")
