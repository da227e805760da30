"""The document-signing key and certificate: what NSS and pyHanko need, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hanoi.crypto.document_signing import (
    COUNTRY_CODE_3C,
    DOCUMENT_SIGNING,
    DocumentSigner,
    alpha2,
    fingerprint,
    generate_document_signer,
    signer_from_pem,
    subject_text,
)
from hanoi.errors import IntegrityError, InvalidInput

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _names(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(a.value) for a in certificate.subject.get_attributes_for_oid(oid)]


def test_the_certificate_names_the_node_and_its_state() -> None:
    signer = generate_document_signer(state="EGY", name="Central Authority of Egypt", now=NOW)
    certificate = signer.certificate
    assert _names(certificate, NameOID.COMMON_NAME) == [
        "Central Authority of Egypt document signing"
    ]
    assert _names(certificate, NameOID.ORGANIZATION_NAME) == ["Central Authority of Egypt"]
    assert _names(certificate, NameOID.COUNTRY_NAME) == ["EG"]
    assert _names(certificate, COUNTRY_CODE_3C) == ["EGY"]
    assert certificate.issuer == certificate.subject
    assert "countryCode3c=EGY" in subject_text(certificate)


def test_the_certificate_is_a_self_signed_p256_end_entity_for_document_signing() -> None:
    signer = generate_document_signer(state="FRA", name="Autorité centrale", now=NOW)
    certificate = signer.certificate
    public = certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert public.curve.name == "secp256r1"
    assert isinstance(certificate.signature_hash_algorithm, hashes.SHA256)
    certificate.verify_directly_issued_by(certificate)
    assert certificate.version == x509.Version.v3
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature
    assert usage.value.content_commitment
    assert not usage.value.key_cert_sign
    assert not usage.value.key_encipherment
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert not constraints.value.ca
    purposes = list(certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    # NSS (pdfsig) checks a signer as an e-mail signer: without emailProtection it refuses.
    assert purposes == [DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]
    assert certificate.not_valid_before_utc <= NOW
    assert certificate.not_valid_after_utc - NOW == timedelta(days=5 * 365)
    assert _names(certificate, NameOID.COUNTRY_NAME) == ["FR"]


def test_serial_numbers_are_random() -> None:
    serials = {
        generate_document_signer(state="EGY", name="X", now=NOW).certificate.serial_number
        for _ in range(5)
    }
    assert len(serials) == 5
    assert all(serial > 2**64 for serial in serials)


def test_a_long_name_is_shortened_to_what_x509_allows() -> None:
    name = "Ministry of Justice, Department of International Legal Cooperation and Extradition"
    certificate = generate_document_signer(state="EGY", name=name, now=NOW).certificate
    (common,) = _names(certificate, NameOID.COMMON_NAME)
    (organization,) = _names(certificate, NameOID.ORGANIZATION_NAME)
    assert len(common) <= 64
    assert common.endswith("\u2026 document signing")
    assert len(organization) <= 64
    assert organization.startswith("Ministry of Justice")


@pytest.mark.parametrize(
    ("state", "expected"),
    [("EGY", "EG"), ("VNM", "VN"), ("ZZZ", None), ("XXX", None), ("QQQ", None), ("ABC", None)],
)
def test_alpha2_from_alpha3(state: str, expected: str | None) -> None:
    assert alpha2(state) == expected


def test_a_state_without_an_alpha2_code_has_no_country_attribute() -> None:
    certificate = generate_document_signer(state="ZZZ", name="X", now=NOW).certificate
    assert _names(certificate, NameOID.COUNTRY_NAME) == []
    assert _names(certificate, COUNTRY_CODE_3C) == ["ZZZ"]


def test_pem_round_trip_and_fingerprint() -> None:
    signer = generate_document_signer(state="EGY", name="X", now=NOW)
    again = signer_from_pem(signer.key_pem(), signer.certificate_pem())
    assert again.fingerprint == signer.fingerprint == fingerprint(signer.certificate)
    assert len(signer.fingerprint) == 64
    assert "PRIVATE" not in repr(signer)
    assert signer.fingerprint in repr(signer)


def test_a_key_that_does_not_match_its_certificate_is_refused() -> None:
    one = generate_document_signer(state="EGY", name="X", now=NOW)
    two = generate_document_signer(state="EGY", name="X", now=NOW)
    with pytest.raises(IntegrityError, match="does not match its certificate"):
        DocumentSigner(key=one.key, certificate=two.certificate)
    with pytest.raises(IntegrityError):
        signer_from_pem(one.key_pem(), two.certificate_pem())


def test_other_keys_and_bad_pem_are_refused() -> None:
    signer = generate_document_signer(state="EGY", name="X", now=NOW)
    with pytest.raises(InvalidInput, match="P-256"):
        DocumentSigner(key=ec.generate_private_key(ec.SECP384R1()), certificate=signer.certificate)
    ed = ed25519.Ed25519PrivateKey.generate().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    with pytest.raises(InvalidInput, match="not an ECDSA key"):
        signer_from_pem(ed, signer.certificate_pem())
    with pytest.raises(InvalidInput, match="not a PEM private key"):
        signer_from_pem(b"garbage", signer.certificate_pem())
    with pytest.raises(InvalidInput, match="not a PEM certificate"):
        signer_from_pem(signer.key_pem(), b"garbage")


@pytest.mark.parametrize(
    "name",
    [
        "السلطة المركزية لجمهورية مصر العربية، وزارة العدل، إدارة التعاون الدولي",
        "中华人民共和国司法部国际司法协助中心中央机关文书签署",
        "x" * 200,
    ],
)
def test_names_in_any_script_fit_in_64_bytes(name: str) -> None:
    certificate = generate_document_signer(state="EGY", name=name, now=NOW).certificate
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        (value,) = _names(certificate, oid)
        assert len(value.encode()) <= 64
