"""Typed errors of the directory, each in the family that says who is at fault."""

from __future__ import annotations

from hanoi.errors import (
    Conflict,
    IntegrityError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RuleViolation,
)


class MalformedDirectory(InvalidInput):
    """A directory document or State entry that is not well-formed; names the member."""


class DirectoryTooLarge(PayloadTooLarge):
    """More bytes, States, keys or characters than the limits allow."""


class BadDirectorySignature(IntegrityError):
    """The document is not signed by the pinned directory authority key."""


class BadEntrySignature(IntegrityError):
    """A State entry's signature does not verify, or is by a key not allowed to sign it."""


class DirectoryRollback(RuleViolation):
    """The document is older than the one held (a rollback or replay)."""


class DirectoryFork(RuleViolation):
    """The same version as the one held, with different content (equivocation)."""


class EntryRollback(RuleViolation):
    """A State entry changed without a higher serial than the one held."""


class DirectoryExpired(RuleViolation):
    """The document's expiry time has passed."""


class KeyOutsideValidity(RuleViolation):
    """A State key used at a time outside its validity period."""


class KeyNotYetValid(KeyOutsideValidity):
    """Used before the key's ``valid_from``."""


class KeyRetired(KeyOutsideValidity):
    """Used at or after the key's ``valid_until``: the key was rotated out."""


class NoDirectory(NotFound):
    """No directory is held yet."""


class UnknownState(NotFound):
    """The State is not in the directory."""


class UnknownKey(NotFound):
    """The State lists no key with that key ID."""


class PinMismatch(Conflict):
    """A different directory authority key is pinned already."""
