"""Expedited preservation (Art. 42): ordered, active, extended by the MLA request, released."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from hanoi.convention import Catalogue
from hanoi.cooperation import (
    KindTrait,
    Link,
    MissingRequirement,
    Relation,
    Status,
    TransitionNotAllowed,
    traits,
)
from unit.cooperation.builders import (
    CATALOGUE,
    KINDS,
    STEP,
    N,
    Walk,
    acknowledged,
    draft,
    follow_up_for,
    preservation_days,
)

PRESERVATION_KINDS = [k for k in KINDS if KindTrait.PRESERVATION in traits(CATALOGUE.kind(k))]


def ordered(kind: str) -> Walk:
    return acknowledged(kind).take(N.ORDER_PRESERVATION)


def active(kind: str) -> tuple[Walk, timedelta]:
    walk = ordered(kind)
    period = preservation_days(kind)
    walk.take(N.PRESERVE, until=walk.at + period)
    return walk, period


def test_the_catalogue_has_a_preservation_kind_of_at_least_sixty_days() -> None:
    assert PRESERVATION_KINDS
    for kind in PRESERVATION_KINDS:
        assert preservation_days(kind) >= timedelta(days=60)


@pytest.mark.parametrize("kind", PRESERVATION_KINDS)
def test_ordered_active_extended_when_the_mla_request_is_received_then_released(
    kind: str,
) -> None:
    walk = ordered(kind)
    assert walk.status is Status.ORDERED
    assert walk.records[-1].article == "Art. 42(4)"
    end = walk.at + preservation_days(kind)
    walk.take(N.PRESERVE, until=end)
    assert walk.status is Status.ACTIVE
    assert walk.request.preserved_until == end

    mla = follow_up_for(walk.request, at=walk.at + STEP)
    walk.take(N.CONTINUE_PRESERVATION, follow_up=mla.request, at=mla.at + STEP)
    assert walk.status is Status.EXTENDED
    assert walk.records[-1].follow_up == mla.request.id
    assert Link(relation=Relation.FOLLOWED_BY, request_id=mla.request.id) in walk.request.links

    with pytest.raises(MissingRequirement, match="decision"):
        walk.take(N.RELEASE_PRESERVATION, reasons="r", follow_up=mla.request, at=end + STEP)
    mla.take(N.ACKNOWLEDGE).take(N.ACCEPT)
    walk.take(N.RELEASE_PRESERVATION, reasons="the MLA request is being executed",
              follow_up=mla.request, at=mla.at + STEP)  # fmt: skip
    assert walk.status is Status.RELEASED
    walk.take(N.CLOSE)
    assert walk.status is Status.CLOSED


@pytest.mark.parametrize("kind", PRESERVATION_KINDS)
def test_the_period_is_at_least_the_catalogue_s_from_the_order(kind: str) -> None:
    walk = ordered(kind)
    order = walk.at
    period = preservation_days(kind)
    with pytest.raises(MissingRequirement) as caught:
        walk.take(N.PRESERVE, until=order + period - timedelta(seconds=1))
    assert caught.value.fields[0].article == "Art. 42(8)"
    with pytest.raises(MissingRequirement):
        walk.take(N.PRESERVE)
    walk.take(N.PRESERVE, until=order + period)
    assert walk.status is Status.ACTIVE


def test_the_number_of_days_comes_from_the_catalogue() -> None:
    kind = CATALOGUE.kind(PRESERVATION_KINDS[0])
    longer = tuple(
        p.model_copy(update={"days": 90}) if p.continues_pending else p for p in kind.periods
    )
    changed = kind.model_copy(update={"periods": longer})
    catalogue: Catalogue = dataclasses.replace(
        CATALOGUE, kinds=tuple(changed if k.key == kind.key else k for k in CATALOGUE.kinds)
    )
    walk = ordered(kind.key)
    with pytest.raises(MissingRequirement, match="90 days"):
        walk.take(N.PRESERVE, until=walk.at + timedelta(days=60), catalogue=catalogue)
    walk.take(N.PRESERVE, until=walk.at + timedelta(days=90), catalogue=catalogue)


@pytest.mark.parametrize("kind", PRESERVATION_KINDS)
def test_renewal_needs_a_later_end(kind: str) -> None:
    walk, _ = active(kind)
    end = walk.request.preserved_until
    assert end is not None
    with pytest.raises(MissingRequirement, match="later"):
        walk.take(N.RENEW_PRESERVATION, until=end)
    walk.take(N.RENEW_PRESERVATION, until=end + timedelta(days=30))
    assert walk.status is Status.ACTIVE
    assert walk.request.preserved_until == end + timedelta(days=30)


@pytest.mark.parametrize("kind", PRESERVATION_KINDS)
def test_not_released_before_the_period_ends(kind: str) -> None:
    walk, _ = active(kind)
    end = walk.request.preserved_until
    assert end is not None
    with pytest.raises(MissingRequirement, match="end of the period"):
        walk.take(N.RELEASE_PRESERVATION, reasons="r", at=end - timedelta(seconds=1))
    with pytest.raises(MissingRequirement):
        walk.take(N.RELEASE_PRESERVATION, at=end)
    walk.take(N.RELEASE_PRESERVATION, reasons="no MLA request came", at=end)
    assert walk.status is Status.RELEASED


@pytest.mark.parametrize("kind", PRESERVATION_KINDS)
def test_continuation_needs_the_follow_up_received(kind: str) -> None:
    walk, _ = active(kind)
    with pytest.raises(MissingRequirement):
        walk.take(N.CONTINUE_PRESERVATION)
    mla = follow_up_for(walk.request, at=walk.at)
    sent_only = Walk(draft("mla-stored-data", id="only-sent", links=mla.request.links, at=mla.at))
    sent_only.at = mla.at
    sent_only.steps(N.APPROVE, N.SEND)
    with pytest.raises(MissingRequirement, match="received"):
        walk.take(N.CONTINUE_PRESERVATION, follow_up=sent_only.request, at=sent_only.at)
    unlinked = Walk(draft("mla-stored-data", id="unlinked", at=walk.at), at=walk.at)
    unlinked.steps(N.APPROVE, N.SEND, N.RECEIVE)
    with pytest.raises(MissingRequirement, match="links to this"):
        walk.take(N.CONTINUE_PRESERVATION, follow_up=unlinked.request, at=unlinked.at)
    walk.take(N.CONTINUE_PRESERVATION, follow_up=mla.request, at=unlinked.at)
    assert walk.status is Status.EXTENDED


@pytest.mark.parametrize("kind", PRESERVATION_KINDS)
def test_preservation_is_not_executed_and_other_kinds_are_not_preserved(kind: str) -> None:
    walk = acknowledged(kind)
    with pytest.raises(TransitionNotAllowed, match="not executed"):
        walk.take(N.ACCEPT)
    other = acknowledged("mla-stored-data")
    with pytest.raises(TransitionNotAllowed, match="only expedited preservation"):
        other.take(N.ORDER_PRESERVATION)
