"""C2SP tlog-proof files (text and JSON), and their verification under a policy."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings

from hanoi.custody.errors import MalformedProof, ProofError
from hanoi.custody.merkle import inclusion_proof, leaf_hash
from hanoi.custody.note import Ed25519Signer
from hanoi.custody.policy import CheckpointPolicy
from hanoi.custody.tlogproof import (
    TlogProof,
    load_proof,
    parse_json_proof,
    parse_tlog_proof,
    verify_tlog_proof,
)
from hanoi.errors import InvalidInput
from unit.custody.logbuilder import MemoryLog, entries, mutants

LOG = MemoryLog(Ed25519Signer("example.org/log", Ed25519PrivateKey.generate())).extend(entries(77))
NOTE = LOG.checkpoint_note()
POLICY = CheckpointPolicy(log_keys=(LOG.signer.verifier(),))


def proof_for(index: int, *, extra: bytes | None = None) -> TlogProof:
    path = inclusion_proof(index=index, size=77, reader=LOG.store)
    return TlogProof(index, tuple(path), NOTE, extra)


def test_text_format_round_trips() -> None:
    proof = proof_for(42, extra=b"salt-or-context")
    text = proof.to_bytes()
    assert text.startswith(b"c2sp.org/tlog-proof@v1\nextra c2FsdC1vci1jb250ZXh0\nindex 42\n")
    assert text.endswith(b"\n\n" + NOTE)
    assert parse_tlog_proof(text) == proof
    assert load_proof(text) == proof
    assert parse_tlog_proof(proof_for(0).to_bytes()).extra is None


def test_json_format_round_trips_and_takes_the_checkpoint_apart() -> None:
    proof = proof_for(7)
    encoded = json.dumps(proof.to_json()).encode()
    assert load_proof(encoded) == proof
    bare = proof.to_json()
    del bare["checkpoint"]
    assert parse_json_proof(json.dumps(bare).encode(), checkpoint=NOTE) == proof
    with pytest.raises(MalformedProof, match="no checkpoint"):
        parse_json_proof(json.dumps(bare).encode())
    with pytest.raises(MalformedProof, match="other than"):
        load_proof(proof.to_bytes(), checkpoint=LOG.checkpoint_note(5))


def test_a_valid_proof_verifies_and_a_wrong_leaf_or_index_fails() -> None:
    proof = proof_for(42)
    witnessed = verify_tlog_proof(proof, leaf_hash=leaf_hash(LOG.entries[42]), policy=POLICY)
    assert witnessed.signed.checkpoint.size == 77
    with pytest.raises(ProofError):
        verify_tlog_proof(proof, leaf_hash=leaf_hash(LOG.entries[41]), policy=POLICY)
    moved = TlogProof(43, proof.inclusion_proof, NOTE)
    with pytest.raises(ProofError):
        verify_tlog_proof(moved, leaf_hash=leaf_hash(LOG.entries[42]), policy=POLICY)
    beyond = TlogProof(77, proof.inclusion_proof, NOTE)
    with pytest.raises(ProofError):
        verify_tlog_proof(beyond, leaf_hash=leaf_hash(LOG.entries[42]), policy=POLICY)


@pytest.mark.parametrize(
    "data",
    [
        b"c2sp.org/tlog-proof@v2\nindex 1\n\n",
        b"c2sp.org/tlog-proof@v1\nindex 01\n\n",
        b"c2sp.org/tlog-proof@v1\nextra \nindex 1\n\n",
        b"c2sp.org/tlog-proof@v1\nextra ???\nindex 1\n\n",
        b"c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\n",
        b"c2sp.org/tlog-proof@v1\nindex 1\n",
        b"c2sp.org/tlog-proof@v1\nindex 1\n\nnot a note\n",
        b'{"index": -1, "inclusion_proof": []}',
        b'{"index": true, "inclusion_proof": []}',
        b'{"index": 1, "inclusion_proof": [1]}',
        b'{"index": 1, "index": 2, "inclusion_proof": []}',
        b'{"index": 1, "inclusion_proof": [], "checkpoint": 5}',
        b'{"index": NaN, "inclusion_proof": []}',
        b"[1]",
    ],
)
def test_malformed_proofs_are_rejected(data: bytes) -> None:
    with pytest.raises(InvalidInput):
        load_proof(data, checkpoint=NOTE)


VALID = (proof_for(42, extra=b"x").to_bytes(), json.dumps(proof_for(3).to_json()).encode())


@settings(max_examples=2000, deadline=None)
@given(mutants(*VALID))
def test_fuzzed_proofs_parse_or_raise_typed_errors(data: bytes) -> None:
    try:
        proof = load_proof(data)
    except InvalidInput:
        return
    if data.startswith(b"c2sp.org/tlog-proof@v1\n"):
        assert proof.to_bytes() == data
