"""Sealing and opening envelopes: the round trip, and every refusal with its own error."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi import errors
from hanoi.federation import errors as federation_errors
from hanoi.federation.envelope import (
    MESSAGE_JWS_TYPE,
    EnvelopeLimits,
    MemorySenderKeys,
    SenderKey,
    VerifiedMessage,
    open_envelope,
    seal,
)
from hanoi.federation.errors import (
    BadMessageSignature,
    MalformedEnvelope,
    MalformedMessage,
    MessageTooLarge,
    NotAddressedToThisNode,
    NotEncryptedToThisNode,
    StaleMessage,
    TamperedEnvelope,
    UnknownSender,
    UnknownSenderKey,
    UnsignedMessage,
    WrongSender,
)
from hanoi.federation.messages import Message
from hanoi.web.problems import status_for
from unit.federation.support import (
    NOW,
    Peer,
    age_encrypt,
    b64url,
    ed25519_jws,
    make_message,
    raw_jws,
)


@pytest.fixture
def receive(bbb: Peer, directory: MemorySenderKeys) -> Any:
    """Open an envelope at BBB's node, at ``now`` (NOW unless given)."""

    def receive_at(data: bytes, *, now: Any = NOW, **kwargs: Any) -> VerifiedMessage:
        return open_envelope(
            data, identities=[bbb.age], keys=directory, me="BBB", now=now, **kwargs
        )

    return receive_at


def header(signer: Peer, **overrides: Any) -> dict[str, Any]:
    value = {"alg": "EdDSA", "kid": signer.key_id, "typ": MESSAGE_JWS_TYPE, "iss": signer.state}
    value.update(overrides)
    return {k: v for k, v in value.items() if v is not None}


def test_a_sealed_message_opens_at_its_recipient(aaa: Peer, bbb: Peer, receive: Any) -> None:
    message = make_message()
    verified = receive(seal(message, signing_key=aaa.signing, recipient=bbb.recipient))
    assert verified.message == message
    assert verified.key_id == aaa.key_id
    assert verified.digest == hashlib.sha256(message.canonical()).hexdigest()
    assert verified.content_digest == message.content_digest()


def test_the_envelope_hides_the_message(aaa: Peer, bbb: Peer) -> None:
    message = make_message(body={"transition": "withdraw", "record": {"reasons": "SECRET-42"}})
    data = seal(message, signing_key=aaa.signing, recipient=bbb.recipient)
    assert data.startswith(b"age-encryption.org/v1\n")
    assert b"SECRET-42" not in data
    assert b"AAA" not in data


def test_an_oversized_envelope_is_refused_before_decryption(aaa: Peer, receive: Any) -> None:
    limits = EnvelopeLimits(max_envelope_bytes=1024, max_document_envelope_bytes=1024)
    with pytest.raises(MessageTooLarge, match="at most 1024"):
        receive(b"x" * 1025, limits=limits)


def test_an_envelope_that_is_not_age_is_malformed(receive: Any) -> None:
    with pytest.raises(MalformedEnvelope, match="not a binary age v1 file"):
        receive(b'{"version":1}')


def test_an_envelope_for_another_node_is_refused(aaa: Peer, ccc: Peer, receive: Any) -> None:
    data = seal(make_message(), signing_key=aaa.signing, recipient=ccc.recipient)
    with pytest.raises(NotEncryptedToThisNode, match="not encrypted to this node"):
        receive(data)


def test_an_altered_envelope_is_refused(aaa: Peer, bbb: Peer, receive: Any) -> None:
    data = bytearray(seal(make_message(), signing_key=aaa.signing, recipient=bbb.recipient))
    data[-5] ^= 1
    with pytest.raises(TamperedEnvelope):
        receive(bytes(data))


@pytest.mark.parametrize(
    "plaintext",
    [
        pytest.param(lambda m, k: m.canonical(), id="plain-json"),
        pytest.param(lambda m, k: raw_jws({"alg": "none"}, m.canonical()), id="alg-none"),
        pytest.param(
            lambda m, k: raw_jws({"alg": "EdDSA", "kid": "x", "iss": "AAA"}, m.canonical()),
            id="no-signature",
        ),
        pytest.param(
            lambda m, k: raw_jws(
                {"alg": "HS256", "kid": k, "typ": MESSAGE_JWS_TYPE, "iss": "AAA"},
                m.canonical(),
                hmac.new(k.encode(), b"x", "sha256").digest(),
            ),
            id="hs256-keyed-with-the-public-kid",
        ),
        pytest.param(lambda m, k: b"a.b.c.d.e", id="jwe-shaped"),
    ],
)
def test_an_unsigned_message_is_refused(plaintext: Any, aaa: Peer, bbb: Peer, receive: Any) -> None:
    data = age_encrypt(plaintext(make_message(), aaa.key_id), bbb.recipient)
    with pytest.raises(UnsignedMessage):
        receive(data)


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"typ": "JWT"}, "'typ'"),
        ({"typ": None}, "'typ'"),
        ({"crit": ["b64"], "b64": False}, "unexpected JWS header members: b64, crit"),
        ({"kid": None}, "'kid'"),
        ({"iss": None}, "'iss'"),
    ],
)
def test_a_header_outside_the_profile_is_malformed(
    overrides: dict[str, Any], why: str, aaa: Peer, bbb: Peer, receive: Any
) -> None:
    token = ed25519_jws(header(aaa, **overrides), make_message().canonical(), aaa.signing)
    with pytest.raises(MalformedMessage, match=why):
        receive(age_encrypt(token, bbb.recipient))


def test_a_signed_payload_that_is_no_message_is_malformed(
    aaa: Peer, bbb: Peer, receive: Any
) -> None:
    token = ed25519_jws(header(aaa), b'{"hello":"world"}', aaa.signing)
    with pytest.raises(MalformedMessage, match="lacks required members"):
        receive(age_encrypt(token, bbb.recipient))


def test_a_key_the_directory_does_not_know_is_refused(bbb: Peer, receive: Any) -> None:
    stranger = Peer.generate("AAA")
    data = seal(make_message(), signing_key=stranger.signing, recipient=bbb.recipient)
    with pytest.raises(UnknownSenderKey, match="not a signing key of AAA"):
        receive(data)


def test_a_forged_signature_under_the_senders_kid_is_refused(
    aaa: Peer, bbb: Peer, receive: Any
) -> None:
    forger = Ed25519PrivateKey.generate()
    token = ed25519_jws(header(aaa), make_message().canonical(), forger)
    with pytest.raises(BadMessageSignature, match=f"does not verify with key {aaa.key_id}"):
        receive(age_encrypt(token, bbb.recipient))


def test_a_payload_altered_after_signing_is_refused(aaa: Peer, bbb: Peer, receive: Any) -> None:
    token = ed25519_jws(header(aaa), make_message().canonical(), aaa.signing)
    head, _payload, signature = token.split(b".")
    other = b64url(make_message().canonical()).encode()
    with pytest.raises(BadMessageSignature):
        receive(age_encrypt(b".".join([head, other, signature]), bbb.recipient))


def test_a_sender_claiming_another_state_in_the_message_is_refused(
    aaa: Peer, bbb: Peer, receive: Any
) -> None:
    data = seal(make_message(sender="CCC"), signing_key=aaa.signing, recipient=bbb.recipient)
    # seal names the message's sender as the signer; AAA's key is not CCC's key.
    with pytest.raises(UnknownSenderKey, match="not a signing key of CCC"):
        receive(data)
    token = ed25519_jws(header(aaa), make_message(sender="CCC").canonical(), aaa.signing)
    with pytest.raises(WrongSender, match="names CCC as its sender, but was signed by AAA"):
        receive(age_encrypt(token, bbb.recipient))


def test_a_state_outside_the_directory_is_refused(bbb: Peer, receive: Any) -> None:
    zzz = Peer.generate("ZZZ")
    data = seal(make_message(sender="ZZZ"), signing_key=zzz.signing, recipient=bbb.recipient)
    with pytest.raises(UnknownSender, match="no node for State 'ZZZ'"):
        receive(data)


def test_the_key_must_be_valid_when_the_message_was_signed(aaa: Peer, bbb: Peer) -> None:
    retired = MemorySenderKeys(
        [SenderKey("AAA", aaa.signing.public_key(), not_after=NOW - timedelta(days=1))]
    )
    data = seal(make_message(), signing_key=aaa.signing, recipient=bbb.recipient)
    with pytest.raises(UnknownSenderKey, match="was not valid at 2026-12-01T10:00:00Z"):
        open_envelope(data, identities=[bbb.age], keys=retired, me="BBB", now=NOW)


def test_a_message_for_another_state_re_encrypted_to_us_is_refused(
    aaa: Peer, bbb: Peer, receive: Any
) -> None:
    for_ccc = make_message(recipient="CCC")
    data = seal(for_ccc, signing_key=aaa.signing, recipient=bbb.recipient)
    with pytest.raises(NotAddressedToThisNode, match="addressed to CCC, not to BBB"):
        receive(data)


@pytest.mark.parametrize(
    ("sent", "accepted"),
    [
        (NOW - timedelta(minutes=10), True),
        (NOW - timedelta(minutes=10, seconds=1), False),
        (NOW - timedelta(days=2), False),
        (NOW + timedelta(minutes=2), True),
        (NOW + timedelta(minutes=2, seconds=1), False),
        (NOW + timedelta(hours=1), False),
    ],
)
def test_freshness_is_a_window_around_now(
    sent: Any, accepted: bool, aaa: Peer, bbb: Peer, receive: Any
) -> None:
    data = seal(make_message(sent_at=sent), signing_key=aaa.signing, recipient=bbb.recipient)
    if accepted:
        assert receive(data).message.sent_at == sent
    else:
        with pytest.raises(StaleMessage, match=r"s ago|clock skew"):
            receive(data)


def test_an_old_message_re_signed_for_a_retry_is_fresh(aaa: Peer, bbb: Peer, receive: Any) -> None:
    first = make_message(sent_at=NOW - timedelta(hours=6))
    later = NOW + timedelta(hours=6)
    data = seal(first.resent(later), signing_key=aaa.signing, recipient=bbb.recipient)
    assert receive(data, now=later).message.id == first.id


def test_the_content_digest_tells_a_retry_from_changed_content(
    aaa: Peer, bbb: Peer, receive: Any
) -> None:
    """What the inbox keys duplicates on (tests/functional/test_federation.py has the
    inbox itself): a retry, re-signed later, has the digest of the first delivery;
    the same id with other content has another."""
    message = make_message()

    def digest(msg: Message, now: Any = NOW) -> str:
        verified = receive(seal(msg, signing_key=aaa.signing, recipient=bbb.recipient), now=now)
        assert verified.message.id == message.id
        return str(verified.content_digest)

    first = digest(message)
    assert digest(message) == first
    later = NOW + timedelta(hours=2)
    assert digest(message.resent(later), later) == first
    changed = make_message(id=message.id, body={"transition": "withdraw", "record": {}})
    assert digest(changed) != first


def test_unknown_members_survive_the_envelope(aaa: Peer, bbb: Peer, receive: Any) -> None:
    message = make_message(
        extra={"trace": {"hop": 1}},
        body={"transition": "withdraw", "record": {}, "annex": [1, 2]},
    )
    verified = receive(seal(message, signing_key=aaa.signing, recipient=bbb.recipient))
    assert json.loads(verified.message.canonical())["trace"] == {"hop": 1}
    assert verified.message.body["annex"] == (1, 2)


def test_the_inputs_of_the_receiver_are_checked(bbb: Peer, directory: Any) -> None:
    with pytest.raises(errors.InvalidInput, match="alpha-3"):
        open_envelope(b"", identities=[bbb.age], keys=directory, me="bbb", now=NOW)
    with pytest.raises(errors.InvalidInput, match="timezone"):
        open_envelope(
            b"", identities=[bbb.age], keys=directory, me="BBB", now=NOW.replace(tzinfo=None)
        )
    with pytest.raises(errors.InvalidInput):
        EnvelopeLimits(max_age=timedelta(0))


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (federation_errors.MalformedMessage, 400),
        (federation_errors.MalformedEnvelope, 400),
        (federation_errors.UnsignedMessage, 400),
        (federation_errors.NotEncryptedToThisNode, 400),
        (federation_errors.MessageTooLarge, 413),
        (federation_errors.UnknownSender, 403),
        (federation_errors.UnknownSenderKey, 403),
        (federation_errors.WrongSender, 403),
        (federation_errors.SenderNotAllowed, 403),
        (federation_errors.ReplayedMessage, 409),
        (federation_errors.TamperedEnvelope, 422),
        (federation_errors.BadMessageSignature, 422),
        (federation_errors.NotAddressedToThisNode, 422),
        (federation_errors.StaleMessage, 422),
        (federation_errors.BadReceipt, 502),
    ],
)
def test_each_refusal_has_its_own_problem_type_and_status(error: Any, status: int) -> None:
    exc = error("detail")
    assert status_for(exc) == status
    assert exc.type_slug not in {"error", "unauthenticated"}


def test_no_two_refusals_share_a_problem_type() -> None:
    classes = [
        value
        for value in vars(federation_errors).values()
        if isinstance(value, type)
        and issubclass(value, federation_errors.FederationError)
        and value is not federation_errors.FederationError
    ]
    assert len({cls.type_slug for cls in classes}) == len(classes) == 18
