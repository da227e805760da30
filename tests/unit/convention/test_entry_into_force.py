"""Entry into force (Art. 65) and denunciation (Art. 67), as properties.

Expectations are derived from the rules in the catalogue (threshold, days),
never from constants copied here.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import TypeVar

from hypothesis import given
from hypothesis import strategies as st

from hanoi.convention import (
    Instrument,
    PartyKind,
    PartyRecord,
    TreatyStatus,
    default_catalogue,
    format_parties,
    parse_parties,
    treaty_status,
)
from hanoi.convention.status import add_years

RULES = default_catalogue().treaty_rules
THRESHOLD = RULES.entry_into_force.threshold
GENERAL_DAYS = timedelta(days=RULES.entry_into_force.days_after_threshold)
LATER_DAYS = timedelta(days=RULES.later_parties.days_after_deposit)
OPENS, CLOSES = RULES.signature.opens, RULES.signature.closes
FAR_FUTURE = date(2040, 1, 1)
T = TypeVar("T")


def state_code(index: int) -> str:
    letters = string.ascii_uppercase
    return letters[index // 676 % 26] + letters[index // 26 % 26] + letters[index % 26]


def record(
    index: int,
    *,
    kind: PartyKind = PartyKind.STATE,
    deposited: date,
    instrument: Instrument = Instrument.RATIFICATION,
    signature_share: float | None = 0.0,
    denounced_after: int | None = None,
) -> PartyRecord:
    """A consistent record: a signature in the window before the deposit (placed by
    ``signature_share``, or none for an accession when it is ``None``), and a
    denunciation ``denounced_after`` days after the deposit."""
    needs_signature = instrument in RULES.instruments.requiring_signature
    signed = None
    if needs_signature or signature_share is not None:
        window = (min(deposited, CLOSES) - OPENS).days
        signed = OPENS + timedelta(days=round(window * (signature_share or 0.0)))
    denounced = None if denounced_after is None else deposited + timedelta(days=denounced_after)
    code = state_code(index) if kind is PartyKind.STATE else "ORG" + state_code(index)
    return PartyRecord(code, kind, signed, deposited, instrument, denounced)


def _fixed(size: int, elements: st.SearchStrategy[T]) -> st.SearchStrategy[list[T]]:
    return st.lists(elements, min_size=size, max_size=size)


INSTRUMENTS = list(Instrument)
DAYS = 1501  # deposits and denunciations up to about four years after the opening
SHARES = 1001  # signature placed at 0/1000 ... 1000/1000 of the window, or none


def decode(index: int, kind: PartyKind, choice: int, *, denounce: bool) -> PartyRecord:
    """One record from one integer: every choice in a single draw keeps examples cheap."""
    choice, day = divmod(choice, DAYS)
    choice, instrument = divmod(choice, len(INSTRUMENTS))
    choice, share = divmod(choice, SHARES + 1)
    denounced_after = choice % (DAYS + 1)
    return record(
        index,
        kind=kind,
        deposited=OPENS + timedelta(days=day),
        instrument=INSTRUMENTS[instrument],
        signature_share=None if share == SHARES else share / (SHARES - 1),
        denounced_after=None if not denounce or denounced_after == DAYS else denounced_after,
    )


@st.composite
def parties(
    draw: st.DrawFn, *, states: int, organizations: int = 0, denounce: bool = False
) -> list[PartyRecord]:
    """``states`` States then ``organizations`` organisations, with random dates."""
    choices = draw(_fixed(states + organizations, st.integers(0, 2**40)))
    return [
        decode(i, PartyKind.STATE, choice, denounce=denounce)
        if i < states
        else decode(i - states, PartyKind.ORGANIZATION, choice, denounce=denounce)
        for i, choice in enumerate(choices)
    ]


def status(records: Sequence[PartyRecord], as_of: date = FAR_FUTURE) -> TreatyStatus:
    return treaty_status(records, as_of=as_of, rules=RULES)


def fortieth(records: Sequence[PartyRecord]) -> date:
    deposits = sorted(r.deposited for r in records if r.kind is PartyKind.STATE and r.deposited)
    return deposits[THRESHOLD - 1]


# --- the threshold ---------------------------------------------------------------------


def test_the_threshold_is_forty() -> None:
    assert THRESHOLD == 40


@given(st.integers(0, THRESHOLD - 1).flatmap(lambda n: parties(states=n, organizations=2)))
def test_below_the_threshold_the_convention_is_not_in_force(records: list[PartyRecord]) -> None:
    result = status(records)
    assert result.entry_into_force is None
    assert not result.in_force
    assert all(p.in_force_for_party is None for p in result.parties)
    assert result.instruments_counted == sum(r.kind is PartyKind.STATE for r in records)
    assert result.summary().startswith("Not in force")


@given(parties(states=THRESHOLD - 1, organizations=3))
def test_exactly_39_instruments_and_organisations_are_not_enough(
    records: list[PartyRecord],
) -> None:
    result = status(records)
    assert result.instruments_counted == THRESHOLD - 1
    assert result.entry_into_force is None


@given(parties(states=THRESHOLD))
def test_exactly_40_instruments_bring_entry_into_force_90_days_after_the_last(
    records: list[PartyRecord],
) -> None:
    latest = max(r.deposited for r in records if r.deposited)
    result = status(records)
    assert result.instruments_counted == THRESHOLD
    assert result.entry_into_force == latest + GENERAL_DAYS
    assert {p.in_force_for_party for p in result.parties} == {latest + GENERAL_DAYS}
    before = status(records, as_of=latest + GENERAL_DAYS - timedelta(days=1))
    assert not before.in_force
    assert before.summary().startswith(f"Enters into force on {latest + GENERAL_DAYS}")
    assert status(records, as_of=latest + GENERAL_DAYS).in_force


@given(st.integers(THRESHOLD, THRESHOLD + 15).flatmap(lambda n: parties(states=n)), st.data())
def test_organisations_instruments_are_not_counted(
    records: list[PartyRecord], data: st.DataObject
) -> None:
    organizations = data.draw(
        st.integers(1, 3).flatmap(lambda n: parties(states=0, organizations=n))
    )
    alone, together = status(records), status([*organizations, *records])
    assert together.entry_into_force == alone.entry_into_force
    assert together.instruments_counted == alone.instruments_counted
    dates = {p.record.party: p.in_force_for_party for p in together.parties}
    for p in alone.parties:
        assert dates[p.record.party] == p.in_force_for_party
    for organization in organizations:
        assert organization.deposited is not None
        expected = (
            alone.entry_into_force
            if organization.deposited <= fortieth(records)
            else max(organization.deposited + LATER_DAYS, alone.entry_into_force)
        )
        assert dates[organization.party] == expected


@given(st.integers(THRESHOLD + 1, THRESHOLD + 20).flatmap(lambda n: parties(states=n)))
def test_late_depositors_enter_30_days_after_deposit_or_at_entry_into_force(
    records: list[PartyRecord],
) -> None:
    result = status(records)
    general = fortieth(records) + GENERAL_DAYS
    assert result.entry_into_force == general
    for p in result.parties:
        deposited = p.record.deposited
        assert deposited is not None
        assert p.in_force_for_party is not None
        assert p.in_force_for_party >= general
        if deposited <= fortieth(records):
            assert p.in_force_for_party == general
        else:
            assert p.in_force_for_party == max(deposited + LATER_DAYS, general)


@given(
    st.integers(0, 400),
    st.integers(2, 5),
    st.data(),
)
def test_deposits_on_the_same_day_as_the_40th(day: int, same_day: int, data: st.DataObject) -> None:
    d = OPENS + timedelta(days=day + THRESHOLD)
    gaps = data.draw(_fixed(THRESHOLD - 1, st.integers(1, 30)))
    earlier = [record(i, deposited=d - timedelta(days=gap)) for i, gap in enumerate(gaps)]
    on_the_day = [record(THRESHOLD + i, deposited=d) for i in range(same_day)]
    boundary = [
        record(100, deposited=d + GENERAL_DAYS - LATER_DAYS, instrument=Instrument.ACCESSION),
        record(101, deposited=d + GENERAL_DAYS - LATER_DAYS + timedelta(days=1)),
    ]
    result = status([*boundary, *on_the_day, *earlier])
    assert result.entry_into_force == d + GENERAL_DAYS
    dates = {p.record.party: p.in_force_for_party for p in result.parties}
    assert all(dates[r.party] == d + GENERAL_DAYS for r in on_the_day)
    assert dates[boundary[0].party] == d + GENERAL_DAYS
    assert dates[boundary[1].party] == d + GENERAL_DAYS + timedelta(days=1)


# --- denunciation ----------------------------------------------------------------------


@given(st.integers(0, THRESHOLD + 10).flatmap(lambda n: parties(states=n, denounce=True)))
def test_denunciations_do_not_change_the_count_or_the_entry_into_force(
    records: list[PartyRecord],
) -> None:
    without = [replace(r, denounced=None) for r in records]
    plain, denounced = status(without), status(records)
    assert denounced.instruments_counted == plain.instruments_counted
    assert denounced.entry_into_force == plain.entry_into_force
    for before, after in zip(plain.parties, denounced.parties, strict=True):
        received = after.record.denounced
        if received is None:
            assert after.denunciation_effective is None
            assert after.in_force_for_party == before.in_force_for_party
            continue
        effective = add_years(received, RULES.denunciation.years_after_receipt)
        assert after.denunciation_effective == effective
        if before.in_force_for_party is not None and effective > before.in_force_for_party:
            assert after.in_force_for_party == before.in_force_for_party
        else:
            assert after.in_force_for_party is None


def test_denunciation_takes_effect_one_year_after_receipt() -> None:
    assert add_years(date(2027, 3, 15), 1) == date(2028, 3, 15)
    assert add_years(date(2028, 2, 29), 1) == date(2029, 3, 1)
    assert add_years(date(2028, 2, 28), 1) == date(2029, 2, 28)


# --- as of a date ----------------------------------------------------------------------


@given(
    st.integers(0, THRESHOLD + 10).flatmap(lambda n: parties(states=n, organizations=1)),
    st.integers(0, 2000),
    st.integers(0, 2000),
)
def test_later_dates_never_undo_earlier_facts(
    records: list[PartyRecord], first: int, second: int
) -> None:
    earlier = status(records, as_of=OPENS + timedelta(days=min(first, second)))
    later = status(records, as_of=OPENS + timedelta(days=max(first, second)))
    assert earlier.instruments_counted <= later.instruments_counted
    assert earlier.signatories <= later.signatories
    assert not earlier.in_force or later.in_force
    if earlier.entry_into_force is not None:
        assert later.entry_into_force == earlier.entry_into_force


@given(parties(states=THRESHOLD + 5, organizations=1, denounce=True), st.integers(0, 2000))
def test_nothing_after_the_status_date_is_known(records: list[PartyRecord], day: int) -> None:
    as_of = OPENS + timedelta(days=day)
    result = status(records, as_of=as_of)
    for p in result.parties:
        for value in (p.record.signed, p.record.deposited, p.record.denounced):
            assert value is None or value <= as_of
    assert result.instruments_counted == sum(
        1 for r in records if r.kind is PartyKind.STATE and r.deposited and r.deposited <= as_of
    )


@given(parties(states=THRESHOLD + 3, organizations=1, denounce=True), st.randoms())
def test_the_order_of_the_file_does_not_matter(records: list[PartyRecord], rng) -> None:
    shuffled = list(records)
    rng.shuffle(shuffled)
    first, second = status(records), status(shuffled)
    assert [p.record.party for p in second.parties] == [r.party for r in shuffled]
    assert first.entry_into_force == second.entry_into_force
    assert {p.record.party: p.in_force_for_party for p in first.parties} == {
        p.record.party: p.in_force_for_party for p in second.parties
    }


def test_an_arms_trade_treaty_like_calendar() -> None:
    """The ATT's 50th instrument (25 Sep 2014) gave entry into force on 24 Dec 2014."""
    deposits = [OPENS + timedelta(days=i) for i in range(THRESHOLD - 1)] + [date(2026, 9, 25)]
    records = [record(i, deposited=d) for i, d in enumerate(deposits)]
    assert status(records).entry_into_force == date(2026, 12, 24)


# --- the file format -------------------------------------------------------------------


@given(st.integers(0, 50).flatmap(lambda n: parties(states=n, organizations=2, denounce=True)))
def test_the_parties_file_round_trips(records: list[PartyRecord]) -> None:
    text = format_parties(records)
    assert parse_parties(text.encode(), rules=RULES) == tuple(records)
