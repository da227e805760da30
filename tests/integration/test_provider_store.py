"""One suite for every provider store (memory, SQLite, PostgreSQL): the contract of
:class:`hanoi.providers.ports.ProviderStore`, then the service over the real databases."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hanoi.accounts.model import Role, User
from hanoi.clock import FixedClock
from hanoi.cooperation.ports import AccessRefusal
from hanoi.errors import Conflict, NotFound, PermissionDenied
from hanoi.providers.history import NODE, ChangeKind, ProviderChange, change_of
from hanoi.providers.memory import MemoryProviders
from hanoi.providers.model import (
    CspConfig,
    Provider,
    ProviderFields,
    check_csp_config,
    edited_provider,
    new_provider,
    with_enabled,
)
from hanoi.providers.ports import ProviderStore
from hanoi.providers.service import ProviderService
from hanoi.storage.cooperation_repo import CooperationRepository
from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.db import make_engine
from hanoi.storage.providers_repo import ProvidersRepository
from hanoi.storage.tables import access_refusals, providers
from support_databases import Clones
from support_providers import NOW, issue, make_pki

PKI = make_pki()
LATER = NOW + timedelta(hours=2)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_databases: Clones
) -> Iterator[ProviderStore]:
    if request.param == "memory":
        yield MemoryProviders()
        return
    url = migrated_databases.url(request.param, tmp_path)
    engine = make_engine(url)
    try:
        yield ProvidersRepository(engine)
    finally:
        engine.dispose()


def made(provider_id: str = "vnm-telecom", **changes: str) -> tuple[Provider, ProviderChange]:
    checked = new_provider(provider_id, PKI.fields(**changes), by="admin", now=NOW)
    change = change_of(checked.provider, ChangeKind.CREATED, checked.changed, by="admin", at=NOW)
    return checked.provider, change


def test_an_entry_comes_back_as_stored(store: ProviderStore) -> None:
    provider, change = made()
    store.add(provider, change)
    assert store.get("vnm-telecom") == provider
    assert store.get("nobody") is None
    (history,) = store.changes("vnm-telecom", limit=10)
    assert history == change
    assert history.at == NOW
    assert history.at.tzinfo is not None


def test_a_sandbox_entry_without_credentials_comes_back_as_stored(store: ProviderStore) -> None:
    checked = new_provider(
        "sim",
        ProviderFields(
            name="Simulated", endpoint="http://127.0.0.1:9/", country_code="VN",
            unique_identifier="sim",
        ),
        by="admin",
        now=NOW,
    )  # fmt: skip
    store.add(checked.provider, change_of(checked.provider, ChangeKind.CREATED, (), by="a", at=NOW))
    found = store.get("sim")
    assert found == checked.provider
    assert found is not None
    assert found.credentials is None


def test_ids_and_hi1_identifiers_are_taken_once(store: ProviderStore) -> None:
    store.add(*made())
    with pytest.raises(Conflict, match="exists already"):
        store.add(*made(unique_identifier="another"))
    with pytest.raises(Conflict, match="HI-1 identifier"):
        store.add(*made("vnm-mobile"))
    assert [p.id for p in store.providers()] == ["vnm-telecom"]
    assert len(store.changes("vnm-telecom", limit=10)) == 1
    assert store.changes("vnm-mobile", limit=10) == []


def test_a_change_is_stored_once_from_the_version_it_was_made_from(store: ProviderStore) -> None:
    provider, change = made()
    store.add(provider, change)
    renewed = issue(PKI.client_ca, "hanoi-node-vnm")
    first = edited_provider(
        provider,
        ProviderFields(
            name="VNPT",
            client_certificate_chain=renewed.pem,
            client_private_key=renewed.key_pem,
        ),
        by="admin",
        now=LATER,
    )
    record = change_of(first.provider, ChangeKind.UPDATED, first.changed, by="admin", at=LATER)
    store.replace(first.provider, expected_version=provider.version, change=record)
    assert store.get("vnm-telecom") == first.provider
    second = edited_provider(provider, ProviderFields(name="Other"), by="b", now=LATER)
    with pytest.raises(Conflict, match="changed meanwhile"):
        store.replace(
            second.provider,
            expected_version=provider.version,
            change=change_of(second.provider, ChangeKind.UPDATED, ("name",), by="b", at=LATER),
        )
    assert store.get("vnm-telecom") == first.provider
    assert [c.kind for c in store.changes("vnm-telecom", limit=10)] == [
        ChangeKind.UPDATED,
        ChangeKind.CREATED,
    ]
    missing = dataclasses.replace(first.provider, id="nobody")
    with pytest.raises(NotFound):
        store.replace(missing, expected_version=1, change=record)


def test_a_change_to_another_entrys_hi1_identifier_is_a_conflict(store: ProviderStore) -> None:
    store.add(*made())
    other, change = made("vnm-mobile", unique_identifier="mobile")
    store.add(other, change)
    clash = edited_provider(
        other, ProviderFields(unique_identifier="vnm-telecom-hi1"), by="a", now=LATER
    )
    with pytest.raises(Conflict, match="HI-1 identifier"):
        store.replace(
            clash.provider,
            expected_version=other.version,
            change=change_of(clash.provider, ChangeKind.UPDATED, clash.changed, by="a", at=LATER),
        )
    assert store.get("vnm-mobile") == other


def test_disabled_entries_are_filtered_and_come_back(store: ProviderStore) -> None:
    for name in ("c-net", "a-net", "b-net"):
        store.add(*made(name, unique_identifier=name))
    current = store.get("b-net")
    assert current is not None
    off = with_enabled(current, False, by="admin", now=LATER)
    store.replace(
        off,
        expected_version=current.version,
        change=change_of(off, ChangeKind.DISABLED, (), by="admin", at=LATER),
    )
    assert [p.id for p in store.providers()] == ["a-net", "b-net", "c-net"]
    assert [p.id for p in store.providers(enabled=True)] == ["a-net", "c-net"]
    assert [p.id for p in store.providers(enabled=False)] == ["b-net"]
    renamed = edited_provider(off, ProviderFields(name="Still off"), by="admin", now=LATER)
    store.replace(
        renamed.provider,
        expected_version=off.version,
        change=change_of(renamed.provider, ChangeKind.UPDATED, ("name",), by="a", at=LATER),
    )
    assert store.get("b-net") == renamed.provider
    on = with_enabled(renamed.provider, True, by="admin", now=LATER)
    store.replace(
        on,
        expected_version=renamed.provider.version,
        change=change_of(on, ChangeKind.ENABLED, (), by="admin", at=LATER),
    )
    assert [p.id for p in store.providers(enabled=True)] == ["a-net", "b-net", "c-net"]


def test_the_csp_configuration_is_written_apart(store: ProviderStore) -> None:
    provider, change = made()
    store.add(provider, change)
    document = {"CSPConfig": {"Actions": ["CREATE", "GET"], "Name": "Viettel — HI-1", "n": 3}}
    config = check_csp_config(document, fetched_at=LATER)
    record = ProviderChange(
        provider_id="vnm-telecom", at=LATER, by=NODE, kind=ChangeKind.CSP_CONFIG,
        fields=("csp_config",), summary={"csp_config": "fetched"},
    )  # fmt: skip
    stored = store.set_csp_config("vnm-telecom", config, change=record)
    assert stored is not None
    assert stored.csp_config == CspConfig(document=document, fetched_at=LATER)
    assert stored.version == provider.version  # not an administrator's change
    renamed = edited_provider(stored, ProviderFields(name="VNPT"), by="admin", now=LATER)
    store.replace(
        renamed.provider,
        expected_version=stored.version,
        change=change_of(renamed.provider, ChangeKind.UPDATED, ("name",), by="admin", at=LATER),
    )
    kept = store.get("vnm-telecom")
    assert kept is not None
    assert kept.csp_config == stored.csp_config
    assert store.set_csp_config("nobody", config, change=record) is None
    assert store.changes("vnm-telecom", limit=10)[1] == record
    assert len(store.changes("vnm-telecom", limit=2)) == 2


# --- the service over the real databases ---------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def node_db(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_databases: Clones
) -> Iterator[tuple[ProviderService, FixedClock, CooperationRepository]]:
    engine = make_engine(migrated_databases.url(request.param, tmp_path))
    clock = FixedClock(NOW)
    refusals = CooperationRepository(engine, CustodyRepository(engine))
    try:
        yield (
            ProviderService(store=ProvidersRepository(engine), refusals=refusals, clock=clock),
            clock,
            refusals,
        )
    finally:
        engine.dispose()


def test_the_service_on_a_database(
    node_db: tuple[ProviderService, FixedClock, CooperationRepository],
) -> None:
    service, clock, cooperation = node_db
    admin = User(id=1, name="admin", role=Role.ADMINISTRATOR, created_at=NOW)
    officer = User(id=2, name="lan", role=Role.OFFICER, created_at=NOW)
    service.create(admin, "vnm-telecom", PKI.fields())
    clock.advance(timedelta(minutes=5))
    service.disable(admin, "vnm-telecom")
    assert service.providers(officer) == []
    with pytest.raises(PermissionDenied):
        service.create(officer, "x1", PKI.fields(unique_identifier="x1"))
    refusals: list[AccessRefusal] = cooperation.refusals(limit=10)
    assert [(r.user, r.action) for r in refusals] == [("lan", "manage the provider directory")]
    with cooperation.engine.connect() as connection:
        stored = connection.execute(select(providers.c.disabled_at)).scalar_one()
        assert stored == NOW + timedelta(minutes=5)
        assert connection.execute(select(access_refusals.c.user_name)).scalar_one() == "lan"
