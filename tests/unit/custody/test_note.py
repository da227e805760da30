"""C2SP signed-note: parsing, signing and the verification rules."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings

from hanoi.custody.errors import MalformedNote, NoTrustedSignature, SignatureError
from hanoi.custody.limits import Limits
from hanoi.custody.note import (
    Ed25519Signer,
    Ed25519Verifier,
    NoteSignature,
    open_note,
    parse_note,
    parse_signature_lines,
    sign_note,
    verify_note,
)
from hanoi.errors import InvalidInput
from unit.custody.logbuilder import mutants

# The example of the signed-note specification.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3m"
    "FXmRKuwHjG1Yu72IneyaQM=\n"
).encode()


def signer(name: str = "example.org/log") -> Ed25519Signer:
    return Ed25519Signer(name, Ed25519PrivateKey.generate())


def test_the_specification_example_verifies() -> None:
    note = open_note(SPEC_NOTE, [Ed25519Verifier.parse(SPEC_VKEY)])
    assert note.text == "This is an example message.\n"
    assert [s.name for s in note.verified] == ["example.com/foo"]
    assert note.verified[0].key_id.hex() == "530d903a"
    assert parse_note(SPEC_NOTE).to_bytes() == SPEC_NOTE


def test_sign_then_verify_keeps_unknown_signatures() -> None:
    log, other = signer(), signer("witness.example/w1")
    signed = sign_note("hello\n\nworld\n", [log, other])
    note = open_note(signed, [log.verifier()])
    assert note.text == "hello\n\nworld\n"
    assert [s.name for s in note.verified] == ["example.org/log"]
    assert [s.name for s in note.unverified] == ["witness.example/w1"]
    # Re-signing keeps the other signature, first, as received.
    again = sign_note(note.text, [log], keep=note.unverified)
    assert parse_note(again).signatures[0] == note.unverified[0]


def test_the_wrong_key_is_not_trusted() -> None:
    signed = sign_note("hello\n", [signer()])
    with pytest.raises(NoTrustedSignature, match="wrong key"):
        open_note(signed, [signer().verifier()])
    with pytest.raises(NoTrustedSignature):
        open_note(signed, [])


def test_a_bad_signature_from_a_trusted_key_rejects_the_note() -> None:
    log = signer()
    signed = bytearray(sign_note("hello\n", [log]))
    signed[0:1] = b"j"
    with pytest.raises(SignatureError, match="bad signature"):
        open_note(bytes(signed), [log.verifier()])
    # ... even when another trusted signature is fine.
    good = parse_note(sign_note("hello\n", [log]))
    forged = NoteSignature(log.name, log.key_id, bytes(64))
    tampered = type(good)(good.text, (*good.signatures, forged))
    with pytest.raises(SignatureError):
        verify_note(tampered, [log.verifier()])


def test_same_name_other_id_is_an_unknown_key() -> None:
    log = signer()
    impostor = signer(log.name)
    note = open_note(sign_note("x\n", [impostor, log]), [log.verifier()])
    assert len(note.verified) == 1
    assert len(note.unverified) == 1


def test_two_trusted_keys_with_one_name_and_id_are_refused() -> None:
    verifier = signer().verifier()
    with pytest.raises(InvalidInput):
        open_note(SPEC_NOTE, [verifier, verifier])


@pytest.mark.parametrize(
    "data",
    [
        b"no blank line\n\xe2\x80\x94 a AAAAAAA=\n",
        b"text\n\n",
        b"text\n\n\xe2\x80\x94 a AAAAAAA=",
        b"text\n\n- a AAAAAAA=\n",
        b"text\n\n\xe2\x80\x94 a+b AAAAAAA=\n",
        b"text\n\n\xe2\x80\x94 a AAAA\n",
        b"text\n\n\xe2\x80\x94 a AAAAAAB=\n",
        b"text\n\n\xe2\x80\x94 a AAAAAAA\n",
        b"text\n\n\xe2\x80\x94 aAAAAAAA=\n",
        b"te\txt\n\n\xe2\x80\x94 a AAAAAAA=\n",
        b"te\xffxt\n\n\xe2\x80\x94 a AAAAAAA=\n",
        b"text\r\n\n\xe2\x80\x94 a AAAAAAA=\n",
        "text\n\n\u2014 a\u00a0b AAAAAAA=\n".encode(),
    ],
)
def test_malformed_notes_are_rejected(data: bytes) -> None:
    with pytest.raises(MalformedNote):
        parse_note(data)


def test_limits_on_size_and_signature_count() -> None:
    log = signer()
    many = sign_note("x\n", [signer(f"w{i}") for i in range(5)] + [log])
    assert len(open_note(many, [log.verifier()]).unverified) == 5
    with pytest.raises(MalformedNote, match="more than 4"):
        parse_note(many, limits=Limits(max_signatures=4))
    with pytest.raises(MalformedNote, match="larger than"):
        parse_note(many, limits=Limits(max_note_bytes=100))
    assert len(parse_signature_lines(many.decode().split("\n\n")[1])) == 6


def test_signing_refuses_bad_text() -> None:
    with pytest.raises(InvalidInput):
        sign_note("no newline", [signer()])
    with pytest.raises(InvalidInput):
        sign_note("bell\a\n", [signer()])
    with pytest.raises(InvalidInput):
        sign_note("x\n", [])


VALID = sign_note("origin\n12\nAAAA\n", [signer(), signer("witness/w")])


@settings(max_examples=2000, deadline=None)
@given(mutants(VALID, SPEC_NOTE))
def test_fuzzed_notes_parse_or_raise_malformed(data: bytes) -> None:
    try:
        note = parse_note(data)
    except MalformedNote:
        return
    assert note.to_bytes() == data
