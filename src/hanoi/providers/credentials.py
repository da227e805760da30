"""The mutual-TLS credentials of a provider entry, checked and described. Pure.

A node authenticates to a provider's HI-1 endpoint with a client certificate chain and its
private key, and trusts the provider's server only if its certificate chains to the CA
bundle kept with the entry (never the system's CAs). Each is PEM text an administrator
pastes or gives as a file; :func:`check_credentials` reads all three with ``cryptography``
and appends one :class:`~hanoi.errors.FieldProblem` per fault to the caller's list, so that
every bad field is reported together:

1. each field is ASCII PEM within its size limit (:class:`~hanoi.providers.limits.ProviderLimits`);
2. the chain and the bundle hold certificates only, each one readable, and not too many
   (a private key pasted into a certificate field is named as such, never echoed);
3. the key field holds one unencrypted private key of a kind TLS client authentication
   takes (RSA of 2048 bits or more, ECDSA on P-256, P-384 or P-521, Ed25519, Ed448);
4. the key is the private half of the chain's first certificate.

Time is not a fault but a warning (:func:`credential_warnings`): a certificate expired, not
yet valid or expiring soon is saved, and said, because an administrator may be replacing a
certificate the day it expires, or loading one that starts tomorrow.

What is shown of a certificate is :class:`CertificateInfo` (subject, issuer, serial, validity,
SHA-256 fingerprint); of the key, :func:`key_kind` (its kind and size). The PEM of the
key is never part of anything this module returns.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificatePublicKeyTypes,
    PrivateKeyTypes,
    PublicKeyTypes,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)

from hanoi.errors import FieldProblem
from hanoi.providers.limits import ProviderLimits

CHAIN = "client_certificate_chain"
KEY = "client_private_key"
CA_BUNDLE = "ca_bundle"
MIN_RSA_BITS = 2048
CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1"})
_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]{1,40})-----")
KINDS_TAKEN = "RSA (2048 bits or more), ECDSA (P-256, P-384, P-521), Ed25519 or Ed448"


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """What is shown of one certificate: enough to recognise it, nothing secret."""

    subject: str
    issuer: str
    serial: str
    """The serial number in lowercase hex."""
    not_before: datetime
    not_after: datetime
    sha256: str
    """The SHA-256 fingerprint of the DER certificate, lowercase hex without separators
    (``openssl x509 -fingerprint -sha256`` prints the same digits, upper case with colons)."""


def _blocks(text: str) -> list[str]:
    return _BLOCK.findall(text)


def _pem_text(text: str, *, path: str, max_bytes: int, problems: list[FieldProblem]) -> bool:
    """Whether ``text`` may be read as PEM at all (size, ASCII, at least one block)."""
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        problems.append(FieldProblem(path, f"is larger than {max_bytes} bytes"))
        return False
    if not text.isascii() or "\x00" in text:
        problems.append(FieldProblem(path, "must be PEM text (ASCII)"))
        return False
    if not _blocks(text):
        problems.append(FieldProblem(path, "must be PEM ('-----BEGIN ...-----')"))
        return False
    return True


def _certificates(
    text: str, *, path: str, max_bytes: int, max_count: int, problems: list[FieldProblem]
) -> list[x509.Certificate] | None:
    """The certificates of a PEM field, first to last; None (and a problem) if unreadable."""
    if not _pem_text(text, path=path, max_bytes=max_bytes, problems=problems):
        return None
    kinds = _blocks(text)
    if any("PRIVATE KEY" in kind for kind in kinds):
        problems.append(
            FieldProblem(
                path, f"holds a private key: give certificates only here (the key as {KEY})"
            )
        )
        return None
    others = sorted({kind for kind in kinds if kind != "CERTIFICATE"})
    if others:
        problems.append(FieldProblem(path, f"must hold certificates only, not {others[0][:40]}"))
        return None
    if len(kinds) > max_count:
        problems.append(FieldProblem(path, f"holds more than {max_count} certificates"))
        return None
    try:
        return list(_parsed(text))
    except ValueError as exc:
        problems.append(
            FieldProblem(path, f"holds a certificate that cannot be read: {_short(exc)}")
        )
        return None


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> tuple[x509.Certificate, ...]:
    return tuple(x509.load_pem_x509_certificates(text.encode("ascii")))


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:160] or type(exc).__name__


def _private_key(
    text: str, *, limits: ProviderLimits, problems: list[FieldProblem]
) -> PrivateKeyTypes | None:
    if not _pem_text(text, path=KEY, max_bytes=limits.max_private_key_bytes, problems=problems):
        return None
    kinds = _blocks(text)
    if len(kinds) != 1 or not kinds[0].endswith("PRIVATE KEY"):
        problems.append(FieldProblem(KEY, "must hold one PEM private key and nothing else"))
        return None
    if kinds[0] == "ENCRYPTED PRIVATE KEY" or "Proc-Type: 4,ENCRYPTED" in text:
        problems.append(FieldProblem(KEY, "is encrypted: give the key without a passphrase"))
        return None
    try:
        key = load_pem_private_key(text.encode("ascii"), password=None)
    except TypeError:  # encrypted after all
        problems.append(FieldProblem(KEY, "is encrypted: give the key without a passphrase"))
        return None
    except (ValueError, UnsupportedAlgorithm):
        problems.append(FieldProblem(KEY, "is not a private key that can be read"))
        return None
    reason = _unfit_key(key)
    if reason is not None:
        problems.append(
            FieldProblem(KEY, f"{reason}; TLS client authentication takes {KINDS_TAKEN}")
        )
        return None
    return key


def _unfit_key(key: PrivateKeyTypes) -> str | None:
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            return f"is an RSA key of {key.key_size} bits"
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return None if key.curve.name in CURVES else f"is an EC key on {key.curve.name}"
    if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        return None
    return f"is a {type(key).__name__.removeprefix('_').removesuffix('PrivateKey')} key"


def _spki(public: PublicKeyTypes | CertificatePublicKeyTypes) -> bytes:
    return public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def check_credentials(
    *,
    chain: str,
    key: str,
    ca_bundle: str,
    limits: ProviderLimits,
    problems: list[FieldProblem],
) -> None:
    """Append a problem for each fault of the three fields (rules 1-4 above)."""
    certificates = _certificates(
        chain,
        path=CHAIN,
        max_bytes=limits.max_certificate_chain_bytes,
        max_count=limits.max_chain_certificates,
        problems=problems,
    )
    private = _private_key(key, limits=limits, problems=problems)
    _certificates(
        ca_bundle,
        path=CA_BUNDLE,
        max_bytes=limits.max_ca_bundle_bytes,
        max_count=limits.max_ca_certificates,
        problems=problems,
    )
    if (
        certificates
        and private is not None
        and _spki(private.public_key()) != _spki(certificates[0].public_key())
    ):
        problems.append(
            FieldProblem(
                KEY,
                f"is not the key of the first certificate of {CHAIN} ({_subject(certificates[0])})",
            )
        )


def _subject(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string()[:300] or "(empty subject)"


def _info(certificate: x509.Certificate) -> CertificateInfo:
    return CertificateInfo(
        subject=_subject(certificate),
        issuer=certificate.issuer.rfc4514_string()[:300] or "(empty issuer)",
        serial=format(certificate.serial_number, "x"),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        sha256=certificate.fingerprint(hashes.SHA256()).hex(),
    )


def describe(pem: str) -> tuple[CertificateInfo, ...]:
    """The certificates of a PEM field already checked (a stored entry's), first to last."""
    return tuple(_info(c) for c in _parsed(pem))


def key_kind(chain: str) -> str:
    """What kind of key a checked entry holds ("EC P-256", "RSA 3072", "Ed25519"), shown
    instead of the key: read from the first certificate, whose key it is (rule 4), so that
    the private key is parsed only when it is checked or loaded."""
    public = _parsed(chain)[0].public_key()
    if isinstance(public, rsa.RSAPublicKey):
        return f"RSA {public.key_size}"
    if isinstance(public, ec.EllipticCurvePublicKey):
        names = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
        return f"EC {names.get(public.curve.name, public.curve.name)}"
    if isinstance(public, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(public, ed448.Ed448PublicKey):
        return "Ed448"
    return "unknown"


def credential_warnings(
    *, chain: str, ca_bundle: str, now: datetime, limits: ProviderLimits
) -> tuple[FieldProblem, ...]:
    """What an administrator should know about checked credentials at ``now``: certificates
    expired, not yet valid or expiring within ``limits.expiry_warning_days``, and a chain
    whose certificates do not each follow from the next."""
    warnings: list[FieldProblem] = []
    soon = timedelta(days=limits.expiry_warning_days)
    certificates = _parsed(chain)
    for field, listed in ((CHAIN, certificates), (CA_BUNDLE, _parsed(ca_bundle))):
        for index, certificate in enumerate(listed):
            path = f"{field}/{index}"
            info = _info(certificate)
            what = "the client certificate" if field == CHAIN and index == 0 else "it"
            if info.not_after <= now:
                warnings.append(FieldProblem(path, f"{what} expired on {_day(info.not_after)}"))
            elif info.not_before > now:
                warnings.append(
                    FieldProblem(path, f"{what} is valid only from {_day(info.not_before)}")
                )
            elif info.not_after <= now + soon:
                days = (info.not_after - now).days
                warnings.append(
                    FieldProblem(path, f"{what} expires on {_day(info.not_after)}, in {days} days")
                )
    for index in range(1, len(certificates)):
        if certificates[index - 1].issuer != certificates[index].subject:
            warnings.append(
                FieldProblem(
                    f"{CHAIN}/{index}",
                    "is not the issuer of the certificate before it (the chain goes from the "
                    "client certificate towards the CA)",
                )
            )
    return tuple(warnings)


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
