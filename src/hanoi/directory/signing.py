"""Who signs what in the directory, as detached JWS over RFC 8785 canonical JSON. Pure.

- Each State entry is signed by that State's node key(s): one detached JWS per
  key in ``signatures``, ``typ`` ``hanoi-directory-entry+jws``. During a key
  rotation a State signs with both the old and the new key, so nodes that know
  only the old one still accept the entry.
- The whole ``directory`` object (entries and their signatures included) is
  signed by the directory authority: one detached JWS, ``typ``
  ``hanoi-directory+jws``.

Detached (RFC 7515, Appendix F): the signature is ``<header>..<signature>`` and
the payload is the canonical form of the signed object, which the verifier
recomputes, so the file stays readable JSON and its layout does not matter.
The ``typ`` values keep an entry signature from passing as a document
signature, and either from passing as a federation message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.crypto.jws import JwsFormatError, JwsSignatureError, sign_detached, verify_detached
from hanoi.directory.codec import canonical
from hanoi.directory.errors import BadDirectorySignature, BadEntrySignature
from hanoi.directory.model import Directory, SignedDirectory, SignedStateEntry, StateEntry

ENTRY_JWS_TYPE = "hanoi-directory-entry+jws"
DIRECTORY_JWS_TYPE = "hanoi-directory+jws"


def entry_payload(entry: StateEntry) -> bytes:
    return canonical(entry.to_json())


def directory_payload(directory: Directory) -> bytes:
    return canonical(directory.to_json())


def sign_entry(entry: StateEntry, keys: Sequence[Ed25519PrivateKey]) -> SignedStateEntry:
    """Sign ``entry`` with each of ``keys`` (the State's own node keys)."""
    if not keys:
        raise ValueError("an entry needs at least one signing key")
    ids = [jwk_thumbprint(key.public_key()) for key in keys]
    if len(set(ids)) != len(ids):
        raise ValueError("the same key was given twice")
    payload = entry_payload(entry)
    return SignedStateEntry(
        entry=entry,
        signatures=tuple(sign_detached(payload, key, typ=ENTRY_JWS_TYPE) for key in keys),
    )


def sign_directory(directory: Directory, key: Ed25519PrivateKey) -> SignedDirectory:
    """The directory authority's signature over the whole directory object."""
    signature = sign_detached(directory_payload(directory), key, typ=DIRECTORY_JWS_TYPE)
    return SignedDirectory(directory=directory, signature=signature)


def verify_directory_signature(signed: SignedDirectory, authority_key: Ed25519PublicKey) -> None:
    """Raise :class:`BadDirectorySignature` unless the pinned authority key signed it."""
    pinned = jwk_thumbprint(authority_key)

    def key_for(key_id: str) -> Ed25519PublicKey:
        if key_id != pinned:
            raise BadDirectorySignature(
                f"directory version {signed.version} is signed by key {key_id[:64]}, "
                f"not by the pinned directory authority key {pinned}"
            )
        return authority_key

    try:
        verify_detached(
            signed.signature,
            directory_payload(signed.directory),
            typ=DIRECTORY_JWS_TYPE,
            key_for=key_for,
            what=f"directory version {signed.version}",
        )
    except (JwsFormatError, JwsSignatureError) as exc:
        raise BadDirectorySignature(
            f"the directory authority's signature is not valid: {exc.diagnostics()}"
        ) from None


def entry_signers(
    signed: SignedStateEntry, *, key_for: Callable[[str], Ed25519PublicKey]
) -> frozenset[str]:
    """Verify every signature on the entry; return the key IDs that signed it.

    ``key_for`` returns the public key of a key ID the State may sign with, or
    raises :class:`BadEntrySignature`. One bad signature fails the entry, even
    if another is good: nothing unverifiable is kept.
    """
    state = signed.state
    payload = entry_payload(signed.entry)
    signers: set[str] = set()
    for index, signature in enumerate(signed.signatures):
        try:
            header = verify_detached(
                signature,
                payload,
                typ=ENTRY_JWS_TYPE,
                key_for=key_for,
                what=f"signature {index} on the entry of {state}",
            )
        except (JwsFormatError, JwsSignatureError) as exc:
            raise BadEntrySignature(exc.diagnostics()) from None
        if header.key_id in signers:
            raise BadEntrySignature(f"the entry of {state} is signed twice by {header.key_id}")
        signers.add(header.key_id)
    return frozenset(signers)


def keys_by_id(*entries: StateEntry | None) -> Mapping[str, Ed25519PublicKey]:
    """The public keys listed in ``entries``, by key ID (later entries do not override)."""
    found: dict[str, Ed25519PublicKey] = {}
    for entry in entries:
        if entry is None:
            continue
        for key in entry.keys:
            found.setdefault(key.key_id, key.public())
    return found


class KeyLookup:
    """``key_for`` over the keys a State may sign its entry with; unknown IDs are refused."""

    def __init__(self, keys: Mapping[str, Ed25519PublicKey], state: str) -> None:
        self._keys, self._state = keys, state

    def __call__(self, key_id: str) -> Ed25519PublicKey:
        try:
            return self._keys[key_id]
        except KeyError:
            raise BadEntrySignature(
                f"the entry of {self._state} is signed by key {key_id[:64]}, "
                f"which is not a key of {self._state}"
            ) from None


def verify_self_signed(signed: SignedStateEntry) -> frozenset[str]:
    """Every signature verifies with a key the entry itself lists (a State seen first)."""
    return entry_signers(signed, key_for=KeyLookup(keys_by_id(signed.entry), signed.state))
