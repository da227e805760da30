"""C2SP tlog-cosignature v1 and the k-of-n checkpoint policy."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from hanoi.crypto.ed25519keys import raw_public
from hanoi.custody.checkpoint import Checkpoint, sign_checkpoint
from hanoi.custody.cosignature import (
    Cosigner,
    CosignerKey,
    cosignature_key_id,
    cosigned_message,
    split_timestamped_signature,
)
from hanoi.custody.errors import (
    InsufficientCosignatures,
    MalformedNote,
    NoTrustedSignature,
    SignatureError,
)
from hanoi.custody.merkle import EMPTY_ROOT
from hanoi.custody.note import Ed25519Signer, Note, NoteSignature, parse_note
from hanoi.custody.policy import CheckpointPolicy, parse_verifier_key
from hanoi.errors import HanoiError, InvalidInput
from unit.custody.logbuilder import mutants

# Published by transparency-dev/formats (note_cosigv1_test.go): a real witness's
# cosignature/v1 vkey, and a real cosignature line with its timestamp.
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
REAL_COSIGNATURE = (
    "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+"
    "8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA=="
)

LOG = Ed25519Signer("example.org/log", Ed25519PrivateKey.generate())
CHECKPOINT = Checkpoint("example.org/log", 5, EMPTY_ROOT.replace(b"\xe3", b"\x01", 1))


def witness(name: str) -> Cosigner:
    return Cosigner(name, Ed25519PrivateKey.generate())


def test_a_published_vkey_parses_and_its_key_id_uses_type_0x04() -> None:
    key = CosignerKey.parse(REMORA_VKEY)
    assert str(key) == REMORA_VKEY
    material = b"remora.n621.de\n\x04" + key.public_key
    assert hashlib.sha256(material).digest()[:4] == key.key_id == bytes.fromhex("da77ade7")


def test_a_published_cosignature_carries_its_timestamp() -> None:
    raw = base64.b64decode(REAL_COSIGNATURE)
    timestamp, signature = split_timestamped_signature(raw[4:])
    assert timestamp == 1727964367
    assert len(signature) == 64


def test_the_signed_message_follows_the_specification() -> None:
    assert cosigned_message(CHECKPOINT.body(), 1679315147) == (
        b"cosignature/v1\ntime 1679315147\n" + CHECKPOINT.body().encode()
    )
    with pytest.raises(InvalidInput):
        cosigned_message("x\n", 1 << 63)


def test_cosign_and_verify() -> None:
    w = witness("witness.example/w1")
    line = w.cosign(CHECKPOINT.body(), timestamp=1_700_000_000)
    assert line.key_id == cosignature_key_id(w.name, raw_public(w._private.public_key()))
    assert w.key.verify_signature(line, CHECKPOINT.body()) == 1_700_000_000
    with pytest.raises(SignatureError):
        w.key.verify_signature(line, CHECKPOINT.body().replace("5", "6"))
    with pytest.raises(SignatureError):
        witness("witness.example/w2").key.verify_signature(line, CHECKPOINT.body())
    retimed = type(line)(line.name, line.key_id, (1).to_bytes(8, "big") + line.signature[8:])
    with pytest.raises(SignatureError):
        w.key.verify(CHECKPOINT.body().encode(), retimed.signature)
    with pytest.raises(SignatureError):
        w.key.verify(CHECKPOINT.body().encode(), line.signature[:-1])
    with pytest.raises(InvalidInput):
        w.cosign(CHECKPOINT.body(), timestamp=0)


def test_an_ed25519_note_key_cannot_verify_a_cosignature() -> None:
    seed = Ed25519PrivateKey.generate()
    cosigner, signer = Cosigner("w", seed), Ed25519Signer("w", seed)
    assert cosigner.key.key_id != signer.key_id


@pytest.mark.parametrize(
    "vkey",
    [
        "w+00000000+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
        "remora.n621.de+da77ade7+AevN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
        "remora.n621.de+da77ade+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
        "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw",
        "remora.n621.de+da77ade7",
        "+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
    ],
)
def test_bad_cosigner_keys_are_rejected(vkey: str) -> None:
    with pytest.raises(InvalidInput):
        CosignerKey.parse(vkey)


def test_verifier_keys_of_both_types_parse() -> None:
    assert isinstance(parse_verifier_key(REMORA_VKEY), CosignerKey)
    vkey = str(LOG.verifier().key)
    assert parse_verifier_key(vkey).key_id == LOG.key_id
    with pytest.raises(InvalidInput):
        parse_verifier_key("a+00000000+Ag==")


def test_verifier_keys_whose_base64_holds_a_plus_parse() -> None:
    seeds = [bytes([i]) * 32 for i in range(24)]
    vkeys = [
        str(Ed25519Signer("n", Ed25519PrivateKey.from_private_bytes(s)).verifier().key)
        for s in seeds
    ]
    assert any("+" in vkey.split("+", 2)[2] for vkey in vkeys)
    for vkey in vkeys:
        assert parse_verifier_key(vkey).key_id.hex() == vkey.split("+")[1]


def cosigned_note(*cosigners: Cosigner, timestamp: int = 1_700_000_000) -> bytes:
    note = parse_note(sign_checkpoint(CHECKPOINT, [LOG]))
    lines = tuple(c.cosign(note.text, timestamp=timestamp) for c in cosigners)
    return Note(note.text, note.signatures + lines).to_bytes()


def test_policy_counts_distinct_trusted_witnesses() -> None:
    w1, w2, w3 = witness("w1"), witness("w2"), witness("w3")
    note = cosigned_note(w1, w2, witness("stranger"))
    policy = CheckpointPolicy(
        log_keys=(LOG.verifier(),), witness_keys=(w1.key, w2.key, w3.key), min_witnesses=2
    )
    witnessed = policy.verify(note)
    assert witnessed.signed.checkpoint == CHECKPOINT
    assert len(witnessed.witnesses) == 2
    strict = CheckpointPolicy(
        log_keys=(LOG.verifier(),), witness_keys=(w1.key, w2.key, w3.key), min_witnesses=3
    )
    with pytest.raises(InsufficientCosignatures, match="2 trusted witness"):
        strict.verify(note)
    with pytest.raises(InsufficientCosignatures):
        strict.verify(cosigned_note(w1, w1, w2))


def test_policy_rejects_a_bad_cosignature_from_a_trusted_witness() -> None:
    w1 = witness("w1")
    impostor = Cosigner("w1", Ed25519PrivateKey.generate())
    note = parse_note(sign_checkpoint(CHECKPOINT, [LOG]))
    line = impostor.cosign(note.text, timestamp=1_700_000_000)
    forged = Note(note.text, (*note.signatures, NoteSignature("w1", w1.key.key_id, line.signature)))
    policy = CheckpointPolicy(log_keys=(LOG.verifier(),), witness_keys=(w1.key,))
    assert policy.verify(cosigned_note(w1)).witnesses == (f"w1+{w1.key.key_id.hex()}",)
    with pytest.raises(SignatureError, match="bad cosignature by w1"):
        policy.verify(forged.to_bytes())


def test_policy_needs_the_log_signature() -> None:
    w1 = witness("w1")
    note = parse_note(cosigned_note(w1))
    only_witness = Note(note.text, note.signatures[1:]).to_bytes()
    policy = CheckpointPolicy(log_keys=(LOG.verifier(),), witness_keys=(w1.key,), min_witnesses=1)
    with pytest.raises(NoTrustedSignature):
        policy.verify(only_witness)


def test_policy_configuration_is_checked() -> None:
    with pytest.raises(InvalidInput):
        CheckpointPolicy(log_keys=())
    with pytest.raises(InvalidInput):
        CheckpointPolicy(log_keys=(LOG.verifier(),), min_witnesses=1)
    with pytest.raises(InvalidInput):
        CheckpointPolicy(log_keys=(LOG.verifier(), LOG.verifier()))


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(max_size=80), st.sampled_from([REMORA_VKEY]).map(lambda k: k[:-3] + "x=")))
def test_fuzzed_vkeys_parse_or_raise_typed_errors(vkey: str) -> None:
    try:
        key = parse_verifier_key(vkey)
    except HanoiError:
        return
    assert key.name


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=120))
def test_fuzzed_timestamped_signatures_split_or_raise_malformed(raw: bytes) -> None:
    try:
        timestamp, signature = split_timestamped_signature(raw)
    except MalformedNote:
        return
    assert timestamp < 1 << 63
    assert len(signature) == 64


W1 = witness("witness.example/w1")
FUZZ_POLICY = CheckpointPolicy(log_keys=(LOG.verifier(),), witness_keys=(W1.key,), min_witnesses=1)


@settings(max_examples=1000, deadline=None)
@given(mutants(cosigned_note(W1), cosigned_note(W1, witness("other"))))
def test_fuzzed_cosigned_checkpoints_verify_or_raise_typed_errors(data: bytes) -> None:
    try:
        witnessed = FUZZ_POLICY.verify(data)
    except HanoiError:
        return
    assert witnessed.signed.checkpoint == CHECKPOINT
