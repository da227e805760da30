"""Recording evidence: stream the bytes once into the blob store, describe the item, and
write the custody event that says who collected it, when, and under which article (in
the transaction that stores the item).

Evidence belongs to a case. Every call made for a user (record, read, list, custody)
checks first, through :class:`CaseAccess`, that the request exists and that the user's
role and case assignment allow it; a user outside the case is told exactly what they
would be told of an item or a request that does not exist. The ``held_*`` and
``record_*`` calls without a user are the node's own work (receiving a package it
verified, logging an export, retention), made by services that checked the case
themselves.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO, Protocol

from hanoi.accounts.model import Action, User
from hanoi.blobs import BlobStore
from hanoi.clock import Clock
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.custody.service import CustodyLog, LoggedEvent, NewEvent
from hanoi.errors import FieldProblem, InvalidInput, NotFound
from hanoi.evidence.items import Acquisition, EvidenceItem
from hanoi.evidence.uploads import UploadService

NO_SUCH_ITEM = "no such evidence item among your cases"


class EvidenceStore(Protocol):
    def add(self, item: EvidenceItem, custody: Sequence[NewEvent]) -> None:
        """Store the item and queue its custody events, in one transaction."""
        ...

    def get(self, item_id: str) -> EvidenceItem | None: ...

    def for_request(self, request_ref: str) -> list[EvidenceItem]: ...

    def for_package(self, package_id: str) -> list[EvidenceItem]:
        """The items received in that incoming package, by its id."""
        ...


class CaseAccess(Protocol):
    """Who may act on which request (the cooperation service implements it)."""

    def check_case(self, user: User, request_id: str, action: Action, what: str) -> object:
        """Return if ``user`` may ``action`` on the request; raise ``PermissionDenied``
        (role) or ``NotFound`` (no such request, or not on its case) otherwise."""
        ...


@dataclass(frozen=True, slots=True)
class Recorded:
    item: EvidenceItem
    commitment: bytes  # of the custody event, in the log at the next sequencing


class EvidenceService:
    def __init__(
        self,
        *,
        node_state: str,
        blobs: BlobStore,
        store: EvidenceStore,
        custody: CustodyLog,
        uploads: UploadService,
        cases: CaseAccess,
        clock: Clock,
        max_bytes: int,
    ) -> None:
        self._node = node_state
        self._blobs = blobs
        self._store = store
        self._custody = custody
        self._uploads = uploads
        self._cases = cases
        self._clock = clock
        self._max_bytes = max_bytes

    @property
    def blobs(self) -> BlobStore:
        return self._blobs

    # --- for a user: the case is checked first -----------------------------------------------

    def ingest(self, user: User, stream: BinaryIO, acquisition: Acquisition) -> Recorded:
        """Read ``stream`` once: hash and store it, then record the item and its custody
        event, collected by ``user`` for a request of their case."""
        acquisition = self._collecting(user, acquisition)
        ref = self._blobs.put(stream, max_size=self._max_bytes)
        return self._record(ref.digest, ref.size, acquisition)

    def from_upload(self, *, user: User, upload_id: str, acquisition: Acquisition) -> Recorded:
        """Turn a completed, digest-checked tus upload into an evidence item, once. The case
        is checked before the upload is taken, so a refusal leaves the upload as it was."""
        acquisition = self._collecting(user, acquisition)
        upload = self._uploads.take_completed(user=user, upload_id=upload_id)
        assert upload.digest is not None  # complete
        return self._record(upload.digest, upload.length, acquisition)

    def for_request(self, user: User, request_id: str) -> list[EvidenceItem]:
        """The items recorded for a request of ``user``'s cases."""
        self._cases.check_case(user, request_id, Action.READ, "read evidence")
        return self._store.for_request(request_id)

    def get(self, user: User, item_id: str) -> EvidenceItem:
        """One item, for a member of its request's case team; anyone else is told exactly
        what they would be told of an item that does not exist."""
        item = self._store.get(item_id) if _plausible_id(item_id) else None
        if item is None:
            raise NotFound(NO_SUCH_ITEM)
        try:
            self._cases.check_case(user, item.acquisition.request_ref, Action.READ, "read evidence")
        except NotFound:
            raise NotFound(NO_SUCH_ITEM) from None
        return item

    def custody_of(self, user: User, item_id: str) -> list[LoggedEvent]:
        """The sequenced custody events about an item's bytes, oldest first, for a member of
        its case team."""
        return self.held_custody(self.get(user, item_id))

    def _collecting(self, user: User, acquisition: Acquisition) -> Acquisition:
        """The acquisition as recorded: checked against ``user``'s case, and in their name.
        Evidence received off the network comes from another State than this node's."""
        self._cases.check_case(
            user, acquisition.request_ref, Action.UPLOAD_EVIDENCE, "record evidence"
        )
        if acquisition.received_from == self._node:
            raise InvalidInput(
                f"evidence received off the network comes from another State than "
                f"{self._node}, this node's",
                fields=(FieldProblem("received_from", "another State than this node's"),),
            )
        return replace(acquisition, officer=user.name)

    # --- the node's own work: callers have checked the case ----------------------------------

    def record_received(
        self, stream: BinaryIO, *, sha256: str, acquisition: Acquisition, package_id: str
    ) -> Recorded:
        """Store bytes received from another State (digest-checked) as an item of this node,
        linked to the incoming package it came in, with a ``received`` custody event."""
        ref = self._blobs.put(stream, expected_digest=sha256, max_size=self._max_bytes)
        return self._record(
            ref.digest, ref.size, acquisition, action=CustodyAction.RECEIVED, package_id=package_id
        )

    def record_collected(
        self,
        stream: BinaryIO,
        *,
        acquisition: Acquisition,
        handed_over: Sequence[CustodyEvent] = (),
    ) -> Recorded:
        """Store bytes the node collected itself for a request (a service provider's
        delivery, checked against its checksums) as an item, with a ``collected`` custody
        event in the name of ``acquisition.officer``, who ordered it.

        ``handed_over``: the events of how the bytes reached the node (the provider's
        ``delivered``), each about these bytes and this request; they are logged with the
        item, in the same transaction and just before its ``collected`` event, so that the
        chain a court checks begins with them. ``InvalidInput`` for one about other bytes
        or another request (nothing is recorded)."""
        ref = self._blobs.put(stream, max_size=self._max_bytes)
        for event in handed_over:
            if (event.evidence_sha256, event.request_id) != (ref.digest, acquisition.request_ref):
                raise InvalidInput(
                    f"a {event.action.value} event about other bytes or another request "
                    "cannot precede this item's collection"
                )
        return self._record(ref.digest, ref.size, acquisition, before=handed_over)

    def held_for_request(self, request_id: str) -> list[EvidenceItem]:
        """Every item recorded for a request, without a case check."""
        return self._store.for_request(request_id)

    def held_for_package(self, package_id: str) -> list[EvidenceItem]:
        """The items received in an incoming package, without a case check."""
        return self._store.for_package(package_id)

    def held_custody(self, item: EvidenceItem) -> list[LoggedEvent]:
        """The sequenced custody events about this item's bytes, oldest first."""
        return self._custody.events_for(f"sha256:{item.sha256}")

    def record_export(
        self,
        items: list[EvidenceItem],
        *,
        officer: str,
        request_ref: str,
        article: str,
        recipient_state: str | None = None,
        recipients: str | None = None,
    ) -> None:
        """Log that these items left the node in a package (one custody event each).

        ``recipient_state``: the State the package goes to, and ``recipients``: how it was
        encrypted (``x25519`` or ``scrypt``), as members of each event when given. The
        passphrase of an ``scrypt`` package is never logged."""
        for item in items:
            if item.acquisition.request_ref != request_ref:
                raise InvalidInput(f"evidence item {item.id} was not recorded for {request_ref}")
        extra = {"recipient_state": recipient_state, "recipients": recipients}
        members = {name: value for name, value in extra.items() if value is not None}
        now = self._clock.now()
        self._custody.record(
            [
                CustodyEvent(
                    action=CustodyAction.EXPORTED,
                    time=now,
                    node=self._node,
                    officer=officer,
                    request_id=request_ref,
                    article=article,
                    evidence_sha256=item.sha256,
                    unknown=members,
                )
                for item in items
            ]
        )

    def _record(
        self,
        digest: str,
        size: int,
        acquisition: Acquisition,
        *,
        action: CustodyAction = CustodyAction.COLLECTED,
        package_id: str | None = None,
        before: Sequence[CustodyEvent] = (),
    ) -> Recorded:
        now = self._clock.now()
        item = EvidenceItem(
            id=secrets.token_hex(16),
            sha256=digest,
            size=size,
            acquisition=acquisition,
            recorded_at=now,
            package_id=package_id,
        )
        *earlier, event = self._custody.prepare(
            [
                *before,
                CustodyEvent(
                    action=action,
                    time=now,
                    node=self._node,
                    officer=acquisition.officer,
                    request_id=acquisition.request_ref,
                    article=acquisition.article,
                    evidence_sha256=digest,
                ),
            ]
        )
        self._store.add(item, [*earlier, event])
        self._custody.notify()
        return Recorded(item, event.commitment)


def _plausible_id(item_id: str) -> bool:
    return len(item_id) == 32 and all(c in "0123456789abcdef" for c in item_id)
