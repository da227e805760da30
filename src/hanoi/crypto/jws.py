"""JWS (RFC 7515) with Ed25519 keys, through ``joserfc``: compact and detached.

The one JWS module of Hanoi: directory entries (detached), evidence statements, federation
messages and receipts (compact). The signature is ``EdDSA`` (RFC 8037) with the key's
RFC 7638 thumbprint as ``kid`` and a ``typ`` that names what is signed, so a signature made
for one purpose is never accepted for another. ``Ed25519`` (RFC 9864's fully-specified
name) is accepted too. The header holds exactly ``alg``, ``kid``, ``typ`` and, for
messages and receipts, ``iss`` (the signing State, replicated from the payload as RFC 7519
section 5.3 allows, so that the key can be looked up before the payload is trusted). Any
other member, ``crit`` and ``b64`` included, is refused: nothing may change how the
signature is read. ``typ`` is required, and ``kid`` must be the thumbprint of the key that
verifies.

A compact JWS is parsed (:func:`parse_compact`: form and header) and then verified
(:func:`verify_parsed`), two steps, because the key is found from the header and the
signed payload (a message's ``sent_at``) before the signature is checked.

A **detached** JWS (RFC 7515, Appendix F) is the compact serialisation with
the payload part left empty: ``<header>..<signature>``. The verifier puts the
payload back; any JOSE library does the same. The payload here is always the
RFC 8785 canonical form of a JSON object, recomputed by the verifier.

``joserfc`` warns that RFC 9864 deprecates ``EdDSA`` because the name alone
does not fix the curve; the key is always an Ed25519 key, checked before use,
so that warning is silenced around these calls only.

Errors: :class:`JwsNotSigned` when the bytes are not a signed JWS at all (not three
parts, no signature, another algorithm), :class:`JwsFormatError` (both are
:class:`~hanoi.errors.InvalidInput`) when it is not a JWS of the expected kind (header),
:class:`JwsSignatureError` (an :class:`~hanoi.errors.IntegrityError`) when it does not
verify. Callers turn them into their own typed errors; ``key_for`` callbacks raise their
own for keys they do not know.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OKPKey
from joserfc.registry import HeaderParameter

from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.errors import IntegrityError, InvalidInput

SIGNING_ALGORITHM = "EdDSA"
ACCEPTED_ALGORITHMS = ("EdDSA", "Ed25519")
HEADER_MEMBERS = frozenset({"alg", "kid", "typ"})
ISSUED_HEADER_MEMBERS = HEADER_MEMBERS | {"iss"}
MAX_KEY_ID = 100
MAX_SIGNATURE_CHARS = 1024  # a detached Ed25519 JWS with our header is about 250


class JwsFormatError(InvalidInput):
    """Not a JWS of the expected kind (syntax, algorithm, header, type)."""


class JwsNotSigned(JwsFormatError):
    """Not a signed JWS at all: not three parts, no signature, another algorithm."""


class JwsSignatureError(IntegrityError):
    """A well-formed JWS whose signature does not verify with the named key."""


@dataclass(frozen=True, slots=True)
class JwsHeader:
    algorithm: str
    key_id: str
    type: str
    issuer: str | None = None


def _registry(max_payload: int) -> jws.JWSRegistry:
    registry = jws.JWSRegistry(
        header_registry={"iss": HeaderParameter("the signing State", "str")},
        algorithms=list(ACCEPTED_ALGORITHMS),
    )
    registry.max_payload_length = max_payload
    return registry


def _prefixed(what: str, text: str) -> str:
    return f"{what}: {text}" if what else text


def sign_compact(
    payload: bytes, key: Ed25519PrivateKey, *, typ: str, issuer: str | None = None
) -> str:
    """``<header>.<payload>.<signature>`` with ``alg`` EdDSA, ``kid``, ``typ`` and, given
    an ``issuer``, ``iss``."""
    header = {"alg": SIGNING_ALGORITHM, "kid": jwk_thumbprint(key.public_key()), "typ": typ}
    if issuer is not None:
        header["iss"] = issuer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        return jws.serialize_compact(
            header, payload, OKPKey.import_key(key), registry=_registry(len(payload) + 1)
        )


def sign_detached(payload: bytes, key: Ed25519PrivateKey, *, typ: str) -> str:
    """``<header>..<signature>``: a compact JWS over ``payload`` without the payload."""
    header, _, signature = sign_compact(payload, key, typ=typ).split(".")
    return f"{header}..{signature}"


def _checked_header(
    header: dict[str, object], *, typ: str, what: str, issued: bool = False
) -> JwsHeader:
    algorithm = header.get("alg")
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise JwsNotSigned(
            _prefixed(what, f"the JWS algorithm is {str(algorithm)[:20]!r}, not EdDSA")
        )
    extra = sorted(set(header) - (ISSUED_HEADER_MEMBERS if issued else HEADER_MEMBERS))
    if extra:
        raise JwsFormatError(
            _prefixed(what, f"unexpected JWS header members: {', '.join(extra)[:80]}")
        )
    key_id, found_typ, issuer = header.get("kid"), header.get("typ"), header.get("iss")
    if found_typ != typ:
        raise JwsFormatError(
            _prefixed(what, f"the JWS 'typ' is {str(found_typ)[:60]!r}, not {typ!r}")
        )
    if not isinstance(key_id, str) or not key_id or len(key_id) > MAX_KEY_ID:
        raise JwsFormatError(_prefixed(what, "the JWS header has no usable 'kid'"))
    if issued and (not isinstance(issuer, str) or not issuer):
        raise JwsFormatError(_prefixed(what, "the JWS header has no 'iss' (the signing State)"))
    return JwsHeader(str(algorithm), key_id, typ, issuer if isinstance(issuer, str) else None)


def _validate(
    token: jws.CompactSignature,
    public: Ed25519PublicKey,
    key_id: str,
    *,
    registry: jws.JWSRegistry,
    what: str,
) -> None:
    if jwk_thumbprint(public) != key_id:
        raise JwsSignatureError(_prefixed(what, f"key {key_id} does not match its thumbprint"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            valid = jws.validate_compact(token, OKPKey.import_key(public), registry=registry)
    except (JoseError, ValueError) as exc:
        raise JwsFormatError(_prefixed(what, f"cannot be verified: {str(exc)[:120]}")) from None
    if not valid:
        raise JwsSignatureError(
            _prefixed(
                what,
                f"the signature does not verify with key {key_id}: the signed content was "
                "altered or signed by another key",
            )
        )


@dataclass(frozen=True, slots=True)
class ParsedJws:
    """A compact JWS whose form and header are checked, but not yet its signature."""

    token: jws.CompactSignature
    header: JwsHeader
    max_bytes: int
    what: str

    @property
    def payload(self) -> bytes:
        return self.token.payload

    @property
    def key_id(self) -> str:
        return self.header.key_id

    @property
    def issuer(self) -> str:
        """The ``iss`` of a JWS parsed with ``issued=True`` (never empty there)."""
        return self.header.issuer or ""


def parse_compact(
    data: bytes, *, typ: str, max_bytes: int, issued: bool = False, what: str = ""
) -> ParsedJws:
    """Split and decode a compact JWS of ``typ`` and check its header (with ``iss`` when
    ``issued``); :class:`JwsNotSigned` or :class:`JwsFormatError` otherwise."""
    if len(data) > max_bytes:
        raise JwsFormatError(_prefixed(what, f"larger than {max_bytes} bytes"))
    data = data.strip()
    if data.count(b".") != 2:
        raise JwsNotSigned(
            _prefixed(what, "not a compact JWS (three base64url parts joined by dots)")
        )
    try:
        token = jws.extract_compact(data, registry=_registry(max_bytes))
        header = dict(token.headers())
    except (JoseError, ValueError, TypeError) as exc:
        raise JwsNotSigned(_prefixed(what, f"not a compact JWS: {str(exc)[:120]}")) from None
    if header.get("alg") in ACCEPTED_ALGORITHMS and not token.segments.get("signature"):
        raise JwsNotSigned(_prefixed(what, "the JWS has no signature"))
    checked = _checked_header(header, typ=typ, what=what, issued=issued)
    return ParsedJws(token, checked, max_bytes, what)


def verify_parsed(parsed: ParsedJws, key: Ed25519PublicKey) -> None:
    """Check the signature of ``parsed`` with ``key``, whose thumbprint must be its
    ``kid``; :class:`JwsSignatureError` otherwise."""
    _validate(
        parsed.token,
        key,
        parsed.key_id,
        registry=_registry(parsed.max_bytes),
        what=parsed.what,
    )


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
    _validate(token, key_for(checked.key_id), checked.key_id, registry=registry, what=what)
    return checked
