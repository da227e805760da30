"""Which checkpoints to trust: the log's key, and k of n witnesses' cosignatures.

A :class:`CheckpointPolicy` is what a verifier is configured with (the shape of
C2SP tlog-policy's "log" and "witness" lines with a quorum): the log's note
key(s), the witnesses' keys, and how many distinct witnesses must have
cosigned. :meth:`CheckpointPolicy.verify` opens a checkpoint note under it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from hanoi.crypto.ed25519keys import NOTE_ALG_ED25519
from hanoi.custody.checkpoint import SignedCheckpoint, open_checkpoint
from hanoi.custody.cosignature import COSIGNATURE_V1, CosignerKey
from hanoi.custody.errors import InsufficientCosignatures, VerificationError
from hanoi.custody.limits import DEFAULT_LIMITS, Limits
from hanoi.custody.note import Ed25519Verifier, NoteVerifier
from hanoi.errors import InvalidInput


def parse_verifier_key(vkey: str) -> NoteVerifier:
    """A vkey of signature type 0x01 (Ed25519 note key) or 0x04 (v1 cosigner key)."""
    encoded = vkey.strip().split("+", 2)[-1]  # names hold no "+", key IDs are hex
    try:
        kind = base64.b64decode(encoded, validate=True)[:1]
    except (binascii.Error, ValueError):
        raise InvalidInput("a verifier key ends with base64 key material") from None
    if kind == bytes([NOTE_ALG_ED25519]):
        return Ed25519Verifier.parse(vkey)
    if kind == bytes([COSIGNATURE_V1]):
        return CosignerKey.parse(vkey)
    raise InvalidInput("only Ed25519 (0x01) and cosignature/v1 (0x04) keys are supported")


def _key_label(key: NoteVerifier) -> str:
    return f"{key.name}+{key.key_id.hex()}"


@dataclass(frozen=True, slots=True)
class WitnessedCheckpoint:
    """A checkpoint signed by the log, with the witnesses whose cosignatures verified."""

    signed: SignedCheckpoint
    witnesses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    log_keys: tuple[NoteVerifier, ...]
    witness_keys: tuple[NoteVerifier, ...] = ()
    min_witnesses: int = 0
    origin: str | None = None
    max_size: int | None = None
    """The size at which the log's origin ended (a log key rotation, ADR 0051): a larger
    checkpoint is not genuine, whoever signed it."""

    def __post_init__(self) -> None:
        if not self.log_keys:
            raise InvalidInput("a checkpoint policy needs the log's key")
        if not 0 <= self.min_witnesses <= len(self.witness_keys):
            raise InvalidInput(
                f"cannot require {self.min_witnesses} of {len(self.witness_keys)} witnesses"
            )
        labels = [_key_label(k) for k in (*self.log_keys, *self.witness_keys)]
        if len(set(labels)) != len(labels):
            raise InvalidInput("a key appears twice in the checkpoint policy")

    @classmethod
    def from_vkeys(
        cls,
        log_keys: Sequence[str],
        *,
        witness_keys: Sequence[str] = (),
        min_witnesses: int = 0,
        origin: str | None = None,
        max_size: int | None = None,
    ) -> CheckpointPolicy:
        return cls(
            log_keys=tuple(Ed25519Verifier.parse(k) for k in log_keys),
            witness_keys=tuple(parse_verifier_key(k) for k in witness_keys),
            min_witnesses=min_witnesses,
            origin=origin,
            max_size=max_size,
        )

    def verify(self, data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> WitnessedCheckpoint:
        """Open a checkpoint note: the log's signature, then the witness quorum.

        Any signature from a configured witness must verify; unknown signatures
        are ignored; each witness counts once.
        """
        signed = open_checkpoint(data, self.log_keys, origin=self.origin, limits=limits)
        if self.max_size is not None and signed.checkpoint.size > self.max_size:
            raise VerificationError(
                f"log {signed.checkpoint.origin} ended at size {self.max_size} when its key "
                f"was rotated; a checkpoint of size {signed.checkpoint.size} is not genuine"
            )
        witnesses = {(k.name, k.key_id): k for k in self.witness_keys}
        message = signed.note.text.encode()
        cosigned: list[str] = []
        for signature in signed.note.unverified:
            key = witnesses.get((signature.name, signature.key_id))
            if key is None:
                continue
            key.verify(message, signature.signature)
            if _key_label(key) not in cosigned:
                cosigned.append(_key_label(key))
        if len(cosigned) < self.min_witnesses:
            raise InsufficientCosignatures(
                f"{len(cosigned)} trusted witness(es) cosigned the checkpoint, "
                f"the policy requires {self.min_witnesses}"
            )
        return WitnessedCheckpoint(signed, tuple(cosigned))
