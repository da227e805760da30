"""When the bytes of one PATCH count (hanoi.evidence.staging, ADR 0018): without
Upload-Checksum as they become durable (every 8 MiB, at the end, and up to where a
cut body stopped); with it only once the whole body matches, the lease renewed
meanwhile. A writer that lost its lease moves nothing."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import pytest

from hanoi.clock import FixedClock
from hanoi.evidence.staging import (
    BodyInterrupted,
    ChecksumMismatch,
    Lease,
    UploadBusy,
    exclusive,
    write_body,
)
from hanoi.evidence.tus import Checksum
from support_nodes import T0

MIB = 1024 * 1024


@dataclass
class Ledger:
    """An in-memory lease store that records every offset update it accepted."""

    token: str = "t"
    offset: int = 0
    moves: list[tuple[int, int]] = field(default_factory=list)

    def advance(
        self, upload_id: str, *, lease: str, old_offset: int, new_offset: int, until: datetime
    ) -> bool:
        if lease != self.token or old_offset != self.offset:
            return False
        self.moves.append((old_offset, new_offset))
        self.offset = new_offset
        return True

    def release(self, upload_id: str, *, lease: str) -> None:
        if lease == self.token:
            self.token = ""


class Body:
    """A PATCH body that arrives in pieces and may stop with BodyInterrupted."""

    def __init__(self, data: bytes, *, piece: int = MIB, cut_at: int | None = None) -> None:
        self._data = io.BytesIO(data)
        self._piece = piece
        self._cut_at = cut_at

    def read(self, size: int = -1) -> bytes:
        if self._cut_at is not None and self._data.tell() >= self._cut_at:
            raise BodyInterrupted("the client went away")
        return self._data.read(min(size, self._piece))


@pytest.fixture
def staging(tmp_path: Path) -> Iterator[BinaryIO]:
    path = tmp_path / "upload"
    path.touch()
    with exclusive(path) as handle:
        yield handle


def _lease(ledger: Ledger, clock: FixedClock | None = None) -> Lease:
    return Lease(
        upload_id="u",
        token="t",
        store=ledger,
        clock=clock or FixedClock(T0),
        duration=timedelta(seconds=120),
        offset=ledger.offset,
    )


def _sum(data: bytes) -> Checksum:
    return Checksum("sha256", hashlib.sha256(data).digest())


def test_without_a_checksum_the_offset_moves_every_8_mib(staging: BinaryIO) -> None:
    data = bytes(range(256)) * (20 * MIB // 256) + b"tail"
    ledger = Ledger()
    end = write_body(
        staging, Body(data), length=len(data), checksum=None, lease=_lease(ledger), every=8 * MIB
    )
    assert end == len(data)
    assert ledger.moves == [(0, 8 * MIB), (8 * MIB, 16 * MIB), (16 * MIB, len(data))]


def test_with_a_checksum_the_patch_counts_only_at_its_end(staging: BinaryIO) -> None:
    data = b"x" * (20 * MIB)
    ledger = Ledger()
    write_body(
        staging,
        Body(data),
        length=len(data),
        checksum=_sum(data),
        lease=_lease(ledger),
        every=8 * MIB,
    )
    # Renewals at 8 and 16 MiB leave the offset where it was; the bytes count at the end.
    assert ledger.moves == [(0, 0), (0, 0), (0, len(data))]


def test_a_body_that_does_not_match_its_checksum_counts_for_nothing(staging: BinaryIO) -> None:
    data = b"y" * (10 * MIB)
    ledger = Ledger()
    with pytest.raises(ChecksumMismatch):
        write_body(
            staging,
            Body(data),
            length=len(data),
            checksum=_sum(b"other"),
            lease=_lease(ledger),
            every=8 * MIB,
        )
    assert ledger.offset == 0


@pytest.mark.parametrize(("with_checksum", "kept"), [(False, 3 * MIB), (True, 0)])
def test_a_cut_body_keeps_what_arrived_unless_it_carries_a_checksum(
    staging: BinaryIO, with_checksum: bool, kept: int
) -> None:
    data = b"z" * (5 * MIB)
    ledger = Ledger()
    with pytest.raises(BodyInterrupted):
        write_body(
            staging,
            Body(data, cut_at=3 * MIB),
            length=len(data),
            checksum=_sum(data) if with_checksum else None,
            lease=_lease(ledger),
            every=8 * MIB,
        )
    assert ledger.offset == kept
    staging.seek(0)
    assert staging.read(kept) == data[:kept]


def test_the_lease_is_renewed_by_time_on_a_slow_body(staging: BinaryIO) -> None:
    clock = FixedClock(T0)

    class Slow(Body):
        def read(self, size: int = -1) -> bytes:
            clock.advance(timedelta(seconds=50))  # more than a third of the lease
            return super().read(size)

    ledger = Ledger()
    data = b"s" * (3 * 64 * 1024)
    write_body(
        staging,
        Slow(data, piece=64 * 1024),
        length=len(data),
        checksum=None,
        lease=_lease(ledger, clock),
    )
    assert ledger.moves == [(0, 65536), (65536, 131072), (131072, 196608), (196608, 196608)]


def test_a_writer_that_lost_its_lease_moves_nothing(staging: BinaryIO) -> None:
    ledger = Ledger()
    lease = _lease(ledger)
    ledger.token = "taken over by another request"
    data = b"w" * (9 * MIB)
    with pytest.raises(UploadBusy, match="HEAD"):
        write_body(staging, Body(data), length=len(data), checksum=None, lease=lease)
    assert ledger.moves == []


def test_a_second_writer_on_the_host_is_refused_by_the_flock(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.touch()
    with exclusive(path), pytest.raises(UploadBusy), exclusive(path):
        pass
    with exclusive(path):  # free again once the first closed it
        pass
