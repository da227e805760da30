"""Custody events: canonical JSON, salted commitments, and proof that one was logged."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from hanoi.custody.cosignature import Cosigner
from hanoi.custody.errors import InsufficientCosignatures, MalformedEvent, ProofError
from hanoi.custody.events import (
    CustodyAction,
    CustodyEvent,
    commitment_of,
    event_commitment,
    event_leaf_hash,
    format_time,
    new_salt,
    parse_event,
    parse_time,
    verify_event_logged,
)
from hanoi.custody.merkle import inclusion_proof, leaf_hash
from hanoi.custody.note import Ed25519Signer, Note, parse_note
from hanoi.custody.policy import CheckpointPolicy
from hanoi.custody.tlogproof import TlogProof
from hanoi.errors import InvalidInput
from unit.custody.logbuilder import MemoryLog, entries, mutants

DIGEST = hashlib.sha256(b"evidence").hexdigest()
EVENT = CustodyEvent(
    action=CustodyAction.RECEIVED,
    time=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    node="EGY",
    officer="officer-17",
    request_id="EGY-2026-0042",
    article="40(15)",
    evidence_sha256=DIGEST,
)
SALT = bytes(range(32))


def test_canonical_json_is_rfc_8785() -> None:
    canonical = EVENT.canonical()
    assert canonical == (
        b'{"article":"40(15)","evidence_sha256":"' + DIGEST.encode() + b'","node":"EGY",'
        b'"officer":"officer-17","request_id":"EGY-2026-0042",'
        b'"time":"2026-03-01T09:30:00Z","type":"received","version":1}'
    )
    assert parse_event(canonical) == EVENT


def test_any_formatting_gives_the_same_commitment_and_unknown_members_are_kept() -> None:
    value = json.loads(EVENT.canonical())
    value["court_note"] = {"language": "fr", "pages": [1, 2.5]}
    value["previous"] = "ab" * 32
    pretty = json.dumps(value, indent=4, ensure_ascii=False).encode()
    event = parse_event(pretty)
    assert event.unknown["court_note"] == {"language": "fr", "pages": [1, 2.5]}
    assert event.canonical() == rfc8785.dumps(value)
    assert event_commitment(event, SALT) == hashlib.sha256(SALT + rfc8785.dumps(value)).digest()
    assert event_leaf_hash(event, SALT) == leaf_hash(event_commitment(event, SALT))


def test_the_salt_hides_the_event() -> None:
    assert event_commitment(EVENT, SALT) != event_commitment(EVENT, new_salt())
    assert len(new_salt()) == 32
    with pytest.raises(InvalidInput):
        event_commitment(EVENT, b"short")


def test_an_event_prepared_for_the_log_is_canonicalised_once_for_both_its_parts() -> None:
    from hanoi.custody.service import CustodyLog

    (prepared,) = CustodyLog.prepare([EVENT])
    assert prepared.event == EVENT.canonical()
    assert prepared.commitment == event_commitment(EVENT, prepared.salt)
    assert commitment_of(EVENT.canonical(), SALT) == event_commitment(EVENT, SALT)
    with pytest.raises(InvalidInput, match="salt"):
        commitment_of(EVENT.canonical(), b"short")


def test_times_are_canonical_utc() -> None:
    cairo = timezone(timedelta(hours=2))
    assert format_time(datetime(2026, 3, 1, 11, 30, tzinfo=cairo)) == "2026-03-01T09:30:00Z"
    assert (
        format_time(datetime(2026, 3, 1, 9, 30, 0, 5, tzinfo=UTC)) == "2026-03-01T09:30:00.000005Z"
    )
    assert parse_time("2026-03-01T09:30:00.000005Z").microsecond == 5
    for text in (
        "2026-03-01T09:30:00",
        "2026-03-01T09:30:00+00:00",
        "2026-03-01T09:30:00.5Z",
        "2026-03-01 09:30:00Z",
        "2026-03-01T09:30:00.000000Z",
        "20260301T093000Z",
    ):
        with pytest.raises(MalformedEvent):
            parse_time(text)
    with pytest.raises(InvalidInput):
        format_time(datetime(2026, 3, 1))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "version"),
        ({"version": True}, "version"),
        ({"type": "stolen"}, "unknown custody event type"),
        ({"time": "yesterday"}, "not canonical"),
        ({"time": 5}, "'time' is a string"),
        ({"node": ""}, "'node'"),
        ({"officer": "a\nb"}, "control character"),
        ({"evidence_sha256": "ABC"}, "lowercase hex"),
        ({"evidence_sha256": None}, "lowercase hex"),
        ({"previous": 5}, "lowercase hex"),
        ({"article": "x" * 2000}, "at most"),
        ({"extra": 2**60}, "canonical form"),
    ],
)
def test_bad_events_are_rejected(change: dict[str, object], message: str) -> None:
    value = {**json.loads(EVENT.canonical()), **change}
    with pytest.raises(MalformedEvent, match=message):
        parse_event(json.dumps(value).encode())


def test_missing_members_and_bad_json_are_rejected() -> None:
    value = json.loads(EVENT.canonical())
    del value["request_id"]
    with pytest.raises(MalformedEvent, match="lacks request_id"):
        parse_event(json.dumps(value).encode())
    for data in (b"[]", b"{", b'{"a":1,"a":2}', b"\xff", b"[" * 5000 + b"]" * 5000):
        with pytest.raises(MalformedEvent):
            parse_event(data)


def test_an_event_cannot_be_built_invalid() -> None:
    with pytest.raises(InvalidInput):
        CustodyEvent(
            action=CustodyAction.SENT,
            time=EVENT.time,
            node="EGY",
            officer="o",
            request_id="r",
            article="a",
            unknown={"node": "shadow"},
        )
    with pytest.raises(InvalidInput):
        CustodyEvent(
            action=CustodyAction.SENT,
            time=EVENT.time,
            node="EGY",
            officer="o",
            request_id="r",
            article="a",
            previous="nope",
        )


def logged_event() -> tuple[MemoryLog, Cosigner, TlogProof]:
    log = MemoryLog(Ed25519Signer("example.org/log", Ed25519PrivateKey.generate()))
    log.extend(entries(10)).extend([event_commitment(EVENT, SALT)]).extend(entries(5, tag="z"))
    witness = Cosigner("witness.example/w1", Ed25519PrivateKey.generate())
    note = parse_note(log.checkpoint_note())
    cosigned = Note(
        note.text, (*note.signatures, witness.cosign(note.text, timestamp=1_760_000_000))
    )
    proof = inclusion_proof(index=10, size=16, reader=log.store)
    return log, witness, TlogProof(10, tuple(proof), cosigned.to_bytes())


def test_a_logged_event_is_proven() -> None:
    log, witness, proof = logged_event()
    policy = CheckpointPolicy(
        log_keys=(log.signer.verifier(),), witness_keys=(witness.key,), min_witnesses=1
    )
    logged = verify_event_logged(event=EVENT, salt=SALT, proof=proof, policy=policy)
    assert logged.index == 10
    assert logged.commitment == event_commitment(EVENT, SALT)
    assert logged.witnessed.witnesses == (f"witness.example/w1+{witness.key.key_id.hex()}",)


def test_a_changed_event_salt_or_quorum_fails() -> None:
    log, witness, proof = logged_event()
    policy = CheckpointPolicy(log_keys=(log.signer.verifier(),), witness_keys=(witness.key,))
    other = parse_event(EVENT.canonical().replace(b"officer-17", b"officer-18"))
    with pytest.raises(ProofError):
        verify_event_logged(event=other, salt=SALT, proof=proof, policy=policy)
    with pytest.raises(ProofError):
        verify_event_logged(event=EVENT, salt=bytes(32), proof=proof, policy=policy)
    stranger = Cosigner("witness.example/w2", Ed25519PrivateKey.generate())
    strict = CheckpointPolicy(
        log_keys=(log.signer.verifier(),), witness_keys=(witness.key, stranger.key), min_witnesses=2
    )
    with pytest.raises(InsufficientCosignatures):
        verify_event_logged(event=EVENT, salt=SALT, proof=proof, policy=strict)


@settings(max_examples=2000, deadline=None)
@given(
    st.one_of(
        mutants(EVENT.canonical(), json.dumps(json.loads(EVENT.canonical()), indent=1).encode()),
        st.dictionaries(
            st.sampled_from(["version", "type", "time", "node", "officer", "request_id", "x"]),
            st.one_of(st.integers(), st.text(max_size=20), st.none(), st.booleans()),
        ).map(lambda d: json.dumps({**json.loads(EVENT.canonical()), **d}).encode()),
    )
)
def test_fuzzed_events_parse_or_raise_malformed(data: bytes) -> None:
    try:
        event = parse_event(data)
    except MalformedEvent:
        return
    assert event.canonical() == rfc8785.dumps(json.loads(data))
    assert parse_event(event.canonical()) == event
