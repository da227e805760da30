"""An in-memory secretariat and States that publish directory documents, for the unit tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.crypto.ed25519keys import b64url, jwk_thumbprint, raw_public
from hanoi.directory.codec import dump_json, parse_directory, parse_entry
from hanoi.directory.model import (
    DIRECTORY_FORMAT,
    ENTRY_FORMAT,
    SignedStateEntry,
    StateEntry,
    format_time,
)
from hanoi.directory.signing import sign_directory, sign_entry
from hanoi.node.identity import NodeIdentity, NodeKeys, default_log_origin

T0 = datetime(2027, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def key_id(key: Ed25519PrivateKey) -> str:
    return jwk_thumbprint(key.public_key())


@dataclass
class KeySpec:
    key: Ed25519PrivateKey
    valid_from: datetime = T0 - DAY
    valid_until: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        value = {
            "key_id": key_id(self.key),
            "public_key": b64url(raw_public(self.key.public_key())),
            "valid_from": format_time(self.valid_from),
        }
        if self.valid_until is not None:
            value["valid_until"] = format_time(self.valid_until)
        return value


@dataclass
class FakeState:
    """A State's node: its keys and the entry it publishes."""

    code: str
    keys: NodeKeys = field(
        default_factory=lambda: NodeKeys(
            signing=Ed25519PrivateKey.generate(),
            log_signing=Ed25519PrivateKey.generate(),
            witness_signing=Ed25519PrivateKey.generate(),
            age=AgeIdentity.generate(),
        )
    )

    @property
    def signing(self) -> Ed25519PrivateKey:
        return self.keys.signing

    def identity(self) -> NodeIdentity:
        return NodeIdentity.of(
            state=self.code,
            name=f"Central Authority of {self.code}",
            log_origin=default_log_origin(self.code, self.keys),
            keys=self.keys,
        )

    def entry_json(
        self, *, serial: int = 1, keys: list[KeySpec] | None = None, url: str | None = None
    ) -> dict[str, Any]:
        identity = self.identity()
        return {
            "format": ENTRY_FORMAT,
            "state": self.code,
            "name": identity.name,
            "serial": serial,
            "node_url": url or f"https://{self.code.lower()}.example/",
            "authorities": [
                {
                    "kind": "central-authority",
                    "name": f"Ministry of Justice of {self.code}",
                    "languages": ["en", "fr"],
                    "contact": f"mla@{self.code.lower()}.example",
                },
                {
                    "kind": "point-of-contact",
                    "name": "24/7 network",
                    "languages": ["en"],
                    "contact": "+1 555 0100",
                },
            ],
            "keys": [k.to_json() for k in (keys or [KeySpec(self.signing)])],
            "age_recipient": identity.age_recipient,
            "log_origin": identity.log_origin,
            "log_verifier_key": identity.log_verifier_key,
            "witness_name": identity.witness_name,
            "witness_key": identity.witness_key,
            "declarations": {"dual-criminality-reservation-for-preservation": True},
        }

    def entry(self, **kwargs: Any) -> StateEntry:
        return parse_entry(self.entry_json(**kwargs))

    def signed(
        self, *, signers: list[Ed25519PrivateKey] | None = None, **kwargs: Any
    ) -> SignedStateEntry:
        return sign_entry(self.entry(**kwargs), signers or [self.signing])


@dataclass
class Secretariat:
    """The directory authority: publishes numbered, signed documents of the entries it holds."""

    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    version: int = 0
    entries: dict[str, SignedStateEntry] = field(default_factory=dict)

    def put(self, signed: SignedStateEntry) -> None:
        self.entries[signed.state] = signed

    def document_json(
        self,
        *,
        version: int | None = None,
        issued_at: datetime = T0,
        expires: datetime = T0 + 30 * DAY,
    ) -> dict[str, Any]:
        if version is None:
            self.version += 1
            version = self.version
        return {
            "format": DIRECTORY_FORMAT,
            "version": version,
            "issued_at": format_time(issued_at),
            "expires": format_time(expires),
            "states": [self.entries[code].to_json() for code in sorted(self.entries)],
        }

    def sign_json(self, value: dict[str, Any], key: Ed25519PrivateKey | None = None) -> bytes:
        signed = sign_directory(parse_directory(value, path=""), key or self.key)
        return dump_json(signed.to_json())

    def publish(self, key: Ed25519PrivateKey | None = None, **kwargs: Any) -> bytes:
        return self.sign_json(self.document_json(**kwargs), key)


def certificate_pem(common_name: str = "EGY document signing") -> bytes:
    """A self-signed ECDSA P-256 certificate, PEM, as a node's document-signing one."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2031, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(Encoding.PEM)


def edit(data: bytes, change: Any) -> bytes:
    """Apply ``change`` to the decoded JSON document and encode it again (no re-signing)."""
    value = json.loads(data)
    change(value)
    return json.dumps(value).encode()
