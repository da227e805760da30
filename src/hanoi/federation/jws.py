"""JWS compact serialisation for messages and receipts: EdDSA over Ed25519, via ``joserfc``.

The protected header holds exactly ``alg`` (``EdDSA``; ``Ed25519``, RFC 9864's
name for the same, is accepted), ``kid`` (the RFC 7638 thumbprint of the
signing key), ``typ`` (what the payload is) and ``iss`` (the State that
signs, replicated from the payload as RFC 7519 section 5.3 allows, so the key
can be looked up before the payload is trusted). Any other member, ``crit``
and ``b64`` included, is refused: nothing may change how the signature is read.

Parsing and verifying are two steps, because the key is found from the header
and the signed payload (its ``sent_at``) before the signature is checked.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OKPKey
from joserfc.registry import HeaderParameter

from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.errors import HanoiError

SIGNING_ALGORITHM = "EdDSA"
ACCEPTED_ALGORITHMS = ("EdDSA", "Ed25519")
HEADER_MEMBERS = frozenset({"alg", "kid", "typ", "iss"})


def _registry(max_bytes: int) -> jws.JWSRegistry:
    registry = jws.JWSRegistry(
        header_registry={"iss": HeaderParameter("the signing State", "str")},
        algorithms=list(ACCEPTED_ALGORITHMS),
    )
    registry.max_payload_length = max_bytes
    return registry


def sign(payload: bytes, key: Ed25519PrivateKey, *, typ: str, issuer: str) -> bytes:
    header = {
        "alg": SIGNING_ALGORITHM,
        "kid": jwk_thumbprint(key.public_key()),
        "typ": typ,
        "iss": issuer,
    }
    with warnings.catch_warnings():
        # joserfc warns that RFC 9864 deprecates the name "EdDSA"; the key is always Ed25519.
        warnings.simplefilter("ignore", SecurityWarning)
        token = jws.serialize_compact(
            header, payload, OKPKey.import_key(key), registry=_registry(len(payload) + 1)
        )
    return token.encode("ascii")


@dataclass(frozen=True, slots=True)
class ParsedJws:
    """A compact JWS whose header has been checked, but whose signature has not."""

    token: jws.CompactSignature
    key_id: str
    issuer: str
    max_bytes: int

    @property
    def payload(self) -> bytes:
        return self.token.payload


def parse(
    data: bytes,
    *,
    typ: str,
    max_bytes: int,
    malformed: type[HanoiError],
    unsigned: type[HanoiError],
) -> ParsedJws:
    """Split and decode a compact JWS and check its header; raise ``malformed`` or ``unsigned``."""
    if data.count(b".") != 2:
        raise unsigned("not a compact JWS (three base64url parts joined by dots)")
    try:
        token = jws.extract_compact(data, registry=_registry(max_bytes))
        header: dict[str, Any] = dict(token.headers())
    except (JoseError, ValueError, TypeError) as exc:
        raise unsigned(f"not a compact JWS: {str(exc)[:120]}") from None
    algorithm = header.get("alg")
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise unsigned(f"the JWS algorithm is {str(algorithm)[:20]!r}, not EdDSA")
    if not token.segments.get("signature"):
        raise unsigned("the JWS has no signature")
    extra = sorted(set(header) - HEADER_MEMBERS)
    if extra:
        raise malformed(f"unexpected JWS header members: {', '.join(extra)[:80]}")
    if header.get("typ") != typ:
        raise malformed(f"the JWS 'typ' is {str(header.get('typ'))[:40]!r}, not {typ!r}")
    key_id, issuer = header.get("kid"), header.get("iss")
    if not isinstance(key_id, str) or not key_id:
        raise malformed("the JWS header has no 'kid'")
    if not isinstance(issuer, str) or not issuer:
        raise malformed("the JWS header has no 'iss' (the signing State)")
    return ParsedJws(token, key_id, issuer, max_bytes)


def verify(parsed: ParsedJws, key: Ed25519PublicKey, *, bad_signature: type[HanoiError]) -> None:
    """Check the signature with ``key``, or raise ``bad_signature``."""
    if jwk_thumbprint(key) != parsed.key_id:
        raise bad_signature(f"key {parsed.key_id} is not the key the directory returned for it")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            valid = jws.validate_compact(
                parsed.token, OKPKey.import_key(key), registry=_registry(parsed.max_bytes)
            )
    except (JoseError, ValueError) as exc:
        raise bad_signature(f"the signature cannot be checked: {str(exc)[:120]}") from None
    if not valid:
        raise bad_signature(
            f"the signature does not verify with key {parsed.key_id} of {parsed.issuer}"
        )
