"""The resumable range download on its own: an in-process sender (httpx.MockTransport), a
temporary folder, no database."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx
import pytest

from hanoi.errors import IntegrityError
from hanoi.federation.range_fetch import Corrupt, RangeFetch, package_url

DATA = os.urandom(10_000)
URL = package_url("http://vnm.test/", "a" * 32)


def serving(data: bytes, asked: list[str], *, extra: bytes = b"") -> RangeFetch:
    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers["range"])
        first, last = request.headers["range"].removeprefix("bytes=").split("-")
        return httpx.Response(
            206, stream=httpx.ByteStream(data[int(first) : int(last) + 1] + extra)
        )

    return RangeFetch(
        client=lambda: httpx.Client(transport=httpx.MockTransport(answer)), chunk_bytes=4096
    )


def test_a_download_resumes_from_the_bytes_kept_and_reports_its_progress(tmp_path: Path) -> None:
    part, final = tmp_path / "p.part", tmp_path / "p.tar"
    part.write_bytes(DATA[:5000])
    asked: list[str] = []
    progress: list[int] = []
    got = serving(DATA, asked).fetch(
        URL, part=part, final=final, size=len(DATA), sha256=hashlib.sha256(DATA).hexdigest(),
        peer="VNM", progress=progress.append,
    )  # fmt: skip
    assert URL == "http://vnm.test/federation/v1/packages/" + "a" * 32
    assert got == final
    assert final.read_bytes() == DATA
    assert not part.exists()
    assert asked == ["bytes=5000-9095", "bytes=9096-9999"]
    assert progress == [5000, 9096, 10_000]


def test_bytes_that_do_not_match_the_offer_are_discarded(tmp_path: Path) -> None:
    part, final = tmp_path / "p.part", tmp_path / "p.tar"
    with pytest.raises(Corrupt):
        serving(DATA, []).fetch(
            URL, part=part, final=final, size=len(DATA), sha256="0" * 64, peer="VNM",
            progress=lambda _: None,
        )  # fmt: skip
    assert not part.exists()
    assert not final.exists()


def test_a_sender_that_sends_more_than_the_range_is_refused(tmp_path: Path) -> None:
    part, final = tmp_path / "p.part", tmp_path / "p.tar"
    with pytest.raises(IntegrityError) as caught:
        serving(DATA, [], extra=b"x").fetch(
            URL, part=part, final=final, size=len(DATA), sha256=hashlib.sha256(DATA).hexdigest(),
            peer="VNM", progress=lambda _: None,
        )  # fmt: skip
    assert not isinstance(caught.value, Corrupt)
    assert not final.exists()
    assert part.stat().st_size <= len(DATA)
