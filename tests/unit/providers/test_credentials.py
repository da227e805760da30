"""Mutual-TLS credentials: PEMs read with ``cryptography``, the key matching the certificate,
sizes bounded, keys TLS takes, time as a warning; what is shown of them identifies them
without revealing the key."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from hanoi.errors import FieldProblem
from hanoi.providers.credentials import (
    check_credentials,
    credential_warnings,
    describe,
    key_kind,
)
from hanoi.providers.limits import DEFAULT_LIMITS, ProviderLimits
from support_providers import NOW, issue, make_ca, make_pki

PKI = make_pki()


def problems_of(
    *, chain: str | None = None, key: str | None = None, ca_bundle: str | None = None,
    limits: ProviderLimits = DEFAULT_LIMITS,
) -> dict[str, str]:  # fmt: skip
    found: list[FieldProblem] = []
    check_credentials(
        chain=PKI.client.pem if chain is None else chain,
        key=PKI.client.key_pem if key is None else key,
        ca_bundle=PKI.server_ca.pem if ca_bundle is None else ca_bundle,
        limits=limits,
        problems=found,
    )
    return {p.path: p.message for p in found}


def test_good_credentials_have_no_problem() -> None:
    assert problems_of() == {}
    chain_with_intermediate = PKI.client.pem + PKI.client_ca.pem
    assert problems_of(chain=chain_with_intermediate) == {}


def test_a_key_that_is_not_the_certificates() -> None:
    other = issue(PKI.client_ca, "someone-else")
    found = problems_of(key=other.key_pem)
    assert found.keys() == {"client_private_key"}
    assert "not the key of the first certificate" in found["client_private_key"]
    assert "CN=hanoi-node-vnm" in found["client_private_key"]


def test_a_private_key_pasted_as_a_certificate_is_named_and_not_echoed() -> None:
    found = problems_of(chain=PKI.client.key_pem, ca_bundle=PKI.client.key_pem)
    assert "holds a private key" in found["client_certificate_chain"]
    assert "holds a private key" in found["ca_bundle"]
    body = PKI.client.key_pem.splitlines()[1]
    assert all(body not in message for message in found.values())


@pytest.mark.parametrize(
    ("chain", "says"),
    [
        ("", "must be PEM"),
        ("hello", "must be PEM"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "cannot be read"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "certificates only"),
        ("é" + PKI.client.pem, "ASCII"),
    ],
)
def test_unreadable_certificates(chain: str, says: str) -> None:
    assert says in problems_of(chain=chain)["client_certificate_chain"]


def test_sizes_and_counts_are_bounded() -> None:
    tight = ProviderLimits(max_certificate_chain_bytes=100, max_private_key_bytes=100)
    found = problems_of(limits=tight)
    assert "larger than 100 bytes" in found["client_certificate_chain"]
    assert "larger than 100 bytes" in found["client_private_key"]
    bundle = PKI.server_ca.pem * 3
    assert (
        "more than 2 certificates"
        in problems_of(ca_bundle=bundle, limits=ProviderLimits(max_ca_certificates=2))["ca_bundle"]
    )


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, password: bytes | None = None) -> str:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode()


def test_keys_tls_does_not_take_or_cannot_use() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    assert "RSA key of 1024 bits" in problems_of(key=_pem(weak))["client_private_key"]
    odd_curve = ec.generate_private_key(ec.SECP256K1())
    assert "EC key on secp256k1" in problems_of(key=_pem(odd_curve))["client_private_key"]
    locked = _pem(ec.generate_private_key(ec.SECP256R1()), password=b"secret")
    assert "is encrypted" in problems_of(key=locked)["client_private_key"]
    two = PKI.client.key_pem + PKI.client.key_pem
    assert "one PEM private key" in problems_of(key=two)["client_private_key"]
    assert "one PEM private key" in problems_of(key=PKI.client.pem)["client_private_key"]


def test_an_rsa_client_certificate_is_taken_and_described() -> None:
    rsa_client = issue(PKI.client_ca, "rsa-node", rsa_bits=2048)
    assert problems_of(chain=rsa_client.pem, key=rsa_client.key_pem) == {}
    assert key_kind(rsa_client.pem) == "RSA 2048"
    assert key_kind(PKI.client.pem) == "EC P-256"


def test_what_is_shown_of_a_certificate() -> None:
    (info,) = describe(PKI.client.pem)
    der = PKI.client.certificate.public_bytes(serialization.Encoding.DER)
    assert info.sha256 == hashlib.sha256(der).hexdigest()
    assert "CN=hanoi-node-vnm" in info.subject
    assert "CN=Node Client CA" in info.issuer
    assert info.not_after == PKI.client.certificate.not_valid_after_utc
    assert int(info.serial, 16) == PKI.client.certificate.serial_number


def test_time_is_a_warning_not_a_problem() -> None:
    old = issue(PKI.client_ca, "old", start=NOW - timedelta(days=400))
    assert problems_of(chain=old.pem, key=old.key_pem) == {}
    warned = credential_warnings(
        chain=old.pem, ca_bundle=PKI.server_ca.pem, now=NOW, limits=DEFAULT_LIMITS
    )
    assert [(w.path, w.message.split(" on ")[0]) for w in warned] == [
        ("client_certificate_chain/0", "the client certificate expired")
    ]
    future = issue(PKI.client_ca, "future", start=NOW + timedelta(days=10))
    (early,) = credential_warnings(
        chain=future.pem, ca_bundle=PKI.server_ca.pem, now=NOW, limits=DEFAULT_LIMITS
    )
    assert "valid only from" in early.message
    ending = issue(PKI.client_ca, "ending", days=10)
    (soon,) = credential_warnings(
        chain=ending.pem, ca_bundle=PKI.server_ca.pem, now=NOW, limits=DEFAULT_LIMITS
    )
    assert "expires on" in soon.message
    assert "in 9 days" in soon.message or "in 10 days" in soon.message
    assert (
        credential_warnings(
            chain=PKI.client.pem, ca_bundle=PKI.server_ca.pem, now=NOW, limits=DEFAULT_LIMITS
        )
        == ()
    )


def test_a_chain_out_of_order_is_a_warning() -> None:
    other_ca = make_ca("Unrelated CA")
    (warning,) = credential_warnings(
        chain=PKI.client.pem + other_ca.pem,
        ca_bundle=PKI.server_ca.pem,
        now=NOW,
        limits=DEFAULT_LIMITS,
    )
    assert warning.path == "client_certificate_chain/1"
    assert "not the issuer" in warning.message
