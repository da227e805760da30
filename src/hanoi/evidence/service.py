"""Recording evidence: stream the bytes once into the blob store, describe the item, and
write the custody event that says who collected it, when, and under which article (in
the transaction that stores the item)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from hanoi.accounts.model import Action, User
from hanoi.clock import Clock
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.custody.service import CustodyLog, LoggedEvent, NewEvent
from hanoi.errors import NotFound
from hanoi.evidence.items import Acquisition, EvidenceItem
from hanoi.evidence.uploads import UploadService
from hanoi.storage.blobs import BlobStore


class EvidenceStore(Protocol):
    def add(self, item: EvidenceItem, custody: Sequence[NewEvent]) -> None:
        """Store the item and queue its custody events, in one transaction."""
        ...

    def get(self, item_id: str) -> EvidenceItem | None: ...

    def for_request(self, request_ref: str) -> list[EvidenceItem]: ...


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
        clock: Clock,
        max_bytes: int,
    ) -> None:
        self._node = node_state
        self._blobs = blobs
        self._store = store
        self._custody = custody
        self._uploads = uploads
        self._clock = clock
        self._max_bytes = max_bytes

    @property
    def blobs(self) -> BlobStore:
        return self._blobs

    def ingest(self, stream: BinaryIO, acquisition: Acquisition) -> Recorded:
        """Read ``stream`` once: hash and store it, then record the item and its custody event."""
        ref = self._blobs.put(stream, max_size=self._max_bytes)
        return self._record(ref.digest, ref.size, acquisition)

    def from_upload(self, *, user: User, upload_id: str, acquisition: Acquisition) -> Recorded:
        """Turn a completed, digest-checked tus upload into an evidence item, once."""
        user.require(Action.UPLOAD_EVIDENCE)
        upload = self._uploads.take_completed(user=user, upload_id=upload_id)
        assert upload.digest is not None  # complete
        return self._record(upload.digest, upload.length, acquisition)

    def record_received(
        self, stream: BinaryIO, *, sha256: str, acquisition: Acquisition
    ) -> Recorded:
        """Store bytes received from another State (digest-checked) as an item of this node,
        with a ``received`` custody event."""
        ref = self._blobs.put(stream, expected_digest=sha256, max_size=self._max_bytes)
        return self._record(ref.digest, ref.size, acquisition, action=CustodyAction.RECEIVED)

    def _record(
        self,
        digest: str,
        size: int,
        acquisition: Acquisition,
        *,
        action: CustodyAction = CustodyAction.COLLECTED,
    ) -> Recorded:
        now = self._clock.now()
        item = EvidenceItem(
            id=secrets.token_hex(16),
            sha256=digest,
            size=size,
            acquisition=acquisition,
            recorded_at=now,
        )
        [event] = self._custody.prepare(
            [
                CustodyEvent(
                    action=action,
                    time=now,
                    node=self._node,
                    officer=acquisition.officer,
                    request_id=acquisition.request_ref,
                    article=acquisition.article,
                    evidence_sha256=digest,
                )
            ]
        )
        self._store.add(item, [event])
        self._custody.notify()
        return Recorded(item, event.commitment)

    def for_request(self, request_ref: str) -> list[EvidenceItem]:
        return self._store.for_request(request_ref)

    def record_export(
        self, items: list[EvidenceItem], *, officer: str, request_ref: str, article: str
    ) -> None:
        """Log that these items left the node in a package (one custody event each)."""
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
                )
                for item in items
            ]
        )

    def get(self, item_id: str) -> EvidenceItem:
        item = self._store.get(item_id)
        if item is None:
            raise NotFound("no such evidence item")
        return item

    def custody_of(self, item: EvidenceItem) -> list[LoggedEvent]:
        """The sequenced custody events about this item's bytes, oldest first."""
        return self._custody.events_for(f"sha256:{item.sha256}")
