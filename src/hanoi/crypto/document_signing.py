"""The node's document-signing key and its self-signed X.509 certificate (ADR 0027).

Signed letters of request are PDFs (PAdES) that a State without a Hanoi node checks with
the tools it already has: Adobe Reader, poppler's ``pdfsig``, anything built on NSS. Those
tools speak X.509 and CMS, not Ed25519 JWS, so the node has a key of a fourth kind, used
for nothing else (ADR 0005): ECDSA P-256 with SHA-256, which NSS verifies.

The certificate is self-signed. Its trust comes from the other State pinning it (its
SHA-256 fingerprint travels through the directory or a diplomatic channel), not from a CA.

Pure except for the randomness of the key and the serial number: no disk, no clock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.core import get_global
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from hanoi.errors import IntegrityError, InvalidInput

CURVE = ec.SECP256R1()
VALIDITY = timedelta(days=5 * 365)
# X.520 id-at-countryCode3c: the ISO 3166-1 alpha-3 code, as Hanoi names States.
COUNTRY_CODE_3C = ObjectIdentifier("2.5.4.98")
# RFC 9336 id-kp-documentSigning.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
SUBJECT_NAMES = {COUNTRY_CODE_3C: "countryCode3c"}
_NAME_LIMIT = 64  # RFC 5280 ub-common-name and ub-organization-name (as UTF-8 bytes)
_CERTIFICATE_LIMIT = 64 * 1024


@dataclass(frozen=True, slots=True)
class DocumentSigner:
    """The document-signing key and the certificate of its public half."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def __post_init__(self) -> None:
        if not isinstance(self.key, ec.EllipticCurvePrivateKey) or self.key.curve.name != (
            CURVE.name
        ):
            raise InvalidInput("the document-signing key is not an ECDSA P-256 key")
        if public_der(self.key.public_key()) != public_der(self.certificate.public_key()):
            raise IntegrityError(
                "the document-signing key does not match its certificate; "
                "run 'hanoi node document-certificate --renew' to issue a new pair"
            )

    def __repr__(self) -> str:
        return f"DocumentSigner(certificate={fingerprint(self.certificate)}, key=<private>)"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(Encoding.PEM)


def public_der(key: object) -> bytes:
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return b""
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, lower-case hex: what a State pins."""
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def subject_text(certificate: x509.Certificate) -> str:
    """The subject as RFC 4514 text, with the alpha-3 attribute named."""
    return certificate.subject.rfc4514_string(SUBJECT_NAMES)


def _user_assigned(code: str) -> bool:
    """ISO 3166-1 leaves AA, QM-QZ, XA-XZ and ZZ to users; CLDR maps ZZZ to ZZ, etc."""
    return code in {"AA", "ZZ"} or code[0] == "X" or (code[0] == "Q" and code[1] >= "M")


def alpha2(state: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of an alpha-3 code, from CLDR (None if there is none)."""
    found = get_global("territory_aliases").get(state)
    if isinstance(found, list | tuple):
        found = found[0] if len(found) == 1 else None
    if not isinstance(found, str) or len(found) != 2 or not found.isascii():
        return None
    return None if not found.isupper() or _user_assigned(found) else found


def _fit(text: str, limit: int = _NAME_LIMIT) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes (as ``cryptography`` counts), with an ellipsis."""
    if len(text.encode()) <= limit:
        return text
    while len((text + "\u2026").encode()) > limit:
        text = text[:-1].rstrip()
    return text + "\u2026"


def subject_for(*, state: str, name: str) -> x509.Name:
    suffix = " document signing"
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, _fit(name, _NAME_LIMIT - len(suffix)) + suffix),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(name)),
    ]
    country = alpha2(state)
    if country is not None:
        attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country))
    attributes.append(x509.NameAttribute(COUNTRY_CODE_3C, state))
    return x509.Name(attributes)


def generate_document_signer(*, state: str, name: str, now: datetime) -> DocumentSigner:
    """A new P-256 key and a self-signed certificate valid from ``now`` for five years."""
    key = ec.generate_private_key(CURVE)
    subject = subject_for(state=state, name=name)
    public = key.public_key()
    ski = x509.SubjectKeyIdentifier.from_public_key(public)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return DocumentSigner(key=key, certificate=certificate)


def signer_from_pem(key_pem: bytes, certificate_pem: bytes) -> DocumentSigner:
    try:
        key = load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"not a PEM private key: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise InvalidInput("the document-signing key is not an ECDSA key")
    return DocumentSigner(key=key, certificate=certificate_from_pem(certificate_pem))


def certificate_from_pem(data: bytes) -> x509.Certificate:
    if len(data) > _CERTIFICATE_LIMIT:
        raise InvalidInput("the certificate file is too large")
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise InvalidInput(f"not a PEM certificate: {exc}") from None
