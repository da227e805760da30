"""JWS compact serialisation with Ed25519 keys, through ``joserfc``.

We sign with ``alg`` ``EdDSA`` (RFC 8037), which every JOSE library verifies,
and accept ``Ed25519`` too (RFC 9864's fully-specified name for the same
thing). ``joserfc`` warns that RFC 9864 deprecates ``EdDSA`` because the name
alone does not fix the curve; here the key is always an Ed25519 key, checked
before use, so that warning is silenced around our own calls only.
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
from hanoi.evidence.package_errors import BadStatementSignature, MalformedPackage

SIGNING_ALGORITHM = "EdDSA"
ACCEPTED_ALGORITHMS = ("EdDSA", "Ed25519")
JWS_TYPE = "hanoi-evidence-statement+jws"
WHAT = "statement.jws"


def _registry(max_bytes: int) -> jws.JWSRegistry:
    registry = jws.JWSRegistry(algorithms=list(ACCEPTED_ALGORITHMS))
    registry.max_payload_length = max_bytes
    return registry


def sign_compact(payload: bytes, key: Ed25519PrivateKey) -> bytes:
    header = {
        "alg": SIGNING_ALGORITHM,
        "kid": jwk_thumbprint(key.public_key()),
        "typ": JWS_TYPE,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        token = jws.serialize_compact(
            header, payload, OKPKey.import_key(key), registry=_registry(len(payload) * 2)
        )
    return token.encode("ascii")


@dataclass(frozen=True, slots=True)
class VerifiedJws:
    payload: bytes
    key_id: str
    algorithm: str
    key: Ed25519PublicKey


def verify_compact(
    data: bytes, *, key_for: Callable[[str], Ed25519PublicKey], max_bytes: int
) -> VerifiedJws:
    """Check the header, find the key by ``kid`` (``key_for`` raises if it knows none), verify."""
    if len(data) > max_bytes:
        raise MalformedPackage(f"{WHAT}: larger than {max_bytes} bytes")
    registry = _registry(max_bytes)
    try:
        token = jws.extract_compact(data.strip(), registry=registry)
        header = token.headers()
    except (JoseError, ValueError) as exc:
        raise MalformedPackage(f"{WHAT}: not a compact JWS: {exc}") from None
    extra = sorted(set(header) - {"alg", "kid", "typ"})
    if extra:
        raise MalformedPackage(f"{WHAT}: unexpected header members {', '.join(extra)[:80]}")
    algorithm, key_id = header.get("alg"), header.get("kid")
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise MalformedPackage(f"{WHAT}: algorithm {str(algorithm)[:20]!r} is not EdDSA")
    if not isinstance(key_id, str) or not key_id:
        raise MalformedPackage(f"{WHAT}: the header has no 'kid'")
    if header.get("typ", JWS_TYPE) != JWS_TYPE:
        raise MalformedPackage(f"{WHAT}: 'typ' is not {JWS_TYPE!r}")
    public = key_for(key_id)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            valid = jws.validate_compact(token, OKPKey.import_key(public), registry=registry)
    except (JoseError, ValueError) as exc:
        raise MalformedPackage(f"{WHAT}: cannot be verified: {exc}") from None
    if not valid:
        raise BadStatementSignature(
            f"{WHAT}: the signature does not verify with key {key_id}: "
            "the statement was altered after signing"
        )
    return VerifiedJws(token.payload, key_id, str(algorithm), public)
