"""Whose keys a reader of signed statistics trusts: the signed directory of the
federation, or a trust file. Pure.

Both are read by the code that already reads them, never a second reader: the directory
by :meth:`~hanoi.directory.trust.TrustedDirectory.from_held` (the authority's signature
and every State's signature on its own entry; expiry is not checked, since figures of a
past year are read against the directory of that year), the trust file by
:func:`~hanoi.evidence.trust.parse_trust`, as ``hanoi evidence verify --trust`` reads it.

A directory is only as good as the key of the authority that signed it, so reading one
needs that key (given out of band, as for ``hanoi directory import --pin``). The
directory says when each key of a State was valid; a trust file does not, and its nodes
are trusted as they are listed.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hanoi.custody.encoding import load_json
from hanoi.directory.limits import DEFAULT_LIMITS as DIRECTORY_LIMITS
from hanoi.directory.trust import TrustedDirectory
from hanoi.errors import InvalidInput, NotFound
from hanoi.evidence.layout import DEFAULT_PACKAGE_LIMITS
from hanoi.evidence.package_errors import UntrustedSigner
from hanoi.evidence.trust import MalformedTrustFile, TrustStore, parse_trust
from hanoi.statistics.signed import StatisticsTrust, TrustedKey, UntrustedStatistics

MAX_TRUST_BYTES = max(DIRECTORY_LIMITS.max_document_bytes, DEFAULT_PACKAGE_LIMITS.max_trust_file)


class DirectoryTrust:
    """The States of a signed directory, each with the keys its own entry lists."""

    def __init__(self, directory: TrustedDirectory) -> None:
        self._directory = directory

    @property
    def version(self) -> int:
        return self._directory.directory.version

    def signing_key(self, state: str, key_id: str) -> TrustedKey:
        version = self.version
        try:
            entry = self._directory.entry(state)
        except NotFound:
            raise UntrustedStatistics(
                f"State {state[:16]!r} runs no node in directory version {version}: "
                "its signature cannot be checked"
            ) from None
        try:
            key = entry.key(key_id)
        except NotFound:
            raise UntrustedStatistics(
                f"signed with key {key_id[:64]}, which is not a key of {entry.state} in "
                f"directory version {version}"
            ) from None
        return TrustedKey(entry.state, key.public(), key.valid_from, key.valid_until)


class TrustFileTrust:
    """The nodes of a trust file (``hanoi node show``, one or a list)."""

    def __init__(self, store: TrustStore) -> None:
        self._store = store

    def signing_key(self, state: str, key_id: str) -> TrustedKey:
        try:
            node = self._store.signer(key_id)
        except UntrustedSigner:
            raise UntrustedStatistics(
                f"signed by key {key_id[:64]}, which is not in the trust file"
            ) from None
        if node.state != state:
            raise UntrustedStatistics(
                f"signed with key {key_id[:64]}, which the trust file gives to {node.state}, "
                f"not to {state[:16]!r}"
            )
        return TrustedKey(node.state, self._store.signing_key(key_id))


def is_directory(data: bytes) -> bool:
    """Whether ``data`` is a signed directory document rather than a trust file."""
    value = load_json(
        data, error=MalformedTrustFile, what="--trust", max_bytes=MAX_TRUST_BYTES, max_depth=32
    )
    return isinstance(value, dict) and "directory" in value and "signature" in value


def load_trust_source(data: bytes, *, authority_key: Ed25519PublicKey | None) -> StatisticsTrust:
    """The trust of ``data``: a signed directory (checked with ``authority_key``, which it
    needs) or a trust file (which takes no authority key)."""
    if is_directory(data):
        if authority_key is None:
            raise InvalidInput(
                "--trust is a signed directory: give the directory authority's public key "
                "with --authority-key, or its signatures prove nothing"
            )
        return DirectoryTrust(TrustedDirectory.from_held(authority_key, data))
    if authority_key is not None:
        raise InvalidInput(
            "--authority-key checks a signed directory, and --trust is a trust file "
            "(nodes as 'hanoi node show' prints them)"
        )
    return TrustFileTrust(parse_trust(data))
