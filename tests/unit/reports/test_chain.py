"""Each file's chain of custody: one step per log entry whoever reports it, oldest first,
files in the order they were obtained, and only the files of the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hanoi.reports.chain import Acquired, ChainLink, ItemEntry, build_chains, merge_links

T0 = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
MAILBOX, CSV, OTHER = "a" * 64, "b" * 64, "c" * 64
VNM_LOG, EGY_LOG = "hanoi.node/vnm/x", "hanoi.node/egy/y"


def step(
    index: int,
    minutes: int,
    *,
    digest: str = MAILBOX,
    log: str = VNM_LOG,
    witnesses: tuple[str, ...] = (),
    proven_by: tuple[str, ...] = (),
) -> ChainLink:
    return ChainLink(
        at=T0 + timedelta(minutes=minutes),
        state="VNM" if log == VNM_LOG else "EGY",
        action="collected",
        officer="lan",
        article="Art. 44",
        evidence_sha256=digest,
        log_origin=log,
        index=index,
        witnesses=witnesses,
        proven_by=proven_by,
    )


def obtained(days_before: int) -> Acquired:
    return Acquired(
        state="VNM",
        source_kind="provider",
        source="Example Mail Ltd",
        obtained_at=T0 - timedelta(days=days_before),
        method="export",
        officer="lan",
        article="Art. 44",
    )


FILES = [ItemEntry(name="mailbox.mbox", size=1, sha256=MAILBOX),
         ItemEntry(name="subscriber.csv", size=2, sha256=CSV)]  # fmt: skip


def test_the_same_log_entry_from_this_log_and_from_packages_is_one_step() -> None:
    mine = step(3, 0, witnesses=("FRA",))
    proven = [step(3, 0, witnesses=("EGY",), proven_by=("p2",)), step(3, 0, proven_by=("p1",))]
    [chain, _] = build_chains(FILES, acquisitions={}, links=[mine, *proven])
    [only] = chain.steps
    assert (only.log_origin, only.index) == (VNM_LOG, 3)
    assert only.witnesses == ("EGY", "FRA")
    assert only.proven_by == ("p1", "p2")


def test_steps_are_oldest_first_and_each_file_has_its_own() -> None:
    links = [step(9, 30, log=EGY_LOG), step(3, 0), step(5, 10), step(4, 5, digest=CSV)]
    chains = {c.file.sha256: c for c in build_chains(FILES, acquisitions={}, links=links)}
    assert [s.index for s in chains[MAILBOX].steps] == [3, 5, 9]
    assert [s.index for s in chains[CSV].steps] == [4]


def test_files_come_in_the_order_they_were_obtained_and_once_per_digest() -> None:
    files = [*FILES, ItemEntry(name="copy-of-mailbox.mbox", size=1, sha256=MAILBOX)]
    chains = build_chains(
        files,
        acquisitions={CSV: obtained(days_before=5), MAILBOX: obtained(days_before=1)},
        links=[step(3, 0)],
    )
    assert [c.file.name for c in chains] == ["subscriber.csv", "mailbox.mbox"]


def test_steps_about_files_not_in_the_report_are_left_out() -> None:
    chains = build_chains(FILES, acquisitions={}, links=[step(1, 0, digest=OTHER)])
    assert all(not c.steps for c in chains)
    assert {c.file.sha256 for c in chains} == {MAILBOX, CSV}


@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from([VNM_LOG, EGY_LOG])), max_size=30))
def test_merging_never_leaves_two_steps_for_one_entry(entries: list[tuple[int, str]]) -> None:
    merged = merge_links([step(index, index, log=log) for index, log in entries])
    keys = [(s.log_origin, s.index) for s in merged]
    assert len(keys) == len(set(keys)) == len(set(entries))
