"""Helpers for the federation unit tests: node keys, messages, raw envelopes."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.crypto.agekeys import AgeIdentity, AgeRecipient
from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.evidence.age import Encryptor
from hanoi.federation.messages import Message, MessageType, new_message_id

NOW = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Peer:
    """One State's node: its signing key and its age identity."""

    state: str
    signing: Ed25519PrivateKey
    age: AgeIdentity

    @classmethod
    def generate(cls, state: str) -> Peer:
        return cls(state, Ed25519PrivateKey.generate(), AgeIdentity.generate())

    @property
    def recipient(self) -> AgeRecipient:
        return self.age.recipient()

    @property
    def key_id(self) -> str:
        return jwk_thumbprint(self.signing.public_key())


def make_message(**overrides: Any) -> Message:
    """A valid step message (a withdrawal) from AAA to BBB sent at NOW."""
    fields: dict[str, Any] = {
        "id": new_message_id(),
        "type": MessageType.STEP,
        "sender": "AAA",
        "recipient": "BBB",
        "sent_at": NOW,
        "request_id": "REQ-1",
        "body": {"transition": "withdraw", "record": {"reasons": "no longer needed"}},
    }
    fields.update(overrides)
    return Message(**fields)


def age_encrypt(plaintext: bytes, recipient: AgeRecipient) -> bytes:
    """Encrypt any bytes as an envelope would be: to build envelopes with a bad inside."""
    out = io.BytesIO()
    with Encryptor(out, [recipient], background=False) as encryptor:
        encryptor.write(plaintext)
    return out.getvalue()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def raw_jws(header: dict[str, Any], payload: bytes, signature: bytes = b"") -> bytes:
    """A compact JWS built by hand, with whatever header and signature bytes."""
    encoded = b64url(json.dumps(header).encode()) + "." + b64url(payload)
    return (encoded + "." + b64url(signature)).encode("ascii")


def ed25519_jws(header: dict[str, Any], payload: bytes, key: Ed25519PrivateKey) -> bytes:
    """A compact JWS with a real Ed25519 signature under any header."""
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(payload)
    return (signing_input + "." + b64url(key.sign(signing_input.encode()))).encode("ascii")
