"""The tlog-witness decision and its add-checkpoint request format."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings

from hanoi.custody.checkpoint import Checkpoint, sign_checkpoint
from hanoi.custody.cosignature import Cosigner
from hanoi.custody.encoding import b64
from hanoi.custody.errors import (
    MalformedRequest,
    NoTrustedSignature,
    ProofError,
    RootMismatch,
    SignatureError,
    SplitViewError,
    StaleCheckpointError,
    UnknownLogError,
)
from hanoi.custody.merkle import EMPTY_ROOT, consistency_proof
from hanoi.custody.note import Ed25519Signer, Note, parse_note, parse_signature_lines
from hanoi.custody.policy import CheckpointPolicy
from hanoi.custody.tlog_witness import Witness, parse_add_checkpoint
from hanoi.errors import InvalidInput
from unit.custody.logbuilder import MemoryLog, entries, mutants

ORIGIN = "example.org/log"
NOW = 1_760_000_000


@pytest.fixture
def log() -> MemoryLog:
    return MemoryLog(Ed25519Signer(ORIGIN, Ed25519PrivateKey.generate())).extend(entries(40))


@pytest.fixture
def cosigner() -> Cosigner:
    return Cosigner("witness.example/w1", Ed25519PrivateKey.generate())


def request_for(log: MemoryLog, old: int, new: int, *, note: bytes | None = None) -> bytes:
    proof = consistency_proof(old_size=old, new_size=new, reader=log.store)
    lines = "".join(f"{b64(h)}\n" for h in proof)
    return f"old {old}\n{lines}\n".encode() + (note or log.checkpoint_note(new))


def witness_for(log: MemoryLog, cosigner: Cosigner) -> Witness:
    return Witness(cosigners=[cosigner], logs={ORIGIN: [log.signer.verifier()]})


def test_first_checkpoint_then_an_extension(log: MemoryLog, cosigner: Cosigner) -> None:
    witness = witness_for(log, cosigner)
    first = witness.add_checkpoint(
        parse_add_checkpoint(request_for(log, 0, 10)), latest=None, now=NOW
    )
    assert first.state.size == 10
    lines = parse_signature_lines(first.response_body().decode())
    assert [line.name for line in lines] == ["witness.example/w1"]
    assert cosigner.key.verify_signature(lines[0], log.checkpoint(10).body()) == NOW
    # The served note verifies under a policy with the log key and the witness.
    policy = CheckpointPolicy(
        log_keys=(log.signer.verifier(),), witness_keys=(cosigner.key,), min_witnesses=1
    )
    assert policy.verify(first.state.note).signed.checkpoint == log.checkpoint(10)

    second = witness.add_checkpoint(
        parse_add_checkpoint(request_for(log, 10, 33)), latest=first.state, now=NOW + 1
    )
    assert second.state.size == 33
    same = witness.add_checkpoint(
        parse_add_checkpoint(request_for(log, 33, 33)), latest=second.state, now=NOW + 2
    )
    assert same.state.root_hash == second.state.root_hash


def test_a_stale_old_size_is_a_conflict_with_the_recorded_size(
    log: MemoryLog, cosigner: Cosigner
) -> None:
    witness = witness_for(log, cosigner)
    state = witness.add_checkpoint(
        parse_add_checkpoint(request_for(log, 0, 20)), latest=None, now=NOW
    ).state
    with pytest.raises(StaleCheckpointError) as caught:
        witness.add_checkpoint(
            parse_add_checkpoint(request_for(log, 10, 30)), latest=state, now=NOW
        )
    assert caught.value.recorded_size == 20
    with pytest.raises(StaleCheckpointError) as caught:
        witness.add_checkpoint(parse_add_checkpoint(request_for(log, 5, 10)), latest=None, now=NOW)
    assert caught.value.recorded_size == 0


def test_old_size_beyond_the_checkpoint_is_a_bad_request(
    log: MemoryLog, cosigner: Cosigner
) -> None:
    body = b"old 30\n\n" + log.checkpoint_note(20)
    with pytest.raises(MalformedRequest, match="exceeds"):
        witness_for(log, cosigner).add_checkpoint(parse_add_checkpoint(body), latest=None, now=NOW)


def test_unknown_logs_and_bad_signatures(log: MemoryLog, cosigner: Cosigner) -> None:
    witness = witness_for(log, cosigner)
    stranger = MemoryLog(Ed25519Signer("other.org/log", Ed25519PrivateKey.generate()))
    stranger.extend(entries(3))
    with pytest.raises(UnknownLogError):
        witness.add_checkpoint(
            parse_add_checkpoint(request_for(stranger, 0, 3)), latest=None, now=NOW
        )
    impostor = Ed25519Signer(ORIGIN, Ed25519PrivateKey.generate())
    forged = sign_checkpoint(log.checkpoint(5), [impostor])
    with pytest.raises(NoTrustedSignature):
        witness.add_checkpoint(
            parse_add_checkpoint(request_for(log, 0, 5, note=forged)), latest=None, now=NOW
        )
    note = parse_note(log.checkpoint_note(5))
    broken = Note(note.text, (type(note.signatures[0])(ORIGIN, log.signer.key_id, bytes(64)),))
    with pytest.raises(SignatureError):
        witness.add_checkpoint(
            parse_add_checkpoint(request_for(log, 0, 5, note=broken.to_bytes())),
            latest=None,
            now=NOW,
        )


def test_forks_and_bad_proofs_are_refused(log: MemoryLog, cosigner: Cosigner) -> None:
    witness = witness_for(log, cosigner)
    state = witness.add_checkpoint(
        parse_add_checkpoint(request_for(log, 0, 20)), latest=None, now=NOW
    ).state
    fork = MemoryLog(log.signer).extend(entries(20)[:15] + entries(25, tag="fork"))
    # Same size, another root.
    with pytest.raises(SplitViewError, match="two different roots"):
        witness.add_checkpoint(
            parse_add_checkpoint(request_for(fork, 20, 20)), latest=state, now=NOW
        )
    # A longer tree that does not extend the cosigned one: no proof can connect them.
    with pytest.raises(SplitViewError, match="not proven consistent"):
        witness.add_checkpoint(
            parse_add_checkpoint(request_for(fork, 20, 30)), latest=state, now=NOW
        )
    # A proof where none belongs.
    body = request_for(log, 20, 30).replace(b"old 20\n", b"old 0\n")
    with pytest.raises(ProofError, match="must be empty"):
        witness.add_checkpoint(parse_add_checkpoint(body), latest=None, now=NOW)
    proof_lines = request_for(log, 10, 20).split(b"\n\n", 1)[0].replace(b"old 10", b"old 20")
    with pytest.raises(ProofError, match="equal sizes"):
        witness.add_checkpoint(
            parse_add_checkpoint(proof_lines + b"\n\n" + log.checkpoint_note(20)),
            latest=state,
            now=NOW,
        )


def test_an_empty_tree_must_have_the_empty_root(log: MemoryLog, cosigner: Cosigner) -> None:
    witness = witness_for(log, cosigner)
    good = sign_checkpoint(Checkpoint(ORIGIN, 0, EMPTY_ROOT), [log.signer])
    assert witness.add_checkpoint(parse_add_checkpoint(b"old 0\n\n" + good), latest=None, now=NOW)
    bad = sign_checkpoint(Checkpoint(ORIGIN, 0, bytes(32)), [log.signer])
    with pytest.raises(RootMismatch):
        witness.add_checkpoint(parse_add_checkpoint(b"old 0\n\n" + bad), latest=None, now=NOW)


SPEC_REQUEST = (
    "old 20852014\n"
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
    "\n"
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\u2014 example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "\u2014 example.com/behind-the-sofa "
    "opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n"
).encode()


def test_the_specification_example_request_parses_and_round_trips() -> None:
    request = parse_add_checkpoint(SPEC_REQUEST)
    assert request.old_size == 20852014
    assert len(request.consistency_proof) == 4
    assert request.checkpoint.size == 20852163
    assert len(request.note.signatures) == 2
    assert request.to_bytes() == SPEC_REQUEST


@pytest.mark.parametrize(
    "body",
    [
        b"old 01\n\n",
        b"old -1\n\n",
        b"old 1\n",
        b"new 1\n\n",
        b"old 1\nAAAA\n\n",
        b"old 1\n" + b"PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n" * 64 + b"\n",
        b"old 1\n\nnot a note",
        "old \u0661\n\n".encode(),
    ],
)
def test_malformed_requests_are_rejected(body: bytes) -> None:
    with pytest.raises(InvalidInput):
        parse_add_checkpoint(body)


@settings(max_examples=2000, deadline=None)
@given(mutants(SPEC_REQUEST, b"old 0\n\n" + SPEC_REQUEST.split(b"\n\n", 1)[1]))
def test_fuzzed_requests_parse_or_raise_typed_errors(body: bytes) -> None:
    try:
        request = parse_add_checkpoint(body)
    except InvalidInput:
        return
    assert request.to_bytes() == body
