"""verify_pdf on hostile input: it answers with problems, it never raises (other than for
input over the size limit), and it never calls a damaged letter good."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from hanoi.crypto.document_signing import DocumentSigner
from hanoi.errors import InvalidInput, PayloadTooLarge
from hanoi.letters.pades import PDF_LIMIT, sign_pdf, verify_pdf
from support_letters import CHECKED_AT, signed_ranges


def _refused(pdf: bytes, signer: DocumentSigner) -> None:
    check = verify_pdf(pdf, trusted=[signer.certificate], now=CHECKED_AT)
    assert not check.ok
    assert not (check.signed and check.intact)
    assert check.problems


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "not a PDF"),
        (b"garbage, not a letter", "not a PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "not a PDF"),
        (b"%PDF-1.7\n", "cannot be read"),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n", "cannot be read"),
    ],
)
def test_garbage_is_not_a_signed_letter(data: bytes, problem: str, signer: DocumentSigner) -> None:
    check = verify_pdf(data, trusted=[signer.certificate], now=CHECKED_AT)
    assert not check.signed
    assert not check.intact
    assert not check.trusted
    assert problem in check.problems[0]


def test_an_unsigned_pdf_has_no_signature(plain_pdf: bytes, signer: DocumentSigner) -> None:
    check = verify_pdf(plain_pdf, trusted=[signer.certificate], now=CHECKED_AT)
    assert not check.signed
    assert check.problems == ("the PDF carries no signature",)


def test_every_truncation_is_refused(signed_pdf: bytes, signer: DocumentSigner) -> None:
    for length in range(0, len(signed_pdf), max(1, len(signed_pdf) // 400)):
        _refused(signed_pdf[:length], signer)
    _refused(signed_pdf[:-1], signer)


def test_a_pdf_over_the_limit_is_refused_before_it_is_read(signer: DocumentSigner) -> None:
    with pytest.raises(PayloadTooLarge, match="refused"):
        verify_pdf(b"%PDF-1.7\n" + bytes(PDF_LIMIT), trusted=[signer.certificate])


def test_two_signatures_are_not_a_letter(
    signed_pdf: bytes, signer: DocumentSigner, other_signer: DocumentSigner
) -> None:
    second = _sign_again(signed_pdf, other_signer)
    trusted = [signer.certificate, other_signer.certificate]
    check = verify_pdf(second, trusted=trusted, now=CHECKED_AT)
    assert check.signed
    assert not check.intact
    assert not check.ok
    assert check.problems[0] == "the PDF carries 2 signatures; a letter carries exactly one"
    assert check.signer_fingerprint == signer.fingerprint  # the first signature is reported


def _sign_again(pdf: bytes, signer: DocumentSigner) -> bytes:
    """A second PAdES signature in a field of its own, as a co-signing tool adds one."""
    certificate = asn1_x509.Certificate.load(signer.certificate.public_bytes(Encoding.DER))
    key = asn1_keys.PrivateKeyInfo.load(
        signer.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    )
    cms = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Countersignature", subfilter=fields.SigSeedSubFilter.PADES
    )
    output = io.BytesIO()
    # pyHanko calls asyncio.run; a thread of its own, since the session may run a loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(
            lambda: signers.PdfSigner(meta, signer=cms).sign_pdf(
                IncrementalPdfFileWriter(io.BytesIO(pdf)), output=output
            )
        ).result()
    return output.getvalue()


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_flipped_byte_in_the_signed_ranges_is_refused(
    data: st.DataObject, signed_pdf: bytes, signer: DocumentSigner
) -> None:
    first, second = signed_ranges(signed_pdf)
    position = data.draw(st.sampled_from([*first, *second]))
    mask = data.draw(st.integers(min_value=1, max_value=255))
    tampered = bytearray(signed_pdf)
    tampered[position] ^= mask
    _refused(bytes(tampered), signer)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    edits=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1, exclude_max=True), st.binary(max_size=8)),
        min_size=1,
        max_size=6,
    )
)
def test_random_damage_never_raises(
    edits: list[tuple[float, bytes]], signed_pdf: bytes, signer: DocumentSigner
) -> None:
    damaged = bytearray(signed_pdf)
    for where, replacement in edits:
        at = int(where * len(damaged))
        damaged[at : at + max(len(replacement), 1)] = replacement  # b"" deletes a byte
    check = verify_pdf(bytes(damaged), trusted=[signer.certificate], now=CHECKED_AT)
    if bytes(damaged) != signed_pdf:
        assert not check.ok or _only_outside_signed_ranges(signed_pdf, bytes(damaged))


def _only_outside_signed_ranges(original: bytes, damaged: bytes) -> bool:
    """A change of the same length that touches only the signature value's hex digits
    may still verify (a hex digit's case, say); anything else may not."""
    if len(original) != len(damaged):
        return False
    first, second = signed_ranges(original)
    changed = [i for i, (a, b) in enumerate(zip(original, damaged, strict=True)) if a != b]
    return all(i not in first and i not in second for i in changed)


def test_signing_a_hostile_pdf_is_refused_not_crashed(signer: DocumentSigner) -> None:
    for data in (b"", b"garbage", b"%PDF-1.7\n%%EOF\n"):
        with pytest.raises(InvalidInput):
            sign_pdf(
                data,
                signer,
                reason="r",
                location=None,
                signing_time=datetime(2026, 12, 7, tzinfo=UTC),
            )
