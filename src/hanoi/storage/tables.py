"""SQLAlchemy table definitions. Alembic migrations must match them exactly
(``tests/integration/test_migrations.py`` fails when they drift)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# The node's own public keys, current and retired, so that rotation keeps history.
node_keys = Table(
    "node_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("purpose", String(32), nullable=False),  # "node-signing" | "log-signing" | "age"
    Column("public_key", LargeBinary(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("purpose", "public_key"),
)
