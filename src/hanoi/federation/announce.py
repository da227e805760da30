"""Which steps the other State is told of, as messages for the outbox. Pure but for ids.

``send`` travels as a ``request`` message carrying the whole request, followed by one
``document`` message per document of the request (its bytes read at delivery,
``hanoi.federation.documents``); every later step of either side that the transition
table shares (``WIRE_STEPS``) travels as a ``step`` message carrying the record and the
sender's copy of the request after it, so the receiver checks that its own copy is a
prefix of the sender's.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from hanoi.clock import Clock
from hanoi.cooperation import CooperationRequest, TransitionName, TransitionRecord
from hanoi.cooperation.codec import record_json, request_json
from hanoi.cooperation.ports import Outgoing
from hanoi.federation.documents import document_stubs
from hanoi.federation.messages import WIRE_STEPS, Message, MessageType, new_message_id


class MessageAnnouncer:
    def __init__(self, *, node_state: str, clock: Clock) -> None:
        self._state = node_state
        self._clock = clock
        self.queued = threading.Event()
        """Set when a message is committed to the outbox: the delivery worker wakes."""

    def notify(self) -> None:
        self.queued.set()

    def announce(self, request: CooperationRequest, record: TransitionRecord) -> Sequence[Outgoing]:
        if not request.route.on_network:
            return ()  # off the network, letters carry the steps (ADR 0028)
        if record.transition is TransitionName.SEND:
            kind = MessageType.REQUEST
            body: dict[str, Any] = {"document": request_json(request)}
        elif record.transition in WIRE_STEPS:
            kind = MessageType.STEP
            body = {
                "transition": record.transition.value,
                "record": record_json(record),
                "document": request_json(request),
            }
        else:
            return ()
        other = request.requested_state
        if other == self._state:
            other = request.requesting_state
        now = self._clock.now()
        message = Message(
            id=new_message_id(),
            type=kind,
            sender=self._state,
            recipient=other,
            sent_at=now,
            request_id=request.id,
            body=body,
        )
        announced = Outgoing(
            id=message.id,
            recipient=other,
            type=kind.value,
            request_id=request.id,
            message=message.canonical().decode(),
            created_at=now,
        )
        if kind is not MessageType.REQUEST:
            return (announced,)
        documents = document_stubs(request, sender=self._state, recipient=other, now=now)
        return (announced, *documents)
