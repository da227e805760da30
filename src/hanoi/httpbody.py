"""The body of an answer from another machine, read with a limit.

Whatever another State's node, a log's mirror or a witness sends back is read the same
way: a declared ``Content-Length`` above the limit is refused before a byte is read, and
the stream is cut as soon as it passes the limit, so that a hostile or broken peer cannot
make this node hold more than ``max_bytes`` of its answer in memory.
"""

from __future__ import annotations

import httpx

from hanoi.errors import PeerError


def read_body(response: httpx.Response, *, max_bytes: int, url: str) -> bytes:
    """The body of a streamed ``response`` (from ``client.stream(...)``), at most
    ``max_bytes``; :class:`~hanoi.errors.PeerError` naming ``url`` for a larger one."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PeerError(f"{url}: an answer of {declared} bytes, over the {max_bytes} expected")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise PeerError(f"{url}: an answer over the {max_bytes} bytes expected")
    return bytes(body)
