"""What the provider directory needs from storage, and where refusals go.

:class:`ProviderStore` is implemented by ``hanoi.storage.providers_repo`` (SQLite and
PostgreSQL) and by :class:`hanoi.providers.memory.MemoryProviders`;
``tests/integration/test_provider_store.py`` runs one suite against each.

Contract of a :class:`ProviderStore`:

- ``add(provider, change)`` stores a new entry and its first history entry in one
  transaction; ``Conflict`` if the id, or the HI-1 identifier (country code and unique
  identifier), is taken already. Nothing is stored then.
- ``replace(provider, expected_version=, change=)`` stores an administrator's change (every
  field but the CSP configuration, which only ``set_csp_config`` writes) and its history
  entry in one transaction, if the stored entry is still at ``expected_version``;
  ``Conflict`` if it moved on meanwhile or the new HI-1 identifier is another entry's,
  ``NotFound`` if there is no such entry.
- ``set_csp_config(provider_id, config, change=)`` stores a fetched CSP configuration and
  its history entry, whatever the version (a fetch never undoes an administrator's change,
  nor the other way round); the entry as stored, or None if there is none.
- ``get`` and ``providers`` read entries (``providers`` ordered by id, filtered by enabled
  or not); ``changes`` the history of one entry, newest first.
"""

from __future__ import annotations

from typing import Protocol

from hanoi.cooperation.ports import AccessRefusal
from hanoi.providers.history import ProviderChange
from hanoi.providers.model import CspConfig, Provider


class ProviderStore(Protocol):
    def add(self, provider: Provider, change: ProviderChange) -> None: ...

    def replace(
        self, provider: Provider, *, expected_version: int, change: ProviderChange
    ) -> None: ...

    def set_csp_config(
        self, provider_id: str, config: CspConfig, *, change: ProviderChange
    ) -> Provider | None: ...

    def get(self, provider_id: str) -> Provider | None: ...

    def providers(self, *, enabled: bool | None = None) -> list[Provider]: ...

    def changes(self, provider_id: str, *, limit: int) -> list[ProviderChange]: ...


class RefusalLog(Protocol):
    """Where a refusal of access is recorded, for auditors (the cooperation store)."""

    def record_refusal(self, refusal: AccessRefusal) -> None: ...


def hi1_taken(provider: Provider) -> str:
    """The ``Conflict`` message for an HI-1 identifier another entry has."""
    hi1 = provider.hi1
    return (
        f"another provider has the HI-1 identifier {hi1.country_code}/"
        f"{hi1.unique_identifier[:64]!r}"
    )


def moved_on(provider_id: str) -> str:
    """The ``Conflict`` message for a change made to an entry read before another change."""
    return f"the provider {provider_id!r} was changed meanwhile; read it again and retry"
