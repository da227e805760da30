"""An answer from another machine is read up to its limit and no further."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from hanoi.errors import PeerError
from hanoi.httpbody import read_body

URL = "http://peer.example/x"


class Endless(httpx.SyncByteStream):
    """A body that never ends, counting what was taken from it."""

    def __init__(self) -> None:
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.sent += 1024
            yield b"x" * 1024


def answer(stream: httpx.SyncByteStream, headers: dict[str, str] | None = None) -> httpx.Client:
    transport = httpx.MockTransport(lambda _: httpx.Response(200, headers=headers, stream=stream))
    return httpx.Client(transport=transport)


def test_a_body_within_the_limit_is_read_whole() -> None:
    with answer(httpx.ByteStream(b"a" * 100)) as client, client.stream("GET", URL) as response:
        assert read_body(response, max_bytes=100, url=URL) == b"a" * 100


def test_an_endless_body_is_cut_just_past_the_limit() -> None:
    endless = Endless()
    with (
        answer(endless) as client,
        client.stream("GET", URL) as response,
        pytest.raises(PeerError, match="over the 4096 bytes"),
    ):
        read_body(response, max_bytes=4096, url=URL)
    assert endless.sent <= 4096 + 1024


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    endless = Endless()
    with (
        answer(endless, {"Content-Length": "999999"}) as client,
        client.stream("GET", URL) as response,
        pytest.raises(PeerError, match="999999 bytes"),
    ):
        read_body(response, max_bytes=10, url=URL)
    assert endless.sent == 0
