"""Size limits on every field of a provider entry, in one object (python-tuf style)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProviderLimits:
    max_name_chars: int = 200
    max_endpoint_chars: int = 2048
    max_unique_identifier_chars: int = 255
    """ETSI TS 103 280 types ``UniqueIdentifier`` as a LongString; Hanoi keeps a short one."""
    max_certificate_chain_bytes: int = 64 * 1024
    max_chain_certificates: int = 10
    max_private_key_bytes: int = 16 * 1024
    """An unencrypted RSA 8192 key is about 6.3 KiB of PEM."""
    max_ca_bundle_bytes: int = 64 * 1024
    max_ca_certificates: int = 50
    max_csp_config_bytes: int = 64 * 1024
    """The provider's ``GETCSPCONFIG`` answer, as compact UTF-8 JSON."""
    expiry_warning_days: int = 30
    """From how long before a certificate expires the entry warns of it."""
    max_changes_listed: int = 200


DEFAULT_LIMITS = ProviderLimits()
