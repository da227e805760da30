"""The ``Range`` header as the package route reads it (RFC 9110, 14.1-14.4): pure parsing."""

from __future__ import annotations

import pytest

from hanoi.web.byte_ranges import MalformedRange, parse

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "ranges"),
    [
        ("bytes=0-99", [(0, 99)]),
        ("bytes=100-", [(100, 999)]),
        ("bytes=-10", [(990, 999)]),
        ("bytes=-5000", [(0, 999)]),  # a suffix longer than the object: all of it
        ("bytes=900-5000", [(900, 999)]),  # a last byte past the end: cut at the end
        ("bytes= 0-9 , 10-19", [(0, 19)]),  # adjacent: merged
        ("bytes=" + ",".join(["0-"] * 100), [(0, 999)]),  # overlapping: merged
        ("bytes=0-9,500-509", [(0, 9), (500, 509)]),  # apart: answered whole by the route
        ("bytes=1000-,0-0", [(0, 0)]),  # the satisfiable one only
        ("BYTES=0-0", [(0, 0)]),
    ],
)
def test_ranges_are_read_clipped_and_merged(header: str, ranges: list[tuple[int, int]]) -> None:
    assert parse(header, SIZE) == ranges


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes="])
def test_nothing_satisfiable_is_an_empty_list(header: str) -> None:
    assert parse(header, SIZE) == []


def test_another_unit_is_ignored() -> None:
    assert parse("items=0-1", SIZE) is None


@pytest.mark.parametrize("header", ["bytes=x-y", "bytes=5-1", "bytes=-", "bytes=1", "bytes=0-1-2"])
def test_a_malformed_byte_range_is_refused(header: str) -> None:
    with pytest.raises(MalformedRange):
        parse(header, SIZE)
