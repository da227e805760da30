"""Ed25519 keys as the formats around Hanoi name them.

- JOSE: an OKP JWK and its RFC 7638 thumbprint, used as the ``kid`` of a JWS.
- C2SP signed-note: the verifier key ``name+keyid+base64(0x01||pub)`` and the
  signer key ``PRIVATE+KEY+name+keyid+base64(0x01||seed)``, where
  ``keyid = SHA-256(name || 0x0A || 0x01 || pub)[:4]`` (signed-note, Ed25519).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from hanoi.errors import InvalidInput

NOTE_ALG_ED25519 = 0x01


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def jwk(public: Ed25519PublicKey) -> dict[str, str]:
    return {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw_public(public))}


def jwk_thumbprint(public: Ed25519PublicKey) -> str:
    """RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order."""
    members = jwk(public)
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return b64url(hashlib.sha256(canonical).digest())


def private_to_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def private_from_pem(data: bytes) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"not a PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput("the PEM key is not an Ed25519 key")
    return key


def _check_note_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name) or not name.isprintable():
        raise InvalidInput(f"invalid signed-note key name: {name!r}")


def note_key_id(name: str, public: bytes) -> bytes:
    _check_note_name(name)
    return hashlib.sha256(name.encode() + b"\n" + bytes([NOTE_ALG_ED25519]) + public).digest()[:4]


@dataclass(frozen=True, slots=True)
class NoteVerifierKey:
    name: str
    key_id: bytes
    public_key: bytes

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([NOTE_ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @classmethod
    def from_public(cls, name: str, public: bytes) -> NoteVerifierKey:
        return cls(name, note_key_id(name, public), public)

    @classmethod
    def parse(cls, text: str) -> NoteVerifierKey:
        parts = text.strip().split("+", 2)
        if len(parts) != 3 or len(parts[1]) != 8:
            raise InvalidInput("a verifier key is name+keyid+base64")
        name, hex_id, encoded = parts
        try:
            key_id = bytes.fromhex(hex_id)
            raw = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise InvalidInput("a verifier key has a bad key ID or base64") from None
        if len(raw) != 33 or raw[0] != NOTE_ALG_ED25519:
            raise InvalidInput("only Ed25519 verifier keys (type 0x01) are supported")
        if note_key_id(name, raw[1:]) != key_id:
            raise InvalidInput("the verifier key's ID does not match its name and key")
        return cls(name, key_id, raw[1:])

    def public(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)


def format_note_signer_key(name: str, key: Ed25519PrivateKey) -> str:
    seed = key.private_bytes_raw()
    key_id = note_key_id(name, raw_public(key.public_key()))
    encoded = base64.b64encode(bytes([NOTE_ALG_ED25519]) + seed).decode()
    return f"PRIVATE+KEY+{name}+{key_id.hex()}+{encoded}"


def parse_note_signer_key(text: str) -> tuple[str, Ed25519PrivateKey]:
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise InvalidInput("a signer key is PRIVATE+KEY+name+keyid+base64")
    name, hex_id, encoded = parts[2:]
    try:
        raw = base64.b64decode(encoded, validate=True)
        key_id = bytes.fromhex(hex_id)
    except ValueError:
        raise InvalidInput("a signer key has a bad key ID or base64") from None
    if len(raw) != 33 or raw[0] != NOTE_ALG_ED25519:
        raise InvalidInput("only Ed25519 signer keys (type 0x01) are supported")
    key = Ed25519PrivateKey.from_private_bytes(raw[1:])
    if note_key_id(name, raw_public(key.public_key())) != key_id:
        raise InvalidInput("the signer key's ID does not match its name and key")
    return name, key
