"""The HTTP binding of the "UN" profile, the node's side (``docs/hi1-profile.md``, "HTTP").

- :func:`exchange`: POST one HI-1 message (JSON, signed) to the provider's endpoint (the
  client's base URL) and read the synchronous answer, an HI-1 response message. The body is
  read with a limit (:func:`hanoi.httpbody.read_body`), parsed strictly, validated against
  ETSI's schemas and read (:func:`~hanoi.providers.hi1.read_answer`); the answer must be a
  response to *this* transaction (a replayed or misrouted answer is refused).
- :func:`fetch_delivery`: GET the data of a delivery given by URL, with the same client (so
  the same mutual TLS, and never another origin), at most ``max_bytes``.

Everything a provider can get wrong is :class:`~hanoi.providers.errors.ProviderAnswerInvalid`
or :class:`~hanoi.providers.errors.DeliveryTooLarge` (both ``PeerError``); the transport's
failures are already typed by the client (:mod:`hanoi.providers.transport`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from hanoi.errors import HanoiError, PeerError
from hanoi.httpbody import read_body
from hanoi.providers.errors import DeliveryTooLarge, ProviderAnswerInvalid
from hanoi.providers.hi1 import Answer, parse_json, read_answer
from hanoi.providers.hi1.jsontext import MAX_MESSAGE_BYTES

MEDIA_TYPE = "application/json"


def exchange(
    client: httpx.Client,
    message: Mapping[str, Any],
    *,
    transaction_id: str,
    provider_id: str,
    max_bytes: int = MAX_MESSAGE_BYTES,
) -> Answer:
    """Send ``message`` and read the provider's answer to ``transaction_id``."""
    who = f"the provider {provider_id!r}"
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": MEDIA_TYPE, "Accept": MEDIA_TYPE}
    endpoint = str(client.base_url).rstrip("/")  # the entry's endpoint, as written
    with client.stream("POST", endpoint, content=body, headers=headers) as response:
        try:
            raw = read_body(response, max_bytes=max_bytes, url=who)
        except PeerError as exc:
            raise ProviderAnswerInvalid(exc.diagnostics()) from exc
        status = response.status_code
    try:
        answer = read_answer(parse_json(raw, max_bytes=max_bytes))
    except HanoiError as exc:
        detail = f"HTTP {status}, " if status >= 300 else ""
        raise ProviderAnswerInvalid(
            f"{who} answered {detail}not an HI-1 answer: {_first_line(exc)}"
        ) from exc
    if answer.pushed:
        raise ProviderAnswerInvalid(f"{who} answered with a request, not a response")
    if answer.header.transaction_id != transaction_id:
        raise ProviderAnswerInvalid(
            f"{who} answered transaction {answer.header.transaction_id[:40]!r}, "
            f"not {transaction_id!r}: a replayed or misrouted answer is not taken"
        )
    return answer


def fetch_delivery(client: httpx.Client, url: str, *, provider_id: str, max_bytes: int) -> bytes:
    """The bytes at ``url`` (the provider's own origin only), at most ``max_bytes``."""
    who = f"the provider {provider_id!r}"
    with client.stream("GET", url) as response:
        if response.status_code != 200:
            raise ProviderAnswerInvalid(
                f"{who} answered HTTP {response.status_code} for a delivery's URL"
            )
        try:
            return read_body(response, max_bytes=max_bytes, url=f"{who}'s delivery")
        except PeerError as exc:
            raise DeliveryTooLarge(exc.diagnostics()) from exc


def _first_line(exc: HanoiError) -> str:
    text = exc.diagnostics()
    return " ".join(text.split())[:300]
