"""Evidence items on SQLite and PostgreSQL: an item and its custody event, all or nothing."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, column, insert, table
from sqlalchemy.exc import IntegrityError

from hanoi.cooperation.routes import Route
from hanoi.custody.service import NewEvent
from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.storage import migrate
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.db import make_engine
from hanoi.storage.evidence_repo import EvidenceRepository

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _item(item_id: str) -> EvidenceItem:
    return EvidenceItem(
        id=item_id,
        sha256="ab" * 32,
        size=3,
        acquisition=Acquisition(
            original_name="mailbox.mbox",
            media_type="application/mbox",
            source_kind=SourceKind.PROVIDER,
            source="Example Mail Ltd",
            method="production order",
            acquired_at=NOW,
            officer="vnm-officer",
            request_ref="EGY-2026-00000001",
            article="Art. 44",
        ),
        recorded_at=NOW,
    )


def _event(n: int) -> NewEvent:
    return NewEvent(
        commitment=n.to_bytes(32, "big"), event=b'{"n":%d}' % n, salt=os.urandom(32), subject="s"
    )


def test_an_item_is_stored_with_its_custody_event(engine: Engine) -> None:
    custody = CustodyRepository(engine)
    items = EvidenceRepository(engine, custody)
    items.add(_item("a" * 32), [_event(1)])
    assert items.get("a" * 32) == _item("a" * 32)
    assert custody.pending_count() == 1


def test_an_item_that_cannot_be_stored_leaves_no_custody_event(engine: Engine) -> None:
    custody = CustodyRepository(engine)
    items = EvidenceRepository(engine, custody)
    items.add(_item("a" * 32), [_event(1)])
    with pytest.raises(IntegrityError):
        items.add(_item("a" * 32), [_event(2)])  # the same id again
    assert custody.pending_count() == 1
    assert [i.id for i in items.for_request("EGY-2026-00000001")] == ["a" * 32]


def test_an_item_received_off_the_network_keeps_where_it_came_from(engine: Engine) -> None:
    """From which State, by which channel, under which reference: read back as written,
    the channel as the Route; an item without them reads back without them."""
    custody = CustodyRepository(engine)
    items = EvidenceRepository(engine, custody)
    plain = _item("a" * 32)
    received = replace(
        _item("b" * 32),
        acquisition=replace(
            plain.acquisition,
            received_from="GHA",
            channel=Route.DIPLOMATIC,
            channel_reference="Note verbale 17/2026 — valise " + "x" * 170,  # 200 characters
        ),
    )
    assert received.acquisition.channel_reference is not None
    assert len(received.acquisition.channel_reference) == 200
    items.add(plain, [_event(1)])
    items.add(received, [_event(2)])
    assert items.get("b" * 32) == received
    back = items.get("b" * 32)
    assert back is not None
    assert back.acquisition.channel is Route.DIPLOMATIC
    assert items.for_request("EGY-2026-00000001") == [plain, received]
    assert items.get("a" * 32) == plain


def test_migration_0016_links_older_items_to_their_package_by_id(database_url: str) -> None:
    """Items recorded before migration 0010 named their package only in their source; the
    migration links each to the incoming package of its request that the source names, and
    to nothing else."""
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0015")
        request, other_request = "EGY-2026-00000001", "EGY-2026-00000002"
        incoming, outgoing, later = "a" * 32, "b" * 32, "c" * 32
        package = {
            "request_id": request, "peer": "VNM", "sha256": "d" * 64, "size": 10,
            "status": "accepted", "received": 10, "created_at": NOW, "updated_at": NOW,
        }  # fmt: skip
        packages = [
            {**package, "id": incoming, "direction": "incoming"},
            {**package, "id": outgoing, "direction": "outgoing", "status": "offered"},
            {**package, "id": later, "direction": "incoming"},
        ]
        item = {
            "sha256": "ab" * 32, "size": 3, "original_name": "mailbox.mbox",
            "media_type": "application/mbox", "source_kind": "system", "method": "received",
            "acquired_at": NOW, "officer": "egy-node", "request_ref": request,
            "article": "Art. 40(17)", "recorded_at": NOW, "package_id": None,
        }  # fmt: skip
        items = [
            {**item, "id": "1" * 32, "source": f"node of VNM, package {incoming}"},
            {**item, "id": "2" * 32, "source": f"node of VNM, package {outgoing}"},
            {**item, "id": "3" * 32, "source": f"node of VNM, package {incoming}",
             "request_ref": other_request},
            {**item, "id": "4" * 32, "source": "Example Mail Ltd", "source_kind": "provider"},
            {**item, "id": "5" * 32, "source": f"node of VNM, package {incoming}",
             "package_id": later},
        ]  # fmt: skip
        at_0015 = {
            name: table(name, *(column(c) for c in rows[0]))
            for name, rows in (("evidence_packages", packages), ("evidence_items", items))
        }
        with engine.begin() as connection:
            connection.execute(insert(at_0015["evidence_packages"]), packages)
            connection.execute(insert(at_0015["evidence_items"]), items)
        migrate.upgrade(engine)
        repository = EvidenceRepository(engine, CustodyRepository(engine))

        def linked() -> dict[str, str | None]:
            found = {i: repository.get(i * 32) for i in "12345"}
            return {i: item.package_id for i, item in found.items() if item is not None}

        expected = {"1": incoming, "2": None, "3": None, "4": None, "5": later}
        assert linked() == expected
        assert [i.id for i in repository.for_package(incoming)] == ["1" * 32]
        migrate.downgrade(engine, "0015")
        assert linked() == expected  # the column predates 0016: kept as it is
        migrate.upgrade(engine)
        assert linked() == expected
    finally:
        engine.dispose()
