"""Sealing a message for another State's node, and opening one sent to ours. Pure.

A sealed message is an age v1 file, encrypted to the recipient node's X25519
recipient, whose plaintext is a compact JWS (EdDSA, ``typ``
``hanoi-message+jws``) over the canonical message. Sign, then encrypt: the
signature binds the sender, the recipient and the time, and the encryption
hides all of it (``docs/adr/0012-message-envelope.md``).

:func:`open_envelope` checks, in this order, and raises at the first failure:

1. size, before anything else (:class:`MessageTooLarge`): the largest envelope of any
   type; once the message is read, the limit of its type (only ``document`` is larger);
2. the age file opens with this node's identity (:class:`MalformedEnvelope`,
   :class:`NotEncryptedToThisNode`, :class:`TamperedEnvelope`);
3. the plaintext is a compact JWS signed with EdDSA (:class:`UnsignedMessage`)
   over a canonical, valid message (:class:`MalformedMessage`);
4. the directory has the key named by the header, for the State named by the
   header, at the signed ``sent_at`` (:class:`UnknownSender`, :class:`UnknownSenderKey`);
5. the signature verifies (:class:`BadMessageSignature`);
6. the signed sender is that State (:class:`WrongSender`);
7. the signed recipient is this node's State (:class:`NotAddressedToThisNode`);
8. ``sent_at`` is within the freshness window around ``now`` (:class:`StaleMessage`).

Replay and duplicates are the caller's next step: the inbox keys each message on its
id and :attr:`VerifiedMessage.content_digest` (``FederationService.accept``);
whether the sender may send this message for this request needs the request, so it
is :func:`check_sender_may_send`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hanoi.cooperation.documents import MAX_DOCUMENT_BYTES
from hanoi.cooperation.statuses import Side
from hanoi.cooperation.table import ROWS, TransitionName
from hanoi.crypto.agekeys import AgeIdentity, AgeRecipient
from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.crypto.jws import (
    JwsFormatError,
    JwsNotSigned,
    parse_compact,
    sign_compact,
    verify_parsed,
)
from hanoi.errors import HanoiError, InvalidInput
from hanoi.evidence.age import (
    AgeError,
    Decryptor,
    Encryptor,
    HeaderMacMismatch,
    Limits,
    NoIdentityMatch,
    PayloadCorrupted,
)
from hanoi.federation.errors import (
    BadMessageSignature,
    MalformedEnvelope,
    MalformedMessage,
    MessageTooLarge,
    NotAddressedToThisNode,
    NotEncryptedToThisNode,
    SenderNotAllowed,
    StaleMessage,
    TamperedEnvelope,
    UnknownSender,
    UnknownSenderKey,
    UnsignedMessage,
    WrongSender,
)
from hanoi.federation.messages import STATE_CODE, Message, MessageType, parse_message, sha256_hex
from hanoi.wire import format_time

MESSAGE_JWS_TYPE = "hanoi-message+jws"


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvelopeLimits:
    """Every bound :func:`open_envelope` applies, in one place.

    - ``max_envelope_bytes``: the sealed message as received, for every type but
      ``document``.
    - ``max_document_envelope_bytes``: a sealed ``document`` message, which carries a
      document of up to :data:`~hanoi.cooperation.documents.MAX_DOCUMENT_BYTES` in base64
      inside a JWS (base64url again) inside age. The larger of the two is checked first,
      before decryption (the type is inside the envelope); the smaller once the message is
      read, for every other type (ADR 0024).
    - ``max_json_depth``: nesting of the message JSON.
    - ``max_age``: how long ago ``sent_at`` may be. The sender signs each
      delivery attempt afresh, so this bounds the time in transit, not the
      time a message waits in an outbox.
    - ``max_future``: how far ahead ``sent_at`` may be (the clocks' skew).
    - ``age``: the limits of the age reader; a message needs one small stanza.
    """

    max_envelope_bytes: int = 1024 * 1024
    max_document_envelope_bytes: int = field(
        default_factory=lambda: document_envelope_bytes(MAX_DOCUMENT_BYTES)
    )
    max_json_depth: int = 32
    max_age: timedelta = timedelta(minutes=10)
    max_future: timedelta = timedelta(minutes=2)
    age: Limits = field(default_factory=lambda: Limits(max_header_bytes=16 * 1024, max_stanzas=8))

    def __post_init__(self) -> None:
        if self.max_envelope_bytes < 1024:
            raise InvalidInput("max_envelope_bytes must allow at least 1 KiB")
        if self.max_json_depth < 2:
            raise InvalidInput("max_json_depth must allow a message and its body")
        if self.max_age <= timedelta(0) or self.max_future < timedelta(0):
            raise InvalidInput("max_age must be positive and max_future not negative")

    @property
    def max_inbox_bytes(self) -> int:
        """The most the inbox reads of one envelope: the larger limit."""
        return max(self.max_envelope_bytes, self.max_document_envelope_bytes)

    def check_type_size(self, message: Message, size: int) -> None:
        """Raise :class:`MessageTooLarge` if an envelope of ``size`` bytes is too large for
        the type of the ``message`` it holds."""
        limit = (
            self.max_document_envelope_bytes
            if message.type is MessageType.DOCUMENT
            else self.max_envelope_bytes
        )
        if size > limit:
            raise MessageTooLarge(
                f"a {message.type.value} message is at most {limit} bytes sealed; "
                f"this one is {size}"
            )


def document_envelope_bytes(max_document: int) -> int:
    """What a sealed ``document`` message of a ``max_document``-byte document may take: the
    bytes in base64 (4/3), that payload in the JWS's base64url (4/3 again), and room for the
    message's other members, the JWS header and signature, and age's header and its 16-byte
    tag per 64 KiB chunk."""
    return max_document * 16 // 9 + 256 * 1024


DEFAULT_LIMITS = EnvelopeLimits()


class SenderKeys(Protocol):
    """The directory, as the receiver of a message needs it."""

    def key_for(self, state: str, key_id: str, at: datetime) -> Ed25519PublicKey:
        """The signing key ``key_id`` of ``state``'s node, valid at ``at``.

        Raises :class:`UnknownSender` when the directory has no such State, and
        :class:`UnknownSenderKey` when the State had no such key at ``at``.
        """
        ...


@dataclass(frozen=True, slots=True)
class SenderKey:
    state: str
    key: Ed25519PublicKey
    not_before: datetime | None = None
    not_after: datetime | None = None


class MemorySenderKeys:
    """:class:`SenderKeys` over a list of keys, for tests and the sandbox."""

    def __init__(self, keys: Iterable[SenderKey] = ()) -> None:
        self._keys: dict[str, dict[str, SenderKey]] = {}
        for key in keys:
            self.add(key)

    def add(self, key: SenderKey) -> None:
        self._keys.setdefault(key.state, {})[jwk_thumbprint(key.key)] = key

    def key_for(self, state: str, key_id: str, at: datetime) -> Ed25519PublicKey:
        keys = self._keys.get(state)
        if keys is None:
            raise UnknownSender(f"the directory has no node for State {state[:16]!r}")
        entry = keys.get(key_id)
        if entry is None:
            raise UnknownSenderKey(f"key {key_id[:64]} is not a signing key of {state}")
        if (entry.not_before is not None and at < entry.not_before) or (
            entry.not_after is not None and at > entry.not_after
        ):
            raise UnknownSenderKey(f"key {key_id} of {state} was not valid at {format_time(at)}")
        return entry.key


@dataclass(frozen=True, slots=True)
class VerifiedMessage:
    """A message whose envelope, signature, addressing and freshness have been checked."""

    message: Message
    key_id: str
    """The RFC 7638 thumbprint of the sender's key that verified it."""
    digest: str
    """SHA-256 (hex) of the canonical message as signed: this delivery attempt."""
    content_digest: str
    """SHA-256 (hex) of the message without ``sent_at``: the key of replay protection."""


def seal(message: Message, *, signing_key: Ed25519PrivateKey, recipient: AgeRecipient) -> bytes:
    """Sign ``message`` as its sender's node, then encrypt it to ``recipient``.

    Call again for each delivery attempt, with ``message.resent(now)``.
    """
    token = sign_compact(
        message.canonical(), signing_key, typ=MESSAGE_JWS_TYPE, issuer=message.sender
    ).encode("ascii")
    out = io.BytesIO()
    with Encryptor(out, [recipient], background=False) as encryptor:
        encryptor.write(token)
    return out.getvalue()


def _decrypt(data: bytes, identities: Sequence[AgeIdentity], limits: EnvelopeLimits) -> bytes:
    try:
        with Decryptor(
            io.BytesIO(data), list(identities), armor=False, limits=limits.age, background=False
        ) as reader:
            return reader.readall()
    except NoIdentityMatch:
        raise NotEncryptedToThisNode(
            "the envelope is not encrypted to this node's age recipient "
            f"{identities[0].recipient()} (nor to one it rotated out)"
        ) from None
    except (HeaderMacMismatch, PayloadCorrupted) as exc:
        raise TamperedEnvelope(f"the envelope was altered: {exc.detail}") from None
    except (AgeError, InvalidInput) as exc:
        raise MalformedEnvelope(f"the envelope is not a binary age v1 file: {exc.detail}") from None


def _check_fresh(message: Message, now: datetime, limits: EnvelopeLimits) -> None:
    age = now - message.sent_at
    if age > limits.max_age:
        raise StaleMessage(
            f"message {message.id} was signed at {format_time(message.sent_at)}, "
            f"{int(age.total_seconds())} s ago; at most {int(limits.max_age.total_seconds())} s "
            "are accepted: sign each delivery attempt afresh"
        )
    if -age > limits.max_future:
        raise StaleMessage(
            f"message {message.id} was signed at {format_time(message.sent_at)}, "
            f"{int(-age.total_seconds())} s in this node's future; "
            f"at most {int(limits.max_future.total_seconds())} s of clock skew are accepted"
        )


def open_envelope(
    data: bytes,
    *,
    identities: Sequence[AgeIdentity],
    keys: SenderKeys,
    me: str,
    now: datetime,
    limits: EnvelopeLimits = DEFAULT_LIMITS,
) -> VerifiedMessage:
    """Decrypt, verify and check a message sent to ``me``; raise at the first failure."""
    if not STATE_CODE.fullmatch(me):
        raise InvalidInput(f"{me[:16]!r} is not an ISO 3166-1 alpha-3 State code")
    if now.utcoffset() is None:
        raise InvalidInput("'now' must be timezone-aware")
    if len(data) > limits.max_inbox_bytes:
        raise MessageTooLarge(
            f"the envelope is {len(data)} bytes; this node accepts at most {limits.max_inbox_bytes}"
        )
    plaintext = _decrypt(data, identities, limits)
    try:
        parsed = parse_compact(
            plaintext, typ=MESSAGE_JWS_TYPE, max_bytes=limits.max_inbox_bytes, issued=True
        )
    except JwsNotSigned as exc:
        raise UnsignedMessage(exc.detail) from None
    except JwsFormatError as exc:
        raise MalformedMessage(exc.detail) from None
    message = parse_message(
        parsed.payload, max_bytes=limits.max_inbox_bytes, max_depth=limits.max_json_depth
    )
    limits.check_type_size(message, len(data))
    public = keys.key_for(parsed.issuer, parsed.key_id, message.sent_at)
    try:
        verify_parsed(parsed, public)
    except HanoiError as exc:  # a thumbprint that differs, a signature that does not verify
        raise BadMessageSignature(exc.detail) from None
    if message.sender != parsed.issuer:
        raise WrongSender(
            f"message {message.id} names {message.sender} as its sender, "
            f"but was signed by {parsed.issuer} (key {parsed.key_id})"
        )
    if message.recipient != me:
        raise NotAddressedToThisNode(
            f"message {message.id} is addressed to {message.recipient}, not to {me}"
        )
    _check_fresh(message, now, limits)
    return VerifiedMessage(
        message=message,
        key_id=parsed.key_id,
        digest=sha256_hex(parsed.payload),
        content_digest=message.content_digest(),
    )


def check_sender_may_send(message: Message, *, requesting_state: str, requested_state: str) -> None:
    """Raise :class:`SenderNotAllowed` unless the sender's side of the request sends this type.

    A request and its documents come from the requesting State; an evidence offer from the
    requested State; a step from the side the transition table names for it.
    Every message about a request travels between its two States.
    """
    parties = {requesting_state, requested_state}
    if {message.sender, message.recipient} != parties:
        raise SenderNotAllowed(
            f"request {message.request_id} is between {requesting_state} and {requested_state}; "
            f"{message.sender} cannot send messages about it to {message.recipient}"
        )
    side = Side.REQUESTING if message.sender == requesting_state else Side.REQUESTED
    if message.type in (MessageType.REQUEST, MessageType.DOCUMENT):
        needed: Side | None = Side.REQUESTING
    elif message.type is MessageType.EVIDENCE_OFFER:
        needed = Side.REQUESTED
    elif message.type is MessageType.STEP:
        needed = ROWS[TransitionName(message.body["transition"])].side
    else:
        needed = None
    if needed is not None and side is not needed:
        what = message.body["transition"] if message.type is MessageType.STEP else message.type
        raise SenderNotAllowed(
            f"{message.sender} is the {side} State of request {message.request_id}; "
            f"'{what}' is sent by the {needed} State"
        )
