"""Signed letters against poppler's pdfsig (NSS) and against verify_pdf: a valid letter,
a flipped byte, an update appended after signing, and another State's certificate."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from hanoi.crypto.document_signing import DOCUMENT_SIGNING, DocumentSigner
from hanoi.errors import InvalidInput
from hanoi.letters.pades import LetterCheck, sign_pdf, verify_pdf
from support_letters import CHECKED_AT, SIGNED_AT, pdfsig, signed_ranges


def _flip(pdf: bytes, position: int) -> bytes:
    data = bytearray(pdf)
    data[position] ^= 0x01
    return bytes(data)


def _inside_a_stream(pdf: bytes) -> int:
    """A byte of the first page-content stream, well inside the first signed range."""
    first, _ = signed_ranges(pdf)
    position = pdf.index(b"stream\n") + len(b"stream\n") + 8
    assert position in first
    return position


def _updated_after_signing(pdf: bytes) -> bytes:
    """An incremental update, as any PDF editor appends one: a new document title."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.document_meta.title = "Amended letter"
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_pdfsig_finds_a_valid_pades_signature_over_the_whole_file(
    signed_pdf: bytes, tmp_path: Path
) -> None:
    lines = pdfsig(signed_pdf, tmp_path)
    assert "Signature #1:" in lines
    assert "Signature Field Name: HanoiSignature" in lines
    assert "Signer Certificate Common Name: Central Authority of Egypt document signing" in lines
    assert "Signing Time: Dec 07 2026 09:30:15" in lines
    assert "Signing Hash Algorithm: SHA-256" in lines
    assert "Signature Type: ETSI.CAdES.detached" in lines
    assert "Total document signed" in lines
    assert "Signature Validation: Signature is Valid." in lines
    assert "Signature #2:" not in lines


def test_verify_pdf_accepts_the_letter_with_its_certificate_as_trust(
    signed_pdf: bytes, signer: DocumentSigner
) -> None:
    check = verify_pdf(signed_pdf, trusted=[signer.certificate], now=CHECKED_AT)
    assert check == LetterCheck(
        signed=True,
        intact=True,
        trusted=True,
        signer=check.signer,
        signing_time=SIGNED_AT,
        problems=(),
    )
    assert check.ok
    assert check.signer_fingerprint == signer.fingerprint
    assert check.signer_subject is not None
    assert "CN=Central Authority of Egypt document signing" in check.signer_subject
    assert check.as_json() == {
        "signed": True,
        "intact": True,
        "trusted": True,
        "signer": {"subject": check.signer_subject, "fingerprint": signer.fingerprint},
        "signing_time": "2026-12-07T09:30:15+00:00",
        "problems": [],
    }


def test_signing_keeps_the_letter_and_appends_the_signature(
    plain_pdf: bytes, signed_pdf: bytes
) -> None:
    assert signed_pdf.startswith(plain_pdf)
    (signature,) = PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == "Letter of request (Art. 40(14))"
    assert signature.sig_object["/Location"] == "Cairo"


def test_a_flipped_byte_is_refused_by_pdfsig_and_verify_pdf(
    signed_pdf: bytes, signer: DocumentSigner, tmp_path: Path
) -> None:
    tampered = _flip(signed_pdf, _inside_a_stream(signed_pdf))
    lines = pdfsig(tampered, tmp_path)
    assert "Signature Validation: Digest Mismatch." in lines
    assert "Signature Validation: Signature is Valid." not in lines
    check = verify_pdf(tampered, trusted=[signer.certificate], now=CHECKED_AT)
    assert check.signed
    assert not check.intact
    assert not check.trusted
    assert not check.ok
    assert any("do not match the signature's digest" in p for p in check.problems)


def test_a_flipped_byte_after_the_signature_value_is_refused(
    signed_pdf: bytes, signer: DocumentSigner, tmp_path: Path
) -> None:
    _, second = signed_ranges(signed_pdf)
    tampered = _flip(signed_pdf, second.start + 5)  # inside the signature dictionary
    assert "Signature Validation: Signature is Valid." not in pdfsig(tampered, tmp_path)
    check = verify_pdf(tampered, trusted=[signer.certificate], now=CHECKED_AT)
    assert not check.intact
    assert not check.ok


def test_an_update_appended_after_signing_is_not_intact(
    signed_pdf: bytes, signer: DocumentSigner, tmp_path: Path
) -> None:
    updated = _updated_after_signing(signed_pdf)
    assert updated.startswith(signed_pdf)
    lines = pdfsig(updated, tmp_path)
    assert "Not total document signed" in lines
    assert "Total document signed" not in lines
    assert "Signature Validation: Signature is Valid." in lines  # the signed part is intact
    check = verify_pdf(updated, trusted=[signer.certificate], now=CHECKED_AT)
    assert check.signed
    assert not check.intact
    assert not check.trusted
    assert check.problems == (
        "the file was changed after it was signed: an update follows the signature",
    )


def test_another_states_certificate_is_not_trusted(
    signed_pdf: bytes, other_signer: DocumentSigner
) -> None:
    check = verify_pdf(signed_pdf, trusted=[other_signer.certificate], now=CHECKED_AT)
    assert check.signed
    assert check.intact
    assert not check.trusted
    assert not check.ok
    assert check.problems == (
        "the signer's certificate is not one of the trusted certificates and does not chain to one",
    )


def test_without_trust_the_signer_is_reported_untrusted(signed_pdf: bytes) -> None:
    check = verify_pdf(signed_pdf, trusted=[], now=CHECKED_AT)
    assert check.signed
    assert check.intact
    assert not check.trusted
    assert check.problems == ("no trusted certificate was given, so the signer is not trusted",)


def test_one_trusted_certificate_among_several_is_enough(
    signed_pdf: bytes, signer: DocumentSigner, other_signer: DocumentSigner
) -> None:
    trusted = [other_signer.certificate, signer.certificate]
    assert verify_pdf(signed_pdf, trusted=trusted, now=CHECKED_AT).ok


def test_a_signing_time_outside_the_certificates_validity_is_not_trusted(
    plain_pdf: bytes, signer: DocumentSigner
) -> None:
    before = signer.certificate.not_valid_before_utc - timedelta(days=1)
    letter = sign_pdf(plain_pdf, signer, reason="r", location=None, signing_time=before)
    check = verify_pdf(letter, trusted=[signer.certificate], now=CHECKED_AT)
    assert check.intact
    assert not check.trusted
    assert "outside the certificate's validity" in check.problems[0]


def _ca_and_signer() -> tuple[x509.Certificate, DocumentSigner]:
    """A State's CA, and a document-signing certificate it issued."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Egypt document CA")])
    start = SIGNED_AT - timedelta(days=1)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Egypt letters")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return ca, DocumentSigner(key=key, certificate=leaf)


def test_a_certificate_that_chains_to_a_trusted_ca_is_trusted(plain_pdf: bytes) -> None:
    ca, issued = _ca_and_signer()
    letter = sign_pdf(plain_pdf, issued, reason="r", location=None, signing_time=SIGNED_AT)
    assert verify_pdf(letter, trusted=[ca], now=CHECKED_AT).ok
    other_ca, _ = _ca_and_signer()
    assert not verify_pdf(letter, trusted=[other_ca], now=CHECKED_AT).trusted


def test_sign_pdf_refuses_what_is_not_a_pdf_and_a_naive_time(
    plain_pdf: bytes, signer: DocumentSigner
) -> None:
    with pytest.raises(InvalidInput, match="not a readable PDF"):
        sign_pdf(b"%PDF-1.7 garbage", signer, reason="r", location=None, signing_time=SIGNED_AT)
    with pytest.raises(InvalidInput, match="time zone"):
        sign_pdf(
            plain_pdf,
            signer,
            reason="r",
            location=None,
            signing_time=SIGNED_AT.replace(tzinfo=None),
        )


def test_signing_and_checking_work_inside_a_running_event_loop(
    signer: DocumentSigner, plain_pdf: bytes, signed_pdf: bytes
) -> None:
    """pyHanko starts its own loop; an async caller (or a test session keeping Playwright's
    loop alive) must not see "asyncio.run() cannot be called from a running event loop"."""
    import asyncio

    async def inside() -> tuple[bytes, LetterCheck]:
        again = sign_pdf(
            plain_pdf, signer, reason="Letter of request", location=None, signing_time=SIGNED_AT
        )
        return again, verify_pdf(signed_pdf, trusted=[signer.certificate], now=CHECKED_AT)

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:  # a thread of its own: its loop is ours
        again, check = pool.submit(lambda: asyncio.run(inside())).result()
    assert check.ok
    assert verify_pdf(again, trusted=[signer.certificate], now=CHECKED_AT).ok
