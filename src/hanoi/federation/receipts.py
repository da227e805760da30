"""Signed receipts: the receiving node's word that it holds a message. Pure.

A receipt is a compact JWS (EdDSA, ``typ`` ``hanoi-receipt+jws``, ``iss`` the
receiving State) over this canonical JSON (RFC 8785)::

    {"message_id": "<32 hex>", "message_sha256": "<64 hex>", "outcome": "accepted",
     "received_at": "2026-12-01T10:00:01Z", "receiver": "BBB", "sender": "AAA",
     "type": "receipt", "version": 1}

``message_sha256`` is the message's *content* digest
(:meth:`~hanoi.federation.messages.Message.content_digest`, without ``sent_at``),
so one receipt fits every delivery attempt of the message. ``outcome`` is
``accepted`` the first time and ``duplicate`` after: either way the sender's
outbox may stop retrying. Unknown members are kept.

The receiver answers each delivery with :func:`make_receipt`; the sender checks
the answer with :func:`verify_receipt` against the message it sent. A receipt
that does not hold is a :class:`~hanoi.federation.errors.BadReceipt`, a peer
error: the message then counts as not delivered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.crypto.jws import (
    JwsFormatError,
    JwsNotSigned,
    parse_compact,
    sign_compact,
    verify_parsed,
)
from hanoi.custody.encoding import load_json
from hanoi.custody.errors import MalformedError
from hanoi.errors import FieldProblem, HanoiError
from hanoi.federation.envelope import SenderKeys, VerifiedMessage
from hanoi.federation.errors import BadReceiptSignature, MalformedReceipt, ReceiptMismatch
from hanoi.federation.messages import MESSAGE_ID, STATE_CODE, VERSION, Message, parse_time
from hanoi.wire import canonical_json, format_time, freeze, thaw

RECEIPT_JWS_TYPE = "hanoi-receipt+jws"
RECEIPT_TYPE = "receipt"
MAX_RECEIPT_BYTES = 16 * 1024
MAX_RECEIPT_DEPTH = 8
_KNOWN = frozenset(
    {"version", "type", "message_id", "message_sha256", "receiver", "sender", "received_at"}
    | {"outcome"}
)


class ReceiptOutcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True, kw_only=True)
class Receipt:
    message_id: str
    message_sha256: str
    receiver: str
    sender: str
    received_at: datetime
    outcome: ReceiptOutcome
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    version: int = VERSION

    def __post_init__(self) -> None:
        problems = []
        if not MESSAGE_ID.fullmatch(self.message_id):
            problems.append(FieldProblem("/message_id", "32 lowercase hex digits"))
        if len(self.message_sha256) != 64 or not set(self.message_sha256) <= set(
            "0123456789abcdef"
        ):
            problems.append(FieldProblem("/message_sha256", "64 lowercase hex digits"))
        for name in ("receiver", "sender"):
            if not STATE_CODE.fullmatch(getattr(self, name)):
                problems.append(FieldProblem(f"/{name}", "an ISO 3166-1 alpha-3 State code"))
        if self.received_at.utcoffset() is None:
            problems.append(FieldProblem("/received_at", "a timezone-aware time"))
        if _KNOWN & set(self.extra):
            problems.append(FieldProblem("/", "extra members shadow known ones"))
        if problems:
            raise MalformedReceipt("the receipt is not valid", fields=tuple(problems))
        object.__setattr__(self, "outcome", ReceiptOutcome(self.outcome))
        object.__setattr__(self, "extra", freeze(self.extra))

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = thaw(self.extra)
        value.update(
            version=self.version,
            type=RECEIPT_TYPE,
            message_id=self.message_id,
            message_sha256=self.message_sha256,
            receiver=self.receiver,
            sender=self.sender,
            received_at=format_time(self.received_at),
            outcome=self.outcome.value,
        )
        return value


def make_receipt(
    verified: VerifiedMessage,
    *,
    outcome: ReceiptOutcome,
    received_at: datetime,
    signing_key: Ed25519PrivateKey,
) -> bytes:
    """The receiving node's signed receipt for ``verified`` (a compact JWS)."""
    message = verified.message
    receipt = Receipt(
        message_id=message.id,
        message_sha256=verified.content_digest,
        receiver=message.recipient,
        sender=message.sender,
        received_at=received_at,
        outcome=outcome,
    )
    payload = canonical_json(receipt.to_json(), error=MalformedReceipt)
    return sign_compact(payload, signing_key, typ=RECEIPT_JWS_TYPE, issuer=receipt.receiver).encode(
        "ascii"
    )


def _receipt_from_json(value: Any) -> Receipt:
    if not isinstance(value, dict):
        raise MalformedReceipt("a receipt is a JSON object")
    missing = sorted(_KNOWN - set(value))
    if missing:
        raise MalformedReceipt(f"the receipt lacks {', '.join(missing)}")
    if value["type"] != RECEIPT_TYPE or value["version"] != VERSION or value["version"] is True:
        raise MalformedReceipt(f"not a version {VERSION} receipt")
    if value["outcome"] not in set(ReceiptOutcome):
        raise MalformedReceipt(f"unknown receipt outcome {str(value['outcome'])[:20]!r}")
    texts = ("message_id", "message_sha256", "receiver", "sender")
    if not all(isinstance(value[name], str) for name in texts):
        raise MalformedReceipt(f"{', '.join(texts)} are strings")
    return Receipt(
        message_id=value["message_id"],
        message_sha256=value["message_sha256"],
        receiver=value["receiver"],
        sender=value["sender"],
        received_at=parse_time(value["received_at"], path="/received_at", error=MalformedReceipt),
        outcome=ReceiptOutcome(value["outcome"]),
        extra={k: v for k, v in value.items() if k not in _KNOWN},
    )


def verify_receipt(data: bytes, *, message: Message, keys: SenderKeys) -> Receipt:
    """Check that ``data`` is the recipient's signed receipt for ``message``, and return it.

    ``keys`` is the directory; the receipt must be signed by a key of
    ``message.recipient`` valid at the receipt's ``received_at``.
    """
    if len(data) > MAX_RECEIPT_BYTES:
        raise MalformedReceipt(f"a receipt is at most {MAX_RECEIPT_BYTES} bytes")
    try:
        parsed = parse_compact(
            data.strip(), typ=RECEIPT_JWS_TYPE, max_bytes=MAX_RECEIPT_BYTES, issued=True
        )
    except JwsNotSigned as exc:
        raise MalformedReceipt(exc.detail) from None
    except JwsFormatError as exc:
        raise MalformedReceipt(exc.detail) from None
    try:
        value = load_json(
            parsed.payload,
            error=MalformedError,
            what="the receipt",
            max_bytes=MAX_RECEIPT_BYTES,
            max_depth=MAX_RECEIPT_DEPTH,
        )
    except MalformedError as exc:
        raise MalformedReceipt(exc.detail) from None
    receipt = _receipt_from_json(value)
    if canonical_json(value, error=MalformedReceipt) != parsed.payload:
        raise MalformedReceipt("the receipt is not in canonical JSON form (RFC 8785)")
    if parsed.issuer != message.recipient:
        raise BadReceiptSignature(
            f"the receipt is signed by {parsed.issuer[:16]}, not by {message.recipient}, "
            f"the recipient of message {message.id}"
        )
    public = keys.key_for(parsed.issuer, parsed.key_id, receipt.received_at)
    try:
        verify_parsed(parsed, public)
    except HanoiError as exc:  # a thumbprint that differs, a signature that does not verify
        raise BadReceiptSignature(exc.detail) from None
    expected = {
        "message_id": message.id,
        "message_sha256": message.content_digest(),
        "receiver": message.recipient,
        "sender": message.sender,
    }
    wrong = [
        FieldProblem(f"/{name}", f"is {getattr(receipt, name)!r}, expected {want!r}")
        for name, want in expected.items()
        if getattr(receipt, name) != want
    ]
    if wrong:
        raise ReceiptMismatch(
            f"the receipt does not acknowledge message {message.id} as sent", fields=tuple(wrong)
        )
    return receipt
