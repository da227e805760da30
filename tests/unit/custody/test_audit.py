"""Auditing a whole tiled log through a tile source: tiles, entries, root, history."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from hanoi.custody.audit import audit_log
from hanoi.custody.checkpoint import Checkpoint, sign_checkpoint
from hanoi.custody.errors import (
    MalformedCheckpoint,
    MalformedTile,
    NoTrustedSignature,
    RootMismatch,
    SplitViewError,
    StaleCheckpointError,
    TileMismatch,
)
from hanoi.custody.merkle import EMPTY_ROOT, leaf_hash
from hanoi.custody.note import Ed25519Signer, sign_note
from hanoi.custody.policy import CheckpointPolicy
from hanoi.custody.tiles import encode_entry_bundle, tiles_for_size
from hanoi.errors import HanoiError, InvalidInput, NotFound
from unit.custody.logbuilder import MemoryLog, MemorySource, entries, mutate

SIGNER = Ed25519Signer("example.org/log", Ed25519PrivateKey.generate())
POLICY = CheckpointPolicy(log_keys=(SIGNER.verifier(),), origin="example.org/log")


@pytest.fixture(scope="module")
def log() -> MemoryLog:
    return MemoryLog(SIGNER).extend(entries(66_000))


@pytest.mark.parametrize("size", [0, 1, 255, 256, 257, 511, 65_535, 65_536, 66_000])
def test_consistent_logs_pass(log: MemoryLog, size: int) -> None:
    progress: list[tuple[int, int]] = []
    source = MemorySource(log.resources(size))
    report = audit_log(source, policy=POLICY, progress=lambda d, t: progress.append((d, t)))
    assert report.checkpoint == log.checkpoint(size)
    assert report.entries == size
    assert report.tiles == len(tiles_for_size(size))
    assert sorted(source.fetched) == sorted(source.files)  # every resource, once
    if size:
        assert progress[-1][0] == progress[-1][1] == len(source.files) - 1


def test_a_recorded_prefix_is_consistent(log: MemoryLog) -> None:
    for old, new in [(1, 2), (255, 257), (300, 70_000 - 4000), (65_536, 66_000), (600, 600)]:
        previous = log.checkpoint_note(old)
        report = audit_log(MemorySource(log.resources(new)), policy=POLICY, previous=previous)
        assert report.previous == log.checkpoint(old)


def test_a_fork_is_found(log: MemoryLog) -> None:
    fork = MemoryLog(SIGNER).extend(log.entries[:700] + entries(300, tag="fork"))
    for old in (1, 600, 700):
        audit_log(MemorySource(fork.resources()), policy=POLICY, previous=log.checkpoint_note(old))
    with pytest.raises(SplitViewError, match="fork: the log's tree at the recorded size 701"):
        audit_log(MemorySource(fork.resources()), policy=POLICY, previous=log.checkpoint_note(701))
    with pytest.raises(SplitViewError, match="another root"):
        audit_log(MemorySource(fork.resources()), policy=POLICY, previous=log.checkpoint_note(1000))


def test_a_rollback_is_refused(log: MemoryLog) -> None:
    with pytest.raises(StaleCheckpointError, match="rollback") as caught:
        audit_log(MemorySource(log.resources(10)), policy=POLICY, previous=log.checkpoint_note(11))
    assert caught.value.recorded_size == 11


def test_state_of_another_log_is_refused(log: MemoryLog) -> None:
    other = CheckpointPolicy(log_keys=(SIGNER.verifier(),))
    previous = sign_checkpoint(Checkpoint("example.org/other", 1, EMPTY_ROOT), [SIGNER])
    with pytest.raises(InvalidInput, match=r"is for log 'example.org/other'"):
        audit_log(MemorySource(log.resources(3)), policy=other, previous=previous)


def tampered(files: dict[str, bytes], path: str, position: int = 100) -> MemorySource:
    data = bytearray(files[path])
    data[position] ^= 1
    return MemorySource({**files, path: bytes(data)})


def test_every_tampered_tile_is_found(log: MemoryLog) -> None:
    files = log.resources(66_000)
    for path in (
        "tile/0/007",
        "tile/1/000",
        "tile/0/257.p/208",
        "tile/1/001.p/1",
        "tile/2/000.p/1",
    ):
        with pytest.raises((TileMismatch, RootMismatch)):
            audit_log(tampered(files, path, position=10), policy=POLICY)
    with pytest.raises(TileMismatch, match=r"tile/0/007 does not hash to hash 7 of tile/1/000"):
        audit_log(tampered(files, "tile/0/007"), policy=POLICY)
    with pytest.raises(TileMismatch, match="entry 1797 in tile/entries/007"):
        audit_log(tampered(files, "tile/entries/007", 5 * 12 + 2 + 4), policy=POLICY)


def test_a_consistent_rewrite_of_the_top_tiles_fails_the_root(log: MemoryLog) -> None:
    files = log.resources(300)
    files["tile/0/001.p/44"] = leaf_hash(b"") * 44
    files["tile/entries/001.p/44"] = encode_entry_bundle([b""] * 44)
    with pytest.raises(RootMismatch, match="root mismatch"):
        audit_log(MemorySource(files), policy=POLICY)


def test_malformed_resources(log: MemoryLog) -> None:
    files = log.resources(300)
    with pytest.raises(MalformedTile, match="8191 bytes"):
        audit_log(MemorySource({**files, "tile/0/000": files["tile/0/000"][:-1]}), policy=POLICY)
    bundle = encode_entry_bundle(log.entries[256:299])
    with pytest.raises(MalformedTile, match="expected 44"):
        audit_log(MemorySource({**files, "tile/entries/001.p/44": bundle}), policy=POLICY)
    with pytest.raises(NotFound):
        audit_log(
            MemorySource({k: v for k, v in files.items() if k != "tile/1/000.p/1"}), policy=POLICY
        )
    bad_body = sign_note("example.org/log\n0300\nAAAA\n", [SIGNER])
    with pytest.raises(MalformedCheckpoint):
        audit_log(MemorySource({**files, "checkpoint": bad_body}), policy=POLICY)


def test_the_wrong_key_fails_first(log: MemoryLog) -> None:
    stranger = Ed25519Signer("example.org/log", Ed25519PrivateKey.generate())
    policy = CheckpointPolicy(log_keys=(stranger.verifier(),))
    source = MemorySource(log.resources(300))
    with pytest.raises(NoTrustedSignature):
        audit_log(source, policy=policy)
    assert source.fetched == ["checkpoint"]


FUZZ_LOG = MemoryLog(SIGNER).extend(entries(300))
FUZZ_FILES = FUZZ_LOG.resources()


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(sorted(FUZZ_FILES)), st.integers(0, (1 << 64) - 1))
def test_fuzzed_resources_audit_or_raise_typed_errors(path: str, seed: int) -> None:
    files = {**FUZZ_FILES, path: mutate(FUZZ_FILES[path], seed)}
    try:
        report = audit_log(MemorySource(files), policy=POLICY)
    except HanoiError:
        return
    assert report.checkpoint == FUZZ_LOG.checkpoint()


def test_a_recorded_state_that_does_not_verify_is_named(log: MemoryLog) -> None:
    source = MemorySource(log.resources(10))
    with pytest.raises(InvalidInput, match="the recorded checkpoint is malformed"):
        audit_log(source, policy=POLICY, previous=b"")
    stranger = Ed25519Signer("example.org/log", Ed25519PrivateKey.generate())
    foreign = sign_checkpoint(log.checkpoint(5), [stranger])
    with pytest.raises(NoTrustedSignature, match="the recorded checkpoint does not verify"):
        audit_log(source, policy=POLICY, previous=foreign)
