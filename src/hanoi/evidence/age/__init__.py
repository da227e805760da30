"""age v1 file encryption (C2SP ``age``), Hanoi's own implementation.

Evidence travels encrypted as age files, so that the ``age`` tool opens it
without Hanoi. This package reads and writes them in one streaming pass with
bounded memory, hashes plaintext and ciphertext on the way, seeks in the
plaintext of stored files, and passes every C2SP age test vector whose
features it supports (see ``docs/adr/0004-own-age-implementation.md``).

Recipients are :class:`~hanoi.crypto.agekeys.AgeRecipient` (``age1...``) or
:class:`ScryptRecipient`; identities are :class:`~hanoi.crypto.agekeys.AgeIdentity`
(``AGE-SECRET-KEY-1...``) or :class:`ScryptIdentity`.
"""

from hanoi.evidence.age.errors import (
    AgeError,
    HeaderMacMismatch,
    MalformedArmor,
    MalformedHeader,
    MalformedStanza,
    NoIdentityMatch,
    PayloadCorrupted,
    PayloadTruncated,
    TrailingData,
    UnsupportedVersion,
)
from hanoi.evidence.age.keys import Identity, Recipient
from hanoi.evidence.age.pipeline import Digest, StreamStats
from hanoi.evidence.age.reader import Decryptor, decrypt_file
from hanoi.evidence.age.scrypt import ScryptIdentity, ScryptRecipient
from hanoi.evidence.age.spec import DEFAULT_LIMITS, Limits
from hanoi.evidence.age.writer import Encryptor, encrypt_file

__all__ = [
    "DEFAULT_LIMITS",
    "AgeError",
    "Decryptor",
    "Digest",
    "Encryptor",
    "HeaderMacMismatch",
    "Identity",
    "Limits",
    "MalformedArmor",
    "MalformedHeader",
    "MalformedStanza",
    "NoIdentityMatch",
    "PayloadCorrupted",
    "PayloadTruncated",
    "Recipient",
    "ScryptIdentity",
    "ScryptRecipient",
    "StreamStats",
    "TrailingData",
    "UnsupportedVersion",
    "decrypt_file",
    "encrypt_file",
]
