"""Size limits on every directory input, in one object (python-tuf style)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DirectoryLimits:
    max_document_bytes: int = 4 * 1024 * 1024
    max_entry_bytes: int = 64 * 1024
    max_depth: int = 10
    max_states: int = 256  # 193 UN Member States, observers, and room to spare
    max_authorities: int = 32
    max_languages: int = 16
    max_keys: int = 8
    max_signatures: int = 8
    max_declarations: int = 64
    max_extra_members: int = 32
    max_name_chars: int = 200
    max_contact_chars: int = 500
    max_url_chars: int = 2048
    max_key_text_chars: int = 400
    max_value_chars: int = 1000
    max_postal_address_chars: int = 500
    max_postal_address_lines: int = 10
    max_email_chars: int = 254  # RFC 5321: a path is at most 256 octets with its <>
    max_telephone_chars: int = 40
    max_channels: int = 6  # the closed set, each once
    max_document_certificates: int = 4
    max_certificate_chars: int = 8192  # base64 of DER; a P-256 certificate is under 1 KiB
    max_offline_states: int = 256
    max_source_chars: int = 1000


DEFAULT_LIMITS = DirectoryLimits()
