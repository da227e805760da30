"""Recipient stanzas: X25519 and scrypt wrapping, and the rules an identity enforces."""

from __future__ import annotations

import io

import pytest

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.errors import InvalidInput
from hanoi.evidence.age import (
    Decryptor,
    Encryptor,
    HeaderMacMismatch,
    Limits,
    MalformedHeader,
    MalformedStanza,
    NoIdentityMatch,
    ScryptIdentity,
    ScryptRecipient,
    b64,
    scrypt,
    x25519,
)
from hanoi.evidence.age.header import Header, Stanza
from hanoi.evidence.age.keys import build_header, new_file_key, unwrap_file_key, verify_header_mac

# Points of small order on Curve25519 (all give an all-zero shared secret).
LOW_ORDER = [
    bytes(32),
    bytes([1]) + bytes(31),
    bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
]


def share(stanza: Stanza, raw: bytes) -> Stanza:
    return Stanza(stanza.type, (b64.encode_unpadded(raw).decode(),), stanza.body)


def test_x25519_wraps_for_its_identity(identity: AgeIdentity, stranger: AgeIdentity) -> None:
    file_key = new_file_key()
    stanza = x25519.wrap(identity.recipient(), file_key)
    assert stanza.type == "X25519"
    assert len(stanza.body) == 32
    assert x25519.unwrap(identity, stanza) == file_key
    assert x25519.unwrap(stranger, stanza) is None
    assert x25519.unwrap(identity, Stanza("x25519", stanza.args, stanza.body)) is None


@pytest.mark.parametrize("point", LOW_ORDER)
def test_x25519_refuses_low_order_shares(identity: AgeIdentity, point: bytes) -> None:
    stanza = x25519.wrap(identity.recipient(), new_file_key())
    with pytest.raises(MalformedStanza, match="low-order"):
        x25519.unwrap(identity, share(stanza, point))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: Stanza(s.type, (), s.body), "exactly one argument"),
        (lambda s: Stanza(s.type, (*s.args, "extra"), s.body), "exactly one argument"),
        (lambda s: Stanza(s.type, (s.args[0] + "A",), s.body), "canonical base64|32 bytes"),
        (lambda s: Stanza(s.type, (s.args[0][:-4],), s.body), "canonical base64|32 bytes"),
        (lambda s: Stanza(s.type, ("AAAA",), s.body), "32 bytes"),
        (lambda s: Stanza(s.type, s.args, s.body + b"\x00"), "wrapped file key"),
        (lambda s: Stanza(s.type, s.args, s.body[:-1]), "wrapped file key"),
    ],
)
def test_x25519_malformed(identity: AgeIdentity, change: object, message: str) -> None:
    stanza = x25519.wrap(identity.recipient(), new_file_key())
    with pytest.raises(MalformedStanza, match=message):
        x25519.unwrap(identity, change(stanza))  # type: ignore[operator]


def test_scrypt_round_trip() -> None:
    file_key = new_file_key()
    stanza = scrypt.wrap(ScryptRecipient("passphrase", log_n=10), file_key)
    assert stanza.args[1] == "10"
    assert scrypt.unwrap(ScryptIdentity("passphrase"), stanza, max_log_n=10) == file_key
    assert scrypt.unwrap(ScryptIdentity("other"), stanza, max_log_n=10) is None
    with pytest.raises(MalformedStanza, match="above the limit of 9"):
        scrypt.unwrap(ScryptIdentity("passphrase"), stanza, max_log_n=9)


@pytest.mark.parametrize("factor", ["0", "010", "+10", "-1", "0x0a", "1e1", "99999999999999999999"])
def test_scrypt_work_factor_syntax(factor: str) -> None:
    stanza = scrypt.wrap(ScryptRecipient("passphrase", log_n=10), new_file_key())
    bad = Stanza("scrypt", (stanza.args[0], factor), stanza.body)
    with pytest.raises(MalformedStanza, match="work factor"):
        scrypt.unwrap(ScryptIdentity("passphrase"), bad, max_log_n=22)


def test_scrypt_limit_comes_from_the_reader(identity: AgeIdentity) -> None:
    out = io.BytesIO()
    with Encryptor(out, [ScryptRecipient("pw", log_n=12)]) as encryptor:
        encryptor.write(b"x")
    with pytest.raises(MalformedStanza, match="above the limit of 11"):
        Decryptor(
            io.BytesIO(out.getvalue()), [ScryptIdentity("pw")], limits=Limits(max_scrypt_log_n=11)
        )
    assert Decryptor(io.BytesIO(out.getvalue()), [ScryptIdentity("pw")]).read() == b"x"


def test_scrypt_must_be_alone_whatever_the_identities(identity: AgeIdentity) -> None:
    file_key = new_file_key()
    stanzas = (
        x25519.wrap(identity.recipient(), file_key),
        scrypt.wrap(ScryptRecipient("pw", log_n=10), file_key),
    )
    header = Header(stanzas, bytes(32))
    for identities in ([identity], [ScryptIdentity("pw")]):
        with pytest.raises(MalformedHeader, match="only stanza"):
            unwrap_file_key(header, identities)  # type: ignore[arg-type]


def test_passphrases_must_not_be_empty() -> None:
    with pytest.raises(InvalidInput):
        ScryptRecipient("")
    with pytest.raises(InvalidInput):
        ScryptIdentity("")
    with pytest.raises(InvalidInput):
        ScryptRecipient("pw", log_n=31)


def test_header_mac(identity: AgeIdentity) -> None:
    file_key = new_file_key()
    header = build_header(file_key, [identity.recipient()])
    verify_header_mac(header, file_key)
    assert unwrap_file_key(header, [identity]) == file_key
    with pytest.raises(HeaderMacMismatch):
        verify_header_mac(header, new_file_key())
    forged = Header((*header.stanzas, Stanza("other", (), b"")), header.mac)
    with pytest.raises(HeaderMacMismatch):
        unwrap_file_key(forged, [identity])


def test_unknown_stanzas_are_ignored(identity: AgeIdentity) -> None:
    file_key = new_file_key()
    real = x25519.wrap(identity.recipient(), file_key)
    grease = Stanza("mlkem768x25519", ("AAAA",), b"\x00" * 32)
    header = build_header(file_key, [identity.recipient()])
    mixed = Header((grease, real), header.mac)
    with pytest.raises(HeaderMacMismatch):  # found the key; the MAC covers the stanzas
        unwrap_file_key(mixed, [identity])
    with pytest.raises(NoIdentityMatch) as caught:
        unwrap_file_key(Header((grease,), header.mac), [identity])
    assert caught.value.stanza_types == ("mlkem768x25519",)


def test_file_key_length() -> None:
    with pytest.raises(InvalidInput):
        build_header(b"short", [AgeIdentity.generate().recipient()])
