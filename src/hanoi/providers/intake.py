"""A provider's delivery taken in: its bytes (inline, or fetched from its URL with the order's
client), whether it answers a given order, and the acquisition it is recorded with as
evidence. The checks of the bytes themselves are
:func:`~hanoi.providers.hi1.check_delivery`'s; the recording is
:mod:`hanoi.providers.ordering`'s.
"""

from __future__ import annotations

import re
from datetime import datetime

import httpx

from hanoi.errors import InvalidInput
from hanoi.evidence.items import Acquisition, SourceKind
from hanoi.providers.errors import DeliveryTooLarge
from hanoi.providers.hi1 import Delivery
from hanoi.providers.http_binding import fetch_delivery
from hanoi.providers.orders import ProviderOrder, short

FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
"""What :class:`~hanoi.evidence.items.Acquisition` takes as a media type."""


def delivery_data(
    client: httpx.Client, delivery: Delivery, *, provider_id: str, max_bytes: int
) -> bytes:
    """The delivered bytes: inline, or from the delivery's URL (refused unfetched when it
    declares more than ``max_bytes``). ``InvalidInput`` for a delivery without data."""
    if delivery.data is not None:
        return delivery.data
    if delivery.url is not None:
        declared = delivery.content_length
        if declared is not None and declared > max_bytes:
            raise DeliveryTooLarge(
                f"the provider {provider_id!r} declares a delivery of {declared} bytes, "
                f"more than the {max_bytes} the node takes"
            )
        return fetch_delivery(client, delivery.url, provider_id=provider_id, max_bytes=max_bytes)
    if delivery.data_exists is False:
        raise InvalidInput("the provider says no such data exists; nothing to record")
    raise InvalidInput("the delivery carries no data this node can check (no binary data)")


def delivery_acquisition(
    order: ProviderOrder,
    delivery: Delivery,
    *,
    provider_name: str,
    at: datetime,
    article: str,
    authority: str | None,
) -> Acquisition:
    """How the delivery was acquired, as its evidence item records it: from the provider,
    under the order, at the time of the provider's answer, by the officer who ordered."""
    media_type = (delivery.content_type or "").strip().lower()
    if not MEDIA_TYPE.fullmatch(media_type):
        media_type = "application/octet-stream"
    name = FILE_NAME.sub("_", delivery.original_filename or "").strip("._")[:200]
    if not name:
        name = f"delivery-{delivery.sequence_number or 1}-{delivery.object_id[:8]}.bin"
    return Acquisition(
        original_name=name,
        media_type=media_type,
        source_kind=SourceKind.PROVIDER,
        source=short(provider_name, 500),
        method=short(f"HI-1 {order.kind.value} order {order.domestic_reference}", 500),
        acquired_at=at,
        officer=order.officer,
        request_ref=order.request_id,
        article=article,
        legal_basis=short(f"{order.domestic_reference}: {order.legal_basis}", 500),
        authority=short(authority, 500) if authority else None,
    )


def belongs_to(delivery: Delivery, order: ProviderOrder) -> bool:
    """Whether the delivery answers the order's task (by association, or by its LDID)."""
    return order.task_id in delivery.associated or (
        order.task_reference is not None and delivery.task_reference == order.task_reference
    )


def answer_time(text: str) -> datetime | None:
    """A message's ``Timestamp`` as a time, or None."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def answer_bytes(max_delivery_bytes: int) -> int:
    """An answer carrying a delivery inline: base64 of the data, and the message around it."""
    return max_delivery_bytes * 4 // 3 + 64 * 1024
