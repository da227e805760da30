"""The message model: validation per type, canonical form, unknown members, digests."""

from __future__ import annotations

import json
from datetime import timedelta, timezone
from typing import Any

import pytest
import rfc8785

from hanoi.federation.envelope import check_sender_may_send
from hanoi.federation.errors import MalformedMessage, MessageTooLarge, SenderNotAllowed
from hanoi.federation.messages import (
    REQUEST_BOUND,
    Message,
    MessageType,
    new_message_id,
    parse_message,
)
from unit.federation.support import NOW, make_message

LIMITS = {"max_bytes": 64 * 1024, "max_depth": 16}

VALID_BODIES: dict[MessageType, dict[str, Any]] = {
    MessageType.REQUEST: {"document": {"id": "REQ-1", "kind": "mla"}},
    MessageType.STEP: {"transition": "acknowledge", "record": {"transition": "acknowledge"}},
    MessageType.EVIDENCE_OFFER: {
        "package_id": "PKG-7",
        "package_sha256": "ab" * 32,
        "package_size": 10_000_000,
        "chunk_size": 4 * 1024 * 1024,
    },
    MessageType.EVIDENCE_OUTCOME: {
        "package_id": "PKG-7",
        "package_sha256": "ab" * 32,
        "outcome": "refused",
        "decided_at": "2026-12-01T10:00:00Z",
        "reason": "the download does not match the SHA-256 of the offer",
        "report": {"verdict": "not-verified", "checked": []},
    },
    MessageType.DOCUMENT: {
        "attachment_id": "a1b2c3",
        "sha256": "ab" * 32,
        "size": 5,
        "media_type": "application/pdf",
        "content": "JVBERi0=",
    },
    MessageType.RECEIPT: {"receipt": "eyJ.eyJ.sig"},
    MessageType.COSIGNATURE_REQUEST: {
        "checkpoint": "hanoi.node/aaa\n5\nroot=\n\n— sig\n",
        "old_size": 3,
        "consistency_proof": ["aGFzaA=="],
    },
    MessageType.COSIGNATURE_RESPONSE: {
        "in_reply_to": "0" * 32,
        "outcome": "cosigned",
        "cosignatures": ["— witness sig"],
    },
}


def pointers(exc: pytest.ExceptionInfo[MalformedMessage]) -> set[str]:
    return {field.path for field in exc.value.fields}


@pytest.mark.parametrize("kind", list(MessageType))
def test_every_type_round_trips_through_its_canonical_bytes(kind: MessageType) -> None:
    request_id = "REQ-1" if kind in REQUEST_BOUND else None
    message = make_message(type=kind, body=VALID_BODIES[kind], request_id=request_id)
    data = message.canonical()
    assert data == rfc8785.dumps(json.loads(data))
    assert parse_message(data, **LIMITS) == message


def test_unknown_members_are_kept_at_the_top_and_in_the_body() -> None:
    value = json.loads(make_message().canonical())
    value["priority_hint"] = {"level": 2}
    value["body"]["record"]["future_field"] = [1, "two"]
    value["body"]["note"] = "kept"
    data = rfc8785.dumps(value)
    message = parse_message(data, **LIMITS)
    assert message.extra == {"priority_hint": {"level": 2}}
    assert message.body["note"] == "kept"
    assert message.canonical() == data


def test_the_wire_form_names_every_member() -> None:
    message = make_message(id="f" * 32)
    assert json.loads(message.canonical()) == {
        "version": 1,
        "id": "f" * 32,
        "type": "step",
        "sender": "AAA",
        "recipient": "BBB",
        "sent_at": "2026-12-01T10:00:00Z",
        "request_id": "REQ-1",
        "body": {"transition": "withdraw", "record": {"reasons": "no longer needed"}},
    }


def test_times_are_utc_whatever_zone_they_are_given_in() -> None:
    message = make_message(sent_at=NOW.astimezone(timezone(timedelta(hours=7))))
    assert b'"sent_at":"2026-12-01T10:00:00Z"' in message.canonical()
    micro = make_message(sent_at=NOW + timedelta(microseconds=5))
    assert b'"sent_at":"2026-12-01T10:00:00.000005Z"' in micro.canonical()


def test_a_retry_keeps_the_content_digest_and_changes_the_attempt_digest() -> None:
    message = make_message()
    retry = message.resent(NOW + timedelta(hours=3))
    assert retry.id == message.id
    assert retry.content_digest() == message.content_digest()
    assert retry.digest() != message.digest()
    other = make_message(id=message.id, body={**VALID_BODIES[MessageType.STEP]})
    assert other.content_digest() != message.content_digest()


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b'{"a":1,"a":2}', "duplicate"),
        (b"[1,2]", "object"),
        (b"\xff", "JSON"),
        (b'{"version":NaN}', "JSON"),
    ],
)
def test_non_json_or_non_objects_are_malformed(data: bytes, why: str) -> None:
    with pytest.raises(MalformedMessage, match=why):
        parse_message(data, **LIMITS)


def test_only_the_canonical_spelling_is_accepted() -> None:
    value = json.loads(make_message().canonical())
    spaced = json.dumps(value, indent=1).encode()
    with pytest.raises(MalformedMessage, match="canonical"):
        parse_message(spaced, **LIMITS)
    value["sent_at"] = "2026-12-01T10:00:00.000000Z"
    with pytest.raises(MalformedMessage, match="canonical"):
        parse_message(rfc8785.dumps(value), **LIMITS)


def test_size_and_depth_are_bounded() -> None:
    data = make_message(body={**VALID_BODIES[MessageType.STEP], "pad": "x" * 5000}).canonical()
    with pytest.raises(MessageTooLarge):
        parse_message(data, max_bytes=4096, max_depth=16)
    deep: Any = "leaf"
    for _ in range(20):
        deep = [deep]
    data = make_message(body={**VALID_BODIES[MessageType.STEP], "deep": deep}).canonical()
    with pytest.raises(MalformedMessage, match="deeper"):
        parse_message(data, **LIMITS)


def test_every_top_level_problem_is_reported_at_once() -> None:
    with pytest.raises(MalformedMessage) as exc:
        make_message(id="NOT-HEX", sender="aa", recipient="BBBB", request_id=None)
    assert pointers(exc) == {"/id", "/sender", "/recipient", "/request_id"}


def test_missing_members_and_unknown_versions_and_types_are_refused() -> None:
    value = json.loads(make_message().canonical())
    del value["sender"]
    with pytest.raises(MalformedMessage) as exc:
        parse_message(rfc8785.dumps(value), **LIMITS)
    assert pointers(exc) == {"/sender"}
    for member, bad in (("version", 2), ("version", True), ("type", "gossip")):
        value = json.loads(make_message().canonical())
        value[member] = bad
        with pytest.raises(MalformedMessage):
            parse_message(rfc8785.dumps(value), **LIMITS)


def test_a_state_does_not_write_to_itself() -> None:
    with pytest.raises(MalformedMessage, match="not valid"):
        make_message(recipient="AAA")


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(MalformedMessage):
        make_message(sent_at=NOW.replace(tzinfo=None))


@pytest.mark.parametrize(
    ("kind", "body", "bad"),
    [
        (MessageType.REQUEST, {}, "/body/document"),
        (MessageType.REQUEST, {"document": {"id": "REQ-2"}}, "/body/document/id"),
        (MessageType.STEP, {"transition": "approve", "record": {}}, "/body/transition"),
        (MessageType.STEP, {"transition": "send", "record": {}}, "/body/transition"),
        (MessageType.STEP, {"transition": "acknowledge"}, "/body/record"),
        (
            MessageType.STEP,
            {"transition": "acknowledge", "record": {"transition": "refuse"}},
            "/body/record/transition",
        ),
        (
            MessageType.STEP,
            {"transition": "acknowledge", "record": {"request_id": "REQ-9"}},
            "/body/record/request_id",
        ),
        (
            MessageType.EVIDENCE_OFFER,
            {**VALID_BODIES[MessageType.EVIDENCE_OFFER], "package_sha256": "AB" * 32},
            "/body/package_sha256",
        ),
        (
            MessageType.EVIDENCE_OFFER,
            {**VALID_BODIES[MessageType.EVIDENCE_OFFER], "chunk_size": 0},
            "/body/chunk_size",
        ),
        (
            MessageType.EVIDENCE_OFFER,
            {**VALID_BODIES[MessageType.EVIDENCE_OFFER], "package_size": True},
            "/body/package_size",
        ),
        (MessageType.RECEIPT, {"receipt": ""}, "/body/receipt"),
        (
            MessageType.COSIGNATURE_REQUEST,
            {**VALID_BODIES[MessageType.COSIGNATURE_REQUEST], "consistency_proof": [""]},
            "/body/consistency_proof",
        ),
        (
            MessageType.COSIGNATURE_RESPONSE,
            {"in_reply_to": "0" * 32, "outcome": "cosigned", "cosignatures": []},
            "/body/cosignatures",
        ),
        (
            MessageType.COSIGNATURE_RESPONSE,
            {"in_reply_to": "0" * 32, "outcome": "refused"},
            "/body/reason",
        ),
        (MessageType.COSIGNATURE_RESPONSE, {"in_reply_to": "x"}, "/body/outcome"),
    ],
)
def test_each_type_checks_its_body(kind: MessageType, body: dict[str, Any], bad: str) -> None:
    with pytest.raises(MalformedMessage) as exc:
        make_message(type=kind, body=body)
    assert bad in pointers(exc)


def test_request_bound_types_need_a_request_id_and_the_others_do_not() -> None:
    with pytest.raises(MalformedMessage) as exc:
        make_message(type=MessageType.EVIDENCE_OFFER, request_id=None)
    assert "/request_id" in pointers(exc)
    receipt = make_message(
        type=MessageType.RECEIPT, body=VALID_BODIES[MessageType.RECEIPT], request_id=None
    )
    assert "request_id" not in json.loads(receipt.canonical())


def test_the_model_is_immutable() -> None:
    message = make_message()
    with pytest.raises(TypeError):
        message.body["transition"] = "refuse"  # type: ignore[index]
    assert isinstance(message.body["record"], type(message.body))


def test_ids_are_random_128_bit_hex() -> None:
    ids = {new_message_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


# -- who may send what, for a request between AAA (requesting) and BBB (requested) --------


def _may(message: Message) -> None:
    check_sender_may_send(message, requesting_state="AAA", requested_state="BBB")


def test_each_side_sends_its_own_steps() -> None:
    _may(make_message())  # withdraw: the requesting State
    _may(make_message(sender="BBB", recipient="AAA", body=VALID_BODIES[MessageType.STEP]))
    _may(
        make_message(
            type=MessageType.REQUEST, body=VALID_BODIES[MessageType.REQUEST], request_id="REQ-1"
        )
    )
    _may(
        make_message(
            type=MessageType.EVIDENCE_OFFER,
            sender="BBB",
            recipient="AAA",
            body=VALID_BODIES[MessageType.EVIDENCE_OFFER],
        )
    )


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"body": VALID_BODIES[MessageType.STEP]}, "'acknowledge' is sent by the requested"),
        ({"sender": "BBB", "recipient": "AAA"}, "'withdraw' is sent by the requesting"),
        (
            {
                "type": MessageType.REQUEST,
                "body": VALID_BODIES[MessageType.REQUEST],
                "sender": "BBB",
                "recipient": "AAA",
            },
            "'request' is sent by the requesting",
        ),
        (
            {"type": MessageType.EVIDENCE_OFFER, "body": VALID_BODIES[MessageType.EVIDENCE_OFFER]},
            "'evidence-offer' is sent by the requested",
        ),
        ({"sender": "CCC"}, "between AAA and BBB"),
        ({"recipient": "CCC"}, "between AAA and BBB"),
    ],
)
def test_a_step_of_the_other_side_is_not_allowed(overrides: dict[str, Any], why: str) -> None:
    with pytest.raises(SenderNotAllowed, match=why):
        _may(make_message(**overrides))
