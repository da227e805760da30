"""The federation at work: the inbox that accepts other States' messages, and the outbox
delivery that sends this node's, with signed receipts and custody events on both sides.

Inbox, in order: open the envelope (size, decryption, signature against the directory,
addressing, freshness); answer a message already accepted with a receipt marked
``duplicate`` and refuse one that reuses an id for other content; check that the sender
may send this message about this request; apply it: a request or a step through the
cooperation service (which refuses anything the transition table does not allow, and
treats a copy it already holds as a duplicate), an evidence offer or outcome through the
``EvidenceMessages`` port (the transfer service), a document through
:class:`~hanoi.federation.documents.RequestDocuments`; record it with a ``received``
custody event; return the signed receipt. Nothing is recorded for a refused message but
the refusal itself.

Outbox: each pending message is leased, re-signed with a fresh ``sent_at`` (same id and
content), sealed to the recipient's age key from the directory and posted to its
``/federation/v1/inbox``. A verified receipt marks it delivered with a ``sent`` custody
event; anything else schedules a retry with exponential backoff.

Both tables are behind the ``MessageStore`` port (:mod:`hanoi.federation.ports`). Every
collaborator is given at construction; one left out (evidence, documents) makes this
node refuse those messages. The other States as witnesses are
:mod:`hanoi.federation.witness_peering`'s.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hanoi.clock import Clock
from hanoi.cooperation.codec import record_json, request_from_json
from hanoi.cooperation.service import CooperationService
from hanoi.crypto.agekeys import AgeRecipient
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.custody.service import CustodyLog
from hanoi.directory.errors import KeyOutsideValidity, UnknownKey
from hanoi.directory.model import StateEntry
from hanoi.directory.store import load_held
from hanoi.directory.trust import TrustedDirectory
from hanoi.errors import HanoiError, InvalidInput, NotFound, PeerError, Unavailable
from hanoi.federation.documents import DOCUMENT_ARTICLE, RequestDocuments, without_content
from hanoi.federation.envelope import (
    DEFAULT_LIMITS,
    EnvelopeLimits,
    VerifiedMessage,
    check_sender_may_send,
    open_envelope,
    seal,
)
from hanoi.federation.errors import (
    BadMessageSignature,
    ReplayedMessage,
    UnknownSender,
    UnknownSenderKey,
)
from hanoi.federation.messages import Message, MessageType, message_from_json
from hanoi.federation.ports import EvidenceMessages, MessageStore
from hanoi.federation.receipts import (
    MAX_RECEIPT_BYTES,
    ReceiptOutcome,
    make_receipt,
    verify_receipt,
)
from hanoi.httpbody import read_body
from hanoi.node.identity import NodeKeys
from hanoi.wire import thaw

log = logging.getLogger("hanoi.federation")

INBOX_PATH = "/federation/v1/inbox"
LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(minutes=5)
BATCH = 20


class DirectoryHolder:
    """The directory this node holds, reloaded when ``hanoi directory import`` changes it.

    It is the message layer's source of sender keys (``SenderKeys``)."""

    def __init__(self, node_dir: Path) -> None:
        self._node_dir = node_dir
        self._stamp: tuple[int, int] | None = None
        self._held: TrustedDirectory | None = None

    def _stamp_now(self) -> tuple[int, int]:
        current = self._node_dir / "directory" / "current.json"
        try:
            info = os.stat(current)
        except FileNotFoundError:
            return (0, 0)
        return (info.st_mtime_ns, info.st_size)

    def current(self) -> TrustedDirectory:
        stamp = self._stamp_now()
        if self._held is None or stamp != self._stamp:
            self._held = load_held(self._node_dir)
            self._stamp = stamp
        if self._held is None or self._held.held is None:
            raise Unavailable("this node holds no directory yet: run 'hanoi directory import'")
        return self._held

    def entry(self, state: str) -> StateEntry:
        return self.current().entry(state)

    def on_network(self, state: str) -> bool:
        """Whether a request to ``state`` can go over the network: the directory lists a
        node for it. Without a directory nothing is known, and the answer is yes (the
        outbox then waits for one, as before); ADR 0028."""
        try:
            self.current().entry(state)
        except Unavailable:
            return True
        except NotFound:
            return False
        return True

    def key_for(self, state: str, key_id: str, at: datetime) -> Ed25519PublicKey:
        try:
            return self.current().key_for(state, key_id, at)
        except KeyOutsideValidity as exc:
            raise BadMessageSignature(exc.detail) from None
        except UnknownKey as exc:
            raise UnknownSenderKey(exc.detail) from None
        except NotFound as exc:  # no such State, or no directory
            raise UnknownSender(exc.detail) from None


class FederationService:
    def __init__(
        self,
        *,
        node_state: str,
        keys: NodeKeys,
        directory: DirectoryHolder,
        store: MessageStore,
        cooperation: CooperationService,
        custody: CustodyLog,
        clock: Clock,
        client: Callable[[], httpx.Client] = lambda: httpx.Client(timeout=30),
        limits: EnvelopeLimits = DEFAULT_LIMITS,
        wake: threading.Event | None = None,
        evidence: EvidenceMessages | None = None,
        documents: RequestDocuments | None = None,
    ) -> None:
        self.node_state = node_state
        self._keys = keys
        self.directory = directory
        self.store = store
        self._cooperation = cooperation
        self._custody = custody
        self._clock = clock
        self._client = client
        self.limits = limits
        self.wake = wake or threading.Event()
        """Set when there is federation work to do now (the announcer's event, which the
        background worker waits on)."""
        self.evidence = evidence
        """Takes evidence offers and outcomes (the transfer service); without it, this node
        refuses them."""
        self.documents = documents
        """Stores a received document and fills an outgoing one's bytes; without it, this
        node neither takes nor sends documents."""

    # --- inbox -----------------------------------------------------------------------------

    def accept(self, data: bytes) -> bytes:
        """Take a sealed message from another node; return the signed receipt (JWS)."""
        now = self._clock.now()
        verified = open_envelope(
            data,
            identities=self._keys.age_identities,
            keys=self.directory,
            me=self.node_state,
            now=now,
            limits=self.limits,
        )
        message = verified.message
        seen = self.store.seen(message.id)
        if seen is not None:
            if seen.content_sha256 != verified.content_digest:
                raise ReplayedMessage.of(message.id)
            return self._receipt(verified, ReceiptOutcome.DUPLICATE, now)
        self._apply(verified)
        receipt = self._receipt(verified, ReceiptOutcome.ACCEPTED, now)
        event = self._event(
            CustodyAction.RECEIVED,
            message,
            peer={"sender": message.sender},
            at=now,
        )
        stored = (  # a document's bytes are in the blob store, not in the inbox's table
            without_content(message)
            if message.type is MessageType.DOCUMENT
            else message.canonical().decode()
        )
        self.store.accepted(
            message_id=message.id,
            content_sha256=verified.content_digest,
            sender=message.sender,
            type=message.type.value,
            request_id=message.request_id,
            message=stored,
            receipt=receipt.decode(),
            custody=self._custody.prepare([event]),
            now=now,
        )
        self._custody.notify()
        log.info("accepted %s %s from %s", message.type.value, message.id, message.sender)
        return receipt

    def _apply(self, verified: VerifiedMessage) -> None:
        message = verified.message
        body = thaw(message.body)
        if message.type in (MessageType.REQUEST, MessageType.STEP):
            request = request_from_json(body["document"])
            if request.id != message.request_id:
                raise InvalidInput("the request in the message is not the one it names")
            check_sender_may_send(
                message,
                requesting_state=request.requesting_state,
                requested_state=request.requested_state,
            )
            if message.type is MessageType.REQUEST:
                self._cooperation.receive(request)
                return
            if not request.history or record_json(request.history[-1]) != body["record"]:
                raise InvalidInput("the step's record is not the last step of the request sent")
            self._cooperation.apply_remote(request, sender=message.sender)
        elif message.type is MessageType.EVIDENCE_OFFER and self.evidence is not None:
            requesting, requested = self._cooperation.parties_of(message.request_id or "")
            check_sender_may_send(message, requesting_state=requesting, requested_state=requested)
            self.evidence.on_offer(verified)
            self.wake.set()  # fetch it now
        elif message.type is MessageType.EVIDENCE_OUTCOME and self.evidence is not None:
            requesting, requested = self._cooperation.parties_of(message.request_id or "")
            check_sender_may_send(message, requesting_state=requesting, requested_state=requested)
            self.evidence.on_outcome(verified)
        elif message.type is MessageType.DOCUMENT and self.documents is not None:
            requesting, requested = self._cooperation.parties_of(message.request_id or "")
            check_sender_may_send(message, requesting_state=requesting, requested_state=requested)
            self.documents.apply(verified)
        else:
            raise InvalidInput(f"this node does not take {message.type.value!r} messages here")

    def _receipt(self, verified: VerifiedMessage, outcome: ReceiptOutcome, at: datetime) -> bytes:
        return make_receipt(
            verified, outcome=outcome, received_at=at, signing_key=self._keys.signing
        )

    def _event(
        self,
        action: CustodyAction,
        message: Message,
        *,
        peer: dict[str, str],
        at: datetime,
    ) -> CustodyEvent:
        article = "Art. 40(13)"
        digest = None
        if message.type is MessageType.DOCUMENT:  # which document: logged under its digest
            article, digest = DOCUMENT_ARTICLE, str(message.body["sha256"])
            peer = {**peer, "attachment_id": str(message.body["attachment_id"])}
        if message.type is MessageType.STEP:
            article = str(thaw(message.body)["record"].get("article") or article)
        if message.type is MessageType.EVIDENCE_OUTCOME:  # which package, and what became of it
            body = message.body
            article = "Art. 40(17)"
            peer = {
                **peer,
                "package_id": str(body["package_id"]),
                "package_sha256": str(body["package_sha256"]),
                "package_outcome": str(body["outcome"]),
            }
        return CustodyEvent(
            action=action,
            time=at,
            node=self.node_state,
            officer=f"{self.node_state.lower()}-node",
            request_id=message.request_id or message.id,
            article=article,
            evidence_sha256=digest,
            unknown={
                "message_id": message.id,
                "message_type": message.type.value,
                "message_sha256": message.content_digest(),
                **peer,
            },
        )

    # --- outbox ------------------------------------------------------------------------------

    def deliver_due(self) -> int:
        """Try every message due now; return how many were delivered."""
        try:
            self.directory.current()
        except Unavailable:
            return 0  # nowhere to deliver yet: leave the outbox as it is
        now = self._clock.now()
        due = self.store.claim_due(now=now, lease=LEASE, limit=BATCH)
        if not due:
            return 0
        delivered = 0
        with self._client() as client:
            for entry in due:
                try:
                    value = json.loads(entry.message)
                    if entry.type == MessageType.DOCUMENT.value:
                        value = self._with_content(value)
                    self._deliver(client, entry.id, value)
                    delivered += 1
                except (HanoiError, httpx.HTTPError, ValueError, KeyError) as exc:
                    delay = min(timedelta(seconds=2**entry.attempts), MAX_BACKOFF)
                    error = f"{type(exc).__name__}: {exc}"
                    log.warning("delivery of %s to %s failed: %s", entry.id, entry.recipient, error)
                    self.store.failed(entry.id, error=error, retry_at=self._clock.now() + delay)
        return delivered

    def _with_content(self, value: Any) -> Any:
        """A ``document`` row holds its message without the bytes: read them now."""
        if self.documents is None:
            raise Unavailable("this node does not send documents")
        return self.documents.with_content(value)

    def _deliver(self, client: httpx.Client, message_id: str, value: Any) -> None:
        now = self._clock.now()
        message = message_from_json(value).resent(now)
        target = self.directory.entry(message.recipient)
        envelope = seal(
            message,
            signing_key=self._keys.signing,
            recipient=AgeRecipient.parse(target.age_recipient),
        )
        url = target.node_url.rstrip("/") + INBOX_PATH
        with client.stream(
            "POST", url, content=envelope, headers={"Content-Type": "application/octet-stream"}
        ) as response:
            # A receipt, or a problem: either is small; a peer sending more is cut off.
            body = read_body(response, max_bytes=MAX_RECEIPT_BYTES, url=url)
        if response.status_code != 200:
            detail = body.decode("utf-8", "replace")[:300]
            with_problem = _problem_detail(body)
            raise PeerError(
                f"{message.recipient} answered {response.status_code}: {with_problem or detail}"
            )
        receipt = verify_receipt(body, message=message, keys=self.directory)
        event = self._event(
            CustodyAction.SENT,
            message,
            peer={
                "recipient": message.recipient,
                "receipt_sha256": hashlib.sha256(body).hexdigest(),
                "outcome": receipt.outcome.value,
            },
            at=now,
        )
        self.store.delivered(
            message_id,
            receipt=body.decode("ascii", "replace"),
            custody=self._custody.prepare([event]),
            now=now,
        )
        self._custody.notify()


def _problem_detail(body: bytes) -> str | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return str(value.get("detail"))[:300] if isinstance(value, dict) else None
