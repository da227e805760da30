"""Signed receipts: made by the receiving node, checked by the sending node."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
import rfc8785

from hanoi.federation.envelope import MemorySenderKeys, VerifiedMessage, open_envelope, seal
from hanoi.federation.errors import (
    BadReceipt,
    BadReceiptSignature,
    MalformedReceipt,
    ReceiptMismatch,
    UnknownSenderKey,
)
from hanoi.federation.messages import Message
from hanoi.federation.receipts import (
    RECEIPT_JWS_TYPE,
    ReceiptOutcome,
    make_receipt,
    verify_receipt,
)
from unit.federation.support import NOW, Peer, b64url, ed25519_jws, make_message

RECEIVED = NOW + timedelta(seconds=3)


@pytest.fixture
def sent(aaa: Peer, bbb: Peer, directory: MemorySenderKeys) -> tuple[Message, VerifiedMessage]:
    message = make_message()
    data = seal(message, signing_key=aaa.signing, recipient=bbb.recipient)
    return message, open_envelope(data, identities=[bbb.age], keys=directory, me="BBB", now=NOW)


def payload_of(token: bytes) -> dict[str, Any]:
    part = token.split(b".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + b"=" * (-len(part) % 4))))


def test_a_receipt_verifies_against_the_message_it_acknowledges(
    sent: Any, bbb: Peer, directory: MemorySenderKeys
) -> None:
    message, verified = sent
    token = make_receipt(
        verified, outcome=ReceiptOutcome.ACCEPTED, received_at=RECEIVED, signing_key=bbb.signing
    )
    receipt = verify_receipt(token, message=message, keys=directory)
    assert receipt.outcome is ReceiptOutcome.ACCEPTED
    assert receipt.message_sha256 == message.content_digest()
    assert (receipt.sender, receipt.receiver, receipt.received_at) == ("AAA", "BBB", RECEIVED)
    assert payload_of(token) == {
        "version": 1,
        "type": "receipt",
        "message_id": message.id,
        "message_sha256": message.content_digest(),
        "receiver": "BBB",
        "sender": "AAA",
        "received_at": "2026-12-01T10:00:03Z",
        "outcome": "accepted",
    }


def test_a_duplicate_is_acknowledged_as_such_and_fits_every_attempt(
    sent: Any, bbb: Peer, directory: MemorySenderKeys
) -> None:
    message, verified = sent
    token = make_receipt(
        verified, outcome=ReceiptOutcome.DUPLICATE, received_at=RECEIVED, signing_key=bbb.signing
    )
    retry = message.resent(NOW + timedelta(hours=1))
    assert verify_receipt(token, message=retry, keys=directory).outcome == "duplicate"


def test_a_tampered_receipt_is_refused(sent: Any, bbb: Peer, directory: MemorySenderKeys) -> None:
    message, verified = sent
    token = make_receipt(
        verified, outcome=ReceiptOutcome.ACCEPTED, received_at=RECEIVED, signing_key=bbb.signing
    )
    head, _payload, signature = token.split(b".")
    value = payload_of(token)
    value["outcome"] = "duplicate"
    forged = b".".join([head, b64url(rfc8785.dumps(value)).encode(), signature])
    with pytest.raises(BadReceiptSignature, match="does not verify"):
        verify_receipt(forged, message=message, keys=directory)


def test_a_receipt_for_another_message_is_refused(
    sent: Any, bbb: Peer, directory: MemorySenderKeys
) -> None:
    _message, verified = sent
    token = make_receipt(
        verified, outcome=ReceiptOutcome.ACCEPTED, received_at=RECEIVED, signing_key=bbb.signing
    )
    other = make_message()
    with pytest.raises(ReceiptMismatch) as exc:
        verify_receipt(token, message=other, keys=directory)
    assert {f.path for f in exc.value.fields} == {"/message_id", "/message_sha256"}
    changed = make_message(id=verified.message.id, body={"transition": "withdraw", "record": {}})
    with pytest.raises(ReceiptMismatch, match="does not acknowledge"):
        verify_receipt(token, message=changed, keys=directory)


def test_a_receipt_from_another_state_is_refused(
    sent: Any, aaa: Peer, ccc: Peer, directory: MemorySenderKeys
) -> None:
    message, verified = sent
    by_ccc = make_receipt(
        verified, outcome=ReceiptOutcome.ACCEPTED, received_at=RECEIVED, signing_key=ccc.signing
    )
    # make_receipt names the message's recipient (BBB) as signer: CCC's key is not BBB's.
    with pytest.raises(UnknownSenderKey, match="not a signing key of BBB"):
        verify_receipt(by_ccc, message=message, keys=directory)
    header = {"alg": "EdDSA", "kid": ccc.key_id, "typ": RECEIPT_JWS_TYPE, "iss": "CCC"}
    token = ed25519_jws(header, rfc8785.dumps(payload_of(by_ccc)), ccc.signing)
    with pytest.raises(BadReceiptSignature, match="signed by CCC, not by BBB"):
        verify_receipt(token, message=message, keys=directory)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda v: v.pop("outcome"), id="missing-member"),
        pytest.param(lambda v: v.update(outcome="maybe"), id="unknown-outcome"),
        pytest.param(lambda v: v.update(version=2), id="version"),
        pytest.param(lambda v: v.update(type="message"), id="type"),
        pytest.param(lambda v: v.update(received_at="yesterday"), id="time"),
        pytest.param(lambda v: v.update(message_sha256="AB" * 32), id="digest"),
    ],
)
def test_a_malformed_receipt_is_refused(change: Any, sent: Any, bbb: Peer, directory: Any) -> None:
    message, verified = sent
    value = payload_of(
        make_receipt(
            verified, outcome=ReceiptOutcome.ACCEPTED, received_at=RECEIVED, signing_key=bbb.signing
        )
    )
    change(value)
    header = {"alg": "EdDSA", "kid": bbb.key_id, "typ": RECEIPT_JWS_TYPE, "iss": "BBB"}
    token = ed25519_jws(header, rfc8785.dumps(value), bbb.signing)
    with pytest.raises(MalformedReceipt):
        verify_receipt(token, message=message, keys=directory)


def test_an_unsigned_or_non_canonical_receipt_is_refused(
    sent: Any, bbb: Peer, directory: MemorySenderKeys
) -> None:
    message, verified = sent
    value = payload_of(
        make_receipt(
            verified, outcome=ReceiptOutcome.ACCEPTED, received_at=RECEIVED, signing_key=bbb.signing
        )
    )
    header = {"alg": "EdDSA", "kid": bbb.key_id, "typ": RECEIPT_JWS_TYPE, "iss": "BBB"}
    spaced = ed25519_jws(header, json.dumps(value, indent=2).encode(), bbb.signing)
    with pytest.raises(MalformedReceipt, match="canonical"):
        verify_receipt(spaced, message=message, keys=directory)
    for bad in (b"not a receipt", b"x" * 20_000, b"eyJhbGciOiJub25lIn0.e30."):
        with pytest.raises(BadReceipt):
            verify_receipt(bad, message=message, keys=directory)


def test_unknown_receipt_members_are_kept(
    sent: Any, bbb: Peer, directory: MemorySenderKeys
) -> None:
    message, verified = sent
    value = payload_of(
        make_receipt(
            verified, outcome=ReceiptOutcome.ACCEPTED, received_at=RECEIVED, signing_key=bbb.signing
        )
    )
    value["queue_position"] = 4
    header = {"alg": "EdDSA", "kid": bbb.key_id, "typ": RECEIPT_JWS_TYPE, "iss": "BBB"}
    token = ed25519_jws(header, rfc8785.dumps(value), bbb.signing)
    receipt = verify_receipt(token, message=message, keys=directory)
    assert receipt.extra == {"queue_position": 4}
    assert receipt.to_json() == value
