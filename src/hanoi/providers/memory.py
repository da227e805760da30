"""Provider entries in one process's memory: the :class:`~hanoi.providers.ports.ProviderStore`
for unit tests and for a service built without a database (``hanoi.wiring`` never uses it)."""

from __future__ import annotations

import dataclasses
import threading

from hanoi.errors import Conflict, NotFound
from hanoi.providers.history import ProviderChange
from hanoi.providers.model import CspConfig, Provider
from hanoi.providers.ports import hi1_taken, moved_on


class MemoryProviders:
    def __init__(self) -> None:
        self._entries: dict[str, Provider] = {}
        self._changes: list[ProviderChange] = []
        self._lock = threading.Lock()

    def _hi1_taken(self, provider: Provider) -> bool:
        return any(
            other.hi1 == provider.hi1 and other.id != provider.id
            for other in self._entries.values()
        )

    def add(self, provider: Provider, change: ProviderChange) -> None:
        with self._lock:
            if provider.id in self._entries:
                raise Conflict(f"a provider {provider.id!r} exists already")
            if self._hi1_taken(provider):
                raise Conflict(hi1_taken(provider))
            self._entries[provider.id] = provider
            self._changes.append(change)

    def replace(self, provider: Provider, *, expected_version: int, change: ProviderChange) -> None:
        with self._lock:
            current = self._entries.get(provider.id)
            if current is None:
                raise NotFound(f"no provider {provider.id!r}")
            if current.version != expected_version:
                raise Conflict(moved_on(provider.id))
            if self._hi1_taken(provider):
                raise Conflict(hi1_taken(provider))
            self._entries[provider.id] = dataclasses.replace(
                provider, csp_config=current.csp_config
            )
            self._changes.append(change)

    def set_csp_config(
        self, provider_id: str, config: CspConfig, *, change: ProviderChange
    ) -> Provider | None:
        with self._lock:
            current = self._entries.get(provider_id)
            if current is None:
                return None
            stored = dataclasses.replace(current, csp_config=config)
            self._entries[provider_id] = stored
            self._changes.append(change)
            return stored

    def get(self, provider_id: str) -> Provider | None:
        with self._lock:
            return self._entries.get(provider_id)

    def providers(self, *, enabled: bool | None = None) -> list[Provider]:
        with self._lock:
            return [
                p
                for _, p in sorted(self._entries.items())
                if enabled is None or p.enabled == enabled
            ]

    def changes(self, provider_id: str, *, limit: int) -> list[ProviderChange]:
        with self._lock:
            found = [c for c in self._changes if c.provider_id == provider_id]
        return list(reversed(found))[:limit]
