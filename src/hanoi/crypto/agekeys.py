"""age X25519 recipients (``age1...``) and identities (``AGE-SECRET-KEY-1...``).

The encodings follow the age v1 specification (C2SP ``age``): Bech32 with the
human-readable parts ``age`` and ``AGE-SECRET-KEY-`` and 32-byte keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hanoi.crypto import bech32
from hanoi.errors import InvalidInput

RECIPIENT_HRP = "age"
IDENTITY_HRP = "age-secret-key-"


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True, slots=True)
class AgeRecipient:
    public_key: bytes

    def __str__(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self.public_key)

    @classmethod
    def parse(cls, text: str) -> AgeRecipient:
        if not text.startswith("age1"):
            raise InvalidInput(f"not an age X25519 recipient (expected age1...): {text[:16]!r}")
        hrp, data = bech32.decode(text)
        if hrp != RECIPIENT_HRP or len(data) != 32:
            raise InvalidInput("not an age X25519 recipient")
        if text != text.lower():
            raise InvalidInput("an age recipient must be lower case")
        return cls(data)


@dataclass(frozen=True, slots=True)
class AgeIdentity:
    secret_key: bytes

    @classmethod
    def generate(cls) -> AgeIdentity:
        return cls(X25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def parse(cls, text: str) -> AgeIdentity:
        if not text.startswith("AGE-SECRET-KEY-1"):
            raise InvalidInput("not an age X25519 identity (expected AGE-SECRET-KEY-1...)")
        hrp, data = bech32.decode(text)
        if hrp != IDENTITY_HRP or len(data) != 32:
            raise InvalidInput("not an age X25519 identity")
        return cls(data)

    def encode(self) -> str:
        return bech32.encode(IDENTITY_HRP, self.secret_key).upper()

    def private_key(self) -> X25519PrivateKey:
        return X25519PrivateKey.from_private_bytes(self.secret_key)

    def recipient(self) -> AgeRecipient:
        return AgeRecipient(_raw_public(self.private_key().public_key()))

    def __repr__(self) -> str:  # never print the secret
        return f"AgeIdentity(recipient={self.recipient()})"


def read_identity_file(text: str) -> AgeIdentity:
    """Parse an ``age-keygen`` style file: comments and blank lines, then one identity."""
    keys = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if len(keys) != 1:
        raise InvalidInput(f"an identity file must hold exactly one key, found {len(keys)}")
    return AgeIdentity.parse(keys[0])


def format_identity_file(identity: AgeIdentity, *, created: str) -> str:
    """The same layout as ``age-keygen``, so the ``age`` tool reads it with ``-i``."""
    return f"# created: {created}\n# public key: {identity.recipient()}\n{identity.encode()}\n"
