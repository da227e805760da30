"""The primitives age builds on: HKDF-SHA-256, HMAC-SHA-256, ChaCha20-Poly1305.

All from ``cryptography`` (OpenSSL) and the standard library. Pure functions.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hanoi.evidence.age.errors import MalformedStanza
from hanoi.evidence.age.spec import FILE_KEY_SIZE, HEADER_LABEL, PAYLOAD_LABEL, TAG_SIZE

_ZERO_NONCE = bytes(12)
WRAPPED_KEY_SIZE = FILE_KEY_SIZE + TAG_SIZE


def hkdf_sha256(ikm: bytes, *, salt: bytes, info: bytes) -> bytes:
    """HKDF-Extract then HKDF-Expand (RFC 5869) to 32 bytes."""
    return HKDF(algorithm=SHA256(), length=32, salt=salt, info=info).derive(ikm)


def header_mac(file_key: bytes, mac_input: bytes) -> bytes:
    """HMAC-SHA-256 of the header with ``HKDF(ikm=file key, salt="", info="header")``."""
    key = hkdf_sha256(file_key, salt=b"", info=HEADER_LABEL)
    return hmac.new(key, mac_input, hashlib.sha256).digest()


def macs_equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


def payload_key(file_key: bytes, nonce: bytes) -> bytes:
    """``HKDF(ikm=file key, salt=payload nonce, info="payload")``."""
    return hkdf_sha256(file_key, salt=nonce, info=PAYLOAD_LABEL)


def seal_file_key(wrap_key: bytes, file_key: bytes) -> bytes:
    """Encrypt the file key under a one-time wrap key (the nonce is fixed at zero)."""
    return ChaCha20Poly1305(wrap_key).encrypt(_ZERO_NONCE, file_key, None)


def open_file_key(wrap_key: bytes, body: bytes, *, kind: str) -> bytes | None:
    """Decrypt a stanza body; ``None`` if the tag fails (this stanza is not for us).

    The length is checked first, as the spec requires, so that a crafted body
    cannot decrypt under several keys (partitioning oracles).
    """
    if len(body) != WRAPPED_KEY_SIZE:
        raise MalformedStanza(f"{kind} stanza: the wrapped file key must be 32 bytes")
    try:
        return ChaCha20Poly1305(wrap_key).decrypt(_ZERO_NONCE, body, None)
    except InvalidTag:
        return None
