"""The history of a provider entry: who changed what, when. Pure.

Each change an administrator makes (and each CSP configuration the node fetches) is kept as
a :class:`ProviderChange` in the same transaction as the change itself, so that the history
holds a change if and only if it happened. It says which fields changed and their new
values as an administrator reads them, with the secrets replaced: a certificate by its
SHA-256 fingerprint, the private key by its kind ("EC P-256"), never the PEM.

Custody events are not used: they record what happened to evidence under a request
(``request_id`` is required) and are committed to the custody log; an entry of this
directory is neither (ADR 0040).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from hanoi.providers.credentials import CA_BUNDLE, CHAIN, KEY, describe, key_kind
from hanoi.providers.model import HI1_COUNTRY, HI1_UNIQUE, Provider

NODE = "(node)"
"""Who a change is by when the node made it itself (a CSP configuration fetched on a
schedule): never a user's name, which has no parentheses."""


class ChangeKind(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DISABLED = "disabled"
    ENABLED = "enabled"
    CSP_CONFIG = "csp-config"
    """The provider's CSP configuration was fetched and stored."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderChange:
    provider_id: str
    at: datetime
    by: str
    kind: ChangeKind
    fields: tuple[str, ...] = ()
    """The fields that changed, by the names of :data:`hanoi.providers.model.EDITABLE`."""
    summary: Mapping[str, str] = field(default_factory=dict)
    """Each changed field's new value as shown, secrets replaced by what identifies them."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", MappingProxyType(dict(self.summary)))


def _shown(provider: Provider, path: str) -> str:
    credentials = provider.credentials
    if path == "name":
        return provider.name
    if path == "endpoint":
        return provider.endpoint
    if path == HI1_COUNTRY:
        return provider.hi1.country_code
    if path == HI1_UNIQUE:
        return provider.hi1.unique_identifier
    if credentials is None:
        return ""
    if path == CHAIN:
        return "sha256:" + describe(credentials.client_certificate_chain)[0].sha256
    if path == KEY:
        return key_kind(credentials.client_certificate_chain)
    if path == CA_BUNDLE:
        return " ".join("sha256:" + c.sha256 for c in describe(credentials.ca_bundle))
    raise KeyError(path)


def change_of(
    provider: Provider, kind: ChangeKind, changed: tuple[str, ...], *, by: str, at: datetime
) -> ProviderChange:
    """The history entry of a change to ``provider`` (the entry as it is after it)."""
    return ProviderChange(
        provider_id=provider.id,
        at=at,
        by=by,
        kind=kind,
        fields=changed,
        summary={path: _shown(provider, path)[:500] for path in changed},
    )
