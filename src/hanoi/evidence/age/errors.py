"""What can go wrong with an age file, in Hanoi's error families.

Each class matches one outcome of the age test vectors (C2SP CCTV):

==========================  ====================  ==========================
class                       family                vector ``expect``
==========================  ====================  ==========================
:class:`MalformedHeader`    ``InvalidInput``      ``header failure``
:class:`MalformedArmor`     ``InvalidInput``      ``armor failure``
:class:`NoIdentityMatch`    ``InvalidInput``      ``no match``
:class:`HeaderMacMismatch`  ``IntegrityError``    ``HMAC failure``
:class:`PayloadCorrupted`   ``IntegrityError``    ``payload failure``
==========================  ====================  ==========================

A file that no supplied identity opens is the caller's problem (wrong key or
passphrase), not proof of tampering, so :class:`NoIdentityMatch` is invalid
input. Once a key is unwrapped, any mismatch is an integrity failure.
"""

from __future__ import annotations

from hanoi.errors import HanoiError, IntegrityError, InvalidInput


class AgeError(HanoiError):
    """Marker base of every age error; the family comes from the second base."""


class MalformedHeader(AgeError, InvalidInput):
    """The header breaks the age v1 grammar, or a stanza breaks its type's rules."""


class UnsupportedVersion(MalformedHeader):
    """The file is age, but of a version other than ``age-encryption.org/v1``."""


class MalformedStanza(MalformedHeader):
    """A recipient stanza of a known type is malformed or must be refused."""


class MalformedArmor(AgeError, InvalidInput):
    """The ASCII armor is not the strict PEM encoding that age requires."""


class NoIdentityMatch(AgeError, InvalidInput):
    """None of the supplied identities unwraps the file key."""

    def __init__(self, stanza_types: tuple[str, ...]) -> None:
        listed = ", ".join(stanza_types) if stanza_types else "none"
        super().__init__(
            f"no supplied identity matches any recipient of this age file (stanzas: {listed})"
        )
        self.stanza_types = stanza_types


class HeaderMacMismatch(AgeError, IntegrityError):
    """The header MAC does not match: the header was altered after encryption."""


class PayloadCorrupted(AgeError, IntegrityError):
    """A payload chunk fails authentication, or the chunk sequence is invalid."""


class PayloadTruncated(PayloadCorrupted):
    """The payload ends without a final chunk."""


class TrailingData(PayloadCorrupted):
    """Bytes follow the final chunk."""
