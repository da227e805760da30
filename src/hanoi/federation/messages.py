"""The messages nodes exchange, as a model: validated, canonical, versioned. Pure.

A message is one JSON object in RFC 8785 canonical form::

    {"body": {...}, "id": "<32 hex>", "recipient": "BBB", "request_id": "...",
     "sender": "AAA", "sent_at": "2026-12-01T10:00:00Z", "type": "step", "version": 1}

``id`` is 128 random bits as lowercase hex, the same on every delivery attempt;
``sent_at`` is the time of *this* attempt (the sender signs afresh each time,
see ``docs/adr/0012-message-envelope.md``). ``request_id`` is required for the
request-bound types (``request``, ``step``, ``evidence-offer``, ``evidence-outcome``,
``document``). Unknown members, at the top level and in ``body``, are kept and signed
over, so a newer node's additions survive a round trip through an older one.

:func:`parse_message` accepts only the canonical bytes, so every message has
exactly one spelling and one digest. :meth:`Message.content_digest` leaves out
``sent_at``: it names the content across delivery attempts, and is the key of
replay protection and of receipts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from hanoi.cooperation.documents import MAX_DOCUMENT_BYTES
from hanoi.cooperation.model import MEDIA_TYPE
from hanoi.cooperation.table import TransitionName
from hanoi.custody.encoding import load_json
from hanoi.custody.errors import MalformedError
from hanoi.errors import FieldProblem, HanoiError
from hanoi.federation.errors import MalformedMessage, MessageTooLarge
from hanoi.federation.vocabulary import FINAL_INCOMING, PackageStatus
from hanoi.wire import NotCanonical, canonical_json, format_time, freeze, thaw
from hanoi.wire import parse_time as wire_parse_time

VERSION = 1
MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
STATE_CODE = re.compile(r"[A-Z]{3}")
"""ISO 3166-1 alpha-3, checked for form only (as in :mod:`hanoi.cooperation.model`)."""
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?Z")


class MessageType(StrEnum):
    REQUEST = "request"
    """A cooperation request sent: its document."""
    STEP = "step"
    """A later step of the transition table, by either side: its name and record."""
    EVIDENCE_OFFER = "evidence-offer"
    """Execution with evidence: the package's digest, size, chunk size and id."""
    EVIDENCE_OUTCOME = "evidence-outcome"
    """The receiving State's verdict on an offered package: accepted, refused or expired,
    when, why, and its verification report (``hanoi.federation.outcomes``)."""
    DOCUMENT = "document"
    """A document of a request sent (a warrant, an order...): its attachment id, SHA-256,
    size, media type and bytes (``hanoi.federation.documents``, ADR 0024)."""
    RECEIPT = "receipt"
    """A signed receipt (:mod:`hanoi.federation.receipts`) sent later as a message."""
    COSIGNATURE_REQUEST = "cosignature-request"
    COSIGNATURE_RESPONSE = "cosignature-response"


REQUEST_BOUND = frozenset(
    {
        MessageType.REQUEST,
        MessageType.STEP,
        MessageType.EVIDENCE_OFFER,
        MessageType.EVIDENCE_OUTCOME,
        MessageType.DOCUMENT,
    }
)
KNOWN_MEMBERS = frozenset(
    {"version", "id", "type", "sender", "recipient", "sent_at", "request_id", "body"}
)


# -- bodies, per type: small validators that return one problem per offending member --

LOCAL_STEPS = frozenset(
    {
        TransitionName.APPROVE,
        TransitionName.RETURN_TO_DRAFT,
        TransitionName.ABANDON,
        TransitionName.SEND,
        TransitionName.RECEIVE,
    }
)
"""Steps a node takes on its own: drafting, and recording an arrival. ``send`` travels as a
``request`` message; the others are never sent."""
WIRE_STEPS = frozenset(TransitionName) - LOCAL_STEPS
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
MAX_SAFE_INTEGER = 2**53 - 1
MAX_PROOF_LINES = 63
COSIGNED, REFUSED = "cosigned", "refused"

_Problems = list[FieldProblem]


def _text(
    body: Mapping[str, Any],
    name: str,
    out: _Problems,
    *,
    pattern: re.Pattern[str] | None = None,
    what: str = "a non-empty string",
) -> None:
    value = body.get(name)
    if not isinstance(value, str) or not value or (pattern and not pattern.fullmatch(value)):
        out.append(FieldProblem(f"/body/{name}", f"required: {what}"))


def _integer(body: Mapping[str, Any], name: str, out: _Problems, *, minimum: int) -> None:
    value = body.get(name)
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not minimum <= value <= MAX_SAFE_INTEGER
    ):
        out.append(FieldProblem(f"/body/{name}", f"required: an integer, at least {minimum}"))


def _object(body: Mapping[str, Any], name: str, out: _Problems) -> Mapping[str, Any] | None:
    value = body.get(name)
    if not isinstance(value, Mapping):
        out.append(FieldProblem(f"/body/{name}", "required: a JSON object"))
        return None
    return value


def _request(body: Mapping[str, Any], request_id: str | None, out: _Problems) -> None:
    document = _object(body, "document", out)
    if document is not None and document.get("id", request_id) != request_id:
        out.append(FieldProblem("/body/document/id", "differs from the message's request_id"))


def _step(body: Mapping[str, Any], request_id: str | None, out: _Problems) -> None:
    transition = body.get("transition")
    if transition not in WIRE_STEPS:
        out.append(
            FieldProblem(
                "/body/transition", f"not a step sent between States: {str(transition)[:40]!r}"
            )
        )
    record = _object(body, "record", out)
    if record is None:
        return
    if record.get("transition", transition) != transition:
        out.append(FieldProblem("/body/record/transition", "differs from /body/transition"))
    if record.get("request_id", request_id) != request_id:
        out.append(FieldProblem("/body/record/request_id", "differs from the message's request_id"))


def _evidence_offer(body: Mapping[str, Any], _request_id: str | None, out: _Problems) -> None:
    _text(body, "package_id", out, pattern=REQUEST_ID, what="1-128 letters, digits, . _ : -")
    _text(body, "package_sha256", out, pattern=SHA256_HEX, what="64 lowercase hex digits")
    _integer(body, "package_size", out, minimum=1)
    _integer(body, "chunk_size", out, minimum=1)


OUTCOMES = tuple(status for status in PackageStatus if status in FINAL_INCOMING)
"""What a receiving node tells the sender of a package: how the package ended there."""
MAX_REASON = 1000


def _evidence_outcome(body: Mapping[str, Any], _request_id: str | None, out: _Problems) -> None:
    _text(body, "package_id", out, pattern=REQUEST_ID, what="1-128 letters, digits, . _ : -")
    _text(body, "package_sha256", out, pattern=SHA256_HEX, what="64 lowercase hex digits")
    outcome = body.get("outcome")
    if outcome not in OUTCOMES:
        out.append(FieldProblem("/body/outcome", "one of " + ", ".join(OUTCOMES)))
    _text(body, "decided_at", out, pattern=_TIME, what="a UTC time, YYYY-MM-DDTHH:MM:SS[.ffffff]Z")
    reason = body.get("reason")
    needed = outcome in (PackageStatus.REFUSED, PackageStatus.EXPIRED) or reason is not None
    if needed and (not isinstance(reason, str) or not reason or len(reason) > MAX_REASON):
        out.append(FieldProblem("/body/reason", f"why, in 1-{MAX_REASON} characters"))
    if body.get("report") is not None and not isinstance(body.get("report"), Mapping):
        out.append(FieldProblem("/body/report", "a JSON object, the verification report"))


def base64_length(size: int) -> int:
    """The length of ``size`` bytes in padded base64."""
    return 4 * ((size + 2) // 3)


def _document(body: Mapping[str, Any], _request_id: str | None, out: _Problems) -> None:
    _text(body, "attachment_id", out, pattern=REQUEST_ID, what="1-128 letters, digits, . _ : -")
    _text(body, "sha256", out, pattern=SHA256_HEX, what="64 lowercase hex digits")
    _text(body, "media_type", out, pattern=MEDIA_TYPE, what="a media type, type/subtype")
    size = body.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_DOCUMENT_BYTES:
        out.append(FieldProblem("/body/size", f"required: 1 to {MAX_DOCUMENT_BYTES} bytes"))
        return
    content = body.get("content")
    if not isinstance(content, str) or len(content) != base64_length(size):
        out.append(FieldProblem("/body/content", f"required: the {size} bytes, in base64"))


def _receipt(body: Mapping[str, Any], _request_id: str | None, out: _Problems) -> None:
    _text(body, "receipt", out, what="a signed receipt, a compact JWS")


def _cosignature_request(body: Mapping[str, Any], _request_id: str | None, out: _Problems) -> None:
    _text(body, "checkpoint", out, what="a signed checkpoint note")
    _integer(body, "old_size", out, minimum=0)
    proof = body.get("consistency_proof")
    if (
        not isinstance(proof, tuple | list)
        or len(proof) > MAX_PROOF_LINES
        or not all(isinstance(line, str) and line for line in proof)
    ):
        out.append(
            FieldProblem("/body/consistency_proof", f"up to {MAX_PROOF_LINES} base64 hashes")
        )


def _cosignature_response(body: Mapping[str, Any], _request_id: str | None, out: _Problems) -> None:
    _text(body, "in_reply_to", out, pattern=MESSAGE_ID, what="the id of the cosignature request")
    outcome = body.get("outcome")
    if outcome == COSIGNED:
        lines = body.get("cosignatures")
        if (
            not isinstance(lines, tuple | list)
            or not lines
            or not all(isinstance(line, str) and line for line in lines)
        ):
            out.append(FieldProblem("/body/cosignatures", "required: signed-note signature lines"))
    elif outcome == REFUSED:
        _text(body, "reason", out, what="why the checkpoint was not cosigned")
    else:
        out.append(FieldProblem("/body/outcome", f"'{COSIGNED}' or '{REFUSED}'"))


_VALIDATORS = {
    MessageType.REQUEST: _request,
    MessageType.STEP: _step,
    MessageType.EVIDENCE_OFFER: _evidence_offer,
    MessageType.EVIDENCE_OUTCOME: _evidence_outcome,
    MessageType.DOCUMENT: _document,
    MessageType.RECEIPT: _receipt,
    MessageType.COSIGNATURE_REQUEST: _cosignature_request,
    MessageType.COSIGNATURE_RESPONSE: _cosignature_response,
}


def validate_body(kind: MessageType, body: Mapping[str, Any], request_id: str | None) -> _Problems:
    out: _Problems = []
    _VALIDATORS[kind](body, request_id, out)
    return out


def new_message_id() -> str:
    return secrets.token_hex(16)


def parse_time(text: Any, *, path: str, error: type[HanoiError] = MalformedMessage) -> datetime:
    """The one spelling :func:`format_time` writes, or ``error``."""
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise error(
            "a time is ISO 8601 UTC, 'YYYY-MM-DDTHH:MM:SS[.ffffff]Z'",
            fields=(FieldProblem(path, "not a UTC time"),),
        )
    try:
        return wire_parse_time(text)
    except NotCanonical:
        raise error(
            f"{path} is not a valid date and time in canonical form (no '.000000')"
        ) from None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """One node-to-node message. Building one validates it; invalid ones raise."""

    id: str
    type: MessageType
    sender: str
    recipient: str
    sent_at: datetime
    body: Mapping[str, Any]
    request_id: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """Top-level members this version does not know; kept and signed over."""
    version: int = VERSION

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise MalformedMessage("the message is not valid", fields=tuple(problems))
        object.__setattr__(self, "type", MessageType(self.type))
        object.__setattr__(self, "sent_at", self.sent_at.astimezone(UTC))
        object.__setattr__(self, "body", freeze(self.body))
        object.__setattr__(self, "extra", freeze(self.extra))
        canonical_json(
            self.to_json(), error=MalformedMessage
        )  # every member must be canonicalisable

    def _problems(self) -> list[FieldProblem]:
        out: list[FieldProblem] = []
        if self.version != VERSION or isinstance(self.version, bool):
            out.append(FieldProblem("/version", f"only version {VERSION} is supported"))
        if not isinstance(self.id, str) or not MESSAGE_ID.fullmatch(self.id):
            out.append(FieldProblem("/id", "a message id is 32 lowercase hex digits"))
        if self.type not in set(MessageType):
            out.append(FieldProblem("/type", f"unknown message type {str(self.type)[:40]!r}"))
        for name in ("sender", "recipient"):
            value = getattr(self, name)
            if not isinstance(value, str) or not STATE_CODE.fullmatch(value):
                out.append(FieldProblem(f"/{name}", "not an ISO 3166-1 alpha-3 State code"))
        if self.sender == self.recipient:
            out.append(FieldProblem("/recipient", "a State does not send messages to itself"))
        if not isinstance(self.sent_at, datetime) or self.sent_at.utcoffset() is None:
            out.append(FieldProblem("/sent_at", "a timezone-aware time"))
        if self.request_id is None:
            if self.type in REQUEST_BOUND:
                out.append(FieldProblem("/request_id", f"required for a {self.type} message"))
        elif not isinstance(self.request_id, str) or not REQUEST_ID.fullmatch(self.request_id):
            out.append(FieldProblem("/request_id", "1-128 letters, digits, . _ : -"))
        clash = sorted(KNOWN_MEMBERS & set(self.extra))
        if clash:
            out.append(FieldProblem("/", f"extra members shadow known ones: {', '.join(clash)}"))
        if not isinstance(self.body, Mapping):
            out.append(FieldProblem("/body", "the body is a JSON object"))
        elif self.type in set(MessageType):
            out.extend(validate_body(MessageType(self.type), self.body, self.request_id))
        return out

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = thaw(self.extra)
        value.update(
            version=self.version,
            id=self.id,
            type=self.type.value,
            sender=self.sender,
            recipient=self.recipient,
            sent_at=format_time(self.sent_at),
            body=thaw(self.body),
        )
        if self.request_id is not None:
            value["request_id"] = self.request_id
        return value

    def canonical(self) -> bytes:
        """The RFC 8785 bytes that are signed."""
        return canonical_json(self.to_json(), error=MalformedMessage)

    def digest(self) -> str:
        """SHA-256 (hex) of :meth:`canonical`: this delivery attempt."""
        return sha256_hex(self.canonical())

    def content_digest(self) -> str:
        """SHA-256 (hex) of the canonical message without ``sent_at``: the same on every attempt."""
        value = self.to_json()
        del value["sent_at"]
        return sha256_hex(canonical_json(value, error=MalformedMessage))

    def resent(self, at: datetime) -> Message:
        """The same message for another delivery attempt: same id and content, new ``sent_at``."""
        return dataclasses.replace(self, sent_at=at)


def message_from_json(value: Any) -> Message:
    """Build a :class:`Message` from parsed JSON, keeping unknown members."""
    if not isinstance(value, dict):
        raise MalformedMessage("a message is a JSON object")
    missing = sorted(
        {"version", "id", "type", "sender", "recipient", "sent_at", "body"} - set(value)
    )
    if missing:
        raise MalformedMessage(
            "the message lacks required members",
            fields=tuple(FieldProblem(f"/{name}", "required") for name in missing),
        )
    kind = value["type"]
    if not isinstance(kind, str) or kind not in set(MessageType):
        raise MalformedMessage(
            "unknown message type", fields=(FieldProblem("/type", f"{str(kind)[:40]!r}"),)
        )
    version = value["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version != VERSION:
        raise MalformedMessage(f"unsupported message version {str(version)[:20]!r}")
    return Message(
        version=version,
        id=value["id"],
        type=MessageType(kind),
        sender=value["sender"],
        recipient=value["recipient"],
        sent_at=parse_time(value["sent_at"], path="/sent_at"),
        request_id=value.get("request_id"),
        body=value["body"],
        extra={k: v for k, v in value.items() if k not in KNOWN_MEMBERS},
    )


def parse_message(data: bytes, *, max_bytes: int, max_depth: int) -> Message:
    """Parse canonical JSON bytes into a :class:`Message`; anything else is refused."""
    if len(data) > max_bytes:
        raise MessageTooLarge(f"the message is {len(data)} bytes; the limit is {max_bytes}")
    try:
        value = load_json(
            data, error=MalformedError, what="the message", max_bytes=max_bytes, max_depth=max_depth
        )
    except MalformedError as exc:
        raise MalformedMessage(exc.detail) from None
    message = message_from_json(value)
    if canonical_json(value, error=MalformedMessage) != data:
        raise MalformedMessage("the message is not in canonical JSON form (RFC 8785)")
    return message
