"""Evidence is sent once (issue 15): which items a live outgoing package holds, when a send
is the same as one made before, and when it is refused (``hanoi.federation.outgoing``)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from hanoi.evidence.items import Acquisition, EvidenceItem, SourceKind
from hanoi.federation.outgoing import LIVE, AlreadySent, holding, holds, same_package
from hanoi.federation.ports import PackageRow, PackageStatus

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def item(name: str) -> EvidenceItem:
    return EvidenceItem(
        id=f"id-{name}",
        sha256=name * 64 if len(name) == 1 else "0" * 64,
        size=1,
        acquisition=Acquisition(
            original_name=name,
            media_type="application/octet-stream",
            source_kind=SourceKind.PROVIDER,
            source="Example Mail Ltd",
            method="production order",
            acquired_at=T0,
            officer="lan",
            request_ref="EGY-2026-1",
            article="Art. 44",
        ),
        recorded_at=T0,
    )


def package(
    package_id: str, held: list[EvidenceItem], status: str = "offered", **changes: object
) -> PackageRow:
    row = PackageRow(
        id=package_id,
        request_id="EGY-2026-1",
        direction="outgoing",
        peer="EGY",
        sha256="",
        size=0,
        status=status,
        received=0,
        error=None,
        created_at=T0,
        updated_at=T0,
        items=json.dumps({"items": [i.id for i in held], "officer": "lan"}),
    )
    return dataclasses.replace(row, **changes)  # type: ignore[arg-type]


A, B, C = item("a"), item("b"), item("c")


def test_the_same_set_in_any_order_is_the_same_send() -> None:
    sent = package("p1", [A, B])
    assert same_package([sent], [B, A]) is sent
    assert same_package([], [A]) is None
    assert same_package([sent], [C]) is None  # nothing in common: a new package


@pytest.mark.parametrize("status", sorted(LIVE))
def test_a_live_package_holds_its_items(status: str) -> None:
    sent = package("p1", [A, B], status=status)
    assert holds(sent, A)
    assert not holds(sent, C)
    assert same_package([sent], [A, B]) is sent
    with pytest.raises(AlreadySent, match="already in package p1") as refused:
        same_package([sent], [A, C])
    assert (refused.value.item_id, refused.value.package.id) == (A.id, "p1")


@pytest.mark.parametrize("status", [PackageStatus.REFUSED, PackageStatus.EXPIRED])
def test_a_package_refused_or_given_up_holds_nothing(status: str) -> None:
    gone = package("p1", [A, B], status=status)
    assert not holds(gone, A)
    assert same_package([gone], [A, B]) is None
    assert same_package([gone], [A, C]) is None
    assert holding([gone], [A, B]) == {}


def test_incoming_packages_hold_nothing_to_send() -> None:
    incoming = package("p1", [A], direction="incoming")
    assert holding([incoming], [A]) == {}
    assert same_package([incoming], [A]) is None


def test_a_package_from_before_its_items_were_listed_holds_its_files_by_digest() -> None:
    report = json.dumps({"package": {"files": [{"sha256": A.sha256}, {"sha256": B.sha256}]}})
    older = package("p0", [], items=None, report=report)
    assert holds(older, A)
    assert not holds(older, C)
    assert same_package([older], [A, B]) is older
    with pytest.raises(AlreadySent):
        same_package([older], [B, C])


def test_each_item_is_given_the_first_live_package_that_holds_it() -> None:
    first, later = package("p1", [A]), package("p2", [B])
    refused = package("p0", [A, B, C], status="refused")
    assert holding([refused, first, later], [A, B, C]) == {A.id: first, B.id: later}
