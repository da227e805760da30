"""Delivered bytes against what their ``DeliveryObject`` declares: :func:`check_delivery`.

A provider's ``DeliveryObject`` carries the data inline (base64) or a URL to fetch it from,
with one checksum (``delivery:Checksum`` and ``delivery:ChecksumType``) or several
(``delivery:Checksums``). TS 103 120 names the checksum type by a short string; this profile
reads the SHA-2 family (SHA-256, SHA-384, SHA-512) and SHA3-256/512, spelled with or
without a hyphen, in any case (``SHA256``, ``sha-256``...). ETSI's own example delivery
(``request5-Binary-Delivery.json``) gives a SHA-256 checksum without a type: a checksum of
64 hexadecimal digits without a type is read as SHA-256, and no other.

:func:`check_delivery` raises, and never returns False:

- :class:`~hanoi.providers.hi1.errors.MessageTooLarge` for data over ``max_bytes``;
- :class:`~hanoi.providers.hi1.errors.DeliveryMismatch` when the length differs from
  ``delivery:ContentLength``, or any checksum of a known type differs (all are checked:
  one wrong checksum among right ones is still a mismatch);
- :class:`~hanoi.providers.hi1.errors.DeliveryUnverifiable` when no checksum has a type
  this profile knows; a delivery that cannot be verified is not evidence.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from hanoi.providers.hi1.answers import ChecksumValue, Delivery
from hanoi.providers.hi1.errors import DeliveryMismatch, DeliveryUnverifiable, MessageTooLarge

MAX_DELIVERY_BYTES = 512 * 1024 * 1024
"""Data checked in memory here; larger evidence is streamed by the evidence package."""

ALGORITHMS: dict[str, str] = {
    "sha256": "sha256",
    "sha384": "sha384",
    "sha512": "sha512",
    "sha3256": "sha3_256",
    "sha3512": "sha3_512",
}
_HEX = re.compile(r"[0-9a-fA-F]+")


def algorithm_of(checksum: ChecksumValue) -> str | None:
    """The :mod:`hashlib` name for ``checksum``'s type, or ``None`` if unknown."""
    if checksum.type is None:
        return "sha256" if len(checksum.value) == 64 and _HEX.fullmatch(checksum.value) else None
    return ALGORITHMS.get(re.sub(r"[^a-z0-9]", "", checksum.type.lower()))


def check_delivery(delivery: Delivery, data: bytes, *, max_bytes: int = MAX_DELIVERY_BYTES) -> None:
    """Accept ``data`` as the bytes ``delivery`` declares; raise otherwise (see above)."""
    if len(data) > max_bytes:
        raise MessageTooLarge(f"the delivered data has {len(data)} bytes, more than {max_bytes}")
    where = f"delivery {delivery.object_id}"
    if delivery.content_length is not None and delivery.content_length != len(data):
        raise DeliveryMismatch(
            f"{where}: {len(data)} bytes received, {delivery.content_length} declared"
        )
    known = [(checksum, algorithm_of(checksum)) for checksum in delivery.checksums]
    checkable = [(checksum, name) for checksum, name in known if name is not None]
    if not checkable:
        types = ", ".join(str(c.type)[:20] for c in delivery.checksums) or "none"
        raise DeliveryUnverifiable(
            f"{where}: no checksum of a type this profile verifies (types given: {types})"
        )
    for checksum, name in checkable:
        actual = hashlib.new(name, data).hexdigest()
        if not hmac.compare_digest(actual, checksum.value.strip().lower()):
            raise DeliveryMismatch(
                f"{where}: the {name} checksum of the data is {actual}, "
                f"the provider declared {checksum.value[:128]}"
            )
