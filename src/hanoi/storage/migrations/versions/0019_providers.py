"""The provider directory (issue 20): the domestic service providers this node orders over
ETSI TS 103 120 HI-1 (``providers``: endpoint, HI-1 identifier, mutual-TLS credentials, the
CSP configuration fetched, enabled or not, who changed it when) and the history of each
entry (``provider_changes``).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-16
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "providers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("endpoint", sa.String(length=2048), nullable=False),
        sa.Column("hi1_country_code", sa.String(length=2), nullable=False),
        sa.Column("hi1_unique_identifier", sa.String(length=255), nullable=False),
        sa.Column("client_certificate_chain", sa.Text(), nullable=True),
        sa.Column("client_private_key", sa.Text(), nullable=True),
        sa.Column("ca_bundle", sa.Text(), nullable=True),
        sa.Column("csp_config", sa.Text(), nullable=True),
        sa.Column("csp_config_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint(
            "hi1_country_code",
            "hi1_unique_identifier",
            name=op.f("uq_providers_hi1_country_code"),
        ),
    )
    op.create_table(
        "provider_changes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_provider_changes_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_changes")),
    )
    op.create_index(
        op.f("ix_provider_changes_provider_id"), "provider_changes", ["provider_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_provider_changes_provider_id"), table_name="provider_changes")
    op.drop_table("provider_changes")
    op.drop_table("providers")
