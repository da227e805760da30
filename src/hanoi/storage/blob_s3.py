"""Blobs in any S3-compatible object store (SeaweedFS, MinIO, Ceph, AWS S3).

Objects live at ``<prefix>sha256/<digest>``. Since the digest is known only
at the end of the stream, ``put`` uploads to ``<prefix>tmp/<uuid>`` while
hashing (one ``PutObject`` up to :data:`MULTIPART_THRESHOLD`, multipart
above it), then copies server-side to the content address, unless that
address already exists, and deletes the temporary object. A crash leaves
only a temporary object (or an unfinished multipart upload), never a wrong
object under a digest.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import TYPE_CHECKING, Any, BinaryIO

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from hanoi.blobs import (
    BlobRef,
    SizeLimit,
    check_digest,
    check_expected,
    check_range,
    range_reader,
    reader,
)
from hanoi.errors import InvalidInput, NotFound, Unavailable
from hanoi.storage.s3 import S3Location, ensure_bucket, is_missing, make_client, unavailable

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MULTIPART_THRESHOLD = 64 * 1024 * 1024
PART_SIZE = 16 * 1024 * 1024


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    """Read ``size`` bytes unless the stream ends first (multipart parts need >= 5 MiB)."""
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


class S3BlobStore:
    def __init__(self, location: S3Location) -> None:
        self.location = location
        self.bucket = location.bucket
        self.prefix = location.prefix
        self._client: S3Client = make_client(location)

    def _key(self, digest: str) -> str:
        return f"{self.prefix}sha256/{check_digest(digest)}"

    def _unavailable(self, exc: Exception) -> Unavailable:
        return unavailable(self.location, exc)

    def put(
        self,
        stream: BinaryIO,
        *,
        expected_digest: str | None = None,
        max_size: int | None = None,
    ) -> BlobRef:
        hasher = hashlib.sha256()
        limit = SizeLimit(max_size)
        tmp_key = f"{self.prefix}tmp/{uuid.uuid4().hex}"
        pending: list[bytes] = []
        pending_size = 0
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            while True:
                chunk = _read_exact(stream, PART_SIZE)
                if chunk:
                    limit.add(len(chunk))
                    hasher.update(chunk)
                    pending.append(chunk)
                    pending_size += len(chunk)
                if upload_id is None and chunk and pending_size <= MULTIPART_THRESHOLD:
                    continue
                if upload_id is None and chunk:
                    upload_id = self._client.create_multipart_upload(
                        Bucket=self.bucket, Key=tmp_key
                    )["UploadId"]
                if upload_id is not None:
                    for part in pending:
                        number = len(parts) + 1
                        etag = self._client.upload_part(
                            Bucket=self.bucket,
                            Key=tmp_key,
                            UploadId=upload_id,
                            PartNumber=number,
                            Body=part,
                        )["ETag"]
                        parts.append({"ETag": etag, "PartNumber": number})
                    pending, pending_size = [], 0
                if not chunk:
                    break
            if upload_id is None:
                self._client.put_object(Bucket=self.bucket, Key=tmp_key, Body=b"".join(pending))
            else:
                self._client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=tmp_key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
                )
                upload_id = None
            ref = BlobRef(hasher.hexdigest(), limit.total)
            check_expected(ref, expected_digest)
            if not self.exists(ref.digest):
                self._client.copy(
                    {"Bucket": self.bucket, "Key": tmp_key}, self.bucket, self._key(ref.digest)
                )
            return ref
        except (BotoCoreError, EndpointConnectionError) as exc:
            raise self._unavailable(exc) from None
        finally:
            self._cleanup(tmp_key, upload_id)

    def _cleanup(self, tmp_key: str, upload_id: str | None) -> None:
        try:
            if upload_id is not None:
                self._client.abort_multipart_upload(
                    Bucket=self.bucket, Key=tmp_key, UploadId=upload_id
                )
            self._client.delete_object(Bucket=self.bucket, Key=tmp_key)
        except (BotoCoreError, ClientError):
            pass  # a stray temporary object is harmless; a lifecycle rule removes it

    def open(self, digest: str) -> BinaryIO:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self._key(digest))
        except ClientError as exc:
            if is_missing(exc):
                raise NotFound(f"no blob {digest}") from None
            raise self._unavailable(exc) from None
        except BotoCoreError as exc:
            raise self._unavailable(exc) from None
        body: BinaryIO = response["Body"]  # type: ignore[assignment]
        return reader(body, digest=digest, size=response["ContentLength"])

    def open_range(self, digest: str, start: int, length: int) -> BinaryIO:
        """One ``GET`` with a ``Range`` header: the store sends the range only."""
        check_range(start, length)
        if length == 0:  # HTTP has no empty range; the object must still be there
            check_range(start, length, self.size(digest))
            return io.BytesIO(b"")
        try:
            response = self._client.get_object(
                Bucket=self.bucket,
                Key=self._key(digest),
                Range=f"bytes={start}-{start + length - 1}",
            )
        except ClientError as exc:
            if is_missing(exc):
                raise NotFound(f"no blob {digest}") from None
            if str(exc.response.get("Error", {}).get("Code")) in ("InvalidRange", "416"):
                raise InvalidInput(f"the range starts past the end of blob {digest}") from None
            raise self._unavailable(exc) from None
        except BotoCoreError as exc:
            raise self._unavailable(exc) from None
        body: BinaryIO = response["Body"]  # type: ignore[assignment]
        if response["ContentLength"] != length:  # the object ends inside the range
            body.close()
            raise InvalidInput(f"the range ends past the end of blob {digest}")
        return range_reader(body, length=length, digest=digest)

    def _head(self, digest: str) -> int | None:
        try:
            response = self._client.head_object(Bucket=self.bucket, Key=self._key(digest))
        except ClientError as exc:
            if is_missing(exc):
                return None
            raise self._unavailable(exc) from None
        except BotoCoreError as exc:
            raise self._unavailable(exc) from None
        return response["ContentLength"]

    def exists(self, digest: str) -> bool:
        return self._head(digest) is not None

    def size(self, digest: str) -> int:
        size = self._head(digest)
        if size is None:
            raise NotFound(f"no blob {digest}")
        return size

    def delete(self, digest: str) -> None:
        if not self.exists(digest):
            raise NotFound(f"no blob {digest}")
        try:
            self._client.delete_object(Bucket=self.bucket, Key=self._key(digest))
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable(exc) from None

    def check(self) -> None:
        ensure_bucket(self._client, self.location)
