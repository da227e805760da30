"""Each package verified again at report time: a failure is a result with its reason, never
an exception, and what verified brings its files, custody steps and witnessed checkpoints."""

from __future__ import annotations

import tarfile
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest

from hanoi.clock import FixedClock
from hanoi.crypto.agekeys import AgeIdentity
from hanoi.evidence.package import build_package
from hanoi.evidence.provenance import PayloadAcquisition
from hanoi.evidence.trust import TrustStore
from hanoi.reports.court import Outcome, Witness
from hanoi.reports.verification import Expected, checkpoint_entry, verify_again
from unit.evidence.package_support import (
    NOW,
    KeyedNode,
    MemoryCustody,
    flip_byte,
    make_node,
    pack,
    sha256_file,
    source,
    write_evidence,
)

REQUEST = "EGY-2026-1"


@dataclass(frozen=True)
class Sent:
    path: Path
    expected: Expected
    trust: TrustStore
    egy: KeyedNode
    vnm: KeyedNode
    log: MemoryCustody
    digests: dict[str, str]


@pytest.fixture
def sent(tmp_path: Path) -> Sent:
    """A package VNM sent to EGY: custody of each file in VNM's log, cosigned by EGY."""
    egy, vnm = make_node("EGY"), make_node("VNM")
    files = write_evidence(tmp_path / "in", {"mailbox.mbox": 5000, "subscriber.csv": 300})
    log = MemoryCustody(vnm, witnesses=[egy])
    digests = {f.name: sha256_file(f) for f in files}
    for digest in digests.values():
        log.collected(digest, officer="lan", request=REQUEST)
    path = tmp_path / "package.tar"
    pack(path, files, sender=vnm, recipients=[egy.keys.age], custody=log, request=REQUEST)
    expected = Expected(
        sha256=sha256_file(path), request_id=REQUEST, sending_state="VNM", package_id="p" * 32
    )
    trust = TrustStore((egy.identity, vnm.identity))
    return Sent(path, expected, trust, egy, vnm, log, digests)


def payload_offset(path: Path) -> int:
    """Where the bytes of the first age file sit inside a package ``.tar``, halfway in."""
    with tarfile.open(path) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(".age"))
        return member.offset_data + member.size // 2


def identities(sent: Sent) -> list[AgeIdentity]:
    return [sent.egy.keys.age]


def test_an_intact_package_verifies_with_its_files_steps_and_checkpoint(sent: Sent) -> None:
    found = verify_again(
        sent.path, expected=sent.expected, trust=sent.trust, identities=identities(sent)
    )
    assert found.check.outcome is Outcome.VERIFIED
    assert found.check.reason is None
    assert found.check.signer is not None
    assert found.check.signer.startswith("VNM")
    assert {(i.name, i.sha256) for i in found.items} == set(sent.digests.items())
    assert any(line.startswith("payload: data/") for line in found.check.checks)
    assert sorted(s.event.evidence_sha256 or "" for s in found.proven) == sorted(
        sent.digests.values()
    )
    assert {s.log_origin for s in found.proven} == {sent.vnm.origin}
    [checkpoint] = found.checkpoints
    assert (checkpoint.origin, checkpoint.size, checkpoint.log_state) == (sent.vnm.origin, 2, "VNM")
    assert checkpoint.package_id == "p" * 32
    assert checkpoint.witnesses == (Witness(name=sent.egy.cosigner().name, state="EGY"),)
    assert len(checkpoint.root_hash) == 44  # 32 bytes in base64


def test_a_tampered_package_fails_with_the_file_at_fault(sent: Sent) -> None:
    flip_byte(sent.path, payload_offset(sent.path))
    found = verify_again(
        sent.path, expected=sent.expected, trust=sent.trust, identities=identities(sent)
    )
    assert found.check.outcome is Outcome.FAILED
    assert found.check.reason is not None
    assert "data/" in found.check.reason
    assert str(sent.path.parent) not in found.check.reason  # no folder of the node
    assert (found.items, found.proven, found.checkpoints) == ((), (), ())


def test_a_missing_or_unreadable_file_fails_without_raising(sent: Sent, tmp_path: Path) -> None:
    missing = verify_again(
        tmp_path / "gone.tar", expected=sent.expected, trust=sent.trust, identities=()
    )
    assert missing.check.outcome is Outcome.FAILED
    assert missing.check.reason == "the package file is not on this node"
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"not a tar file at all" * 100)
    broken = verify_again(garbage, expected=sent.expected, trust=sent.trust, identities=())
    assert broken.check.outcome is Outcome.FAILED
    assert broken.check.reason
    assert str(tmp_path) not in broken.check.reason


def test_another_file_than_the_one_offered_fails(sent: Sent) -> None:
    other = Expected(sha256="0" * 64, request_id=REQUEST, sending_state="VNM", package_id="p" * 32)
    found = verify_again(sent.path, expected=other, trust=sent.trust, identities=identities(sent))
    assert found.check.outcome is Outcome.FAILED
    assert found.check.reason == "the package file is not the one offered: its SHA-256 differs"


def test_a_package_for_another_request_or_from_another_state_fails(sent: Sent) -> None:
    for request, state in (("EGY-2026-2", "VNM"), (REQUEST, "FRA")):
        expected = Expected(
            sha256=sent.expected.sha256,
            request_id=request,
            sending_state=state,
            package_id="p" * 32,
        )
        found = verify_again(sent.path, expected=expected, trust=sent.trust, identities=())
        assert found.check.outcome is Outcome.FAILED
        assert found.check.reason is not None
        assert f"not {request} from {state}" in found.check.reason


def test_a_sender_unknown_to_the_directory_fails(sent: Sent) -> None:
    only_egy = TrustStore((sent.egy.identity,))
    found = verify_again(sent.path, expected=sent.expected, trust=only_egy, identities=())
    assert found.check.outcome is Outcome.FAILED
    assert found.check.reason is not None
    assert "not in the trust file" in found.check.reason


def test_a_checkpoint_without_a_directory_is_shown_without_witnesses(sent: Sent) -> None:
    note = sent.log.checkpoint()
    alone = checkpoint_entry(note, trust=None)
    assert alone is not None
    assert (alone.origin, alone.size, alone.log_state, alone.witnesses) == (
        sent.vnm.origin,
        2,
        None,
        (),
    )
    assert checkpoint_entry(b"not a checkpoint", trust=sent.trust) is None
    forged = note.replace(b"\n2\n", b"\n3\n", 1)  # another size: the log's signature fails
    assert checkpoint_entry(forged, trust=sent.trust) is None


def test_what_verified_brings_each_files_steps_with_witness_states_and_its_acquisition(
    tmp_path: Path,
) -> None:
    egy, vnm = make_node("EGY"), make_node("VNM")
    [file] = write_evidence(tmp_path / "in", {"mailbox.mbox": 3000})
    log = MemoryCustody(vnm, witnesses=[egy])
    digest = sha256_file(file)
    log.collected(digest, officer="lan", request=REQUEST)
    obtained = PayloadAcquisition(
        source_kind="provider",
        source="Example Mail Ltd",
        obtained_at=NOW - timedelta(days=3),
        method="export by the provider",
        officer="lan",
        state="VNM",
        article="Art. 44",
        legal_basis="Production order 17/2026",
        authority="Supreme People's Procuracy",
    )
    path = tmp_path / "package.tar"
    packed = build_package(
        path,
        files=[replace(source(file), acquisition=obtained)],
        recipients=[egy.keys.age.recipient()],
        signing_key=vnm.keys.signing,
        sending_state="VNM",
        request=REQUEST,
        clock=FixedClock(NOW),
        custody=log,
    )
    expected = Expected(
        sha256=sha256_file(path), request_id=REQUEST, sending_state="VNM", package_id="p" * 32
    )
    trust = TrustStore((egy.identity, vnm.identity))
    found = verify_again(path, expected=expected, trust=trust, identities=[egy.keys.age])
    assert found.check.outcome is Outcome.VERIFIED
    [link] = found.links
    assert (link.state, link.action, link.evidence_sha256) == ("VNM", "collected", digest)
    assert (link.log_origin, link.witnesses, link.proven_by) == (vnm.origin, ("EGY",), ("p" * 32,))
    [(sha256, acquired)] = found.acquisitions
    assert sha256 == digest
    assert acquired.obtained_at == NOW - timedelta(days=3)
    assert (acquired.legal_basis, acquired.authority) == (obtained.legal_basis, obtained.authority)
    assert acquired.declared_in == "p" * 32  # as this node knows the package
    assert packed.statement.package_id != acquired.declared_in


def test_a_package_short_of_verified_fails_with_its_reasons(tmp_path: Path) -> None:
    """Custody proven for one of its two files: NOT VERIFIED, so not verified again either."""
    egy, vnm = make_node("EGY"), make_node("VNM")
    files = write_evidence(tmp_path / "in", {"mailbox.mbox": 3000, "subscriber.csv": 300})
    log = MemoryCustody(vnm, witnesses=[egy])
    log.collected(sha256_file(files[0]), officer="lan", request=REQUEST)
    path = tmp_path / "package.tar"
    pack(path, files, sender=vnm, recipients=[egy.keys.age], custody=log, request=REQUEST)
    expected = Expected(
        sha256=sha256_file(path), request_id=REQUEST, sending_state="VNM", package_id="p" * 32
    )
    trust = TrustStore((egy.identity, vnm.identity))
    found = verify_again(path, expected=expected, trust=trust, identities=[egy.keys.age])
    assert found.check.outcome is Outcome.FAILED
    assert found.check.reason is not None
    assert found.check.reason.startswith("NOT VERIFIED: ")
    assert "subscriber.csv" in found.check.reason
    assert (found.links, found.acquisitions, found.proven) == ((), (), ())
