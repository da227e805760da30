"""Custody events, and the salted commitments that the custody log holds.

An event says who did what to which evidence, when, and under which article.
It is JSON, hashed in its RFC 8785 canonical form::

    {"version": 1, "type": "received", "time": "2026-03-01T09:30:00Z",
     "node": "EGY", "officer": "officer-17", "request_id": "EGY-2026-0042",
     "evidence_sha256": "<64 hex>", "previous": "<64 hex>", "article": "40(15)"}

``evidence_sha256`` and ``previous`` (the commitment of the previous custody
step) are optional; members this version does not know are kept, and hashed.

The log never sees the event. Its entry is the 32-byte commitment
``SHA-256(salt || canonical event)`` with a random 32-byte salt, so the public
learns nothing from the log; a court given the event, its salt and a proof
recomputes the commitment and checks that it was logged
(:func:`verify_event_logged`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from hanoi.custody.encoding import load_json
from hanoi.custody.errors import MalformedEvent
from hanoi.custody.limits import DEFAULT_LIMITS, Limits
from hanoi.custody.merkle import leaf_hash
from hanoi.custody.policy import CheckpointPolicy, WitnessedCheckpoint
from hanoi.custody.tlogproof import TlogProof, verify_tlog_proof
from hanoi.errors import InvalidInput
from hanoi.wire import NotCanonical, canonical_json, format_time
from hanoi.wire import parse_time as wire_parse_time

EVENT_VERSION = 1
SALT_SIZE = 32
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_REQUIRED = ("version", "type", "time", "node", "officer", "request_id", "article")
_OPTIONAL = ("evidence_sha256", "previous")


class CustodyAction(StrEnum):
    """What happened to the evidence (or to the request that carries it)."""

    CREATED = "created"
    COLLECTED = "collected"
    PRESERVED = "preserved"
    SENT = "sent"
    RECEIVED = "received"
    ACCESSED = "accessed"
    DECRYPTED = "decrypted"
    EXPORTED = "exported"
    DELETED_UNDER_RETENTION = "deleted-under-retention"
    REQUEST_STEP = "request-step"
    """A step of the cooperation workflow (``step``, ``from``, ``to``, ``side`` members)."""
    ONWARD_TRANSFER = "onward-transfer"
    """Data received under a request passed to a third State, with consent (Art. 36(3))."""
    REPORT_ISSUED = "report-issued"
    """A court report of the request was issued; ``evidence_sha256`` is the SHA-256 of the
    PDF's bytes, so a court can ask the node whether a PDF is one it issued."""
    LETTER_ISSUED = "letter-issued"
    """A signed letter of request was issued (Art. 40(14)); ``evidence_sha256`` is the
    SHA-256 of the signed PDF, so the requested State can ask whether a letter is one the
    node issued (``language``, ``verification_code``, ``code_seed`` members)."""
    PROVIDER_ORDER = "provider-order"
    """An order to a domestic service provider over HI-1, or what became of it (``step``
    ``issued``, ``status``, ``notification``, ``delivery-refused``, ``provider-error``; ``order``,
    ``provider``, ``transaction``, ``task`` members; ``order_sha256`` of ``issued`` is the
    SHA-256 of the signed domestic order sent). Logged under the request, with its steps."""
    DELIVERED = "delivered"
    """A domestic service provider's delivery under an order, checked against the checksums
    the provider declared, as the node took it in: the first link of the chain for the
    bytes it carries, logged just before their ``collected`` event (``provider``,
    ``provider_name``, ``order``, ``reference``: the domestic order's, ``delivery``: the
    HI-1 object id, ``delivered_at``: the time the provider gave, ``declared_checksums``:
    ``TYPE:VALUE`` as the provider declared them). ``node`` is the State that received it;
    ``officer`` the officer who ordered."""


_ACTIONS = frozenset(a.value for a in CustodyAction)


def parse_time(text: str) -> datetime:
    """The inverse of :func:`~hanoi.wire.format_time`; any other spelling is rejected."""
    try:
        return wire_parse_time(text)
    except NotCanonical:
        raise MalformedEvent(
            f"the event time {text[:40]!r} is not canonical UTC ISO 8601"
        ) from None


def _check_text(name: str, value: object, *, limits: Limits) -> str:
    if not isinstance(value, str) or not value or len(value) > limits.max_event_field_chars:
        raise MalformedEvent(
            f"the event's {name!r} is a non-empty string, at most "
            f"{limits.max_event_field_chars} characters"
        )
    if any(c < " " or c == "\x7f" for c in value):
        raise MalformedEvent(f"the event's {name!r} holds a control character")
    return value


def _check_digest(name: str, value: object) -> str:
    if not isinstance(value, str) or not _HEX_DIGEST.fullmatch(value):
        raise MalformedEvent(f"the event's {name!r} is a SHA-256 digest in lowercase hex")
    return value


def _optional_digest(value: Mapping[str, Any], name: str) -> str | None:
    """An optional digest member: absent, or a digest (never ``null``, which would not hash)."""
    return _check_digest(name, value[name]) if name in value else None


@dataclass(frozen=True, slots=True)
class CustodyEvent:
    action: CustodyAction
    time: datetime
    node: str
    officer: str
    request_id: str
    article: str
    evidence_sha256: str | None = None
    previous: str | None = None
    version: int = EVENT_VERSION
    unknown: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "unknown", MappingProxyType(dict(self.unknown)))
        if set(self.unknown) & {*_REQUIRED, *_OPTIONAL}:
            raise InvalidInput("an unknown event member shadows a known one")
        self.to_json()  # validates every field

    def to_json(self) -> dict[str, Any]:
        limits = DEFAULT_LIMITS
        value: dict[str, Any] = dict(self.unknown)
        value.update(
            version=self.version,
            type=CustodyAction(self.action).value,
            time=format_time(self.time),
            node=_check_text("node", self.node, limits=limits),
            officer=_check_text("officer", self.officer, limits=limits),
            request_id=_check_text("request_id", self.request_id, limits=limits),
            article=_check_text("article", self.article, limits=limits),
        )
        if self.version != EVENT_VERSION:
            raise InvalidInput(f"custody events are version {EVENT_VERSION}")
        if self.evidence_sha256 is not None:
            value["evidence_sha256"] = _check_digest("evidence_sha256", self.evidence_sha256)
        if self.previous is not None:
            value["previous"] = _check_digest("previous", self.previous)
        return value

    def canonical(self) -> bytes:
        """The RFC 8785 canonical JSON that the commitment hashes."""
        return canonical_json(self.to_json(), error=MalformedEvent, what="the event")


def parse_event(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> CustodyEvent:
    """Parse event JSON (any formatting); members this version does not know are kept."""
    value = load_json(
        data,
        error=MalformedEvent,
        what="the event",
        max_bytes=limits.max_event_bytes,
        max_depth=limits.max_event_depth,
    )
    if not isinstance(value, dict):
        raise MalformedEvent("a custody event is a JSON object")
    missing = [name for name in _REQUIRED if name not in value]
    if missing:
        raise MalformedEvent(f"the event lacks {', '.join(missing)}")
    if type(value["version"]) is not int or value["version"] != EVENT_VERSION:
        raise MalformedEvent(f"this node reads custody events of version {EVENT_VERSION}")
    action = value["type"]
    if not isinstance(action, str) or action not in _ACTIONS:
        raise MalformedEvent(f"unknown custody event type {str(action)[:40]!r}")
    if not isinstance(value["time"], str):
        raise MalformedEvent("the event's 'time' is a string")
    event = CustodyEvent(
        action=CustodyAction(action),
        time=parse_time(value["time"]),
        node=_check_text("node", value["node"], limits=limits),
        officer=_check_text("officer", value["officer"], limits=limits),
        request_id=_check_text("request_id", value["request_id"], limits=limits),
        article=_check_text("article", value["article"], limits=limits),
        evidence_sha256=_optional_digest(value, "evidence_sha256"),
        previous=_optional_digest(value, "previous"),
        unknown={k: v for k, v in value.items() if k not in (*_REQUIRED, *_OPTIONAL)},
    )
    event.canonical()  # unknown members must canonicalise too
    return event


def new_salt(random_bytes: Callable[[int], bytes] = secrets.token_bytes) -> bytes:
    return random_bytes(SALT_SIZE)


def event_commitment(event: CustodyEvent, salt: bytes) -> bytes:
    """The log entry for an event: ``SHA-256(salt || canonical event)``, 32 bytes."""
    return commitment_of(event.canonical(), salt)


def commitment_of(canonical: bytes, salt: bytes) -> bytes:
    """:func:`event_commitment` of an event whose canonical JSON the caller holds
    already (``CustodyEvent.canonical``), so that it is not computed twice."""
    if len(salt) != SALT_SIZE:
        raise InvalidInput(f"a custody event salt is {SALT_SIZE} bytes")
    return hashlib.sha256(salt + canonical).digest()


def event_leaf_hash(event: CustodyEvent, salt: bytes) -> bytes:
    """The RFC 6962 leaf hash of the event's commitment."""
    return leaf_hash(event_commitment(event, salt))


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    commitment: bytes
    index: int
    witnessed: WitnessedCheckpoint


def verify_event_logged(
    *,
    event: CustodyEvent,
    salt: bytes,
    proof: TlogProof,
    policy: CheckpointPolicy,
    limits: Limits = DEFAULT_LIMITS,
) -> LoggedEvent:
    """Prove that ``event`` (with ``salt``) is entry ``proof.index`` of a trusted checkpoint.

    Raises unless the checkpoint is signed by the log, cosigned by the quorum of
    witnesses in ``policy``, and the inclusion proof binds the commitment to its root.
    """
    commitment = event_commitment(event, salt)
    witnessed = verify_tlog_proof(
        proof, leaf_hash=leaf_hash(commitment), policy=policy, limits=limits
    )
    return LoggedEvent(commitment, proof.index, witnessed)
