"""What can go wrong with an evidence package, in Hanoi's error families.

==============================  ==================  =========================================
class                           family              meaning
==============================  ==================  =========================================
:class:`MalformedPackage`       ``InvalidInput``    not a readable package: a file breaks
                                                    its format, is too large, a tar is
                                                    truncated
:class:`UnsafePath`             ``InvalidInput``    a path that would escape the destination
                                                    (``..``, absolute), a link, a device
:class:`PackageTampered`        ``IntegrityError``  a file differs from its manifest, or is
                                                    missing, or was added
:class:`StatementMismatch`      ``IntegrityError``  the bag differs from what the signed
                                                    statement says (a swapped statement)
:class:`BadStatementSignature`  ``IntegrityError``  the statement's signature does not verify
:class:`UntrustedSigner`        ``IntegrityError``  the statement is signed by a key the
                                                    verifier was not told to trust
:class:`CustodyNotProven`       ``IntegrityError``  a custody event is not in a trusted,
                                                    witnessed log
:class:`PayloadMismatch`        ``IntegrityError``  decrypted contents differ from the
                                                    statement
==============================  ==================  =========================================

Every message starts with the file it is about, so a tampered package names the
tampered part.
"""

from __future__ import annotations

from hanoi.custody.errors import MalformedError
from hanoi.errors import IntegrityError, InvalidInput


class MalformedPackage(MalformedError):
    """The package cannot be read as a Hanoi evidence package."""


class UnsafePath(MalformedPackage):
    """A path or a tar member that extraction could turn against the destination."""


class PackageTampered(IntegrityError):
    """A file does not match its manifest, or a file is missing or was added."""


class StatementMismatch(IntegrityError):
    """The bag does not match its signed statement."""


class BadStatementSignature(IntegrityError):
    """The statement's signature does not verify with the signer's key."""


class UntrustedSigner(IntegrityError):
    """The statement is signed by a key that is not in the trust file (or not the key given)."""


class CustodyNotProven(IntegrityError):
    """A custody event's inclusion in a trusted log does not verify."""


class PayloadMismatch(IntegrityError):
    """A payload file's decrypted contents differ from what the statement says."""


class NotARecipient(InvalidInput):
    """The identity given to the verifier is not one the package was encrypted to."""
