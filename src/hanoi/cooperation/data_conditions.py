"""The conditions on the data a request brings, applied (Art. 36): consent to pass data
on to a third State, the onward transfer itself, and deletion when retention ends.

- :meth:`DataConditions.record_consent`: the consent of the State that sent the data to
  pass it to a third State (Art. 36(3));
- :meth:`DataConditions.transfer_onward`: passing the request's evidence to a third
  State, only with that consent, one ``onward-transfer`` custody event per item;
- :meth:`DataConditions.apply_retention`: deleting the evidence of every request whose
  retention period has ended (Art. 36(1)(b)), one ``deleted-under-retention`` custody
  event per item (the background job, :mod:`hanoi.cooperation.jobs`).

Case access is checked by the cooperation service (:class:`CaseAccess`), exactly as for
its own calls: a refusal is recorded, and a request the user may not see is answered like
one that does not exist.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from hanoi.accounts.model import Action, User
from hanoi.blobs import BlobStore
from hanoi.clock import Clock
from hanoi.cooperation import custody as custody_events
from hanoi.cooperation.model import CooperationRequest, require_state
from hanoi.cooperation.ports import Consent, CooperationStore
from hanoi.cooperation.statuses import Side
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.custody.service import CustodyLog
from hanoi.errors import InvalidInput, NotFound, RuleViolation

log = logging.getLogger("hanoi.cooperation")

ONWARD_TRANSFER_SOURCE = "Art. 36(3)"


class CaseAccess(Protocol):
    """What the data conditions need of the cooperation service
    (:class:`hanoi.cooperation.service.CooperationService`)."""

    def check_case(
        self, user: User, request_id: str, action: Action, what: str
    ) -> CooperationRequest: ...

    def side_of(self, request: CooperationRequest) -> Side: ...


class DataConditions:
    def __init__(
        self,
        *,
        node_state: str,
        cases: CaseAccess,
        store: CooperationStore,
        custody: CustodyLog,
        blobs: BlobStore,
        clock: Clock,
    ) -> None:
        self.node_state = node_state
        self._cases = cases
        self._store = store
        self._custody = custody
        self._blobs = blobs
        self._clock = clock

    def record_consent(
        self,
        user: User,
        request_id: str,
        *,
        third_state: str,
        reference: str,
        written: bool,
        scope: str,
    ) -> Consent:
        """Record the consent of the State that sent the data to pass it to a third State."""
        request = self._cases.check_case(user, request_id, Action.DECIDE, "record a consent")
        require_state("the third State", third_state)
        sender = self._data_sender(request)
        if third_state in (request.requesting_state, request.requested_state):
            raise InvalidInput("the third State is neither State of the request")
        for name, text in (("reference", reference), ("scope", scope)):
            if not text.strip() or len(text) > 500:
                raise InvalidInput(f"the consent's {name} is 1-500 characters")
        consent = Consent(
            request_id=request_id,
            third_state=third_state,
            consenting_state=sender,
            written=written,
            reference=reference,
            scope=scope,
            recorded_by=user.name,
            recorded_at=self._clock.now(),
        )
        self._store.add_consent(consent)
        return consent

    def _data_sender(self, request: CooperationRequest) -> str:
        """The State whose data this node holds under the request: the other State."""
        side = self._cases.side_of(request)
        return request.party(side.other).state

    def transfer_onward(
        self, user: User, request_id: str, *, third_state: str
    ) -> list[CustodyEvent]:
        """Pass the request's evidence to a third State: only with the recorded consent of
        the State that sent it (Art. 36(3)). Logs one custody event per item."""
        request = self._cases.check_case(user, request_id, Action.DECIDE, "transfer data onward")
        require_state("the third State", third_state)
        sender = self._data_sender(request)
        consents = [
            c
            for c in self._store.consents(request_id)
            if c.third_state == third_state and c.consenting_state == sender
        ]
        if not consents:
            raise RuleViolation(
                f"passing data received from {sender} to {third_state} needs {sender}'s prior "
                f"consent ({ONWARD_TRANSFER_SOURCE}); record it first"
            )
        now = self._clock.now()
        items = self._store.live_evidence(request_id)
        if not items:
            raise NotFound("the request holds no evidence to transfer")
        events = [
            custody_events.onward_transfer_event(
                request,
                node=self.node_state,
                officer=user.name,
                third_state=third_state,
                consented_by=sender,
                at=now,
                evidence_sha256=digest,
            )
            for _, digest in items
        ]
        self._custody.record(events)
        return events

    def apply_retention(self, *, now: datetime | None = None) -> list[str]:
        """Delete the evidence of every request whose retention period has ended, logging a
        ``deleted-under-retention`` custody event per item. Returns the digests deleted."""
        moment = now or self._clock.now()
        deleted: list[str] = []
        for request_id in self._store.retention_due(moment):
            items = self._store.live_evidence(request_id)
            events = self._custody.prepare(
                [
                    CustodyEvent(
                        action=CustodyAction.DELETED_UNDER_RETENTION,
                        time=moment,
                        node=self.node_state,
                        officer=f"{self.node_state.lower()}-node",
                        request_id=request_id,
                        article="Art. 36(1)(b)",
                        evidence_sha256=digest,
                    )
                    for _, digest in items
                ]
            )
            marked = set(
                self._store.mark_deleted(
                    [(item_id, event) for (item_id, _), event in zip(items, events, strict=True)],
                    now=moment,
                )
            )
            self._custody.notify()
            for item_id, digest in items:
                if item_id not in marked:
                    continue
                if not self._store.digest_in_use(digest):
                    self._blobs.delete(digest)
                deleted.append(digest)
            log.warning("retention: deleted %d evidence items of %s", len(marked), request_id)
        return deleted
