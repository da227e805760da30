"""A node's public identity: what other States need to talk to it and audit it. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.crypto.ed25519keys import (
    NoteVerifierKey,
    b64url,
    jwk_thumbprint,
    raw_public,
)
from hanoi.custody.cosignature import CosignerKey


@dataclass(frozen=True, slots=True)
class NodeKeys:
    """The node's private keys. Never logged, never serialised except to its key files."""

    signing: Ed25519PrivateKey
    log_signing: Ed25519PrivateKey
    witness_signing: Ed25519PrivateKey
    age: AgeIdentity

    def __repr__(self) -> str:
        return "NodeKeys(<private>)"


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    state: str
    name: str
    signing_public_key: str  # base64url, as in a JWK "x"
    signing_key_id: str  # RFC 7638 thumbprint
    age_recipient: str
    log_origin: str
    log_verifier_key: str
    witness_name: str
    witness_key: str  # C2SP tlog-cosignature verifier key (type 0x04)

    @classmethod
    def of(cls, *, state: str, name: str, log_origin: str, keys: NodeKeys) -> NodeIdentity:
        public = keys.signing.public_key()
        log_public = raw_public(keys.log_signing.public_key())
        return cls(
            state=state,
            name=name,
            signing_public_key=b64url(raw_public(public)),
            signing_key_id=jwk_thumbprint(public),
            age_recipient=str(keys.age.recipient()),
            log_origin=log_origin,
            log_verifier_key=str(NoteVerifierKey.from_public(log_origin, log_public)),
            witness_name=witness_name(log_origin),
            witness_key=str(
                CosignerKey.from_public(
                    witness_name(log_origin), raw_public(keys.witness_signing.public_key())
                )
            ),
        )

    def as_json(self) -> dict[str, str]:
        return {
            "state": self.state,
            "name": self.name,
            "signing_public_key": self.signing_public_key,
            "signing_key_id": self.signing_key_id,
            "age_recipient": self.age_recipient,
            "log_origin": self.log_origin,
            "log_verifier_key": self.log_verifier_key,
            "witness_name": self.witness_name,
            "witness_key": self.witness_key,
        }


def witness_name(log_origin: str) -> str:
    """The name this node cosigns other States' checkpoints under."""
    return f"{log_origin}/witness"


def default_log_origin(state: str, keys: NodeKeys) -> str:
    """A schema-less origin, unique per node: two nodes of one State differ by key ID."""
    return f"hanoi.node/{state.lower()}/{jwk_thumbprint(keys.signing.public_key())[:8]}"
