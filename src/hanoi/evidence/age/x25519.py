"""The X25519 recipient type: wrap and unwrap the file key.

::

    -> X25519 <base64 ephemeral share>
    <base64 ChaCha20-Poly1305(wrap key, file key)>

    wrap key = HKDF-SHA-256(ikm = X25519(ephemeral, recipient),
                            salt = ephemeral share || recipient,
                            info = "age-encryption.org/v1/X25519")

Keys are :class:`hanoi.crypto.agekeys.AgeRecipient` (``age1...``) and
:class:`~hanoi.crypto.agekeys.AgeIdentity` (``AGE-SECRET-KEY-1...``).
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hanoi.crypto.agekeys import AgeIdentity, AgeRecipient
from hanoi.evidence.age import b64
from hanoi.evidence.age.errors import MalformedStanza
from hanoi.evidence.age.header import Stanza
from hanoi.evidence.age.primitives import hkdf_sha256, open_file_key, seal_file_key

STANZA_TYPE = "X25519"
_LABEL = b"age-encryption.org/v1/X25519"
_POINT_SIZE = 32
_ALL_ZERO = bytes(32)


def _public_bytes(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _shared_secret(secret: X25519PrivateKey, share: bytes) -> bytes:
    """X25519, refusing the all-zero output of low-order points (the spec says abort)."""
    try:
        shared = secret.exchange(X25519PublicKey.from_public_bytes(share))
    except ValueError:  # OpenSSL refuses an all-zero shared secret itself
        raise MalformedStanza("X25519 stanza: the share is a low-order point") from None
    if shared == _ALL_ZERO:
        raise MalformedStanza("X25519 stanza: the share is a low-order point")
    return shared


def wrap(recipient: AgeRecipient, file_key: bytes) -> Stanza:
    ephemeral = X25519PrivateKey.generate()
    share = _public_bytes(ephemeral.public_key())
    shared = _shared_secret(ephemeral, recipient.public_key)
    wrap_key = hkdf_sha256(shared, salt=share + recipient.public_key, info=_LABEL)
    return Stanza(
        STANZA_TYPE,
        (b64.encode_unpadded(share).decode("ascii"),),
        seal_file_key(wrap_key, file_key),
    )


def check_stanza(stanza: Stanza) -> bytes:
    """Validate an ``X25519`` stanza's form; return the ephemeral share."""
    if len(stanza.args) != 1:
        raise MalformedStanza("X25519 stanza: exactly one argument (the share) is required")
    try:
        share = b64.decode_unpadded(stanza.args[0].encode("ascii"))
    except b64.Base64Error as exc:
        raise MalformedStanza(f"X25519 stanza: the share is not canonical base64: {exc}") from None
    if len(share) != _POINT_SIZE:
        raise MalformedStanza("X25519 stanza: the share must be 32 bytes")
    return share


def unwrap(identity: AgeIdentity, stanza: Stanza) -> bytes | None:
    """The file key if ``stanza`` is for ``identity``; ``None`` if it is not.

    Stanzas of other types are ignored. A malformed ``X25519`` stanza, or one
    whose share is a low-order point, raises :class:`MalformedStanza`.
    """
    if stanza.type != STANZA_TYPE:
        return None
    share = check_stanza(stanza)
    secret = identity.private_key()
    shared = _shared_secret(secret, share)
    ours = _public_bytes(secret.public_key())
    wrap_key = hkdf_sha256(shared, salt=share + ours, info=_LABEL)
    return open_file_key(wrap_key, stanza.body, kind=STANZA_TYPE)
