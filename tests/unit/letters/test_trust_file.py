"""load_trust: a PEM bundle of certificates, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from hanoi.crypto.document_signing import DocumentSigner, generate_document_signer
from hanoi.errors import InvalidInput, NotFound, PayloadTooLarge
from hanoi.letters.pades import TRUST_LIMIT, load_trust

NOW = datetime(2026, 12, 7, tzinfo=UTC)


@pytest.fixture(scope="module")
def two() -> tuple[DocumentSigner, DocumentSigner]:
    return (
        generate_document_signer(state="EGY", name="Egypt", now=NOW),
        generate_document_signer(state="VNM", name="Viet Nam", now=NOW),
    )


def test_a_bundle_with_explanatory_text(
    tmp_path: Path, two: tuple[DocumentSigner, DocumentSigner]
) -> None:
    bundle = tmp_path / "trust.pem"
    bundle.write_bytes(
        b"Egypt, pinned 2026-12-07\n"
        + two[0].certificate_pem()
        + b"\nViet Nam\r\n"
        + two[1].certificate_pem().replace(b"\n", b"\r\n")
    )
    assert load_trust(bundle) == [two[0].certificate, two[1].certificate]


def test_a_private_key_is_refused(
    tmp_path: Path, two: tuple[DocumentSigner, DocumentSigner]
) -> None:
    bundle = tmp_path / "trust.pem"
    bundle.write_bytes(two[0].certificate_pem() + two[0].key_pem())
    with pytest.raises(InvalidInput, match="PRIVATE KEY; a trust file holds only certificates"):
        load_trust(bundle)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a certificate",
        b"-----BEGIN CERTIFICATE-----\nbm90IGRlcg==\n-----END CERTIFICATE-----\n",
        b"-----BEGIN CERTIFICATE-----\nunterminated\n",
    ],
)
def test_what_is_not_a_pem_certificate_is_refused(tmp_path: Path, content: bytes) -> None:
    bundle = tmp_path / "trust.pem"
    bundle.write_bytes(content)
    with pytest.raises(InvalidInput):
        load_trust(bundle)


def test_a_der_certificate_is_refused_with_how_to_convert_it(
    tmp_path: Path, two: tuple[DocumentSigner, DocumentSigner]
) -> None:
    bundle = tmp_path / "trust.der"
    bundle.write_bytes(two[0].certificate.public_bytes(Encoding.DER))
    with pytest.raises(InvalidInput, match="openssl x509 -inform DER"):
        load_trust(bundle)


def test_limits_and_missing_files(tmp_path: Path) -> None:
    large = tmp_path / "large.pem"
    large.write_bytes(b"#" * (TRUST_LIMIT + 1))
    with pytest.raises(PayloadTooLarge):
        load_trust(large)
    with pytest.raises(NotFound):
        load_trust(tmp_path / "missing.pem")
    with pytest.raises(InvalidInput, match="folder"):
        load_trust(tmp_path)
