"""Package verification in a child process with time and memory limits (issue 13,
finding 3): whatever a package does to the verifier, the node's own process carries on.

The misbehaving tasks (a parse that outlasts its limit, an allocation beyond it, a crash)
are stand-ins in ``support_isolation``; the real package tests use a genuine package,
and one a dishonest sender signed whose CASE/UCO description takes over a gigabyte to
parse (22 million empty JSON objects in 64 MiB).
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import support_isolation
from hanoi.crypto.agekeys import AgeIdentity
from hanoi.errors import NotFound
from hanoi.evidence.isolated import (
    RunLimits,
    VerificationAborted,
    VerifyBudget,
    report_from_json,
    report_to_json,
    run_limited,
    verify_isolated,
)
from hanoi.evidence.layout import CASE_UCO
from hanoi.evidence.package_errors import PackageTampered, UntrustedSigner
from hanoi.evidence.report import Check
from hanoi.evidence.trust import TrustStore
from hanoi.evidence.verify import verify_package
from unit.evidence.package_support import (
    KeyedNode,
    MemoryCustody,
    extract_tar,
    make_node,
    pack,
    resign,
    sha256_file,
    write_evidence,
)

MiB = 1024 * 1024
ROOMY = RunLimits(seconds=60, memory_bytes=1024 * MiB)


def no_child_left() -> bool:
    return not [p for p in multiprocessing.active_children() if p.name == "hanoi-verify"]


def test_a_task_that_outlasts_its_time_limit_is_killed_and_refused() -> None:
    checks: list[Check] = []
    started = time.monotonic()
    with pytest.raises(VerificationAborted, match=r"exceeded its time limit of 4 s"):
        run_limited(
            support_isolation.sleeps,
            600,
            limits=RunLimits(seconds=4, memory_bytes=1024 * MiB),
            on_check=checks.append,
        )
    assert time.monotonic() - started < 10
    assert checks == [Check("bag", "started")]  # what held before the limit is kept
    assert no_child_left()


def test_a_task_that_spins_is_killed_at_its_limit() -> None:
    started = time.monotonic()
    with pytest.raises(VerificationAborted, match="time limit"):
        run_limited(
            support_isolation.spins,
            600,
            limits=RunLimits(seconds=3, memory_bytes=1024 * MiB),
            on_check=lambda _: None,
        )
    assert time.monotonic() - started < 10
    assert no_child_left()


def test_a_task_that_exceeds_its_memory_limit_is_refused() -> None:
    limits = RunLimits(seconds=60, memory_bytes=256 * MiB)
    with pytest.raises(VerificationAborted, match=r"exceeded its memory limit of 256 MiB"):
        run_limited(support_isolation.allocates, 512 * MiB, limits=limits, on_check=lambda _: None)
    # The same allocation is fine with room for it: the limit, not the task, refused.
    done = run_limited(
        support_isolation.allocates, 512 * MiB, limits=ROOMY, on_check=lambda _: None
    )
    assert done == {"size": 512 * MiB}


def test_errors_cross_back_in_their_class_after_the_checks_that_held() -> None:
    checks: list[Check] = []
    with pytest.raises(PackageTampered, match=r"^data/x.age: altered$"):
        run_limited(
            support_isolation.holds_then_fails,
            "data/x.age: altered",
            limits=ROOMY,
            on_check=checks.append,
        )
    assert checks == [Check("bag", "BagIt 1.0"), Check("statement", "signature")]


def test_a_crash_in_the_child_is_a_refusal_not_a_crash_here() -> None:
    with pytest.raises(VerificationAborted, match="RecursionError"):
        run_limited(support_isolation.crashes, None, limits=ROOMY, on_check=lambda _: None)


def test_the_budget_grows_with_the_package() -> None:
    budget = VerifyBudget(base_seconds=60, seconds_per_gib=60, memory_bytes=2 * 1024 * MiB)
    assert budget.for_size(0).seconds == 60
    assert budget.for_size(2 * 1024 * MiB).seconds == 180  # a genuine 2 GiB package
    assert budget.for_size(0).cpu_seconds > 60  # the CPU limit is a backstop behind the clock


# --- real packages ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sender() -> KeyedNode:
    return make_node("EGY")


@pytest.fixture(scope="module")
def court() -> AgeIdentity:
    return AgeIdentity.generate()


@pytest.fixture(scope="module")
def genuine(
    tmp_path_factory: pytest.TempPathFactory, sender: KeyedNode, court: AgeIdentity
) -> Path:
    root = tmp_path_factory.mktemp("isolated")
    files = write_evidence(root / "in", {"mailbox.mbox": 300_000, "subscriber.csv": 64})
    log = MemoryCustody(sender)
    for f in files:
        log.collected(sha256_file(f))
    return pack(root / "case-7.tar", files, sender=sender, recipients=[court], custody=log).path


def test_an_isolated_verification_reports_what_verification_in_process_does(
    genuine: Path, sender: KeyedNode, court: AgeIdentity
) -> None:
    trust = TrustStore((sender.identity,))
    streamed: list[Check] = []
    isolated = verify_isolated(
        genuine, trust=trust, identities=[court], run=ROOMY, on_check=streamed.append
    )
    in_process = verify_package(genuine, trust=trust, identities=[court])
    assert report_to_json(isolated) == report_to_json(in_process)
    assert isolated.as_json() == in_process.as_json()
    assert tuple(streamed) == in_process.checks
    assert report_from_json(report_to_json(in_process)) == in_process


def test_an_isolated_verification_raises_the_verifier_s_error(
    genuine: Path, sender: KeyedNode, tmp_path: Path
) -> None:
    with pytest.raises(NotFound, match="no package at"):
        verify_isolated(tmp_path / "absent.tar", trust=TrustStore((sender.identity,)), run=ROOMY)
    stranger = TrustStore((make_node("EGY", "Someone else").identity,))
    with pytest.raises(UntrustedSigner):
        verify_isolated(genuine, trust=stranger, run=ROOMY)


def test_a_package_whose_verification_outlasts_its_limit_is_refused(
    genuine: Path, sender: KeyedNode, court: AgeIdentity
) -> None:
    started = time.monotonic()
    with pytest.raises(VerificationAborted, match=r"time limit of 0\.05 s"):
        verify_isolated(
            genuine,
            trust=TrustStore((sender.identity,)),
            identities=[court],
            run=RunLimits(seconds=0.05, memory_bytes=1024 * MiB),
        )
    assert time.monotonic() - started < 10  # killed at its deadline, not left running
    assert no_child_left()


def test_a_signed_description_that_takes_a_gigabyte_to_parse_is_refused_under_the_limit(
    genuine: Path, sender: KeyedNode, court: AgeIdentity, tmp_path: Path
) -> None:
    """A dishonest sender signs a 64 MiB CASE/UCO description of 22 million empty objects:
    within the size limit, and over a gigabyte once parsed."""
    bag = extract_tar(genuine, tmp_path)
    count = (64 * MiB - 2) // 3
    (bag / CASE_UCO).write_bytes(b"[" + b"{}," * (count - 1) + b"{}]")
    key: Ed25519PrivateKey = sender.keys.signing
    resign(bag, key)
    trust = TrustStore((sender.identity,))
    with pytest.raises(VerificationAborted, match="memory limit of 512 MiB"):
        verify_isolated(
            bag, trust=trust, identities=[court], run=RunLimits(60, memory_bytes=512 * MiB)
        )
    assert no_child_left()
