"""Signers and a signed letter, shared by the tests of this folder."""

from __future__ import annotations

import pytest

from hanoi.crypto.document_signing import DocumentSigner, generate_document_signer
from hanoi.letters.pades import sign_pdf
from support_letters import SIGNED_AT, letter_pdf


@pytest.fixture(scope="session")
def plain_pdf() -> bytes:
    return letter_pdf()


@pytest.fixture(scope="session")
def signer() -> DocumentSigner:
    return generate_document_signer(
        state="EGY", name="Central Authority of Egypt", now=SIGNED_AT.replace(hour=0)
    )


@pytest.fixture(scope="session")
def other_signer() -> DocumentSigner:
    return generate_document_signer(
        state="FRA", name="Autorité centrale de la France", now=SIGNED_AT.replace(hour=0)
    )


@pytest.fixture(scope="session")
def signed_pdf(plain_pdf: bytes, signer: DocumentSigner) -> bytes:
    return sign_pdf(
        plain_pdf,
        signer,
        reason="Letter of request (Art. 40(14))",
        location="Cairo",
        signing_time=SIGNED_AT,
    )
