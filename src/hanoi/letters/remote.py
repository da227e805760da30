"""Asking the node that issued a letter for its custody proof, over HTTP.

``GET {node}/api/v1/custody/letters/{sha256}`` (:mod:`hanoi.web.log`): 200 with the proof,
404 when the node logged no letter with that digest, 409 with ``Retry-After`` while its
witnesses have not cosigned a checkpoint holding the event. The proof checks itself
(:mod:`hanoi.letters.proof`): the node is trusted for nothing, only asked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from hanoi.errors import InvalidInput, PeerError
from hanoi.httpbody import read_body
from hanoi.letters.proof import MAX_BYTES

TIMEOUT = 10.0
LONGEST_PAUSE = 5.0


def proof_url(node: str, sha256: str) -> str:
    """The proof's address at ``node`` (``https://host[:port][/prefix]``)."""
    parts = urlsplit(node)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"--node {node[:80]!r}: the node's address, as https://host[:port]")
    if parts.query or parts.fragment:
        raise InvalidInput(f"--node {node[:80]!r}: an address without '?' or '#'")
    return f"{node.rstrip('/')}/api/v1/custody/letters/{sha256}"


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(max(float(response.headers.get("Retry-After", "1")), 0.5), LONGEST_PAUSE)
    except ValueError:
        return 1.0


def fetch_proof(
    node: str,
    sha256: str,
    *,
    wait: float,
    client: httpx.Client | None = None,
    on_wait: Callable[[str], None] | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes | None:
    """The proof of the letter with this SHA-256 from the node at ``node``; None when the
    node logged no such letter. While its witnesses have not cosigned, ask again as the
    node says, up to ``wait`` seconds, telling ``on_wait`` once why; then
    :class:`PeerError`. :class:`PeerError` too for a node that cannot be reached, answers
    anything else, or answers more than a proof can be."""
    url = proof_url(node, sha256)
    owned = client is None
    http = client if client is not None else httpx.Client(timeout=TIMEOUT)
    deadline = monotonic() + max(wait, 0.0)
    told = False
    try:
        while True:
            try:
                with http.stream("GET", url, headers={"Accept": "application/json"}) as response:
                    if response.status_code == 200:
                        return read_body(response, max_bytes=MAX_BYTES, url=url)
                    if response.status_code == 404:
                        return None
                    body = read_body(response, max_bytes=MAX_BYTES, url=url)
                    detail = body.decode("utf-8", "replace")[:300]
            except httpx.HTTPError as exc:
                raise PeerError(f"cannot reach {url}: {type(exc).__name__}") from None
            if response.status_code != 409:
                raise PeerError(f"{url} answered {response.status_code}: {detail}")
            pause = _retry_after(response)
            if monotonic() + pause > deadline:
                raise PeerError(
                    f"{url}: the letter is logged, but its witnesses have not cosigned a "
                    f"checkpoint that holds it within {wait:g} s; ask again later (--wait)"
                )
            if not told and on_wait is not None:
                on_wait("the letter is logged; waiting for the witnesses to cosign it…")
                told = True
            sleep(pause)
    finally:
        if owned:
            http.close()
