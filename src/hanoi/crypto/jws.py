"""JWS (RFC 7515) with Ed25519 keys, through ``joserfc``: compact and detached.

A general helper for anything Hanoi signs as a JWS. The signature is ``EdDSA``
(RFC 8037) with the key's RFC 7638 thumbprint as ``kid`` and a ``typ`` that
names what is signed, so a signature made for one purpose is never accepted
for another. ``Ed25519`` (RFC 9864's fully-specified name) is accepted too.

A **detached** JWS (RFC 7515, Appendix F) is the compact serialisation with
the payload part left empty: ``<header>..<signature>``. The verifier puts the
payload back; any JOSE library does the same. The payload here is always the
RFC 8785 canonical form of a JSON object, recomputed by the verifier.

``joserfc`` warns that RFC 9864 deprecates ``EdDSA`` because the name alone
does not fix the curve; the key is always an Ed25519 key, checked before use,
so that warning is silenced around these calls only.

Errors: :class:`JwsFormatError` (an :class:`~hanoi.errors.InvalidInput`) when
the text is not a JWS of the expected kind, :class:`JwsSignatureError` (an
:class:`~hanoi.errors.IntegrityError`) when it does not verify. ``key_for``
callbacks raise their own typed errors for keys they do not know.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OKPKey

from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.errors import IntegrityError, InvalidInput

SIGNING_ALGORITHM = "EdDSA"
ACCEPTED_ALGORITHMS = ("EdDSA", "Ed25519")
HEADER_MEMBERS = frozenset({"alg", "kid", "typ"})
MAX_SIGNATURE_CHARS = 1024  # a detached Ed25519 JWS with our header is about 250


class JwsFormatError(InvalidInput):
    """Not a JWS of the expected kind (syntax, algorithm, header, type)."""


class JwsSignatureError(IntegrityError):
    """A well-formed JWS whose signature does not verify with the named key."""


@dataclass(frozen=True, slots=True)
class JwsHeader:
    algorithm: str
    key_id: str
    type: str


def _registry(max_payload: int) -> jws.JWSRegistry:
    registry = jws.JWSRegistry(algorithms=list(ACCEPTED_ALGORITHMS))
    registry.max_payload_length = max_payload
    return registry


def sign_compact(payload: bytes, key: Ed25519PrivateKey, *, typ: str) -> str:
    """``<header>.<payload>.<signature>`` with ``alg`` EdDSA, ``kid`` and ``typ``."""
    header = {"alg": SIGNING_ALGORITHM, "kid": jwk_thumbprint(key.public_key()), "typ": typ}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        return jws.serialize_compact(
            header, payload, OKPKey.import_key(key), registry=_registry(len(payload) + 1)
        )


def sign_detached(payload: bytes, key: Ed25519PrivateKey, *, typ: str) -> str:
    """``<header>..<signature>``: a compact JWS over ``payload`` without the payload."""
    header, _, signature = sign_compact(payload, key, typ=typ).split(".")
    return f"{header}..{signature}"


def _checked_header(header: dict[str, object], *, typ: str, what: str) -> JwsHeader:
    extra = sorted(set(header) - HEADER_MEMBERS)
    if extra:
        raise JwsFormatError(f"{what}: unexpected JWS header members {', '.join(extra)[:80]}")
    algorithm, key_id, found_typ = header.get("alg"), header.get("kid"), header.get("typ")
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise JwsFormatError(f"{what}: JWS algorithm {str(algorithm)[:20]!r} is not EdDSA")
    if not isinstance(key_id, str) or not key_id or len(key_id) > 100:
        raise JwsFormatError(f"{what}: the JWS header has no usable 'kid'")
    if found_typ != typ:
        raise JwsFormatError(f"{what}: JWS 'typ' is {str(found_typ)[:60]!r}, not {typ!r}")
    return JwsHeader(str(algorithm), key_id, typ)


def verify_detached(
    signature: str,
    payload: bytes,
    *,
    typ: str,
    key_for: Callable[[str], Ed25519PublicKey],
    what: str,
) -> JwsHeader:
    """Check ``signature`` (``<header>..<sig>``) over ``payload``; return its header.

    ``key_for`` maps the header's ``kid`` to a public key, or raises.
    """
    if len(signature) > MAX_SIGNATURE_CHARS:
        raise JwsFormatError(f"{what}: the signature is longer than {MAX_SIGNATURE_CHARS} chars")
    parts = signature.split(".")
    if len(parts) != 3 or parts[1] != "" or not parts[0] or not parts[2]:
        raise JwsFormatError(f"{what}: not a detached JWS (<header>..<signature>)")
    registry = _registry(max(len(payload), 1))
    try:
        token = jws.extract_compact(signature.encode("ascii"), payload=payload, registry=registry)
        header = dict(token.headers())
    except (JoseError, ValueError, UnicodeEncodeError) as exc:
        raise JwsFormatError(f"{what}: not a valid JWS: {exc}") from None
    checked = _checked_header(header, typ=typ, what=what)
    public = key_for(checked.key_id)
    if jwk_thumbprint(public) != checked.key_id:
        raise JwsSignatureError(f"{what}: key {checked.key_id} does not match its thumbprint")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            valid = jws.validate_compact(token, OKPKey.import_key(public), registry=registry)
    except (JoseError, ValueError) as exc:
        raise JwsFormatError(f"{what}: cannot be verified: {exc}") from None
    if not valid:
        raise JwsSignatureError(
            f"{what}: the signature does not verify with key {checked.key_id}: "
            "the signed content was altered or signed by another key"
        )
    return checked
