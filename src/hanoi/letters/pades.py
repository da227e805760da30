"""PAdES signatures on letters of request, made and checked with pyHanko (ADR 0027).

A signed letter is a PDF with exactly one PAdES baseline B-B signature
(``ETSI.CAdES.detached``) by the node's document-signing certificate, embedded in the
signature, that covers the whole file. :func:`verify_pdf` checks, in this order:

1. the input is at most :data:`PDF_LIMIT` bytes (larger: :class:`PayloadTooLarge`);
2. it is a PDF pyHanko can read (else: ``signed`` is False);
3. it carries exactly one signature (none: ``signed`` is False; more: not intact);
4. the signature's digest matches the signed bytes and the CMS signature is valid;
5. the signed ranges cover the whole file: nothing was appended after signing (an
   incremental update is refused even when a PDF reader would call it harmless);
6. the signer's certificate is one of ``trusted``, or chains to one, at ``now``, and the
   signing time the letter states falls inside the certificate's validity.

Steps 4-5 make ``intact``, step 6 ``trusted``; ``problems`` says, in plain English, why
any of them is False. A hostile file never raises. Nothing is fetched from the network
(no AIA, no CRL, no OCSP): trust comes only from the certificates given.

pyHanko runs its own event loop (``asyncio.run``). When the calling thread already runs
one (an async caller, or a test session that keeps Playwright's loop alive), the work is
done in a worker thread, so both functions can be called from anywhere.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from hanoi.crypto.document_signing import DocumentSigner, fingerprint, subject_text
from hanoi.errors import InvalidInput, NotFound, PayloadTooLarge

PDF_LIMIT = 50 * 1024 * 1024
TRUST_LIMIT = 1024 * 1024
SIGNATURE_FIELD = "HanoiSignature"
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)
# What pyHanko, asn1crypto and zlib raise on a malformed PDF or CMS structure, each seen
# when mutating signed letters (tests/unit/letters/test_hostile_pdfs.py): pyHanko's
# PdfError family; ValueError (DER, dates, text, and pyHanko's CMS and validation
# errors, which derive from it); zlib.error (a corrupt Flate stream); KeyError,
# IndexError, TypeError and AttributeError (a dictionary or array that lacks what the
# format promises); NotImplementedError (an unknown stream filter); AssertionError
# (pyHanko asserts on a cross-reference stream); RecursionError (deep nesting).
_MALFORMED: tuple[type[BaseException], ...] = (
    PdfError,
    ValueError,
    ArithmeticError,  # decimal.InvalidOperation for a number that is not one, overflow
    zlib.error,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    NotImplementedError,
    AssertionError,
    RecursionError,
)


@dataclass(frozen=True, slots=True)
class LetterSigner:
    """Who signed, as read from the signature's certificate."""

    subject: str
    fingerprint: str  # SHA-256 of the DER certificate, lower-case hex

    def as_json(self) -> dict[str, str]:
        return {"subject": self.subject, "fingerprint": self.fingerprint}


@dataclass(frozen=True, slots=True)
class LetterCheck:
    """What :func:`verify_pdf` found. ``ok`` only when signed, intact and trusted.

    Other checks of a letter (its custody event, say) add fields with defaults here and
    lines to ``problems``; ``as_json`` keeps its keys in a stable order."""

    signed: bool
    intact: bool
    trusted: bool
    signer: LetterSigner | None = None
    signing_time: datetime | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted and not self.problems

    @property
    def signer_subject(self) -> str | None:
        return self.signer.subject if self.signer else None

    @property
    def signer_fingerprint(self) -> str | None:
        return self.signer.fingerprint if self.signer else None

    def as_json(self) -> dict[str, Any]:
        return {
            "signed": self.signed,
            "intact": self.intact,
            "trusted": self.trusted,
            "signer": self.signer.as_json() if self.signer else None,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "problems": list(self.problems),
        }


_T = TypeVar("_T")


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))


class _TimedPdfSigner(signers.PdfSigner):
    """pyHanko's signer, with the signing time the caller gives instead of the clock's."""

    def __init__(
        self,
        meta: signers.PdfSignatureMetadata,
        signer: signers.Signer,
        *,
        signing_time: datetime,
    ) -> None:
        super().__init__(meta, signer)
        self._signing_time = signing_time

    def init_signing_session(
        self, pdf_out: Any, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def _off_loop(work: Callable[[], _T]) -> _T:
    """``work()``, in a worker thread when this thread runs an event loop (pyHanko's own
    ``asyncio.run`` refuses to start inside a running loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pades") as pool:
        return pool.submit(work).result()


def sign_pdf(
    pdf: bytes,
    signer: DocumentSigner,
    *,
    reason: str,
    location: str | None,
    signing_time: datetime,
) -> bytes:
    """``pdf`` with a PAdES B-B signature by ``signer`` in an invisible field, appended as
    an incremental update. The certificate travels inside the signature."""
    return _off_loop(
        lambda: _sign_pdf(pdf, signer, reason=reason, location=location, signing_time=signing_time)
    )


def _sign_pdf(
    pdf: bytes,
    signer: DocumentSigner,
    *,
    reason: str,
    location: str | None,
    signing_time: datetime,
) -> bytes:
    if len(pdf) > PDF_LIMIT:
        raise PayloadTooLarge(f"the PDF is larger than {PDF_LIMIT} bytes")
    if signing_time.utcoffset() is None:
        raise InvalidInput("the signing time must carry a time zone")
    certificate = _asn1_certificate(signer.certificate)
    key = asn1_keys.PrivateKeyInfo.load(
        signer.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    )
    cms_signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([certificate]),  # type: ignore[no-untyped-call]
    )
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=True)
    except _MALFORMED as exc:
        raise InvalidInput(f"cannot sign: not a readable PDF ({_why(exc)})") from None
    output = io.BytesIO()
    _TimedPdfSigner(meta, cms_signer, signing_time=signing_time).sign_pdf(writer, output=output)
    return output.getvalue()


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _unsigned(*problems: str) -> LetterCheck:
    return LetterCheck(signed=False, intact=False, trusted=False, problems=problems)


def verify_pdf(
    pdf: bytes, *, trusted: Sequence[x509.Certificate], now: datetime | None = None
) -> LetterCheck:
    """Check the one PAdES signature of ``pdf`` (see the module's rules) at ``now``
    (default: the system clock). Raises only :class:`PayloadTooLarge`, for input over
    the size limit."""
    return _off_loop(lambda: _verify_pdf(pdf, trusted=trusted, now=now))


def _verify_pdf(
    pdf: bytes, *, trusted: Sequence[x509.Certificate], now: datetime | None
) -> LetterCheck:
    if len(pdf) > PDF_LIMIT:
        raise PayloadTooLarge(
            f"the PDF is {len(pdf)} bytes; letters larger than {PDF_LIMIT} bytes are refused"
        )
    if not pdf.lstrip(b"\x00\t\n\f\r ").startswith(b"%PDF-"):
        return _unsigned("the file is not a PDF (it does not start with %PDF-)")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=True)
        signatures = reader.embedded_regular_signatures
    except _MALFORMED as exc:
        return _unsigned(f"the PDF cannot be read ({_why(exc)})")
    if not signatures:
        return _unsigned("the PDF carries no signature")
    embedded = signatures[0]
    problems: list[str] = []
    if len(signatures) > 1:
        problems.append(
            f"the PDF carries {len(signatures)} signatures; a letter carries exactly one"
        )
    context = ValidationContext(
        trust_roots=[_asn1_certificate(certificate) for certificate in trusted],
        allow_fetching=False,
        moment=now or datetime.now(UTC),
    )
    try:
        signer = _signer_of(embedded.signer_cert)
        status = validate_pdf_signature(embedded, signer_validation_context=context, skip_diff=True)
    except _MALFORMED as exc:
        return LetterCheck(
            signed=True,
            intact=False,
            trusted=False,
            problems=(*problems, f"the signature cannot be checked ({_why(exc)})"),
        )
    check = _judge(status, signer=signer, problems=problems, trusted=trusted)
    if len(signatures) > 1:  # the first cannot cover the file, but say so whatever pyHanko says
        return replace(check, intact=False, trusted=False)
    return check


def _signer_of(certificate: asn1_x509.Certificate) -> LetterSigner:
    der = certificate.dump()
    try:
        subject = subject_text(x509.load_der_x509_certificate(der))
    except ValueError:
        subject = str(certificate.subject.human_friendly)
    return LetterSigner(subject=subject, fingerprint=hashlib.sha256(der).hexdigest())


def _judge(
    status: PdfSignatureStatus,
    *,
    signer: LetterSigner,
    problems: list[str],
    trusted: Sequence[x509.Certificate],
) -> LetterCheck:
    if not status.intact:
        problems.append(
            "the signed bytes do not match the signature's digest: the file was altered"
        )
    elif not status.valid:
        problems.append("the signature does not verify with the certificate it carries")
    coverage = status.coverage
    whole = coverage == SignatureCoverageLevel.ENTIRE_FILE
    if coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        problems.append("the file was changed after it was signed: an update follows the signature")
    elif not whole:
        problems.append("the signature's byte ranges do not cover the file from start to end")
    intact = bool(status.intact and status.valid and whole)
    signing_time = status.signer_reported_dt
    trust_problem = _trust_problem(status, signer=signer, trusted=trusted, signed_at=signing_time)
    if intact and trust_problem:
        problems.append(trust_problem)
    return LetterCheck(
        signed=True,
        intact=intact,
        trusted=intact and trust_problem is None,
        signer=signer,
        signing_time=signing_time,
        problems=tuple(problems),
    )


def _trust_problem(
    status: PdfSignatureStatus,
    *,
    signer: LetterSigner,
    trusted: Sequence[x509.Certificate],
    signed_at: datetime | None,
) -> str | None:
    """Why the signer is not trusted, or None. A pinned certificate is trusted for the
    letters signed while it was valid; a letter's signing time is its signer's claim."""
    if not trusted:
        return "no trusted certificate was given, so the signer is not trusted"
    if not status.trusted:
        if signer.fingerprint not in {fingerprint(c) for c in trusted}:
            return (
                "the signer's certificate is not one of the trusted certificates and does "
                "not chain to one"
            )
        indication = status.trust_problem_indic
        detail = (
            indication.name.lower().replace("_", " ")
            if isinstance(indication, Enum)
            else "no valid path"
        )
        return f"the signer's certificate is trusted but cannot be used for letters ({detail})"
    certificate = status.signing_cert
    if signed_at is None:
        return "the signature does not say when it was made"
    not_before = certificate.not_valid_before
    not_after = certificate.not_valid_after
    if not not_before <= signed_at <= not_after:
        return (
            f"the letter says it was signed at {signed_at.isoformat()}, outside the "
            f"certificate's validity ({not_before.isoformat()} to {not_after.isoformat()})"
        )
    return None


def load_trust(path: Path) -> list[x509.Certificate]:
    """Certificates from a PEM file of one or more ``CERTIFICATE`` blocks (text around
    them is allowed, as RFC 7468 allows; any other block is refused)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(TRUST_LIMIT + 1)
    except FileNotFoundError:
        raise NotFound(f"no trust file at {path}") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a PEM file of certificates") from None
    if len(data) > TRUST_LIMIT:
        raise PayloadTooLarge(f"{path} is larger than {TRUST_LIMIT} bytes")
    blocks = _PEM_BLOCK.findall(data)
    if not blocks:
        raise InvalidInput(
            f"{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----); "
            "a DER file can be converted with 'openssl x509 -inform DER'"
        )
    labels = sorted({label.decode() for label, _ in blocks if label != b"CERTIFICATE"})
    if labels:
        raise InvalidInput(
            f"{path} holds {', '.join(labels)}; a trust file holds only certificates"
        )
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise InvalidInput(f"{path}: a certificate cannot be read ({exc})") from None
    return certificates
