"""The signature of a HI-1 message of this profile: a detached JWS in ETSI's ``Signature``.

TS 103 120 (since v1.15.1, CR052 "Signing JSON documents") lets a JSON message carry its
signature in the top-level member ``Signature`` with two members, ``protected`` and
``signature`` (ETSI's example ``request1_signed.json``): the two outer parts of a JWS
whose payload is detached (RFC 7515 Appendix F). This profile fills them with Hanoi's one
JWS (:mod:`hanoi.crypto.jws`): EdDSA with the sender's Ed25519 key, ``kid`` its RFC 7638
thumbprint, ``typ`` :data:`JWS_TYPE`. The signed payload is the RFC 8785 canonical JSON
(:func:`hanoi.wire.canonical_json`) of the whole message without its ``Signature`` and
``Signatures`` members, so the message's own bytes may be re-indented in transit and still
verify. The signature therefore travels inside the message; no HTTP header is needed.

ETSI's other form, ``Signatures`` (a list of raw signatures with ``hash_algorithm``,
``algorithm`` and ``public_key``, ``response1_signed.json``), is not used: it does not say
what bytes are signed in a way another implementation can recompute.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hanoi.crypto.jws import JwsFormatError, JwsHeader, sign_detached, verify_detached
from hanoi.providers.hi1.errors import MessageInvalid
from hanoi.wire import canonical_json

JWS_TYPE = "hanoi-hi1+jws"
SIGNATURE = "Signature"
_UNSIGNED = frozenset({"Signature", "Signatures"})


def signed_payload(message: Mapping[str, Any]) -> bytes:
    """The bytes the signature covers: the canonical message without its signatures."""
    return canonical_json(
        {key: value for key, value in message.items() if key not in _UNSIGNED},
        error=MessageInvalid,
        what="the HI-1 message",
    )


def sign_message(message: Mapping[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """A copy of ``message`` with its ``Signature`` (any previous one replaced)."""
    header, _, signature = sign_detached(signed_payload(message), key, typ=JWS_TYPE).split(".")
    unsigned = {k: v for k, v in message.items() if k not in _UNSIGNED}
    return {**unsigned, SIGNATURE: {"protected": header, "signature": signature}}


def verify_message(
    message: Mapping[str, Any], *, key_for: Callable[[str], Ed25519PublicKey]
) -> JwsHeader:
    """Check ``message``'s ``Signature``; return the JWS header (its ``kid`` names the key).

    ``key_for`` maps the ``kid`` to the sender's public key, or raises. A message without a
    signature, or with one of another form, is :class:`~hanoi.crypto.jws.JwsFormatError`; a
    signature that does not verify is :class:`~hanoi.crypto.jws.JwsSignatureError`."""
    signature = message.get(SIGNATURE)
    if not isinstance(signature, Mapping):
        raise JwsFormatError("the HI-1 message has no Signature")
    protected, value = signature.get("protected"), signature.get("signature")
    if not isinstance(protected, str) or not isinstance(value, str):
        raise JwsFormatError("the HI-1 message's Signature needs 'protected' and 'signature'")
    return verify_detached(
        f"{protected}..{value}",
        signed_payload(message),
        typ=JWS_TYPE,
        key_for=key_for,
        what="the HI-1 message",
    )
