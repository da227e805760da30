"""Why a node refuses a message, in the error families of :mod:`hanoi.errors`.

Each refusal is its own class with its own ``type_slug``, so the problem+json
a peer receives names the exact reason (``.../problems/stale-message``). The
family, the second base, says who is at fault and gives the HTTP status
(:mod:`hanoi.web.problems`):

===============================  ====================  ====  =======================================
class                            family                HTTP  meaning
===============================  ====================  ====  =======================================
:class:`MalformedMessage`        ``InvalidInput``      400   not a message of this wire format
:class:`MalformedEnvelope`       ``InvalidInput``      400   not an age file
:class:`UnsignedMessage`         ``InvalidInput``      400   no JWS, or not signed with EdDSA
:class:`NotEncryptedToThisNode`  ``InvalidInput``      400   no age stanza opens with our key
:class:`MessageTooLarge`         ``PayloadTooLarge``   413   over a limit of :class:`EnvelopeLimits`
:class:`UnknownSender`           ``PermissionDenied``  403   the directory has no such State
:class:`UnknownSenderKey`        ``PermissionDenied``  403   ... or no such key of that State then
:class:`WrongSender`             ``PermissionDenied``  403   signed by one State, claims another
:class:`SenderNotAllowed`        ``PermissionDenied``  403   not this State's step on this request
:class:`ReplayedMessage`         ``Conflict``          409   a known id with different content
:class:`TamperedEnvelope`        ``IntegrityError``    422   the age MAC or a chunk fails
:class:`BadMessageSignature`     ``IntegrityError``    422   the signature does not verify
:class:`NotAddressedToThisNode`  ``RuleViolation``     422   authentic, but for another State
:class:`StaleMessage`            ``RuleViolation``     422   signed too long ago, or in the future
:class:`BadReceipt`              ``PeerError``         502   a peer's receipt does not hold
===============================  ====================  ====  =======================================

A bad signature is an integrity failure, not a peer error: the bytes do not
match what they claim, and ``PeerError`` (502) would tell the sending node
that *we* failed as a gateway. A bad receipt, on the other hand, is what a
peer answered us; there the peer is at fault, and the outbox keeps the message
undelivered and tries again.
"""

from __future__ import annotations

from hanoi.errors import (
    Conflict,
    HanoiError,
    IntegrityError,
    InvalidInput,
    PayloadTooLarge,
    PeerError,
    PermissionDenied,
    RuleViolation,
)


class FederationError(HanoiError):
    """Marker base of every federation error; the family comes from the second base."""


class MalformedMessage(FederationError, InvalidInput):
    """The bytes are not a message of Hanoi's wire format (one field problem per fault)."""

    title = "Malformed message"
    type_slug = "malformed-message"


class MalformedEnvelope(MalformedMessage):
    """The envelope is not an age v1 file."""

    title = "Malformed envelope"
    type_slug = "malformed-envelope"


class UnsignedMessage(MalformedMessage):
    """The plaintext is not a JWS signed with EdDSA (``none``, HMAC and others are refused)."""

    title = "Unsigned message"
    type_slug = "unsigned-message"


class NotEncryptedToThisNode(FederationError, InvalidInput):
    """No recipient stanza of the envelope opens with this node's age identity."""

    title = "Not encrypted to this node"
    type_slug = "not-encrypted-to-this-node"


class MessageTooLarge(FederationError, PayloadTooLarge):
    title = "Message too large"
    type_slug = "message-too-large"


class UnknownSender(FederationError, PermissionDenied):
    """The directory has no node for the State the message claims to come from."""

    title = "Unknown sender"
    type_slug = "unknown-sender"


class UnknownSenderKey(UnknownSender):
    """The State is known, but the key that signed was not one of its keys at that time."""

    title = "Unknown sender key"
    type_slug = "unknown-sender-key"


class WrongSender(FederationError, PermissionDenied):
    """The message names a sender other than the State whose key signed it."""

    title = "Wrong sender"
    type_slug = "wrong-sender"


class SenderNotAllowed(FederationError, PermissionDenied):
    """The sender is not the side of the request that may send this message."""

    title = "Sender not allowed"
    type_slug = "sender-not-allowed"


class ReplayedMessage(FederationError, Conflict):
    """A message id already received, now with different content."""

    title = "Replayed message"
    type_slug = "replayed-message"

    @classmethod
    def of(cls, message_id: str) -> ReplayedMessage:
        """Ids are kept for good: a sender retries for as long as a network cut lasts,
        re-signing each attempt, so a duplicate may arrive days later; only the same id
        with other content is refused."""
        return cls(
            f"message {message_id} was already received with different content; "
            "a message id is never reused"
        )


class TamperedEnvelope(FederationError, IntegrityError):
    """The age header MAC or a payload chunk does not authenticate."""

    title = "Tampered envelope"
    type_slug = "tampered-envelope"


class BadMessageSignature(FederationError, IntegrityError):
    title = "Bad message signature"
    type_slug = "bad-message-signature"


class NotAddressedToThisNode(FederationError, RuleViolation):
    """An authentic message whose signed recipient is another State."""

    title = "Not addressed to this node"
    type_slug = "not-addressed-to-this-node"


class StaleMessage(FederationError, RuleViolation):
    """Signed outside the freshness window: too long ago, or too far in the future."""

    title = "Stale message"
    type_slug = "stale-message"


class BadReceipt(FederationError, PeerError):
    """A receipt a peer returned is malformed, wrongly signed, or about another message."""

    title = "Bad receipt"
    type_slug = "bad-receipt"


class MalformedReceipt(BadReceipt):
    type_slug = "malformed-receipt"


class BadReceiptSignature(BadReceipt):
    type_slug = "bad-receipt-signature"


class ReceiptMismatch(BadReceipt):
    """The receipt is genuine but does not acknowledge the message it is checked against."""

    type_slug = "receipt-mismatch"
