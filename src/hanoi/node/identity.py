"""A node's public identity: what other States need to talk to it and audit it. Pure."""

from __future__ import annotations

from collections.abc import Mapping
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
from hanoi.custody.succession import FormerLog


@dataclass(frozen=True, slots=True)
class NodeKeys:
    """The node's private keys. Never logged, never serialised except to its key files."""

    signing: Ed25519PrivateKey
    log_signing: Ed25519PrivateKey
    witness_signing: Ed25519PrivateKey
    age: AgeIdentity
    retired_signing: tuple[Ed25519PrivateKey, ...] = ()
    """Signing keys this node rotated out (ADR 0051): kept to cosign the entry that
    retires them, never to sign a message."""
    retired_age: tuple[AgeIdentity, ...] = ()
    """age identities this node rotated out: what other States encrypted to them before
    they held the new recipient still opens."""

    retired_log: tuple[tuple[str, Ed25519PrivateKey], ...] = ()
    """Log keys rotated out, with the origin each signed for: the sequencer signs the
    succession that ends that origin with it (ADR 0051)."""

    @property
    def age_identities(self) -> tuple[AgeIdentity, ...]:
        """Every identity this node decrypts with, the current one first."""
        return (self.age, *self.retired_age)

    def __repr__(self) -> str:
        return "NodeKeys(<private>)"


@dataclass(frozen=True, slots=True)
class FormerKey:
    """A signing key the node rotated out (ADR 0051): what it signed stays verifiable."""

    signing_public_key: str  # base64url, as in a JWK "x"
    signing_key_id: str  # RFC 7638 thumbprint

    @classmethod
    def of(cls, key: Ed25519PrivateKey) -> FormerKey:
        public = key.public_key()
        return cls(b64url(raw_public(public)), jwk_thumbprint(public))

    def as_json(self) -> dict[str, str]:
        return {
            "signing_public_key": self.signing_public_key,
            "signing_key_id": self.signing_key_id,
        }


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
    former_keys: tuple[FormerKey, ...] = ()
    """Signing keys it used before, newest first (shown only when there are some)."""
    former_logs: tuple[FormerLog, ...] = ()
    """Log origins its log went on from, newest first (shown only when there are some)."""

    @property
    def log_origins(self) -> tuple[str, ...]:
        return (self.log_origin, *(f.log_origin for f in self.former_logs))

    @property
    def signing_key_ids(self) -> tuple[str, ...]:
        """Every key ID it signs or signed with, the current one first."""
        return (self.signing_key_id, *(k.signing_key_id for k in self.former_keys))

    def public_key_of(self, key_id: str) -> str | None:
        """The base64url public key of ``key_id`` if it is one of this node's keys."""
        if key_id == self.signing_key_id:
            return self.signing_public_key
        return next(
            (k.signing_public_key for k in self.former_keys if k.signing_key_id == key_id), None
        )

    @classmethod
    def of(
        cls,
        *,
        state: str,
        name: str,
        log_origin: str,
        keys: NodeKeys,
        witness: str | None = None,
        successions: Mapping[str, str] | None = None,
    ) -> NodeIdentity:
        """``witness``: the name it cosigns under, if not ``<log_origin>/witness``;
        ``successions``: the succession notes of its former logs, by old origin."""
        successions = successions or {}
        witness = witness or witness_name(log_origin)
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
            witness_name=witness,
            witness_key=str(
                CosignerKey.from_public(witness, raw_public(keys.witness_signing.public_key()))
            ),
            former_keys=tuple(FormerKey.of(k) for k in keys.retired_signing),
            former_logs=tuple(
                FormerLog(
                    origin,
                    str(NoteVerifierKey.from_public(origin, raw_public(key.public_key()))),
                    successions.get(origin),
                )
                for origin, key in keys.retired_log
            ),
        )

    def as_json(self) -> dict[str, object]:
        shown: dict[str, object] = {
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
        if self.former_keys:
            shown["former_keys"] = [k.as_json() for k in self.former_keys]
        if self.former_logs:
            shown["former_logs"] = [f.as_json() for f in self.former_logs]
        return shown


def witness_name(log_origin: str) -> str:
    """The name this node cosigns other States' checkpoints under."""
    return f"{log_origin}/witness"


def default_log_origin(state: str, keys: NodeKeys) -> str:
    """A schema-less origin, unique per node: two nodes of one State differ by key ID."""
    return f"hanoi.node/{state.lower()}/{jwk_thumbprint(keys.signing.public_key())[:8]}"
