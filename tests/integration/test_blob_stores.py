"""One conformance suite for every blob store: memory, local folder, and real S3 (SeaweedFS)."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from hanoi.blobs import BlobStore, MemoryBlobStore, read_all
from hanoi.errors import IntegrityError, InvalidInput, NotFound, Unavailable
from hanoi.storage import blob_s3
from hanoi.storage.blob_disk import DiskBlobStore
from hanoi.storage.blob_s3 import S3BlobStore
from hanoi.storage.s3 import S3Location


@pytest.fixture(params=["memory", "disk", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "memory":
        return MemoryBlobStore()
    if request.param == "disk":
        return DiskBlobStore(tmp_path / "blobs")
    server = request.getfixturevalue("s3_server")
    bucket = request.getfixturevalue("s3_bucket")
    return S3BlobStore(server.location(bucket))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class TrickleStream(io.RawIOBase):
    """A stream that returns at most ``step`` bytes per read, like a socket."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = memoryview(data)
        self._pos = 0
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        n = min(len(buffer), self._step, len(self._data) - self._pos)
        buffer[:n] = self._data[self._pos : self._pos + n]
        self._pos += n
        return n


@pytest.mark.parametrize("size", [0, 1, 4096, 3 * 1024 * 1024 + 7])
def test_put_returns_sha256_and_size_and_reads_back(store: BlobStore, size: int) -> None:
    data = os.urandom(size)
    ref = store.put(io.BytesIO(data))
    assert ref.digest == sha256(data)
    assert ref.size == size
    assert store.exists(ref.digest)
    assert store.size(ref.digest) == size
    assert read_all(store, ref.digest) == data


def test_short_reads_are_assembled(store: BlobStore) -> None:
    data = os.urandom(200_000)
    ref = store.put(TrickleStream(data, 1000))  # type: ignore[arg-type]
    assert read_all(store, ref.digest) == data


def test_same_bytes_twice_is_one_object(store: BlobStore) -> None:
    first = store.put(io.BytesIO(b"evidence"))
    second = store.put(io.BytesIO(b"evidence"))
    assert first == second
    assert read_all(store, first.digest) == b"evidence"


def test_expected_digest_mismatch_is_refused_and_nothing_is_stored(store: BlobStore) -> None:
    wrong = sha256(b"something else")
    with pytest.raises(IntegrityError, match="not the announced"):
        store.put(io.BytesIO(b"evidence"), expected_digest=wrong)
    assert not store.exists(sha256(b"evidence"))
    assert not store.exists(wrong)


def test_size_limit_is_enforced_and_nothing_is_stored(store: BlobStore) -> None:
    with pytest.raises(InvalidInput, match="larger than the limit"):
        store.put(io.BytesIO(b"x" * 1000), max_size=999)
    assert not store.exists(sha256(b"x" * 1000))
    assert store.put(io.BytesIO(b"x" * 999), max_size=999).size == 999


def test_missing_blob(store: BlobStore) -> None:
    missing = sha256(b"never stored")
    assert not store.exists(missing)
    with pytest.raises(NotFound):
        store.size(missing)
    with pytest.raises(NotFound):
        store.open(missing)
    with pytest.raises(NotFound):
        store.delete(missing)
    with pytest.raises(NotFound):
        store.open_range(missing, 0, 1)


def test_a_range_reads_exactly_its_bytes(store: BlobStore) -> None:
    data = os.urandom(3 * 1024 * 1024 + 11)
    ref = store.put(io.BytesIO(data))
    size = len(data)
    for start, length in [(0, size), (0, 1), (size - 1, 1), (1000, 2 * 1024 * 1024), (size, 0)]:
        with store.open_range(ref.digest, start, length) as stream:
            assert stream.read() == data[start : start + length], (start, length)


def test_a_range_outside_the_object_is_refused(store: BlobStore) -> None:
    ref = store.put(io.BytesIO(b"0123456789"))
    for start, length in [(0, 11), (10, 1), (11, 0), (-1, 2), (0, -1), (5, 6)]:
        with pytest.raises(InvalidInput):
            store.open_range(ref.digest, start, length).close()


def test_a_range_is_not_checked_against_the_digest_the_whole_is() -> None:
    """The contract: a range hands out the stored bytes; only a read of the whole checks."""
    store = MemoryBlobStore()
    ref = store.put(io.BytesIO(b"original bytes"))
    store.corrupt(ref.digest, offset=3)
    with store.open_range(ref.digest, 0, 14) as stream:
        assert stream.read() == b"orifinal bytes"  # "g" with its lowest bit flipped
    with pytest.raises(IntegrityError):
        read_all(store, ref.digest)


def test_delete(store: BlobStore) -> None:
    ref = store.put(io.BytesIO(b"to be deleted under a retention rule"))
    store.delete(ref.digest)
    assert not store.exists(ref.digest)


@pytest.mark.parametrize("digest", ["", "abc", "A" * 64, "g" * 64, "../" + "a" * 61])
def test_malformed_digest_is_invalid_input(store: BlobStore, digest: str) -> None:
    with pytest.raises(InvalidInput, match="64 lower-case"):
        store.exists(digest)


def test_check_passes_on_a_working_store(store: BlobStore) -> None:
    store.check()


# --- implementation-specific behaviour --------------------------------------------------


def test_memory_corruption_is_an_integrity_error() -> None:
    store = MemoryBlobStore()
    ref = store.put(io.BytesIO(b"original bytes"))
    store.corrupt(ref.digest, offset=3)
    with pytest.raises(IntegrityError, match="corrupt"):
        read_all(store, ref.digest)


def test_memory_failure_mid_put_stores_nothing() -> None:
    store = MemoryBlobStore()
    data = os.urandom(3 * 1024 * 1024)
    store.fail_after_bytes = 1024 * 1024
    with pytest.raises(OSError, match="injected"):
        store.put(io.BytesIO(data))
    assert not store.exists(sha256(data))
    assert store.put(io.BytesIO(data)).digest == sha256(data)


def test_disk_layout_is_sharded_read_only_and_leaves_no_temporary(tmp_path: Path) -> None:
    store = DiskBlobStore(tmp_path)
    ref = store.put(io.BytesIO(b"abc"))
    path = tmp_path / "sha256" / ref.digest[:2] / ref.digest[2:4] / ref.digest
    assert path.read_bytes() == b"abc"
    assert path.stat().st_mode & 0o222 == 0
    assert list((tmp_path / "tmp").iterdir()) == []


def test_disk_corrupt_file_is_an_integrity_error(tmp_path: Path) -> None:
    store = DiskBlobStore(tmp_path)
    ref = store.put(io.BytesIO(b"original bytes"))
    path = store.path_of(ref.digest)
    path.chmod(0o640)
    path.write_bytes(b"Original bytes")
    with pytest.raises(IntegrityError, match="corrupt"):
        read_all(store, ref.digest)


def test_disk_never_overwrites_an_existing_object(tmp_path: Path) -> None:
    store = DiskBlobStore(tmp_path)
    ref = store.put(io.BytesIO(b"first"))
    path = store.path_of(ref.digest)
    inode = path.stat().st_ino
    store.put(io.BytesIO(b"first"))
    assert path.stat().st_ino == inode


def test_disk_crash_mid_put_leaves_only_a_temporary_that_sweep_removes(tmp_path: Path) -> None:
    store = DiskBlobStore(tmp_path)

    class Exploding(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
            raise OSError("connection reset")

    with pytest.raises(OSError, match="connection reset"):
        store.put(Exploding())  # type: ignore[arg-type]
    assert not any((tmp_path / "sha256").glob("**/*")) if (tmp_path / "sha256").exists() else True
    stray = tmp_path / "tmp" / "put-left-by-a-killed-process"
    stray.write_bytes(b"partial")
    os.utime(stray, (0, 0))
    assert store.sweep_temporary() == 1
    assert not stray.exists()


def test_disk_range_of_an_object_cut_short_is_an_integrity_error(tmp_path: Path) -> None:
    store = DiskBlobStore(tmp_path / "blobs")
    ref = store.put(io.BytesIO(b"0123456789"))
    reading = store.open_range(ref.digest, 2, 8)
    path = store.path_of(ref.digest)
    path.chmod(0o640)
    os.truncate(path, 5)  # cut after the range was opened
    with pytest.raises(IntegrityError, match="ends before the range"), reading:
        reading.read()


def test_disk_unwritable_folder_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(Unavailable, match="not writable"):
        DiskBlobStore(blocker / "blobs").check()


@pytest.fixture
def small_multipart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blob_s3, "MULTIPART_THRESHOLD", 6 * 1024 * 1024)
    monkeypatch.setattr(blob_s3, "PART_SIZE", 5 * 1024 * 1024)


@pytest.mark.s3
@pytest.mark.usefixtures("small_multipart")
def test_s3_multipart_upload_above_threshold(s3_server, s3_bucket) -> None:  # type: ignore[no-untyped-def]
    store = S3BlobStore(s3_server.location(s3_bucket))
    data = os.urandom(17 * 1024 * 1024 + 3)
    ref = store.put(io.BytesIO(data))
    assert ref.digest == sha256(data)
    assert read_all(store, ref.digest) == data
    client = s3_server.client()
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=s3_bucket).get("Contents", [])]
    assert keys == [f"sha256/{ref.digest}"]  # the temporary object is gone
    assert client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []


@pytest.mark.s3
def test_s3_corrupt_object_is_an_integrity_error(s3_server, s3_bucket) -> None:  # type: ignore[no-untyped-def]
    store = S3BlobStore(s3_server.location(s3_bucket))
    ref = store.put(io.BytesIO(b"original bytes"))
    s3_server.client().put_object(
        Bucket=s3_bucket, Key=f"sha256/{ref.digest}", Body=b"Original bytes"
    )
    with pytest.raises(IntegrityError, match="corrupt"):
        read_all(store, ref.digest)


def test_s3_refused_endpoint_is_unavailable() -> None:
    store = S3BlobStore(S3Location(endpoint_url="http://127.0.0.1:9", bucket="hanoi-blobs"))
    with pytest.raises(Unavailable, match=r"cannot reach the S3 store http://127.0.0.1:9"):
        store.check()
