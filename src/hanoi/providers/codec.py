"""A provider entry and its history as JSON, for the API and the CLI. Pure.

The one place that says what is shown of an entry: every field but the PEMs; for the
credentials, each certificate's subject, issuer, serial, validity and SHA-256 fingerprint,
and the key's kind. The private key is never part of it (``tests`` search every output
for it).
"""

from __future__ import annotations

from typing import Any

from hanoi.errors import FieldProblem
from hanoi.providers.credentials import CertificateInfo, describe, key_kind
from hanoi.providers.history import ProviderChange
from hanoi.providers.model import Provider


def certificate_json(info: CertificateInfo) -> dict[str, str]:
    return {
        "subject": info.subject,
        "issuer": info.issuer,
        "serial": info.serial,
        "not_before": info.not_before.isoformat(),
        "not_after": info.not_after.isoformat(),
        "sha256": info.sha256,
    }


def problems_json(problems: tuple[FieldProblem, ...]) -> list[dict[str, str]]:
    return [{"pointer": p.path, "detail": p.message} for p in problems]


def provider_json(provider: Provider, *, warnings: tuple[FieldProblem, ...] = ()) -> dict[str, Any]:
    credentials = provider.credentials
    tls = None
    if credentials is not None:
        tls = {
            "client_certificate_chain": [
                certificate_json(c) for c in describe(credentials.client_certificate_chain)
            ],
            "client_private_key": {"kind": key_kind(credentials.client_certificate_chain)},
            "ca_bundle": [certificate_json(c) for c in describe(credentials.ca_bundle)],
        }
    csp = provider.csp_config
    return {
        "id": provider.id,
        "name": provider.name,
        "endpoint": provider.endpoint,
        "hi1_identifier": {
            "country_code": provider.hi1.country_code,
            "unique_identifier": provider.hi1.unique_identifier,
        },
        "enabled": provider.enabled,
        "tls": tls,
        "csp_config": (
            {"document": csp.as_json(), "fetched_at": csp.fetched_at.isoformat()}
            if csp is not None
            else None
        ),
        "warnings": problems_json(warnings),
        "created_at": provider.created_at.isoformat(),
        "created_by": provider.created_by,
        "updated_at": provider.updated_at.isoformat(),
        "updated_by": provider.updated_by,
        "version": provider.version,
    }


def change_json(change: ProviderChange) -> dict[str, Any]:
    return {
        "at": change.at.isoformat(),
        "by": change.by,
        "kind": change.kind.value,
        "fields": list(change.fields),
        "summary": dict(change.summary),
    }
