"""A log whose database went back in time must not sign again while a witness holds a
larger tree (ADR 0048): ``check_not_behind`` with views signed by the log, or not."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.custody.checkpoint import Checkpoint, sign_checkpoint
from hanoi.custody.note import Ed25519Signer
from hanoi.custody.rollback import (
    LogBehindWitnesses,
    WitnessesNotHeard,
    WitnessView,
    check_not_behind,
)
from hanoi.errors import RuleViolation, Unavailable

ORIGIN = "example.org/hanoi/EGY"
SIGNER = Ed25519Signer(ORIGIN, Ed25519PrivateKey.generate())
ROOT = b"\x01" * 32


def view(
    witness: str, size: int, root: bytes = ROOT, signer: Ed25519Signer = SIGNER
) -> WitnessView:
    return WitnessView(witness, sign_checkpoint(Checkpoint(ORIGIN, size, root), [signer]))


def check(size: int, views: list[WitnessView], *, every_witness: bool = False) -> int:
    return check_not_behind(
        origin=ORIGIN,
        size=size,
        root=ROOT,
        views=views,
        log_keys=[SIGNER.verifier()],
        every_witness=every_witness,
    ).cosigned


def test_a_log_at_or_past_its_witnesses_may_sign() -> None:
    assert check(10, [view("vnm", 10), view("fra", 7)]) == 10
    assert check(12, [view("vnm", 10), WitnessView("fra", None)]) == 10  # fra never cosigned
    assert check(0, []) == 0


def test_a_log_behind_any_witness_is_refused_with_both_sizes() -> None:
    with pytest.raises(LogBehindWitnesses) as caught:
        check(7, [view("vnm", 7), view("fra", 11)])
    assert isinstance(caught.value, RuleViolation)
    assert (caught.value.size, caught.value.cosigned, caught.value.witness) == (7, 11, "fra")
    assert "is at size 7 but witness fra cosigned size 11" in str(caught.value)
    assert "restore a newer backup" in str(caught.value)


def test_the_same_size_with_another_root_is_another_history() -> None:
    with pytest.raises(LogBehindWitnesses, match="another history"):
        check(10, [view("vnm", 10, root=b"\x02" * 32)])


def test_a_view_the_log_never_signed_counts_for_nothing() -> None:
    stranger = Ed25519Signer(ORIGIN, Ed25519PrivateKey.generate())
    # A witness cannot hold the log back with a checkpoint the log did not sign...
    assert check(5, [view("vnm", 500, signer=stranger)]) == 0
    # ...but after a restore it is a witness not heard.
    with pytest.raises(WitnessesNotHeard, match="does not verify"):
        check(5, [view("vnm", 500, signer=stranger)], every_witness=True)


def test_after_a_restore_every_witness_must_answer() -> None:
    unreachable = WitnessView("fra", None, error="cannot reach witness")
    assert check(10, [view("vnm", 10), unreachable]) == 10
    with pytest.raises(WitnessesNotHeard, match="fra \\(cannot reach witness\\)") as caught:
        check(10, [view("vnm", 10), unreachable], every_witness=True)
    assert isinstance(caught.value, Unavailable)
