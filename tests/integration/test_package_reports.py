"""What a package keeps about itself, on SQLite and PostgreSQL: the verification report of
an accepted package, the checks that held before a refused one failed, the statement's
contents of a sent one; one package by id for its case team only; migration 0009."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import column, insert, select, table

from hanoi.accounts.model import Role
from hanoi.errors import IntegrityError, NotFound
from hanoi.federation.package_reports import KeptReport
from hanoi.storage import migrate
from hanoi.storage.db import make_engine
from hanoi.storage.tables import evidence_packages
from hanoi.storage.transfers_repo import TransfersRepository
from support_cooperation import add_user
from support_transfers import Pair, flip_byte, offered, payload_offset, sha256


def test_an_accepted_package_keeps_its_verification_report(pair: Pair) -> None:
    p = pair
    files = {"mailbox.mbox": os.urandom(120_000), "subscriber.csv": b"name,ip\nx,192.0.2.7\n"}
    request_id, row, _ = offered(p, files)

    sent = p.vnm.transfers.package(p.lan, row.id)
    assert sent.package.report is not None
    kept = KeptReport.from_json(sent.package.report)
    assert kept.verdict == "sent"
    assert kept.checks == ()
    assert sorted((f.name, f.sha256, f.size) for f in kept.files) == sorted(
        (name, sha256(data), len(data)) for name, data in files.items()
    )
    assert dict(kept.conditions)["use_limitation"].endswith("(Art. 40(19)).")
    assert kept.signer is not None
    assert "VNM" in kept.signer

    assert p.egy.transfers.package(p.samir, row.id).package.report is None  # not verified yet
    p.egy.transfers.fetch_pending()
    received = p.egy.transfers.package(p.samir, row.id)
    assert received.package.status == "accepted"
    assert len(received.items) == len(files)
    assert received.package.report is not None
    report = KeptReport.from_json(received.package.report)
    assert report.verdict == "verified"
    areas = {c.area for c in report.checks}
    assert areas == {"bag", "statement", "custody", "description", "payload"}
    assert any("decrypted" in c.detail for c in report.checks)
    assert report.custody
    assert "collected" in {s.action for s in report.custody}  # "exported" comes after packing
    assert all(s.log_origin and s.index >= 0 for s in report.custody)
    assert {f.sha256 for f in report.files} == {sha256(d) for d in files.values()}
    assert report.signer is not None
    assert report.signer.startswith("VNM")
    assert report.created is not None

    # Accepting again keeps the same report; nothing is verified on reading.
    p.egy.transfers.accept(row.id)
    assert p.egy.transfers.package(p.samir, row.id).package.report == received.package.report
    assert request_id == received.package.request_id


def test_a_refused_package_keeps_the_checks_that_held(pair: Pair) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": os.urandom(100_000)})
    p.egy.transfers.fetch(row)
    path = p.incoming(row.id, ".tar")
    flip_byte(path, payload_offset(path))
    with pytest.raises(IntegrityError):
        p.egy.transfers.accept(row.id)
    p.egy.transfers.fetch_pending()
    refused = p.egy.transfers.package(p.samir, row.id).package
    assert refused.status == "refused"
    assert refused.error
    assert refused.report is not None
    report = KeptReport.from_json(refused.report)
    assert report.verdict == "not-verified"
    assert [c.area for c in report.checks][:2] == ["bag", "statement"]
    assert "custody" in {c.area for c in report.checks}
    assert p.egy.evidence.held_for_request(request_id) == []


def test_one_package_is_shown_to_its_case_team_only(pair: Pair) -> None:
    p = pair
    _, row, _ = offered(p, {"log.txt": b"x" * 1000})
    p.egy.transfers.fetch_pending()
    stranger = add_user(p.egy, "karim", Role.OFFICER)
    for who, package_id in (
        (stranger, row.id),
        (p.samir, "0" * 32),
        (p.samir, "../../etc/passwd"),
        (p.samir, row.id.upper()),
    ):
        with pytest.raises(NotFound) as caught:
            p.egy.transfers.package(who, package_id)
        assert caught.value.detail == "no such package among your cases"
    assert p.egy.transfers.package(p.amira, row.id).package.id == row.id
    with pytest.raises(NotFound):
        p.vnm.transfers.package(add_user(p.vnm, "binh", Role.OFFICER), row.id)


def test_migration_0009_keeps_the_packages_of_0008(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0008")
        now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        values = {
            "id": "a" * 32,
            "request_id": "EGY-2026-00000001",
            "direction": "incoming",
            "peer": "VNM",
            "sha256": "b" * 64,
            "size": 10,
            "status": "accepted",
            "received": 10,
            "error": None,
            "created_at": now,
            "updated_at": now,
        }
        at_0008 = table("evidence_packages", *(column(name) for name in values))
        with engine.begin() as connection:
            connection.execute(insert(at_0008).values(values))
        migrate.upgrade(engine)
        repository = TransfersRepository(engine)
        old = repository.get("a" * 32)
        assert old is not None
        assert old.report is None
        repository.keep_report(old.id, '{"verdict": "verified"}')
        repository.progress(old.id, status="accepted", received=10, now=now)  # keeps it
        with engine.connect() as connection:
            kept = connection.execute(select(evidence_packages.c.report)).scalar_one()
        assert kept == '{"verdict": "verified"}'
        migrate.downgrade(engine, "0008")
        migrate.upgrade(engine)
    finally:
        engine.dispose()
