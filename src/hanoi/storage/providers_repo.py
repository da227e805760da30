"""The provider directory's tables as a :class:`~hanoi.providers.ports.ProviderStore`, on
SQLite and PostgreSQL.

An entry and its history entry are written in one transaction. An administrator's change
is an UPDATE conditional on the version it was made from, so that of two changes made from
one reading, the second finds no row at that version and is a ``Conflict``. A fetched CSP
configuration writes its own two columns only. The PEM columns are never logged: the engine
hides statement parameters (``hanoi.storage.db``), and nothing here formats a row.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError as SQLIntegrityError

from hanoi.errors import Conflict, NotFound
from hanoi.providers.history import ChangeKind, ProviderChange
from hanoi.providers.model import CspConfig, Hi1Identifier, Provider, TlsCredentials
from hanoi.providers.ports import hi1_taken, moved_on
from hanoi.storage.tables import UTCDateTime, provider_changes, providers


def _columns(provider: Provider) -> dict[str, Any]:
    """The columns an administrator's change writes (not the CSP configuration)."""
    credentials = provider.credentials
    return {
        "name": provider.name,
        "endpoint": provider.endpoint,
        "hi1_country_code": provider.hi1.country_code,
        "hi1_unique_identifier": provider.hi1.unique_identifier,
        "client_certificate_chain": credentials.client_certificate_chain if credentials else None,
        "client_private_key": credentials.client_private_key if credentials else None,
        "ca_bundle": credentials.ca_bundle if credentials else None,
        "disabled_at": None if provider.enabled else provider.updated_at,
        "updated_at": provider.updated_at,
        "updated_by": provider.updated_by,
        "version": provider.version,
    }


def _disabled_since(provider: Provider) -> Any:
    """``disabled_at`` for a change: kept while the entry stays disabled, set when it is
    disabled, cleared when it is enabled."""
    if provider.enabled:
        return None
    return func.coalesce(providers.c.disabled_at, literal(provider.updated_at, UTCDateTime()))


def _provider(row: Any) -> Provider:
    credentials = None
    if row.client_certificate_chain is not None:
        credentials = TlsCredentials(
            client_certificate_chain=row.client_certificate_chain,
            client_private_key=row.client_private_key,
            ca_bundle=row.ca_bundle,
        )
    csp = None
    if row.csp_config is not None:
        csp = CspConfig(document=json.loads(row.csp_config), fetched_at=row.csp_config_fetched_at)
    return Provider(
        id=row.id,
        name=row.name,
        endpoint=row.endpoint,
        hi1=Hi1Identifier(row.hi1_country_code, row.hi1_unique_identifier),
        credentials=credentials,
        csp_config=csp,
        enabled=row.disabled_at is None,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        version=row.version,
    )


def _record(connection: Connection, change: ProviderChange) -> None:
    connection.execute(
        insert(provider_changes).values(
            provider_id=change.provider_id,
            changed_at=change.at,
            changed_by=change.by,
            kind=change.kind.value,
            fields=json.dumps(list(change.fields)),
            summary=json.dumps(dict(change.summary), ensure_ascii=False),
        )
    )


class ProvidersRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, provider: Provider, change: ProviderChange) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(providers).values(
                        id=provider.id,
                        created_at=provider.created_at,
                        created_by=provider.created_by,
                        **_columns(provider),
                    )
                )
                _record(connection, change)
        except SQLIntegrityError:
            if self.get(provider.id) is not None:
                raise Conflict(f"a provider {provider.id!r} exists already") from None
            raise Conflict(hi1_taken(provider)) from None

    def replace(self, provider: Provider, *, expected_version: int, change: ProviderChange) -> None:
        try:
            with self.engine.begin() as connection:
                written = connection.execute(
                    update(providers)
                    .where(providers.c.id == provider.id, providers.c.version == expected_version)
                    .values({**_columns(provider), "disabled_at": _disabled_since(provider)})
                ).rowcount
                if written != 1:
                    exists = connection.execute(
                        select(providers.c.id).where(providers.c.id == provider.id)
                    ).first()
                    if exists is None:
                        raise NotFound(f"no provider {provider.id!r}")
                    raise Conflict(moved_on(provider.id))
                _record(connection, change)
        except SQLIntegrityError:
            raise Conflict(hi1_taken(provider)) from None

    def set_csp_config(
        self, provider_id: str, config: CspConfig, *, change: ProviderChange
    ) -> Provider | None:
        document = json.dumps(config.as_json(), ensure_ascii=False, separators=(",", ":"))
        with self.engine.begin() as connection:
            written = connection.execute(
                update(providers)
                .where(providers.c.id == provider_id)
                .values(csp_config=document, csp_config_fetched_at=config.fetched_at)
            ).rowcount
            if written != 1:
                return None
            _record(connection, change)
            row = connection.execute(select(providers).where(providers.c.id == provider_id)).one()
        return _provider(row)

    def get(self, provider_id: str) -> Provider | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(providers).where(providers.c.id == provider_id)).first()
        return _provider(row) if row is not None else None

    def providers(self, *, enabled: bool | None = None) -> list[Provider]:
        query = select(providers).order_by(providers.c.id)
        if enabled is True:
            query = query.where(providers.c.disabled_at.is_(None))
        elif enabled is False:
            query = query.where(providers.c.disabled_at.is_not(None))
        with self.engine.connect() as connection:
            return [_provider(row) for row in connection.execute(query)]

    def changes(self, provider_id: str, *, limit: int) -> list[ProviderChange]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(provider_changes)
                .where(provider_changes.c.provider_id == provider_id)
                .order_by(provider_changes.c.id.desc())
                .limit(limit)
            ).all()
        return [
            ProviderChange(
                provider_id=row.provider_id,
                at=row.changed_at,
                by=row.changed_by,
                kind=ChangeKind(row.kind),
                fields=tuple(json.loads(row.fields)),
                summary=json.loads(row.summary),
            )
            for row in rows
        ]
