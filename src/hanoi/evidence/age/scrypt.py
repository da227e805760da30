"""The scrypt (passphrase) recipient type.

::

    -> scrypt <base64 16-byte salt> <log2 N, decimal, no leading zero>
    <base64 ChaCha20-Poly1305(wrap key, file key)>

    wrap key = scrypt(N, r = 8, p = 1, dkLen = 32,
                      S = "age-encryption.org/v1/scrypt" || salt, P = passphrase)

An scrypt stanza must be the only stanza of its header (checked for every
header in :func:`hanoi.evidence.age.keys.unwrap_file_key`). The work factor is
capped by :attr:`hanoi.evidence.age.spec.Limits.max_scrypt_log_n`, since a
hostile file could otherwise demand any amount of memory and time.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from hanoi.errors import InvalidInput
from hanoi.evidence.age import b64
from hanoi.evidence.age.errors import MalformedStanza
from hanoi.evidence.age.header import Stanza
from hanoi.evidence.age.primitives import WRAPPED_KEY_SIZE, open_file_key, seal_file_key
from hanoi.evidence.age.spec import DEFAULT_SCRYPT_LOG_N

STANZA_TYPE = "scrypt"
_LABEL = b"age-encryption.org/v1/scrypt"
_SALT_SIZE = 16
_WORK_FACTOR = re.compile(r"[1-9][0-9]*")


def _check_passphrase(passphrase: str) -> bytes:
    if not passphrase:
        raise InvalidInput("an age passphrase cannot be empty")
    return passphrase.encode("utf-8")


def _wrap_key(passphrase: bytes, *, salt: bytes, log_n: int) -> bytes:
    return Scrypt(salt=_LABEL + salt, length=32, n=1 << log_n, r=8, p=1).derive(passphrase)


@dataclass(frozen=True, slots=True)
class ScryptRecipient:
    """Encrypt to a passphrase, with work factor ``2**log_n`` (the age tool uses 18)."""

    passphrase: str = field(repr=False)
    log_n: int = DEFAULT_SCRYPT_LOG_N

    def __post_init__(self) -> None:
        _check_passphrase(self.passphrase)
        if not 1 <= self.log_n <= 30:
            raise InvalidInput("the scrypt work factor (log2 N) must be between 1 and 30")


@dataclass(frozen=True, slots=True)
class ScryptIdentity:
    """Decrypt with a passphrase; the accepted work factor is capped by the reader's limits."""

    passphrase: str = field(repr=False)

    def __post_init__(self) -> None:
        _check_passphrase(self.passphrase)


def wrap(recipient: ScryptRecipient, file_key: bytes) -> Stanza:
    salt = os.urandom(_SALT_SIZE)
    key = _wrap_key(_check_passphrase(recipient.passphrase), salt=salt, log_n=recipient.log_n)
    args = (b64.encode_unpadded(salt).decode("ascii"), str(recipient.log_n))
    return Stanza(STANZA_TYPE, args, seal_file_key(key, file_key))


def check_stanza(stanza: Stanza, *, max_log_n: int) -> tuple[bytes, int]:
    """Validate an ``scrypt`` stanza's form; return its salt and work factor."""
    if len(stanza.args) != 2:
        raise MalformedStanza("scrypt stanza: exactly two arguments (salt, work factor) required")
    salt_text, factor_text = stanza.args
    try:
        salt = b64.decode_unpadded(salt_text.encode("ascii"))
    except b64.Base64Error as exc:
        raise MalformedStanza(f"scrypt stanza: the salt is not canonical base64: {exc}") from None
    if len(salt) != _SALT_SIZE:
        raise MalformedStanza("scrypt stanza: the salt must be 16 bytes")
    if not _WORK_FACTOR.fullmatch(factor_text):
        raise MalformedStanza("scrypt stanza: the work factor must be a decimal without sign or 0")
    if len(factor_text) > 2 or int(factor_text) > max_log_n:
        raise MalformedStanza(
            f"scrypt stanza: work factor {factor_text[:8]} is above the limit of {max_log_n}"
        )
    if len(stanza.body) != WRAPPED_KEY_SIZE:
        raise MalformedStanza("scrypt stanza: the wrapped file key must be 32 bytes")
    return salt, int(factor_text)


def unwrap(identity: ScryptIdentity, stanza: Stanza, *, max_log_n: int) -> bytes | None:
    """The file key if the passphrase opens ``stanza``; ``None`` if not, or not scrypt."""
    if stanza.type != STANZA_TYPE:
        return None
    salt, log_n = check_stanza(stanza, max_log_n=max_log_n)
    key = _wrap_key(_check_passphrase(identity.passphrase), salt=salt, log_n=log_n)
    return open_file_key(key, stanza.body, kind=STANZA_TYPE)
