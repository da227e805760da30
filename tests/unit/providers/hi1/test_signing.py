"""The message signature: a detached EdDSA JWS in ETSI's Signature element."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.crypto.jws import JwsFormatError, JwsNotSigned, JwsSignatureError
from hanoi.errors import IntegrityError, InvalidInput, NotFound
from hanoi.providers.hi1 import (
    OrderSpec,
    build_order,
    sign_message,
    validate_message,
    verify_message,
)
from hanoi.providers.hi1.signing import JWS_TYPE, signed_payload
from support_hi1 import NOW, example

KEY = Ed25519PrivateKey.generate()


def key_for(key_id: str) -> Ed25519PublicKey:
    if key_id != jwk_thumbprint(KEY.public_key()):
        raise NotFound(f"no key {key_id}")
    return KEY.public_key()


@pytest.fixture
def signed(disclosure: OrderSpec) -> dict[str, Any]:
    return sign_message(build_order(disclosure, timestamp=NOW).message, KEY)


def test_a_signed_order_is_still_valid_hi1_and_verifies(signed: dict[str, Any]) -> None:
    validate_message(signed)
    header = verify_message(signed, key_for=key_for)
    assert header.type == JWS_TYPE
    assert header.key_id == jwk_thumbprint(KEY.public_key())
    assert set(signed["Signature"]) == {"protected", "signature"}


def test_re_indenting_the_message_keeps_the_signature(signed: dict[str, Any]) -> None:
    reparsed = json.loads(json.dumps(signed, indent=4, sort_keys=True))
    verify_message(reparsed, key_for=key_for)


def test_a_changed_message_does_not_verify(signed: dict[str, Any]) -> None:
    signed["Header"]["ReceiverIdentifier"]["UniqueIdentifier"] = "OTHER-PROVIDER"
    with pytest.raises(JwsSignatureError) as caught:
        verify_message(signed, key_for=key_for)
    assert isinstance(caught.value, IntegrityError)


def test_another_key_does_not_verify(disclosure: OrderSpec) -> None:
    other = sign_message(
        build_order(disclosure, timestamp=NOW).message, Ed25519PrivateKey.generate()
    )
    with pytest.raises(NotFound):
        verify_message(other, key_for=key_for)


def test_an_unsigned_message_is_refused(disclosure: OrderSpec) -> None:
    with pytest.raises(JwsFormatError, match="no Signature"):
        verify_message(build_order(disclosure, timestamp=NOW).message, key_for=key_for)


def test_etsis_hs256_example_signature_is_not_accepted() -> None:
    with pytest.raises(JwsNotSigned) as caught:
        verify_message(example("request1_signed.json"), key_for=key_for)
    assert isinstance(caught.value, InvalidInput)


def test_signing_again_replaces_the_signature(signed: dict[str, Any]) -> None:
    again = sign_message(signed, KEY)
    assert signed_payload(again) == signed_payload(signed)
    verify_message(again, key_for=key_for)
    assert "Signatures" not in again
