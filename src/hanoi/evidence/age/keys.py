"""The file key: wrapped for recipients into a header, unwrapped by identities.

Supported types: X25519 (``age1...`` / ``AGE-SECRET-KEY-1...``) and scrypt
(passphrases). Stanzas of any other type, such as the post-quantum
``mlkem768x25519``, are ignored as the spec requires of an identity that does
not implement them; a file addressed only to such recipients ends in
:class:`NoIdentityMatch`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from hanoi.crypto.agekeys import AgeIdentity, AgeRecipient
from hanoi.errors import InvalidInput
from hanoi.evidence.age import scrypt, x25519
from hanoi.evidence.age.errors import HeaderMacMismatch, MalformedHeader, NoIdentityMatch
from hanoi.evidence.age.header import Header, Stanza, mac_input
from hanoi.evidence.age.primitives import header_mac, macs_equal
from hanoi.evidence.age.scrypt import ScryptIdentity, ScryptRecipient
from hanoi.evidence.age.spec import DEFAULT_LIMITS, FILE_KEY_SIZE, Limits

Recipient = AgeRecipient | ScryptRecipient
Identity = AgeIdentity | ScryptIdentity


def new_file_key() -> bytes:
    return os.urandom(FILE_KEY_SIZE)


def _wrap(recipient: Recipient, file_key: bytes) -> Stanza:
    if isinstance(recipient, AgeRecipient):
        return x25519.wrap(recipient, file_key)
    return scrypt.wrap(recipient, file_key)


def build_header(file_key: bytes, recipients: Sequence[Recipient]) -> Header:
    """Wrap ``file_key`` for every recipient and MAC the result."""
    if len(file_key) != FILE_KEY_SIZE:
        raise InvalidInput("an age file key is 16 bytes")
    if not recipients:
        raise InvalidInput("an age file needs at least one recipient")
    if any(isinstance(r, ScryptRecipient) for r in recipients) and len(recipients) > 1:
        raise InvalidInput("a passphrase must be the only recipient of an age file")
    stanzas = tuple(_wrap(r, file_key) for r in recipients)
    return Header(stanzas, header_mac(file_key, mac_input(stanzas)))


def check_stanza_mix(header: Header) -> None:
    """An scrypt stanza must be alone: with others, a passphrase would not authenticate."""
    if len(header.stanzas) > 1 and any(s.type == scrypt.STANZA_TYPE for s in header.stanzas):
        raise MalformedHeader("an scrypt stanza must be the only stanza of the header")


def _unwrap(identity: Identity, stanzas: Sequence[Stanza], *, limits: Limits) -> bytes | None:
    for stanza in stanzas:
        if isinstance(identity, AgeIdentity):
            file_key = x25519.unwrap(identity, stanza)
        else:
            file_key = scrypt.unwrap(identity, stanza, max_log_n=limits.max_scrypt_log_n)
        if file_key is not None:
            return file_key
    return None


def verify_header_mac(header: Header, file_key: bytes) -> None:
    if not macs_equal(header_mac(file_key, header.mac_input()), header.mac):
        raise HeaderMacMismatch("the age header MAC does not match: the header was altered")


def unwrap_file_key(
    header: Header, identities: Sequence[Identity], *, limits: Limits = DEFAULT_LIMITS
) -> bytes:
    """Find the file key with the first identity that opens a stanza, then check the MAC.

    Raises :class:`MalformedHeader` (a stanza breaks its type's rules),
    :class:`NoIdentityMatch`, or :class:`HeaderMacMismatch`.
    """
    if not identities:
        raise InvalidInput("decrypting an age file needs at least one identity")
    check_stanza_mix(header)
    for identity in identities:
        file_key = _unwrap(identity, header.stanzas, limits=limits)
        if file_key is not None:
            verify_header_mac(header, file_key)
            return file_key
    raise NoIdentityMatch(tuple(s.type for s in header.stanzas))
