"""Delivered bytes are checked against the checksums their DeliveryObject declares."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from hanoi.errors import IntegrityError, PayloadTooLarge
from hanoi.providers.hi1 import (
    Delivery,
    DeliveryMismatch,
    DeliveryUnverifiable,
    check_delivery,
    read_answer,
)
from hanoi.providers.hi1.answers import ChecksumValue
from support_hi1 import example

DATA = b"This isn't actually an image."


@pytest.fixture
def delivery() -> Delivery:
    (found,) = read_answer(example("request5-Binary-Delivery.json")).deliveries
    return found


def test_etsis_example_delivery_verifies(delivery: Delivery) -> None:
    assert delivery.data == DATA
    check_delivery(delivery, delivery.data)


def test_one_byte_changed_is_a_mismatch(delivery: Delivery) -> None:
    with pytest.raises(DeliveryMismatch) as caught:
        check_delivery(delivery, DATA[:-1] + b"!")
    assert isinstance(caught.value, IntegrityError)
    assert "sha256" in caught.value.detail


def test_a_length_that_differs_is_a_mismatch(delivery: Delivery) -> None:
    with pytest.raises(DeliveryMismatch, match="declared"):
        check_delivery(replace(delivery, content_length=len(DATA) + 1), DATA)


@pytest.mark.parametrize("name", ["SHA256", "sha-256", "SHA-256", "Sha256"])
def test_sha256_in_its_spellings(delivery: Delivery, name: str) -> None:
    checksum = ChecksumValue(name, hashlib.sha256(DATA).hexdigest().upper())
    check_delivery(replace(delivery, checksums=(checksum,)), DATA)


def test_every_known_checksum_is_checked(delivery: Delivery) -> None:
    good = ChecksumValue("SHA-512", hashlib.sha512(DATA).hexdigest())
    bad = ChecksumValue("SHA3-256", hashlib.sha3_256(b"other").hexdigest())
    check_delivery(replace(delivery, checksums=(good,)), DATA)
    with pytest.raises(DeliveryMismatch, match="sha3_256"):
        check_delivery(replace(delivery, checksums=(good, bad)), DATA)


def test_unknown_checksum_types_alone_cannot_verify(delivery: Delivery) -> None:
    md5 = ChecksumValue("MD5", hashlib.md5(DATA, usedforsecurity=False).hexdigest())
    with pytest.raises(DeliveryUnverifiable, match="MD5"):
        check_delivery(replace(delivery, checksums=(md5,)), DATA)
    with pytest.raises(DeliveryUnverifiable):
        check_delivery(replace(delivery, checksums=()), DATA)
    untyped_short = ChecksumValue(None, "abc")
    with pytest.raises(DeliveryUnverifiable):
        check_delivery(replace(delivery, checksums=(untyped_short,)), DATA)


def test_data_over_the_limit_is_refused(delivery: Delivery) -> None:
    with pytest.raises(PayloadTooLarge):
        check_delivery(delivery, DATA, max_bytes=len(DATA) - 1)
