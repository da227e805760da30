"""HTTP clients for node-to-node calls, with timeouts and response size limits."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from hanoi.errors import PeerError

USER_AGENT = "hanoi-node"
MAX_WITNESS_RESPONSE = 64 * 1024


class HttpWitnessTransport:
    """C2SP tlog-witness over HTTP: ``POST <witness URL>/add-checkpoint``."""

    def __init__(
        self, *, timeout: float = 10.0, client: Callable[[], httpx.Client] | None = None
    ) -> None:
        self._client = client or (lambda: httpx.Client(timeout=timeout))

    def add_checkpoint(self, url: str, body: bytes) -> tuple[int, bytes]:
        target = url.rstrip("/") + "/add-checkpoint"
        try:
            with (
                self._client() as client,
                client.stream(
                    "POST", target, content=body, headers={"User-Agent": USER_AGENT}
                ) as response,
            ):
                data = b""
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_WITNESS_RESPONSE:
                        raise PeerError(f"{target} sent more than {MAX_WITNESS_RESPONSE} bytes")
                return response.status_code, data
        except httpx.HTTPError as exc:
            raise PeerError(f"cannot reach witness {target}: {exc}") from None

    def view(self, url: str, origin: str) -> bytes | None:
        """The checkpoint of ``origin`` the witness at ``url`` cosigned last
        (``GET <url>/view?origin=``); None if it never cosigned that log (404)."""
        target = url.rstrip("/") + "/view"
        try:
            with (
                self._client() as client,
                client.stream(
                    "GET", target, params={"origin": origin}, headers={"User-Agent": USER_AGENT}
                ) as response,
            ):
                data = b""
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_WITNESS_RESPONSE:
                        raise PeerError(f"{target} sent more than {MAX_WITNESS_RESPONSE} bytes")
        except httpx.HTTPError as exc:
            raise PeerError(f"cannot reach witness {target}: {exc}") from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise PeerError(f"witness {target} answered {response.status_code}")
        return data
