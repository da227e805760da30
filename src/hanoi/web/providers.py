"""The provider directory over the API: list, show, add, change, disable and enable the
domestic service providers this node orders over HI-1, fetch a provider's CSP configuration
(``GETCSPCONFIG``), and read an entry's history. Thin:
the rules and the access checks are :mod:`hanoi.providers`'; what is shown of an entry is
:mod:`hanoi.providers.codec`'s (never the private key).

Administrators manage; auditors read everything; officers, supervisors and the 24/7 point
of contact read the enabled entries. Bad fields: 400 problem+json naming each one; a taken
id or HI-1 identifier, or a change made meanwhile: 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hanoi.providers.codec import change_json, provider_json
from hanoi.providers.model import Provider, ProviderFields
from hanoi.providers.service import ProviderService, Saved
from hanoi.web.auth import CurrentUser
from hanoi.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/providers", tags=["providers"], responses=PROBLEM_RESPONSES)

# Generous bounds on the shape: the domain's limits (smaller) are what a client is told.
Name = Annotated[str, Field(max_length=1000)]
Url = Annotated[str, Field(max_length=8192)]
Pem = Annotated[str, Field(max_length=100_000)]
ProviderId = Annotated[str, Path(max_length=128)]


def service_of(request: Request) -> ProviderService:
    service: ProviderService = request.app.state.node.providers
    return service


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Hi1In(Strict):
    """The provider's ETSI ``EndpointID`` (HI-1 ``ReceiverIdentifier``)."""

    country_code: Annotated[str, Field(max_length=16)]
    """ISO 3166-1 alpha-2, e.g. ``VN``."""
    unique_identifier: Annotated[str, Field(max_length=1000)]


class Hi1Change(Strict):
    country_code: Annotated[str, Field(max_length=16)] | None = None
    unique_identifier: Annotated[str, Field(max_length=1000)] | None = None


class ProviderBody(Strict):
    """A new entry. The three PEMs are required for an ``https`` endpoint (mutual TLS)."""

    id: Annotated[str, Field(max_length=128)]
    """A slug: 2-64 lower-case letters, digits and ``-`` (``vnm-telecom``)."""
    name: Name
    endpoint: Url
    """The HI-1 endpoint: ``https://...`` (``http://`` on a loopback address only)."""
    hi1_identifier: Hi1In
    client_certificate_chain: Pem | None = None
    """PEM: the node's client certificate first, then its intermediates."""
    client_private_key: Pem | None = None
    """PEM, unencrypted: the client certificate's key. Never shown again."""
    ca_bundle: Pem | None = None
    """PEM: the CA certificates the provider's server certificate must chain to."""

    def fields(self) -> ProviderFields:
        return ProviderFields(
            name=self.name,
            endpoint=self.endpoint,
            country_code=self.hi1_identifier.country_code,
            unique_identifier=self.hi1_identifier.unique_identifier,
            client_certificate_chain=self.client_certificate_chain,
            client_private_key=self.client_private_key,
            ca_bundle=self.ca_bundle,
        )


class ProviderChangeBody(Strict):
    """The fields to change; those left out keep their values. A new certificate must
    match the stored key, or come with its own key."""

    name: Name | None = None
    endpoint: Url | None = None
    hi1_identifier: Hi1Change | None = None
    client_certificate_chain: Pem | None = None
    client_private_key: Pem | None = None
    ca_bundle: Pem | None = None

    def fields(self) -> ProviderFields:
        hi1 = self.hi1_identifier or Hi1Change()
        return ProviderFields(
            name=self.name,
            endpoint=self.endpoint,
            country_code=hi1.country_code,
            unique_identifier=hi1.unique_identifier,
            client_certificate_chain=self.client_certificate_chain,
            client_private_key=self.client_private_key,
            ca_bundle=self.ca_bundle,
        )


class CertificateOut(BaseModel):
    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    sha256: str
    """SHA-256 fingerprint of the DER certificate, lowercase hex."""


class KeyOut(BaseModel):
    kind: str
    """The key's algorithm and size (``EC P-256``, ``RSA 3072``); the key is never shown."""


class TlsOut(BaseModel):
    client_certificate_chain: list[CertificateOut]
    client_private_key: KeyOut
    ca_bundle: list[CertificateOut]


class Hi1Out(BaseModel):
    country_code: str
    unique_identifier: str


class CspConfigOut(BaseModel):
    document: dict[str, Any]
    """The provider's ``GETCSPCONFIG`` answer, as fetched."""
    fetched_at: datetime


class WarningOut(BaseModel):
    pointer: str
    detail: str


class ProviderOut(BaseModel):
    id: str
    name: str
    endpoint: str
    hi1_identifier: Hi1Out
    enabled: bool
    tls: TlsOut | None
    """None only for a loopback ``http://`` endpoint (the sandbox)."""
    csp_config: CspConfigOut | None
    warnings: list[WarningOut]
    """Certificates expired, not yet valid or expiring within 30 days, a chain out of order."""
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    version: int


class ChangeOut(BaseModel):
    at: datetime
    by: str
    kind: str
    """created, updated, disabled, enabled or csp-config."""
    fields: list[str]
    summary: dict[str, str]
    """Each changed field's new value; certificates by fingerprint, the key by its kind."""


def _out(service: ProviderService, provider: Provider) -> ProviderOut:
    return ProviderOut.model_validate(provider_json(provider, warnings=service.warnings(provider)))


def _saved(saved: Saved) -> ProviderOut:
    return ProviderOut.model_validate(provider_json(saved.provider, warnings=saved.warnings))


@router.get("", summary="The service providers this node orders", response_model=list[ProviderOut])
def list_providers(
    request: Request,
    user: CurrentUser,
    enabled: Annotated[bool | None, Query(description="Only enabled (true) or disabled")] = None,
) -> list[ProviderOut]:
    service = service_of(request)
    return [_out(service, p) for p in service.providers(user, enabled=enabled)]


@router.post(
    "",
    status_code=201,
    summary="Add a service provider (administrators)",
    response_model=ProviderOut,
)
def create_provider(body: ProviderBody, request: Request, user: CurrentUser) -> ProviderOut:
    return _saved(service_of(request).create(user, body.id, body.fields()))


@router.get("/{provider_id}", summary="One service provider", response_model=ProviderOut)
def show_provider(provider_id: ProviderId, request: Request, user: CurrentUser) -> ProviderOut:
    service = service_of(request)
    return _out(service, service.get(user, provider_id))


@router.patch(
    "/{provider_id}",
    summary="Change a service provider (administrators)",
    response_model=ProviderOut,
)
def change_provider(
    provider_id: ProviderId, body: ProviderChangeBody, request: Request, user: CurrentUser
) -> ProviderOut:
    return _saved(service_of(request).update(user, provider_id, body.fields()))


@router.post(
    "/{provider_id}/disable",
    summary="Stop ordering a service provider (administrators)",
    response_model=ProviderOut,
)
def disable_provider(provider_id: ProviderId, request: Request, user: CurrentUser) -> ProviderOut:
    service = service_of(request)
    return _out(service, service.disable(user, provider_id))


@router.post(
    "/{provider_id}/enable",
    summary="Order a disabled service provider again (administrators)",
    response_model=ProviderOut,
)
def enable_provider(provider_id: ProviderId, request: Request, user: CurrentUser) -> ProviderOut:
    service = service_of(request)
    return _out(service, service.enable(user, provider_id))


@router.post(
    "/{provider_id}/csp-config",
    summary="Fetch a service provider's CSP configuration over HI-1 (administrators)",
    response_model=ProviderOut,
)
def fetch_provider_config(
    provider_id: ProviderId, request: Request, user: CurrentUser
) -> ProviderOut:
    """Send the provider one signed ``GETCSPCONFIG`` and keep its answer (with a history
    entry). 502 problem+json if the provider cannot be reached, answers garbage or refuses;
    nothing is kept then."""
    service = service_of(request)
    return _out(service, service.fetch_csp_config(user, provider_id))


@router.get(
    "/{provider_id}/changes",
    summary="Who changed a service provider's entry, and when (administrators, auditors)",
    response_model=list[ChangeOut],
)
def provider_changes(
    provider_id: ProviderId, request: Request, user: CurrentUser
) -> list[ChangeOut]:
    changes = service_of(request).changes(user, provider_id)
    return [ChangeOut.model_validate(change_json(c)) for c in changes]
