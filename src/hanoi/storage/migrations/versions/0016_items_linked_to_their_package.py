"""Evidence items received before migration 0010 linked to their package by its id.

Migration 0010 added ``evidence_items.package_id`` (the incoming package an item came in),
and the node has filled it since, but it left the items recorded before empty. Those were
linked to their package by matching text: an item belonged to an incoming package of its
request whose id is in the item's ``source`` (``"node of VNM, package <id>"``). Nothing
reads that text any more (DESIGN: link records by identifiers), so such an item showed
no package, and a package accepted again would have recorded its files twice. This
migration applies that rule once, to the items without a package: an item matched by
exactly one package gets its id. Items collected here match none and stay empty.

Downgrade changes nothing: the column predates this migration, and filling it again finds
nothing more to fill.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_items = sa.table(
    "evidence_items",
    sa.column("id", sa.String),
    sa.column("source", sa.Text),
    sa.column("request_ref", sa.String),
    sa.column("package_id", sa.String),
)
_packages = sa.table(
    "evidence_packages",
    sa.column("id", sa.String),
    sa.column("request_id", sa.String),
    sa.column("direction", sa.String),
)


def upgrade() -> None:
    connection = op.get_bind()
    candidates = connection.execute(
        sa.select(_items.c.id, _items.c.source, _packages.c.id.label("package_id"))
        .select_from(_items.join(_packages, _packages.c.request_id == _items.c.request_ref))
        .where(_items.c.package_id.is_(None), _packages.c.direction == "incoming")
        .order_by(_items.c.id, _packages.c.id)
    ).all()
    matches: dict[str, list[str]] = {}
    for item_id, source, package_id in candidates:
        if package_id in source:
            matches.setdefault(item_id, []).append(package_id)
    for item_id, found in matches.items():
        if len(found) == 1:
            connection.execute(
                sa.update(_items).where(_items.c.id == item_id).values(package_id=found[0])
            )


def downgrade() -> None:
    pass
