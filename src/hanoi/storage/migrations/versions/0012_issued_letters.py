"""Letters of request (issue 17): the letters a node issued, by request and by
verification code, beside their letter-issued custody events; the PDFs are in the blob
store.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_letters",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("verification_code", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("officer", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["cooperation_requests.id"],
            name=op.f("fk_issued_letters_request_id_cooperation_requests"),
        ),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_issued_letters")),
        sa.UniqueConstraint("verification_code", name=op.f("uq_issued_letters_verification_code")),
    )
    op.create_index(
        op.f("ix_issued_letters_request_id"), "issued_letters", ["request_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_issued_letters_request_id"), table_name="issued_letters")
    op.drop_table("issued_letters")
