"""Which stored files a user may attach to a request: their own completed upload, or a
file already held for that request. Attaching by a bare digest of anything else is
refused exactly like a digest the node has never seen, so that an officer can neither
learn whether the node holds some bytes nor pull another case's file into their own.
"""

from __future__ import annotations

from hanoi.accounts.model import User
from hanoi.cooperation.documents import clean_media_type
from hanoi.cooperation.ports import HeldFile
from hanoi.errors import InvalidInput, NotFound
from hanoi.evidence.service import EvidenceStore
from hanoi.evidence.uploads import UploadService

NOT_ATTACHABLE = (
    "no file with that digest among this request's files; upload it and attach it by upload_id"
)


class AttachableFiles:
    """``hanoi.cooperation.ports.AttachableFiles`` over uploads and evidence items."""

    def __init__(self, *, uploads: UploadService, items: EvidenceStore) -> None:
        self._uploads = uploads
        self._items = items

    def digest_of(
        self, user: User, request_id: str, *, upload_id: str | None, sha256: str | None
    ) -> str:
        if upload_id is not None:
            upload = self._uploads.status(user=user, upload_id=upload_id)  # the owner's only
            if upload.digest is None:
                raise NotFound("the upload is not complete yet")
            if sha256 is not None and sha256 != upload.digest:
                raise InvalidInput("the sha256 given is not the digest of that upload")
            return upload.digest
        if sha256 is not None and any(
            item.sha256 == sha256 for item in self._items.for_request(request_id)
        ):
            return sha256
        raise NotFound(NOT_ATTACHABLE)

    def file_of(
        self, user: User, request_id: str, *, upload_id: str | None, sha256: str | None
    ) -> HeldFile:
        if upload_id is not None:
            digest = self.digest_of(user, request_id, upload_id=upload_id, sha256=sha256)
            upload = self._uploads.status(user=user, upload_id=upload_id)
            declared = upload.metadata.get("filetype", "")
            return HeldFile(
                sha256=digest, size=upload.length, media_type=clean_media_type(declared)
            )
        for item in self._items.for_request(request_id):
            if sha256 is not None and item.sha256 == sha256:
                return HeldFile(
                    sha256=item.sha256,
                    size=item.size,
                    media_type=clean_media_type(item.acquisition.media_type),
                )
        raise NotFound(NOT_ATTACHABLE)

    def take(self, user: User, upload_id: str) -> None:
        self._uploads.take_completed(user=user, upload_id=upload_id)
