"""C2SP tlog-cosignature v1: a witness's timestamped Ed25519 signature on a checkpoint.

A cosignature is a signed-note signature line whose key ID is
``SHA-256(name || 0x0A || 0x04 || public key)[:4]`` (signature type 0x04) and
whose signature bytes are a ``timestamped_signature``: a big-endian uint64 POSIX
time, then the 64-byte Ed25519 signature over::

    cosignature/v1
    time <timestamp>
    <the checkpoint's note text>

The vkey of a cosigner is ``name+keyid+base64(0x04 || public key)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hanoi.crypto.ed25519keys import raw_public
from hanoi.custody.errors import MalformedNote, SignatureError
from hanoi.custody.note import NoteSignature, check_key_name
from hanoi.errors import InvalidInput

COSIGNATURE_V1 = 0x04
HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = (1 << 63) - 1
_TIMESTAMP = struct.Struct(">Q")
_SIGNATURE_SIZE = _TIMESTAMP.size + 64


def cosignature_key_id(name: str, public_key: bytes) -> bytes:
    check_key_name(name)
    material = name.encode() + b"\n" + bytes([COSIGNATURE_V1]) + public_key
    return hashlib.sha256(material).digest()[:4]


def cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    """What a v1 cosignature signs: the header, the time line, then the checkpoint text."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise InvalidInput(f"cosignature timestamp {timestamp} is out of range")
    return f"{HEADER}time {timestamp}\n{checkpoint_text}".encode()


def split_timestamped_signature(signature: bytes) -> tuple[int, bytes]:
    """``(timestamp, ed25519 signature)`` from a ``timestamped_signature``."""
    if len(signature) != _SIGNATURE_SIZE:
        raise MalformedNote(f"a v1 cosignature is {_SIGNATURE_SIZE} bytes, not {len(signature)}")
    (timestamp,) = _TIMESTAMP.unpack_from(signature)
    if timestamp > MAX_TIMESTAMP:
        raise MalformedNote("a cosignature timestamp exceeds 2**63 - 1")
    return timestamp, signature[_TIMESTAMP.size :]


@dataclass(frozen=True, slots=True)
class CosignerKey:
    """A witness's public key for v1 cosignatures; a :class:`~hanoi.custody.note.NoteVerifier`."""

    name: str
    key_id: bytes
    public_key: bytes

    @classmethod
    def from_public(cls, name: str, public_key: bytes) -> CosignerKey:
        return cls(name, cosignature_key_id(name, public_key), public_key)

    @classmethod
    def parse(cls, vkey: str) -> CosignerKey:
        """Parse ``name+keyid+base64(0x04 || public key)``."""
        name, _, rest = vkey.strip().partition("+")
        hex_id, _, encoded = rest.partition("+")
        check_key_name(name)
        try:
            key_id = bytes.fromhex(hex_id) if len(hex_id) == 8 else b""
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("a cosigner key has a bad key ID or base64") from None
        if len(key_id) != 4 or len(raw) != 33 or raw[0] != COSIGNATURE_V1:
            raise InvalidInput("a cosigner key is name+keyid+base64(0x04 || Ed25519 key)")
        if cosignature_key_id(name, raw[1:]) != key_id:
            raise InvalidInput("the cosigner key's ID does not match its name and key")
        return cls(name, key_id, raw[1:])

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([COSIGNATURE_V1]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> None:
        """Check a cosignature (signature line bytes) on the checkpoint text ``message``."""
        try:
            timestamp, raw = split_timestamped_signature(signature)
            text = message.decode()
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(
                raw, cosigned_message(text, timestamp)
            )
        except (InvalidSignature, MalformedNote, UnicodeDecodeError, ValueError):
            raise SignatureError(f"bad cosignature by {self.name}+{self.key_id.hex()}") from None

    def verify_signature(self, signature: NoteSignature, checkpoint_text: str) -> int:
        """Check one cosignature line on a checkpoint; return its timestamp."""
        if (signature.name, signature.key_id) != (self.name, self.key_id):
            raise SignatureError(f"the cosignature is not by {self.name}+{self.key_id.hex()}")
        self.verify(checkpoint_text.encode(), signature.signature)
        return split_timestamped_signature(signature.signature)[0]


class Cosigner:
    """A witness's private key, signing v1 cosignatures at a time it is given."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self.key = CosignerKey.from_public(name, raw_public(private_key.public_key()))

    @property
    def name(self) -> str:
        return self.key.name

    def cosign(self, checkpoint_text: str, *, timestamp: int) -> NoteSignature:
        """The cosignature line for a checkpoint's note text, dated ``timestamp`` (POSIX)."""
        if timestamp < 1:
            raise InvalidInput("a witness cosignature carries a non-zero timestamp")
        signature = self._private.sign(cosigned_message(checkpoint_text, timestamp))
        return NoteSignature(self.key.name, self.key.key_id, _TIMESTAMP.pack(timestamp) + signature)
