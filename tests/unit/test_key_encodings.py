from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hanoi.crypto import bech32
from hanoi.crypto.agekeys import AgeIdentity, AgeRecipient, format_identity_file, read_identity_file
from hanoi.crypto.ed25519keys import (
    NoteVerifierKey,
    format_note_signer_key,
    jwk_thumbprint,
    parse_note_signer_key,
    raw_public,
)
from hanoi.errors import InvalidInput

# Published test keys from the C2SP vectors made by the Go reference (tests/vectors/c2sp).
GO_SIGNER = "PRIVATE+KEY+example.org/hanoi-interop/EGY+01ecaf27+AVS5Fc0dvW0mnQhjXfe7O7PaNjdACtGOEKyoSUZ+w0aK"  # noqa: E501
GO_VERIFIER = "example.org/hanoi-interop/EGY+01ecaf27+Afr5gYC4ErRJnqJ+bYKj+rJeOjfy2MwMSQsKvtFq1gQ4"

# From the age specification's test keys (C2SP age.md).
AGE_SECRET = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
AGE_PUBLIC = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"


def test_go_signer_key_matches_go_verifier_key() -> None:
    name, key = parse_note_signer_key(GO_SIGNER)
    verifier = NoteVerifierKey.from_public(name, raw_public(key.public_key()))
    assert str(verifier) == GO_VERIFIER
    assert NoteVerifierKey.parse(GO_VERIFIER) == verifier
    assert format_note_signer_key(name, key) == GO_SIGNER


@pytest.mark.parametrize(
    "text",
    [
        "",
        "name+01ecaf27",
        GO_VERIFIER.replace("01ecaf27", "01ecaf28"),
        GO_VERIFIER.replace("+Afr5", "+Bfr5"),
        "example.org/hanoi-interop/EGY+01ecaf27+!!!",
    ],
)
def test_bad_verifier_keys_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        NoteVerifierKey.parse(text)


def test_age_spec_key_pair() -> None:
    identity = AgeIdentity.parse(AGE_SECRET)
    assert str(identity.recipient()) == AGE_PUBLIC
    assert identity.encode() == AGE_SECRET
    assert AgeRecipient.parse(AGE_PUBLIC) == identity.recipient()
    assert AGE_SECRET not in repr(identity)


def test_identity_file_round_trip() -> None:
    identity = AgeIdentity.generate()
    text = format_identity_file(identity, created="2026-11-28T00:00:00+00:00")
    assert f"# public key: {identity.recipient()}" in text
    assert read_identity_file(text) == identity


@pytest.mark.parametrize(
    "text",
    [
        AGE_PUBLIC.upper(),
        AGE_PUBLIC[:-1] + "q",
        "age1",
        AGE_SECRET.lower().replace("age-secret", "age"),
    ],
)
def test_bad_recipients_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        AgeRecipient.parse(text)


@given(st.binary(max_size=80))
def test_bech32_round_trip(data: bytes) -> None:
    assert bech32.decode(bech32.encode("age", data)) == ("age", data)


@given(st.text(max_size=120))
def test_bech32_decode_never_crashes(text: str) -> None:
    with contextlib.suppress(InvalidInput):
        bech32.decode(text)


def test_jwk_thumbprint_rfc8037_example() -> None:
    # RFC 8037, appendix A.3: the thumbprint of the example Ed25519 key.
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    x = base64.urlsafe_b64decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
    public = Ed25519PublicKey.from_public_bytes(x)
    assert jwk_thumbprint(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
