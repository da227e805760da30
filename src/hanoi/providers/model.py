"""A provider entry and the rules of its fields. Pure.

An entry is one domestic service provider (Art. 1(c) of the Convention) that this State's
node orders over HI-1: a stable id (a slug, ``vnm-telecom``), a display name, the HTTPS
address of its HI-1 endpoint, its HI-1 identifier (the ETSI ``EndpointID`` that a message
names it by as ``ReceiverIdentifier``), the mutual-TLS credentials the node presents and
trusts (:mod:`hanoi.providers.credentials`), the CSP configuration the provider publishes
(its ``GETCSPCONFIG`` answer, as fetched), whether it is enabled, and who changed it when.

:func:`new_provider` and :func:`edited_provider` are the only ways an entry is made or
changed from what an administrator gives; each checks every field and raises one
:class:`~hanoi.errors.InvalidInput` naming every bad field together.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from hanoi.errors import FieldProblem, InvalidInput
from hanoi.jsonvalues import check_json_value, text_problem
from hanoi.providers.credentials import CA_BUNDLE, CHAIN, KEY, check_credentials
from hanoi.providers.limits import DEFAULT_LIMITS, ProviderLimits
from hanoi.wire import freeze, thaw

PROVIDER_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])")
"""2-64 characters: lower-case letters, digits and ``-``, a letter or digit at each end."""
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
"""ETSI TS 103 280 ``ISOCountryCode``: ISO 3166-1 alpha-2, upper case."""
LOOPBACK_NAMES = frozenset({"localhost"})
HI1_COUNTRY = "hi1_identifier/country_code"
HI1_UNIQUE = "hi1_identifier/unique_identifier"
EDITABLE = ("name", "endpoint", HI1_COUNTRY, HI1_UNIQUE, CHAIN, KEY, CA_BUNDLE)
"""The fields an administrator gives, by the names problems and changes use."""


@dataclass(frozen=True, slots=True)
class Hi1Identifier:
    """The ETSI TS 103 120 ``EndpointID`` of a provider: how HI-1 messages address it."""

    country_code: str
    unique_identifier: str

    def as_etsi(self) -> dict[str, str]:
        """As HI-1 messages spell it (``ReceiverIdentifier``, ``SenderIdentifier``)."""
        return {"CountryCode": self.country_code, "UniqueIdentifier": self.unique_identifier}


@dataclass(frozen=True, slots=True)
class TlsCredentials:
    """What the node presents to the provider (a client certificate chain, leaf first, and
    its private key) and what the provider's server certificate must chain to. PEM text,
    checked. The key is kept out of ``repr``, so that no log line or traceback shows it."""

    client_certificate_chain: str = field(repr=False)
    client_private_key: str = field(repr=False)
    ca_bundle: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class CspConfig:
    """The provider's answer to HI-1 ``GETCSPCONFIG`` (a JSON object) and when it was
    fetched. Kept as received; the HI-1 code reads it."""

    document: Mapping[str, Any]
    fetched_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "document", freeze(self.document))

    def as_json(self) -> dict[str, Any]:
        value: dict[str, Any] = thaw(self.document)
        return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Provider:
    id: str
    name: str
    endpoint: str
    """The HI-1 endpoint: ``https://...``, or ``http://`` on a loopback address only (the
    sandbox's simulated providers)."""
    hi1: Hi1Identifier
    credentials: TlsCredentials | None
    """None only for a loopback ``http://`` endpoint, which TLS does not protect."""
    csp_config: CspConfig | None
    enabled: bool
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    version: int = 1
    """Moves on by one with each change an administrator makes: two changes made at once
    cannot both win (the second is a conflict)."""

    @property
    def uses_tls(self) -> bool:
        return urlsplit(self.endpoint).scheme == "https"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderFields:
    """What an administrator gives: every field for a new entry; for a change, the fields
    to change (None keeps the stored value). Certificates and key are PEM text."""

    name: str | None = None
    endpoint: str | None = None
    country_code: str | None = None
    unique_identifier: str | None = None
    client_certificate_chain: str | None = field(default=None, repr=False)
    client_private_key: str | None = field(default=None, repr=False)
    ca_bundle: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Checked:
    """An entry made or changed, and which fields changed (names of :data:`EDITABLE`;
    none when what was given is what is stored)."""

    provider: Provider
    changed: tuple[str, ...]


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_problem(url: str, limits: ProviderLimits) -> str | None:
    """What is wrong with an HI-1 endpoint address, if anything."""
    if len(url) > limits.max_endpoint_chars:
        return f"is longer than {limits.max_endpoint_chars} characters"
    if not url.isascii() or any(c <= " " or c == "\x7f" for c in url):
        return "must be an address without spaces or control characters (percent-encode them)"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        return "is not a URL"
    if not url.startswith(("https://", "http://")) or not host:
        return "must be https://host[:port][/path]"
    if parts.username is not None or parts.password is not None or parts.fragment:
        return "must be https://host[:port][/path], without credentials or fragment"
    if parts.scheme == "http" and not _is_loopback(host):
        return "must use https (plain http only on a loopback address, for the sandbox)"
    return None


def _text(value: str, *, path: str, max_chars: int, problems: list[FieldProblem]) -> str:
    value = value.strip()
    if not value:
        problems.append(FieldProblem(path, "must not be empty"))
    elif len(value) > max_chars:
        problems.append(FieldProblem(path, f"is longer than {max_chars} characters"))
    elif not value.isprintable() or text_problem(value) is not None:
        problems.append(FieldProblem(path, "must be printable characters on one line"))
    return value


def _entry_problems(
    *,
    name: str,
    endpoint: str,
    hi1: Hi1Identifier,
    credentials: tuple[str | None, str | None, str | None],
    limits: ProviderLimits,
    problems: list[FieldProblem],
) -> TlsCredentials | None:
    """Check a whole entry's fields (appending problems); its credentials, if complete."""
    _text(name, path="name", max_chars=limits.max_name_chars, problems=problems)
    if (problem := endpoint_problem(endpoint, limits)) is not None:
        problems.append(FieldProblem("endpoint", problem))
    if not COUNTRY_CODE.fullmatch(hi1.country_code):
        problems.append(
            FieldProblem(HI1_COUNTRY, "must be an ISO 3166-1 alpha-2 code in capitals (e.g. VN)")
        )
    _text(
        hi1.unique_identifier,
        path=HI1_UNIQUE,
        max_chars=limits.max_unique_identifier_chars,
        problems=problems,
    )
    chain, key, bundle = credentials
    given = {CHAIN: chain, KEY: key, CA_BUNDLE: bundle}
    if chain is None and key is None and bundle is None:
        if endpoint.startswith("https://"):
            problems.extend(
                FieldProblem(path, "is required: the node connects to the provider by mutual TLS")
                for path in given
            )
        return None
    missing = [path for path, value in given.items() if value is None or not value.strip()]
    problems.extend(
        FieldProblem(path, "is required with the other credentials") for path in missing
    )
    if missing:
        return None
    assert chain is not None
    assert key is not None
    assert bundle is not None
    before = len(problems)
    check_credentials(chain=chain, key=key, ca_bundle=bundle, limits=limits, problems=problems)
    if len(problems) > before:
        return None
    return TlsCredentials(client_certificate_chain=chain, client_private_key=key, ca_bundle=bundle)


def _refuse(problems: list[FieldProblem], what: str) -> InvalidInput:
    fields = ", ".join(dict.fromkeys(p.path.split("/")[0] for p in problems))
    return InvalidInput(
        f"the provider entry cannot be {what}: check {fields}", fields=tuple(problems)
    )


def new_provider(
    provider_id: str,
    fields: ProviderFields,
    *,
    by: str,
    now: datetime,
    limits: ProviderLimits = DEFAULT_LIMITS,
) -> Checked:
    """A new, enabled entry from every field an administrator gave; ``InvalidInput`` naming
    every bad or missing field otherwise."""
    problems: list[FieldProblem] = []
    if not isinstance(provider_id, str) or not PROVIDER_ID.fullmatch(provider_id):
        problems.append(FieldProblem("id", "must be a slug such as vnm-telecom (2-64 a-z, 0-9, -)"))
    required = {
        "name": fields.name,
        "endpoint": fields.endpoint,
        HI1_COUNTRY: fields.country_code,
        HI1_UNIQUE: fields.unique_identifier,
    }
    missing = {path for path, value in required.items() if value is None}
    problems.extend(FieldProblem(path, "is required") for path in required if path in missing)
    found: list[FieldProblem] = []
    hi1 = Hi1Identifier(
        country_code=(fields.country_code or "").strip(),
        unique_identifier=(fields.unique_identifier or "").strip(),
    )
    credentials = _entry_problems(
        name=fields.name or "",
        endpoint=(fields.endpoint or "").strip(),
        hi1=hi1,
        credentials=(
            fields.client_certificate_chain,
            fields.client_private_key,
            fields.ca_bundle,
        ),
        limits=limits,
        problems=found,
    )
    problems.extend(p for p in found if p.path not in missing)  # "is required" says it all
    if problems:
        raise _refuse(problems, "added")
    provider = Provider(
        id=provider_id,
        name=(fields.name or "").strip(),
        endpoint=(fields.endpoint or "").strip(),
        hi1=hi1,
        credentials=credentials,
        csp_config=None,
        enabled=True,
        created_at=now,
        created_by=by,
        updated_at=now,
        updated_by=by,
    )
    changed = tuple(path for path in EDITABLE if _given(fields, path))
    return Checked(provider, changed)


_ATTRIBUTES = {
    "name": "name",
    "endpoint": "endpoint",
    HI1_COUNTRY: "country_code",
    HI1_UNIQUE: "unique_identifier",
    CHAIN: "client_certificate_chain",
    KEY: "client_private_key",
    CA_BUNDLE: "ca_bundle",
}


def _given(fields: ProviderFields, path: str) -> bool:
    return getattr(fields, _ATTRIBUTES[path]) is not None


def _stored(provider: Provider, path: str) -> str | None:
    credentials = provider.credentials
    return {
        "name": provider.name,
        "endpoint": provider.endpoint,
        HI1_COUNTRY: provider.hi1.country_code,
        HI1_UNIQUE: provider.hi1.unique_identifier,
        CHAIN: credentials.client_certificate_chain if credentials else None,
        KEY: credentials.client_private_key if credentials else None,
        CA_BUNDLE: credentials.ca_bundle if credentials else None,
    }[path]


def edited_provider(
    current: Provider,
    fields: ProviderFields,
    *,
    by: str,
    now: datetime,
    limits: ProviderLimits = DEFAULT_LIMITS,
) -> Checked:
    """``current`` with the fields given changed, the whole entry checked again (a new
    certificate must match the stored key, or the key given with it); ``InvalidInput``
    naming every bad field otherwise. Nothing given, or only what is stored: no change."""
    merged = {
        path: (
            getattr(fields, _ATTRIBUTES[path]) if _given(fields, path) else _stored(current, path)
        )
        for path in EDITABLE
    }
    for path in ("name", "endpoint", HI1_COUNTRY, HI1_UNIQUE):
        merged[path] = (merged[path] or "").strip()
    problems: list[FieldProblem] = []
    hi1 = Hi1Identifier(
        country_code=merged[HI1_COUNTRY] or "", unique_identifier=merged[HI1_UNIQUE] or ""
    )
    credentials = _entry_problems(
        name=merged["name"] or "",
        endpoint=merged["endpoint"] or "",
        hi1=hi1,
        credentials=(merged[CHAIN], merged[KEY], merged[CA_BUNDLE]),
        limits=limits,
        problems=problems,
    )
    if problems:
        raise _refuse(problems, "changed")
    changed = tuple(path for path in EDITABLE if merged[path] != _stored(current, path))
    if not changed:
        return Checked(current, ())
    provider = dataclasses.replace(
        current,
        name=merged["name"] or "",
        endpoint=merged["endpoint"] or "",
        hi1=hi1,
        credentials=credentials,
        updated_at=now,
        updated_by=by,
        version=current.version + 1,
    )
    return Checked(provider, changed)


def with_enabled(current: Provider, enabled: bool, *, by: str, now: datetime) -> Provider:
    """``current`` enabled or disabled (the same entry if it already is)."""
    if current.enabled == enabled:
        return current
    return dataclasses.replace(
        current, enabled=enabled, updated_at=now, updated_by=by, version=current.version + 1
    )


def check_csp_config(
    document: object, *, fetched_at: datetime, limits: ProviderLimits = DEFAULT_LIMITS
) -> CspConfig:
    """A provider's ``GETCSPCONFIG`` answer to keep: a JSON object within the size limit
    and the JSON rules every value from outside follows (:mod:`hanoi.jsonvalues`)."""
    if not isinstance(document, Mapping):
        raise InvalidInput(
            "a CSP configuration is a JSON object",
            fields=(FieldProblem("csp_config", "must be a JSON object"),),
        )
    check_json_value(thaw(document))
    try:
        size = len(json.dumps(thaw(document), ensure_ascii=False, separators=(",", ":")).encode())
    except (TypeError, ValueError):
        raise InvalidInput(
            "a CSP configuration is JSON",
            fields=(FieldProblem("csp_config", "must hold JSON values only"),),
        ) from None
    if size > limits.max_csp_config_bytes:
        raise InvalidInput(
            f"a CSP configuration is at most {limits.max_csp_config_bytes} bytes of JSON",
            fields=(
                FieldProblem("csp_config", f"is larger than {limits.max_csp_config_bytes} bytes"),
            ),
        )
    return CspConfig(document=document, fetched_at=fetched_at)
